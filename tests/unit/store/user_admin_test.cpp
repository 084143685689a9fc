#include "store/user_admin.hpp"

#include <gtest/gtest.h>

#include "gatekeeper/schemes/digest.hpp"

#include "store/htpasswd_directory.hpp"
#include "store/sqlite_users.hpp"
#include "test_util.hpp"

namespace gk::store {
namespace {
using test::must;
using test::TempDir;
using Kind = StoreError::Kind;
using Groups = std::vector<std::string>;

bool verifies(const std::string& hash, std::string_view password) {
    auto r = password::verify(hash, password);
    return r.ok() && r.value();
}

// The same scenario must hold for both backends.
class UserAdmin : public ::testing::TestWithParam<UserSourceRef::Kind> {
protected:
    UserSourceRef src() const {
        return {GetParam(), dir_ / (GetParam() == UserSourceRef::Kind::sqlite ? "g.db" : "users.htpasswd"), {}};
    }
    std::optional<gate::UserRecord> lookup(std::string_view name) const {
        if (GetParam() == UserSourceRef::Kind::sqlite)
            return must(SqliteUsers::open(src().path).value()->find(name));
        if (!std::filesystem::exists(src().path)) return std::nullopt;  // nothing was ever written
        return must(HtpasswdDirectory(src().path).find(name));
    }
    TempDir dir_;
};

TEST_P(UserAdmin, AddPasswdDelList) {
    const auto p = test::cheap_argon2();
    ASSERT_TRUE(admin_add(src(), {"alice", {}, ""}, Secret(std::string("wonderland")), p).ok());
    ASSERT_TRUE(admin_add(src(), {"bob", {}, ""}, Secret(std::string("builder")), p).ok());
    auto alice = lookup("alice");
    ASSERT_TRUE(alice.has_value());
    EXPECT_EQ(password::detect(alice->password_hash), password::Format::argon2id);
    EXPECT_TRUE(verifies(alice->password_hash, "wonderland"));
    EXPECT_FALSE(verifies(alice->password_hash, "builder"));

    auto dup = admin_add(src(), {"alice", {}, ""}, Secret(std::string("x")), p);
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().kind, Kind::exists);

    ASSERT_TRUE(admin_passwd(src(), "alice", Secret(std::string("looking-glass")), p).ok());
    EXPECT_TRUE(verifies(lookup("alice")->password_hash, "looking-glass"));
    EXPECT_TRUE(verifies(lookup("bob")->password_hash, "builder"));

    auto list = admin_list(src());
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].name, "alice");
    EXPECT_EQ((*list)[1].name, "bob");

    ASSERT_TRUE(admin_delete(src(), "alice").ok());
    EXPECT_FALSE(lookup("alice").has_value());
    EXPECT_TRUE(lookup("bob").has_value());

    for (auto r : {admin_delete(src(), "alice"), admin_passwd(src(), "alice", Secret(std::string("x")), p)}) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, Kind::not_found);
    }
    EXPECT_EQ(test::mode_of(src().path), 0600u);
}

TEST_P(UserAdmin, RefusesBadInput) {
    const auto p = test::cheap_argon2();
    auto empty = admin_add(src(), {"alice", {}, ""}, Secret(), p);
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().kind, Kind::invalid);
    auto colon = admin_add(src(), {"al:ice", {}, ""}, Secret(std::string("pw")), p);
    ASSERT_FALSE(colon.ok());
    EXPECT_EQ(colon.error().kind, Kind::invalid);
    EXPECT_FALSE(lookup("al").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, UserAdmin,
                         ::testing::Values(UserSourceRef::Kind::htpasswd, UserSourceRef::Kind::sqlite),
                         [](const auto& info) {
                             return info.param == UserSourceRef::Kind::sqlite ? "sqlite" : "htpasswd";
                         });

TEST(UserAdminSqlite, OnlyAddCreatesTheDatabase) {
    TempDir dir;
    UserSourceRef src{UserSourceRef::Kind::sqlite, dir / "typo.db", {}};
    auto list = admin_list(src);
    ASSERT_FALSE(list.ok());
    EXPECT_EQ(list.error().kind, Kind::unavailable);
    EXPECT_NE(list.error().message.find("typo.db"), std::string::npos);
    EXPECT_FALSE(admin_delete(src, "alice").ok());
    EXPECT_FALSE(admin_passwd(src, "alice", Secret(std::string("pw")), test::cheap_argon2()).ok());
    EXPECT_FALSE(std::filesystem::exists(dir / "typo.db"));
    ASSERT_TRUE(admin_add(src, {"alice", {}, ""}, Secret(std::string("pw")), test::cheap_argon2()).ok());
    EXPECT_TRUE(admin_list(src).ok());
}

TEST(UserAdminSqlite, GroupsAndEmail) {
    TempDir dir;
    UserSourceRef src{UserSourceRef::Kind::sqlite, dir / "g.db", {}};
    ASSERT_TRUE(admin_add(src, {"alice", {"admins", "users"}, "alice@example.org"}, Secret(std::string("pw")),
                          test::cheap_argon2())
                    .ok());
    auto list = admin_list(src);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].groups, (Groups{"admins", "users"}));
    EXPECT_EQ((*list)[0].email, "alice@example.org");
}

TEST(UserAdminSqlite, DigestSecretsFollowThePassword) {
    using schemes::DigestAlgorithm;
    TempDir dir;
    UserSourceRef src{UserSourceRef::Kind::sqlite, dir / "g.db",
                      {{"Admin Panel", {DigestAlgorithm::sha256, DigestAlgorithm::md5}}, {"App", {DigestAlgorithm::md5}}}};
    ASSERT_TRUE(admin_add(src, {"alice", {}, ""}, Secret(std::string("wonderland")), test::cheap_argon2()).ok());
    auto has = [&](std::string_view realm, DigestAlgorithm alg, std::string_view pw) {
        auto list = admin_list(src);
        if (!list || list->empty()) return false;
        for (const auto& d : (*list)[0].digest_secrets)
            if (d.realm == realm && d.algorithm == schemes::to_string(alg) &&
                d.ha1 == schemes::digest_ha1(alg, "alice", realm, pw))
                return true;
        return false;
    };
    EXPECT_TRUE(has("Admin Panel", DigestAlgorithm::sha256, "wonderland"));
    EXPECT_TRUE(has("Admin Panel", DigestAlgorithm::md5, "wonderland"));
    EXPECT_TRUE(has("App", DigestAlgorithm::md5, "wonderland"));
    EXPECT_EQ(admin_list(src)->at(0).digest_secrets.size(), 3u);
    ASSERT_TRUE(admin_passwd(src, "alice", Secret(std::string("looking-glass")), test::cheap_argon2()).ok());
    EXPECT_FALSE(has("Admin Panel", DigestAlgorithm::sha256, "wonderland")) << "old password gone from Digest too";
    EXPECT_TRUE(has("Admin Panel", DigestAlgorithm::sha256, "looking-glass"));
}

TEST(UserAdminHtpasswd, DigestRealmsAreRefusedForAnHtpasswdFile) {
    TempDir dir;
    UserSourceRef src{UserSourceRef::Kind::htpasswd, dir / "users", {{"R", {schemes::DigestAlgorithm::md5}}}};
    auto r = admin_add(src, {"alice", {}, ""}, Secret(std::string("pw")), test::cheap_argon2());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, StoreError::Kind::invalid);
    EXPECT_NE(r.error().message.find("Digest"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "users")) << "nothing written";
}

TEST(UserAdminHtpasswd, GroupsOrEmailAreAnErrorNotADrop) {
    TempDir dir;
    UserSourceRef src{UserSourceRef::Kind::htpasswd, dir / "users", {}};
    auto g = admin_add(src, {"alice", {"admins"}, ""}, Secret(std::string("pw")), test::cheap_argon2());
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.error().kind, Kind::invalid);
    EXPECT_NE(g.error().message.find("--db"), std::string::npos);
    auto e = admin_add(src, {"alice", {}, "a@b.c"}, Secret(std::string("pw")), test::cheap_argon2());
    ASSERT_FALSE(e.ok());
    EXPECT_FALSE(std::filesystem::exists(dir / "users")) << "nothing written";
}

TEST(UserAdminHtpasswd, EditsKeepCommentsOtherUsersAndMode) {
    TempDir dir;
    const std::string before = "# managed by hand\nbob:" + test::kApr1Secret + "\n\n# legacy below\nzed:" +
                               test::kShaSecret + "\n";
    test::write_text(dir / "users", before);
    std::filesystem::permissions(dir / "users", std::filesystem::perms::owner_read |
                                                    std::filesystem::perms::owner_write |
                                                    std::filesystem::perms::group_read);
    UserSourceRef src{UserSourceRef::Kind::htpasswd, dir / "users", {}};
    ASSERT_TRUE(admin_add(src, {"alice", {}, ""}, Secret(std::string("pw")), test::cheap_argon2()).ok());
    std::string after = test::read_text(dir / "users");
    EXPECT_TRUE(after.starts_with(before)) << after;
    EXPECT_TRUE(after.find("\nalice:$argon2id$") != std::string::npos) << after;
    EXPECT_EQ(test::mode_of(dir / "users"), 0640u) << "the operator's mode is kept";

    ASSERT_TRUE(admin_delete(src, "bob").ok());
    EXPECT_EQ(test::read_text(dir / "users").find("bob:"), std::string::npos);
    EXPECT_NE(test::read_text(dir / "users").find("# managed by hand\n\n# legacy below\nzed:"), std::string::npos);
}

TEST(UserAdminHtpasswd, BrokenOrMissingFileIsAnErrorWithPath) {
    TempDir dir;
    UserSourceRef src{UserSourceRef::Kind::htpasswd, dir / "users", {}};
    for (auto r : {admin_delete(src, "bob"), admin_passwd(src, "bob", Secret(std::string("pw")), test::cheap_argon2())}) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, Kind::unavailable);
        EXPECT_NE(r.error().message.find(src.path.string()), std::string::npos) << r.error().message;
    }
    EXPECT_FALSE(admin_list(src).ok());

    const std::string broken = "bob:x\nno-colon\n";
    test::write_text(dir / "users", broken);
    auto add = admin_add(src, {"alice", {}, ""}, Secret(std::string("pw")), test::cheap_argon2());
    ASSERT_FALSE(add.ok());
    EXPECT_EQ(add.error().kind, Kind::unavailable);
    EXPECT_NE(add.error().message.find("line 2"), std::string::npos) << add.error().message;
    EXPECT_NE(add.error().message.find(src.path.string()), std::string::npos) << add.error().message;
    EXPECT_EQ(test::read_text(dir / "users"), broken) << "a broken file is never rewritten";
    auto list = admin_list(src);
    ASSERT_FALSE(list.ok());
    EXPECT_NE(list.error().message.find("line 2"), std::string::npos);
}

TEST(UserAdmin, FormatUserListNeverShowsHashes) {
    std::vector<gate::UserRecord> users(3);
    users[0] = {"alice", "$argon2id$secret-hash", {"admins", "users"}, "a@x.y", false, {}};
    users[1] = {"bob", "{SHA}hash", {}, "", false, {}};
    users[2] = {"carolyn", "H", {}, "", true, {}};
    const std::string out = format_user_list(users);
    EXPECT_EQ(out, "alice    admins,users\nbob\ncarolyn  (disabled)\n");
    EXPECT_EQ(out.find("hash"), std::string::npos);
    EXPECT_EQ(format_user_list({}), "");
}

}  // namespace
}  // namespace gk::store
