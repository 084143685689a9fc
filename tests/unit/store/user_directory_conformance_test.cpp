// The behaviour every user database with groups shares (see
// user_directory_conformance.hpp). Each engine's test file instantiates the
// suite: sqlite_users_test.cpp and pg_users_test.cpp.
#include "user_directory_conformance.hpp"

#include "gatekeeper/schemes/digest.hpp"

namespace gk::store::test {
namespace {
using Kind = StoreError::Kind;
using Groups = std::vector<std::string>;

bool has_secret(const gate::UserRecord& r, std::string_view realm, std::string_view alg,
                std::string_view ha1) {
    for (const auto& d : r.digest_secrets)
        if (d.realm == realm && d.algorithm == alg && d.ha1 == ha1) return true;
    return false;
}

TEST_P(UserDirectoryConformance, FindsUsersWithGroupsAndEmail) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->add_user("alice", "H-alice", {"users", "admins", "admins"}, "alice@example.org").ok());
    auto a = look(*db, "alice");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->name, "alice");
    EXPECT_EQ(a->password_hash, "H-alice");
    EXPECT_EQ(a->email, "alice@example.org");
    EXPECT_EQ(a->groups, (Groups{"admins", "users"})) << "sorted, duplicates folded";
    EXPECT_FALSE(a->disabled);
    EXPECT_TRUE(db->healthy());
    for (const char* unknown : {"bob", "ALICE", "alice ", "' OR 1=1 --", ""})
        EXPECT_FALSE(look(*db, unknown).has_value()) << unknown;
}

TEST_P(UserDirectoryConformance, AddErrorsChangeNothing) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->add_user("alice", "H", {}).ok());
    struct Case {
        const char* what;
        Result<Ok, StoreError> r;
        Kind kind;
    };
    Case cases[] = {
        {"duplicate", db->add_user("alice", "H2", {}), Kind::exists},
        {"colon", db->add_user("a:b", "H", {}), Kind::invalid},
        {"empty name", db->add_user("", "H", {}), Kind::invalid},
        {"bad group", db->add_user("bob", "H", {"a,b"}), Kind::invalid},
        {"empty group", db->add_user("bob", "H", {""}), Kind::invalid},
        {"bad email", db->add_user("bob", "H", {}, "nope"), Kind::invalid},
        {"empty hash", db->add_user("bob", "", {}), Kind::invalid},
        {"newline hash", db->add_user("bob", "H\nX", {}), Kind::invalid},
        {"empty realm", db->add_user("bob", "H", {}, "", {{"", "MD5", "x"}}), Kind::invalid},
        {"newline realm", db->add_user("bob", "H", {}, "", {{"R\n", "MD5", "x"}}), Kind::invalid},
        {"unknown algorithm", db->add_user("bob", "H", {}, "", {{"R", "SHA-1", "x"}}), Kind::invalid},
    };
    for (const auto& c : cases) {
        ASSERT_FALSE(c.r.ok()) << c.what;
        EXPECT_EQ(c.r.error().kind, c.kind) << c.what << ": " << c.r.error().message;
    }
    EXPECT_NE(cases[0].r.error().message.find("alice"), std::string::npos);
    EXPECT_EQ(look(*db, "alice")->password_hash, "H") << "a failed add changes nothing";
    EXPECT_FALSE(look(*db, "bob").has_value()) << "nothing half-added";
}

TEST_P(UserDirectoryConformance, DigestSecretsPerRealmAndUserhash) {
    using schemes::DigestAlgorithm;
    auto db = open();
    ASSERT_TRUE(db);
    const std::vector<gate::DigestSecret> first{
        {"Admin Panel", "SHA-256", "aa11"}, {"Admin Panel", "MD5", "bb22"}, {"App", "MD5", "cc33"}};
    ASSERT_TRUE(db->add_user("alice", "H1", {}, "", first).ok());
    ASSERT_TRUE(db->add_user("bob", "H2", {}, "", {{"App", "MD5", "ee55"}}).ok());
    auto a = look(*db, "alice");
    ASSERT_TRUE(a.has_value());
    ASSERT_EQ(a->digest_secrets.size(), 3u);
    EXPECT_TRUE(has_secret(*a, "Admin Panel", "SHA-256", "aa11"));
    EXPECT_TRUE(has_secret(*a, "Admin Panel", "MD5", "bb22"));
    EXPECT_TRUE(has_secret(*a, "App", "MD5", "cc33"));

    // Userhash (RFC 7616 3.4.4): per realm and algorithm.
    auto u = by_userhash(*db, DigestAlgorithm::sha256, "alice", "Admin Panel");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->name, "alice");
    EXPECT_EQ(by_userhash(*db, DigestAlgorithm::md5, "bob", "App")->name, "bob");
    EXPECT_FALSE(by_userhash(*db, DigestAlgorithm::sha256, "alice", "App").has_value())
        << "no SHA-256 secret in App";
    EXPECT_FALSE(by_userhash(*db, DigestAlgorithm::md5, "carol", "App").has_value());
    EXPECT_FALSE(must(db->find_by_digest_userhash("App", "MD5", "not-a-hash")).has_value());

    // A new password without Digest secrets must not leave the old ones working.
    ASSERT_TRUE(db->set_password("alice", "H2").ok());
    a = look(*db, "alice");
    ASSERT_TRUE(a.has_value());
    EXPECT_TRUE(a->digest_secrets.empty());
    EXPECT_EQ(a->password_hash, "H2");
    EXPECT_FALSE(by_userhash(*db, DigestAlgorithm::sha256, "alice", "Admin Panel").has_value());
    ASSERT_TRUE(db->set_password("alice", "H3", {{"App", "SHA-256", "dd44"}}).ok());
    a = look(*db, "alice");
    ASSERT_EQ(a->digest_secrets.size(), 1u);
    EXPECT_TRUE(has_secret(*a, "App", "SHA-256", "dd44"));
    EXPECT_EQ(a->password_hash, "H3");
    EXPECT_EQ(by_userhash(*db, DigestAlgorithm::sha256, "alice", "App")->name, "alice");
    EXPECT_EQ(look(*db, "bob")->digest_secrets.size(), 1u) << "only alice changed";

    EXPECT_EQ(db->set_password("nobody", "H", {}).error().kind, Kind::not_found);
    ASSERT_TRUE(db->delete_user("alice").ok());
    EXPECT_FALSE(by_userhash(*db, DigestAlgorithm::sha256, "alice", "App").has_value())
        << "gone with the user";
    ASSERT_TRUE(db->add_user("alice", "H", {}).ok());
    EXPECT_TRUE(look(*db, "alice")->digest_secrets.empty()) << "secrets went with the deleted user";
}

TEST_P(UserDirectoryConformance, PasswordGroupsDisableDelete) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->add_user("alice", "H1", {"admins"}).ok());
    ASSERT_TRUE(db->add_user("bob", "H2", {"admins", "users"}, "bob@example.org").ok());

    ASSERT_TRUE(db->set_password("alice", "H1b").ok());
    EXPECT_EQ(look(*db, "alice")->password_hash, "H1b");
    EXPECT_EQ(look(*db, "bob")->password_hash, "H2") << "only alice changed";

    ASSERT_TRUE(db->set_groups("alice", {"ops", "dev", "ops"}).ok());
    EXPECT_EQ(look(*db, "alice")->groups, (Groups{"dev", "ops"}));
    ASSERT_TRUE(db->set_groups("alice", {}).ok());
    EXPECT_TRUE(look(*db, "alice")->groups.empty());
    EXPECT_EQ(look(*db, "bob")->groups, (Groups{"admins", "users"}));

    ASSERT_TRUE(db->set_disabled("bob", true).ok());
    auto b = look(*db, "bob");
    ASSERT_TRUE(b.has_value()) << "a disabled user is found, and says so";
    EXPECT_TRUE(b->disabled);
    EXPECT_EQ(b->email, "bob@example.org");
    ASSERT_TRUE(db->set_disabled("bob", false).ok());
    EXPECT_FALSE(look(*db, "bob")->disabled);

    ASSERT_TRUE(db->delete_user("bob").ok());
    EXPECT_FALSE(look(*db, "bob").has_value());
    EXPECT_EQ(db->delete_user("bob").error().kind, Kind::not_found) << "deleted twice";
    // Re-adding the name starts clean: no old memberships, email or flag.
    ASSERT_TRUE(db->add_user("bob", "H3", {}).ok());
    b = look(*db, "bob");
    ASSERT_TRUE(b.has_value());
    EXPECT_TRUE(b->groups.empty());
    EXPECT_EQ(b->email, "");
    EXPECT_EQ(b->password_hash, "H3");

    for (auto r : {db->set_password("nobody", "H"), db->set_groups("nobody", {"g"}),
                   db->delete_user("nobody"), db->set_disabled("nobody", true)}) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, Kind::not_found);
        EXPECT_NE(r.error().message.find("nobody"), std::string::npos);
    }
    EXPECT_EQ(db->set_groups("alice", {"bad\ngroup"}).error().kind, Kind::invalid);
    EXPECT_EQ(db->set_password("alice", "").error().kind, Kind::invalid);
}

TEST_P(UserDirectoryConformance, ListIsSortedAndComplete) {
    auto db = open();
    ASSERT_TRUE(db);
    EXPECT_TRUE(db->list_users().value().empty());
    ASSERT_TRUE(db->add_user("carol", "H", {}).ok());
    ASSERT_TRUE(db->add_user("alice", "H", {"z", "a"}, "a@x.y").ok());
    ASSERT_TRUE(db->add_user("bob", "H", {"a"}).ok());
    ASSERT_TRUE(db->add_user("Zed", "H", {}).ok());
    ASSERT_TRUE(db->add_user("dave", "H", {}).ok());
    ASSERT_TRUE(db->set_disabled("carol", true).ok());
    ASSERT_TRUE(db->delete_user("dave").ok());
    auto list = db->list_users();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 4u) << "a deleted user is not listed";
    EXPECT_EQ((*list)[0].name, "Zed") << "byte order";
    EXPECT_EQ((*list)[1].name, "alice");
    EXPECT_EQ((*list)[1].groups, (Groups{"a", "z"}));
    EXPECT_EQ((*list)[1].email, "a@x.y");
    EXPECT_EQ((*list)[2].name, "bob");
    EXPECT_EQ((*list)[3].name, "carol");
    EXPECT_TRUE((*list)[3].disabled);
    EXPECT_TRUE((*list)[3].groups.empty());
}

}  // namespace
}  // namespace gk::store::test
