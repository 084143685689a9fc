#include "store/htpasswd_directory.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/atomic_file.hpp"
#include "test_util.hpp"

namespace gk::store {
namespace {
using test::must;
using test::TempDir;

// Replaces the file the way editors and our CLI do (new inode), so the
// change is visible to the stamp even within one mtime tick.
void replace(const std::filesystem::path& p, const std::string& text) {
    auto r = write_file_atomically(p, text);
    ASSERT_TRUE(r.ok()) << r.error();
}

TEST(HtpasswdDirectory, LoadsAndFinds) {
    TempDir dir;
    test::write_text(dir / "users", "# comment\nalice:" + test::kSha512Secret + "\n\nbob:" + test::kApr1Secret + "\n");
    HtpasswdDirectory users(dir / "users");
    EXPECT_TRUE(users.healthy());
    EXPECT_FALSE(users.load_error().has_value());
    EXPECT_EQ(users.size(), 2u);
    auto alice = must(users.find("alice"));
    ASSERT_TRUE(alice.has_value());
    EXPECT_EQ(alice->name, "alice");
    EXPECT_EQ(alice->password_hash, test::kSha512Secret);
    EXPECT_TRUE(alice->groups.empty());
    EXPECT_TRUE(alice->email.empty());
    EXPECT_FALSE(alice->disabled);
    EXPECT_FALSE(must(users.find("carol")).has_value());
    EXPECT_FALSE(must(users.find("Alice")).has_value()) << "names are case-sensitive";
    EXPECT_FALSE(must(users.find("")).has_value());
    EXPECT_FALSE(must(users.find("# comment")).has_value());
}

TEST(HtpasswdDirectory, LegacyUsersAreListedSorted) {
    TempDir dir;
    test::write_text(dir / "users", "zed:" + test::kShaSecret + "\nalice:" + test::kSha512Secret + "\nbob:" +
                                        test::kApr1Secret + "\n");
    HtpasswdDirectory users(dir / "users");
    EXPECT_EQ(users.legacy_users(), (std::vector<std::string>{"bob", "zed"}));
}

TEST(HtpasswdDirectory, MissingFileIsUnhealthyUntilItAppears) {
    TempDir dir;
    HtpasswdDirectory users(dir / "users");
    EXPECT_FALSE(users.healthy());
    ASSERT_TRUE(users.load_error().has_value());
    EXPECT_NE(users.load_error()->message.find((dir / "users").string()), std::string::npos);
    EXPECT_FALSE(users.find("alice").ok()) << "no file: the lookup fails (503), never \"no such user\"";
    EXPECT_TRUE(users.legacy_users().empty());

    replace(dir / "users", "alice:" + test::kSha512Secret + "\n");
    auto r = users.reload_if_changed();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r.value());
    EXPECT_TRUE(users.healthy());
    EXPECT_FALSE(users.load_error().has_value());
    EXPECT_TRUE(must(users.find("alice")).has_value());
}

TEST(HtpasswdDirectory, BrokenFileAtStartIsUnhealthyWithLine) {
    TempDir dir;
    test::write_text(dir / "users", "alice:" + test::kSha512Secret + "\nno colon here\n");
    HtpasswdDirectory users(dir / "users");
    EXPECT_FALSE(users.healthy());
    ASSERT_TRUE(users.load_error().has_value());
    EXPECT_EQ(users.load_error()->line, 2);
    EXPECT_FALSE(users.find("alice").ok()) << "nothing from a half-parsed file: the lookup fails";
}

TEST(HtpasswdDirectory, ReloadSeesNewUserAndUnchangedIsCheap) {
    TempDir dir;
    test::write_text(dir / "users", "alice:" + test::kSha512Secret + "\n");
    HtpasswdDirectory users(dir / "users");
    auto same = users.reload_if_changed();
    ASSERT_TRUE(same.ok());
    EXPECT_FALSE(same.value()) << "nothing changed";

    replace(dir / "users", "alice:" + test::kSha512Secret + "\nbob:" + test::kApr1Secret + "\n");
    auto r = users.reload_if_changed();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r.value());
    EXPECT_TRUE(must(users.find("bob")).has_value());
    EXPECT_EQ(users.legacy_users(), std::vector<std::string>{"bob"});

    replace(dir / "users", "bob:" + test::kApr1Secret + "\n");
    ASSERT_TRUE(users.reload_if_changed().ok());
    EXPECT_FALSE(must(users.find("alice")).has_value()) << "deleted user is gone";
}

TEST(HtpasswdDirectory, InPlaceEditWithSameSizeIsSeen) {
    // Same length, same inode: only mtime/ctime tell. Force a distinct mtime.
    TempDir dir;
    test::write_text(dir / "users", "alice:" + test::kSha512Secret + "\n");
    HtpasswdDirectory users(dir / "users");
    test::write_text(dir / "users", "alicf:" + test::kSha512Secret + "\n");
    std::filesystem::last_write_time(dir / "users",
                                     std::filesystem::last_write_time(dir / "users") + std::chrono::seconds(5));
    auto r = users.reload_if_changed();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.value());
    EXPECT_TRUE(must(users.find("alicf")).has_value());
}

TEST(HtpasswdDirectory, BrokenReloadKeepsLastGoodSnapshot) {
    TempDir dir;
    test::write_text(dir / "users", "alice:" + test::kSha512Secret + "\n");
    HtpasswdDirectory users(dir / "users");

    replace(dir / "users", "alice:" + test::kSha512Secret + "\nbob:" + test::kApr1Secret + "\nbroken\n");
    auto r = users.reload_if_changed();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().line, 3);
    EXPECT_NE(r.error().message.find((dir / "users").string()), std::string::npos);
    EXPECT_EQ(r.error().message.find(test::kApr1Secret), std::string::npos) << "no hash in messages";
    EXPECT_TRUE(users.healthy());
    EXPECT_TRUE(must(users.find("alice")).has_value());
    EXPECT_FALSE(must(users.find("bob")).has_value()) << "never a half state";
    ASSERT_TRUE(users.load_error().has_value());

    // Asked again without a change: still the same error, still the old users.
    auto again = users.reload_if_changed();
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().line, 3);

    replace(dir / "users", "bob:" + test::kApr1Secret + "\n");
    auto fixed = users.reload_if_changed();
    ASSERT_TRUE(fixed.ok());
    EXPECT_FALSE(users.load_error().has_value());
    EXPECT_TRUE(must(users.find("bob")).has_value());
}

// Regression: a user file removed or replaced by a directory at run time is
// unavailable (503) until it is readable again, never served from memory.
TEST(HtpasswdDirectory, DeletedFileIsUnavailableUntilBack) {
    TempDir dir;
    test::write_text(dir / "users", "alice:" + test::kSha512Secret + "\n");
    HtpasswdDirectory users(dir / "users");
    std::filesystem::remove(dir / "users");
    auto r = users.reload_if_changed();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().line, 0);
    EXPECT_FALSE(users.healthy());
    auto gone = users.find("alice");
    ASSERT_FALSE(gone.ok());
    EXPECT_NE(gone.error().find((dir / "users").string()), std::string::npos);
    ASSERT_FALSE(users.reload_if_changed().ok()) << "still gone";

    replace(dir / "users", "alice:" + test::kSha512Secret + "\n");
    auto back = users.reload_if_changed();
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_TRUE(users.healthy());
    EXPECT_TRUE(must(users.find("alice")).has_value());
}

TEST(HtpasswdDirectory, FileReplacedByDirectoryIsUnavailable) {
    TempDir dir;
    test::write_text(dir / "users", "alice:" + test::kSha512Secret + "\n");
    HtpasswdDirectory users(dir / "users");
    std::filesystem::remove(dir / "users");
    std::filesystem::create_directory(dir / "users");
    ASSERT_FALSE(users.reload_if_changed().ok());
    EXPECT_FALSE(users.healthy());
    EXPECT_FALSE(users.find("alice").ok());
    std::filesystem::remove(dir / "users");
    replace(dir / "users", "alice:" + test::kSha512Secret + "\n");
    ASSERT_TRUE(users.reload_if_changed().ok());
    EXPECT_TRUE(must(users.find("alice")).has_value());
}

TEST(HtpasswdDirectory, ConcurrentFindDuringReload) {
    // Readers must always see one whole snapshot: either {alice} or
    // {alice, bob}; alice is in both, so she must never be missing.
    TempDir dir;
    const std::string one = "alice:" + test::kSha512Secret + "\n";
    const std::string two = one + "bob:" + test::kApr1Secret + "\n";
    test::write_text(dir / "users", one);
    HtpasswdDirectory users(dir / "users");

    std::atomic<bool> stop{false};
    std::atomic<int> missing{0};
    std::atomic<long> lookups{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t)
        readers.emplace_back([&] {
            while (!stop.load()) {
                if (!must(users.find("alice"))) missing.fetch_add(1);
                auto bob = must(users.find("bob"));
                if (bob && bob->password_hash != test::kApr1Secret) missing.fetch_add(1);
                lookups.fetch_add(1);
            }
        });
    int reloads = 0;
    for (int i = 0; i < 60; ++i) {
        replace(dir / "users", i % 2 ? one : two);
        auto r = users.reload_if_changed();
        if (!r.ok()) {  // no ASSERT here: the readers must still be joined
            ADD_FAILURE() << r.error().message;
            break;
        }
        reloads += r.value() ? 1 : 0;
    }
    stop = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(missing.load(), 0);
    EXPECT_GT(lookups.load(), 0);
    EXPECT_EQ(reloads, 60) << "every replacement is a new inode, so every one is seen";
}

}  // namespace
}  // namespace gk::store
