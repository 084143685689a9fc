#include "store/file_read.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace gk::store {
namespace {
using test::TempDir;

TEST(FileRead, ReadsWholeFileWithStamp) {
    TempDir dir;
    test::write_text(dir / "f", "hello\n");
    auto r = read_file(dir / "f");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->text, "hello\n");
    EXPECT_EQ(r->stamp.size, 6);
    auto st = stat_file(dir / "f");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st.value(), r->stamp);
}

TEST(FileRead, StampChangesWhenFileIsReplaced) {
    TempDir dir;
    test::write_text(dir / "f", "one");
    auto a = stat_file(dir / "f");
    test::write_text(dir / "g", "two");
    std::filesystem::rename(dir / "g", dir / "f");
    auto b = stat_file(dir / "f");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a.value(), b.value()) << "same size, different inode";
}

TEST(FileRead, Failures) {
    TempDir dir;
    std::filesystem::create_directory(dir / "d");
    test::write_text(dir / "big", std::string(100, 'x'));
    auto missing = read_file(dir / "absent");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().find((dir / "absent").string()), std::string::npos);
    auto directory = read_file(dir / "d");
    ASSERT_FALSE(directory.ok());
    EXPECT_NE(directory.error().find("not a regular file"), std::string::npos) << directory.error();
    auto big = read_file(dir / "big", 99);
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.error().find("too large"), std::string::npos);
    EXPECT_TRUE(read_file(dir / "big", 100).ok()) << "the limit itself is allowed";
    EXPECT_FALSE(stat_file(dir / "absent").ok());
}

}  // namespace
}  // namespace gk::store
