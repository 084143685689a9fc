#include "store/atomic_file.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace gk::store {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

TEST(AtomicFile, CreatesNewFileWithContentAndPrivateMode) {
    TempDir dir;
    auto r = write_file_atomically(dir / "users", "alice:x\n");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(test::read_text(dir / "users"), "alice:x\n");
    EXPECT_EQ(test::mode_of(dir / "users"), 0600u);
    EXPECT_EQ(test::count_entries(dir.path()), 1u) << "no temporary file left behind";
}

TEST(AtomicFile, ReplacesExistingContentWholly) {
    TempDir dir;
    test::write_text(dir / "f", std::string(10000, 'a'));
    ASSERT_TRUE(write_file_atomically(dir / "f", "short").ok());
    EXPECT_EQ(test::read_text(dir / "f"), "short");
    EXPECT_EQ(test::count_entries(dir.path()), 1u);
}

TEST(AtomicFile, ModeIsExactlyAsAskedDespiteUmask) {
    TempDir dir;
    const auto perms = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
    mode_t old = ::umask(077);
    auto r = write_file_atomically(dir / "f", "x", perms);
    ::umask(old);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(test::mode_of(dir / "f"), 0644u);
}

TEST(AtomicFile, EmptyContentAndBinaryBytes) {
    TempDir dir;
    ASSERT_TRUE(write_file_atomically(dir / "empty", "").ok());
    EXPECT_EQ(fs::file_size(dir / "empty"), 0u);
    const std::string bytes("a\0b\xff\r\n", 6);
    ASSERT_TRUE(write_file_atomically(dir / "bin", bytes).ok());
    EXPECT_EQ(test::read_text(dir / "bin"), bytes);
}

TEST(AtomicFile, MissingDirectoryFailsWithPath) {
    TempDir dir;
    auto target = dir / "no-such-dir" / "users";
    auto r = write_file_atomically(target, "x");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find(target.string()), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("No such file"), std::string::npos) << r.error();
    EXPECT_FALSE(fs::exists(target));
}

TEST(AtomicFile, FailedRenameLeavesTargetAndNoTempFile) {
    // A directory where the file should be: rename(2) fails with EISDIR after
    // the temporary file was fully written, the worst moment to fail.
    TempDir dir;
    fs::create_directory(dir / "users");
    test::write_text(dir / "users" / "inside", "keep");
    auto r = write_file_atomically(dir / "users", "new content");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("replace"), std::string::npos) << r.error();
    EXPECT_TRUE(fs::is_directory(dir / "users"));
    EXPECT_EQ(test::read_text(dir / "users" / "inside"), "keep");
    EXPECT_EQ(test::count_entries(dir.path()), 1u) << "temporary file removed";
}

TEST(AtomicFile, OriginalSurvivesAFailedWrite) {
    TempDir dir;
    test::write_text(dir / "users", "alice:old\n");
    // Same target name, but through a path whose directory does not exist.
    auto r = write_file_atomically(dir / "missing" / "users", "alice:new\n");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(test::read_text(dir / "users"), "alice:old\n");
}

TEST(AtomicFile, SymlinkIsFollowedAndKept) {
    TempDir dir;
    test::write_text(dir / "real", "old");
    fs::create_symlink(dir / "real", dir / "link");
    ASSERT_TRUE(write_file_atomically(dir / "link", "new").ok());
    EXPECT_TRUE(fs::is_symlink(dir / "link"));
    EXPECT_EQ(test::read_text(dir / "real"), "new");
}

TEST(AtomicFile, RelativePathInCurrentDirectory) {
    TempDir dir;
    auto old = fs::current_path();
    fs::current_path(dir.path());
    auto r = write_file_atomically("plain", "x");
    fs::current_path(old);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(test::read_text(dir / "plain"), "x");
}

TEST(AtomicFile, ExistingPermsOrFallback) {
    TempDir dir;
    test::write_text(dir / "f", "x");
    fs::permissions(dir / "f", fs::perms::owner_read | fs::perms::group_read);
    EXPECT_EQ(existing_perms_or(dir / "f", kPrivateFile), fs::perms::owner_read | fs::perms::group_read);
    EXPECT_EQ(existing_perms_or(dir / "absent", kPrivateFile), kPrivateFile);
    EXPECT_EQ(existing_perms_or(dir.path(), kPrivateFile), kPrivateFile) << "a directory is not a file";
}

}  // namespace
}  // namespace gk::store
