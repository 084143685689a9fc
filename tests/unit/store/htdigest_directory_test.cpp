// htdigest files as a user source: the directory (lookups, reload, fail
// closed), how user_sources opens it, and `user add|passwd|del|list` on it.
#include "store/htdigest_directory.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gatekeeper/schemes/digest.hpp"
#include "store/atomic_file.hpp"
#include "store/user_admin.hpp"
#include "store/user_sources.hpp"
#include "test_util.hpp"

namespace gk::store {
namespace {
using schemes::DigestAlgorithm;
using test::must;
using test::TempDir;

// RFC 2617 3.5: H(Mufasa:testrealm@host.com:Circle Of Life), what
// `htdigest users testrealm@host.com Mufasa` writes for that password.
const std::string kMufasaHa1 = "939e7578ed9e3c518a452acee763bce9";

std::string ha1(std::string_view user, std::string_view realm, std::string_view password) {
    return schemes::digest_ha1(DigestAlgorithm::md5, user, realm, password);
}

std::string line(std::string_view user, std::string_view realm, std::string_view password) {
    return std::string(user) + ":" + std::string(realm) + ":" + ha1(user, realm, password) + "\n";
}

void replace(const std::filesystem::path& p, const std::string& text) {
    auto r = write_file_atomically(p, text);
    ASSERT_TRUE(r.ok()) << r.error();
}

const gate::DigestSecret* secret_in(const gate::UserRecord& rec, std::string_view realm) {
    for (const auto& s : rec.digest_secrets)
        if (s.realm == realm) return &s;
    return nullptr;
}

TEST(HtdigestDirectory, LoadsAndFindsOneSecretPerRealm) {
    TempDir dir;
    test::write_text(dir / "users", "# made by htdigest\nMufasa:testrealm@host.com:" + kMufasaHa1 + "\n\n" +
                                        line("alice", "App", "wonderland") +
                                        line("alice", "Admin Panel", "queen") +
                                        line("bob", "App", "builder"));
    HtdigestDirectory users(dir / "users");
    EXPECT_TRUE(users.healthy());
    EXPECT_FALSE(users.load_error().has_value());
    EXPECT_EQ(users.size(), 3u) << "distinct users, not lines";

    auto mufasa = must(users.find("Mufasa"));
    ASSERT_TRUE(mufasa.has_value());
    ASSERT_EQ(mufasa->digest_secrets.size(), 1u);
    EXPECT_EQ(mufasa->digest_secrets[0].realm, "testrealm@host.com");
    EXPECT_EQ(mufasa->digest_secrets[0].algorithm, "MD5");
    EXPECT_EQ(mufasa->digest_secrets[0].ha1, kMufasaHa1);
    EXPECT_EQ(ha1("Mufasa", "testrealm@host.com", "Circle Of Life"), kMufasaHa1);

    auto alice = must(users.find("alice"));
    ASSERT_TRUE(alice.has_value());
    EXPECT_EQ(alice->name, "alice");
    EXPECT_TRUE(alice->password_hash.empty()) << "no password hash: Basic cannot use this source";
    EXPECT_TRUE(alice->groups.empty());
    EXPECT_TRUE(alice->email.empty());
    EXPECT_FALSE(alice->disabled);
    ASSERT_EQ(alice->digest_secrets.size(), 2u);
    ASSERT_NE(secret_in(*alice, "App"), nullptr);
    EXPECT_EQ(secret_in(*alice, "App")->ha1, ha1("alice", "App", "wonderland"));
    ASSERT_NE(secret_in(*alice, "Admin Panel"), nullptr);
    EXPECT_EQ(secret_in(*alice, "Admin Panel")->ha1, ha1("alice", "Admin Panel", "queen"));
    EXPECT_EQ(secret_in(*alice, "Admin Panel")->algorithm, "MD5");

    EXPECT_FALSE(must(users.find("carol")).has_value());
    EXPECT_FALSE(must(users.find("Alice")).has_value()) << "names are case-sensitive";
    EXPECT_FALSE(must(users.find("")).has_value());
    EXPECT_FALSE(must(users.find("# made by htdigest")).has_value());
}

TEST(HtdigestDirectory, FindsByMd5UserhashInItsRealmOnly) {
    TempDir dir;
    test::write_text(dir / "users",
                     line("alice", "App", "pw") + line("alice", "Admin", "pw2") + line("bob", "App", "x"));
    HtdigestDirectory users(dir / "users");
    const std::string hash = schemes::digest_userhash(DigestAlgorithm::md5, "alice", "App");
    auto alice = must(users.find_by_digest_userhash("App", "MD5", hash));
    ASSERT_TRUE(alice.has_value());
    EXPECT_EQ(alice->name, "alice");
    EXPECT_EQ(alice->digest_secrets.size(), 2u);
    std::string upper = hash;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(must(users.find_by_digest_userhash("App", "MD5", upper)).has_value()) << "hex in any case";
    EXPECT_FALSE(must(users.find_by_digest_userhash("Admin", "MD5", hash)).has_value())
        << "H(user:realm) of another realm";
    EXPECT_FALSE(must(users.find_by_digest_userhash("App", "SHA-256", hash)).has_value())
        << "the file is MD5 only";
    EXPECT_FALSE(
        must(users.find_by_digest_userhash("App", "SHA-256",
                                           schemes::digest_userhash(DigestAlgorithm::sha256, "alice", "App")))
            .has_value());
    EXPECT_FALSE(must(users.find_by_digest_userhash("App", "MD5", "alice")).has_value());
}

TEST(HtdigestDirectory, MissingFileIsUnhealthyUntilItAppears) {
    TempDir dir;
    HtdigestDirectory users(dir / "users");
    EXPECT_FALSE(users.healthy());
    ASSERT_TRUE(users.load_error().has_value());
    EXPECT_NE(users.load_error()->message.find((dir / "users").string()), std::string::npos);
    EXPECT_FALSE(users.find("alice").ok()) << "no file: the lookup fails (503), never \"no such user\"";
    EXPECT_FALSE(users.find_by_digest_userhash("App", "MD5", "x").ok());

    replace(dir / "users", line("alice", "App", "pw"));
    auto r = users.reload_if_changed();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r.value());
    EXPECT_TRUE(users.healthy());
    EXPECT_FALSE(users.load_error().has_value());
    EXPECT_TRUE(must(users.find("alice")).has_value());
}

TEST(HtdigestDirectory, BrokenFileAtStartIsUnhealthyWithLine) {
    TempDir dir;
    // An htpasswd line by mistake: two fields, not three.
    test::write_text(dir / "users", line("alice", "App", "pw") + "bob:" + test::kApr1Secret + "\n");
    HtdigestDirectory users(dir / "users");
    EXPECT_FALSE(users.healthy());
    ASSERT_TRUE(users.load_error().has_value());
    EXPECT_EQ(users.load_error()->line, 2);
    EXPECT_FALSE(users.find("alice").ok()) << "nothing from a half-parsed file: the lookup fails";
}

TEST(HtdigestDirectory, ReloadSeesNewUserAndUnchangedIsCheap) {
    TempDir dir;
    test::write_text(dir / "users", line("alice", "App", "pw"));
    HtdigestDirectory users(dir / "users");
    auto same = users.reload_if_changed();
    ASSERT_TRUE(same.ok());
    EXPECT_FALSE(same.value()) << "nothing changed";

    replace(dir / "users", line("alice", "App", "pw") + line("bob", "App", "builder"));
    auto r = users.reload_if_changed();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r.value());
    ASSERT_TRUE(must(users.find("bob")).has_value());
    EXPECT_TRUE(must(users.find_by_digest_userhash(
                         "App", "MD5", schemes::digest_userhash(DigestAlgorithm::md5, "bob", "App")))
                    .has_value());

    replace(dir / "users", line("bob", "App", "builder"));
    ASSERT_TRUE(users.reload_if_changed().ok());
    EXPECT_FALSE(must(users.find("alice")).has_value()) << "deleted user is gone";
    EXPECT_FALSE(must(users.find_by_digest_userhash(
                          "App", "MD5", schemes::digest_userhash(DigestAlgorithm::md5, "alice", "App")))
                     .has_value());
}

TEST(HtdigestDirectory, BrokenReloadKeepsLastGoodSnapshot) {
    TempDir dir;
    test::write_text(dir / "users", line("alice", "App", "pw"));
    HtdigestDirectory users(dir / "users");

    const std::string bob_ha1 = ha1("bob", "App", "builder");
    // Upper-case hex is not what htdigest writes: refused, like any other damage.
    std::string upper = bob_ha1;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    replace(dir / "users",
            line("alice", "App", "pw") + line("bob", "App", "builder") + "carol:App:" + upper + "\n");
    auto r = users.reload_if_changed();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().line, 3);
    EXPECT_NE(r.error().message.find((dir / "users").string()), std::string::npos);
    EXPECT_EQ(r.error().message.find(bob_ha1), std::string::npos) << "no HA1 in messages";
    EXPECT_EQ(r.error().message.find(upper), std::string::npos) << "no HA1 in messages";
    EXPECT_TRUE(users.healthy());
    EXPECT_TRUE(must(users.find("alice")).has_value());
    EXPECT_FALSE(must(users.find("bob")).has_value()) << "never a half state";
    ASSERT_TRUE(users.load_error().has_value());

    auto again = users.reload_if_changed();
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().line, 3);

    replace(dir / "users", line("bob", "App", "builder"));
    auto fixed = users.reload_if_changed();
    ASSERT_TRUE(fixed.ok());
    EXPECT_FALSE(users.load_error().has_value());
    EXPECT_TRUE(must(users.find("bob")).has_value());
}

TEST(HtdigestDirectory, DuplicateUserInOneRealmIsBroken) {
    TempDir dir;
    test::write_text(dir / "users", line("alice", "App", "pw") + line("alice", "App", "other"));
    HtdigestDirectory users(dir / "users");
    EXPECT_FALSE(users.healthy());
    ASSERT_TRUE(users.load_error().has_value());
    EXPECT_EQ(users.load_error()->line, 2);
}

// Regression: a user file removed or replaced by a directory at run time is
// unavailable (503) until it is readable again, never served from memory.
TEST(HtdigestDirectory, DeletedFileIsUnavailableUntilBack) {
    TempDir dir;
    test::write_text(dir / "users", line("alice", "App", "pw"));
    HtdigestDirectory users(dir / "users");
    std::filesystem::remove(dir / "users");
    auto r = users.reload_if_changed();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().line, 0);
    EXPECT_FALSE(users.healthy());
    auto gone = users.find("alice");
    ASSERT_FALSE(gone.ok());
    EXPECT_NE(gone.error().find((dir / "users").string()), std::string::npos);
    EXPECT_FALSE(users.find_by_digest_userhash("App", "MD5", "x").ok());

    replace(dir / "users", line("alice", "App", "pw"));
    ASSERT_TRUE(users.reload_if_changed().ok());
    EXPECT_TRUE(users.healthy());
    EXPECT_TRUE(must(users.find("alice")).has_value());
}

TEST(HtdigestDirectory, FileReplacedByDirectoryIsUnavailable) {
    TempDir dir;
    test::write_text(dir / "users", line("alice", "App", "pw"));
    HtdigestDirectory users(dir / "users");
    std::filesystem::remove(dir / "users");
    std::filesystem::create_directory(dir / "users");
    ASSERT_FALSE(users.reload_if_changed().ok());
    EXPECT_FALSE(users.healthy());
    EXPECT_FALSE(users.find("alice").ok());
}

TEST(HtdigestDirectory, ConcurrentFindDuringReload) {
    TempDir dir;
    const std::string one = line("alice", "App", "pw");
    const std::string two = one + line("bob", "App", "builder");
    const std::string bob_ha1 = ha1("bob", "App", "builder");
    test::write_text(dir / "users", one);
    HtdigestDirectory users(dir / "users");

    std::atomic<bool> stop{false};
    std::atomic<int> missing{0};
    std::atomic<long> lookups{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t)
        readers.emplace_back([&] {
            while (!stop.load()) {
                if (!must(users.find("alice"))) missing.fetch_add(1);
                auto bob = must(users.find("bob"));
                if (bob && (bob->digest_secrets.size() != 1 || bob->digest_secrets[0].ha1 != bob_ha1))
                    missing.fetch_add(1);
                lookups.fetch_add(1);
            }
        });
    int reloads = 0;
    for (int i = 0; i < 40; ++i) {
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
    EXPECT_EQ(reloads, 40);
}

// ---- user_sources ---------------------------------------------------------------

TEST(HtdigestSource, FromPolicyWithItsDigestRealms) {
    gate::Policy p;
    p.source_file = "/c/gk.yaml";
    p.user_sources = {{"file", gate::UserSource::Kind::htpasswd, "/c/users", 3},
                      {"dig", gate::UserSource::Kind::htdigest, "/c/users.htdigest", 4}};
    p.digest.algorithms = {DigestAlgorithm::md5};
    gate::Route r1;
    r1.name = "a";
    r1.realm = "App";
    r1.user_source = "dig";
    r1.schemes = {gate::SchemeKind::digest};
    gate::Route r2 = r1;
    r2.name = "b";
    gate::Route r3 = r1;
    r3.name = "c";
    r3.realm = "Admin";
    p.routes = {r1, r2, r3};
    auto ref = source_from_policy(p, "dig");
    ASSERT_TRUE(ref.ok()) << ref.error();
    EXPECT_EQ(ref->kind, UserSourceRef::Kind::htdigest);
    EXPECT_EQ(ref->path, "/c/users.htdigest");
    ASSERT_EQ(ref->digest_realms.size(), 2u);
    EXPECT_EQ(ref->digest_realms[0].realm, "App");
    EXPECT_EQ(ref->digest_realms[1].realm, "Admin");
    EXPECT_EQ(kind_of(gate::UserSource::Kind::htdigest), UserSourceRef::Kind::htdigest);
    EXPECT_EQ(kind_of(gate::UserSource::Kind::htpasswd), UserSourceRef::Kind::htpasswd);
    EXPECT_EQ(kind_of(gate::UserSource::Kind::sqlite), UserSourceRef::Kind::sqlite);
}

TEST(HtdigestSource, OpensWithRefreshAndFailsClosed) {
    TempDir dir;
    test::write_text(dir / "users", line("alice", "App", "pw"));
    auto opened = open_user_directory({UserSourceRef::Kind::htdigest, dir / "users", {}});
    ASSERT_TRUE(opened.ok()) << opened.error();
    ASSERT_TRUE(opened->refresh) << "polled like an htpasswd file";
    EXPECT_NE(dynamic_cast<HtdigestDirectory*>(opened->directory.get()), nullptr);
    auto alice = must(opened->directory->find("alice"));
    ASSERT_TRUE(alice.has_value());
    EXPECT_TRUE(alice->password_hash.empty());

    replace(dir / "users", line("bob", "App", "builder"));
    ASSERT_TRUE(opened->refresh().ok());
    EXPECT_TRUE(must(opened->directory->find("bob")).has_value());
    replace(dir / "users", "garbage\n");
    auto bad = opened->refresh();
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().find("line 1"), std::string::npos) << bad.error();
    EXPECT_TRUE(must(opened->directory->find("bob")).has_value());

    auto broken = open_user_directory({UserSourceRef::Kind::htdigest, dir / "absent", {}});
    ASSERT_TRUE(broken.ok()) << "opens, but unhealthy: routes fail closed";
    EXPECT_FALSE(broken->directory->healthy());
}

// ---- user add|passwd|del|list ---------------------------------------------------

UserSourceRef htdigest_source(const TempDir& dir, std::vector<std::string> realms) {
    UserSourceRef src{UserSourceRef::Kind::htdigest, dir / "users.htdigest", {}};
    // The route's algorithms do not matter: the file holds MD5 only.
    for (auto& r : realms) src.digest_realms.push_back(DigestRealm{std::move(r), {DigestAlgorithm::sha256}});
    return src;
}

TEST(HtdigestAdmin, AddPasswdDelListWriteOneLinePerRealm) {
    TempDir dir;
    const auto src = htdigest_source(dir, {"App", "Admin Panel"});
    const auto p = test::cheap_argon2();
    ASSERT_TRUE(admin_add(src, {"alice", {}, ""}, Secret(std::string("wonderland")), p).ok());
    ASSERT_TRUE(admin_add(src, {"bob", {}, ""}, Secret(std::string("builder")), p).ok());
    EXPECT_EQ(test::mode_of(src.path), 0600u);
    EXPECT_EQ(test::read_text(src.path),
              line("alice", "App", "wonderland") + line("alice", "Admin Panel", "wonderland") +
                  line("bob", "App", "builder") + line("bob", "Admin Panel", "builder"));

    HtdigestDirectory users(src.path);
    ASSERT_TRUE(users.healthy());
    auto alice = must(users.find("alice"));
    ASSERT_TRUE(alice.has_value());
    ASSERT_NE(secret_in(*alice, "Admin Panel"), nullptr);
    EXPECT_EQ(secret_in(*alice, "Admin Panel")->ha1, ha1("alice", "Admin Panel", "wonderland"));

    auto dup = admin_add(src, {"alice", {}, ""}, Secret(std::string("x")), p);
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().kind, StoreError::Kind::exists);

    ASSERT_TRUE(admin_passwd(src, "alice", Secret(std::string("looking-glass")), p).ok());
    ASSERT_TRUE(users.reload_if_changed().ok());
    EXPECT_EQ(secret_in(*must(users.find("alice")), "App")->ha1, ha1("alice", "App", "looking-glass"));
    EXPECT_EQ(secret_in(*must(users.find("alice")), "Admin Panel")->ha1,
              ha1("alice", "Admin Panel", "looking-glass"));
    EXPECT_EQ(secret_in(*must(users.find("bob")), "App")->ha1, ha1("bob", "App", "builder"));

    auto list = admin_list(src);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].name, "alice");
    EXPECT_EQ((*list)[0].digest_secrets.size(), 2u);
    EXPECT_EQ((*list)[1].name, "bob");
    EXPECT_EQ(format_user_list(*list), "alice\nbob\n");

    ASSERT_TRUE(admin_delete(src, "alice").ok());
    EXPECT_EQ(test::read_text(src.path),
              line("bob", "App", "builder") + line("bob", "Admin Panel", "builder"));
    for (auto r : {admin_delete(src, "alice"), admin_passwd(src, "alice", Secret(std::string("x")), p)}) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, StoreError::Kind::not_found);
    }
}

TEST(HtdigestAdmin, EditsKeepOtherRealmsCommentsCrlfAndMode) {
    TempDir dir;
    const auto src = htdigest_source(dir, {"App"});
    const std::string before = "\xEF\xBB\xBF# by hand\r\nalice:Other:" + ha1("alice", "Other", "o") +
                               "\r\n\r\nalice:App:" + ha1("alice", "App", "old") +
                               "\r\nzed:App:" + ha1("zed", "App", "z") + "\r\n";
    test::write_text(src.path, before);
    std::filesystem::permissions(src.path, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write |
                                               std::filesystem::perms::group_read);

    ASSERT_TRUE(admin_passwd(src, "alice", Secret(std::string("new")), test::cheap_argon2()).ok());
    EXPECT_EQ(test::read_text(src.path),
              "\xEF\xBB\xBF# by hand\r\nalice:Other:" + ha1("alice", "Other", "o") + "\r\n\r\nalice:App:" +
                  ha1("alice", "App", "new") + "\r\nzed:App:" + ha1("zed", "App", "z") + "\r\n")
        << "only alice's App line changed";
    EXPECT_EQ(test::mode_of(src.path), 0640u) << "the operator's mode is kept";

    ASSERT_TRUE(admin_add(src, {"bob", {}, ""}, Secret(std::string("b")), test::cheap_argon2()).ok());
    EXPECT_TRUE(test::read_text(src.path).ends_with("\r\nbob:App:" + ha1("bob", "App", "b") + "\r\n"));

    // A user known only in another realm: add writes this source's realm.
    const auto other = htdigest_source(dir, {"Other", "Third"});
    auto dup = admin_add(other, {"alice", {}, ""}, Secret(std::string("x")), test::cheap_argon2());
    ASSERT_FALSE(dup.ok()) << "alice is in Other already";
    ASSERT_TRUE(admin_passwd(other, "alice", Secret(std::string("p")), test::cheap_argon2()).ok());
    HtdigestDirectory users(src.path);
    auto alice = must(users.find("alice"));
    ASSERT_TRUE(alice.has_value());
    ASSERT_EQ(alice->digest_secrets.size(), 3u) << "passwd adds the realm that was missing";
    EXPECT_EQ(secret_in(*alice, "Third")->ha1, ha1("alice", "Third", "p"));
    EXPECT_EQ(secret_in(*alice, "App")->ha1, ha1("alice", "App", "new"))
        << "realms outside the source untouched";

    ASSERT_TRUE(admin_delete(src, "alice").ok());
    EXPECT_EQ(test::read_text(src.path).find("alice:"), std::string::npos) << "every realm's line goes";
    EXPECT_TRUE(test::read_text(src.path).starts_with("\xEF\xBB\xBF# by hand\r\n\r\nzed:App:"));
}

TEST(HtdigestAdmin, RefusesWhatTheFileCannotHold) {
    TempDir dir;
    const auto src = htdigest_source(dir, {"App"});
    const auto p = test::cheap_argon2();
    for (auto r :
         {admin_add(src, {"alice", {"admins"}, ""}, Secret(std::string("pw")), p),
          admin_add(src, {"alice", {}, "a@b.c"}, Secret(std::string("pw")), p),
          admin_add(src, {"alice", {}, ""}, Secret(), p),
          admin_add(src, {"al:ice", {}, ""}, Secret(std::string("pw")), p),
          admin_add(htdigest_source(dir, {"a:b"}), {"alice", {}, ""}, Secret(std::string("pw")), p)}) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, StoreError::Kind::invalid) << r.error().message;
    }
    auto no_realm = admin_add(htdigest_source(dir, {}), {"alice", {}, ""}, Secret(std::string("pw")), p);
    ASSERT_FALSE(no_realm.ok());
    EXPECT_EQ(no_realm.error().kind, StoreError::Kind::invalid);
    EXPECT_NE(no_realm.error().message.find("htdigest"), std::string::npos) << no_realm.error().message;
    EXPECT_FALSE(std::filesystem::exists(src.path)) << "nothing written";
}

TEST(HtdigestAdmin, BrokenOrMissingFileIsAnErrorWithPath) {
    TempDir dir;
    const auto src = htdigest_source(dir, {"App"});
    const auto p = test::cheap_argon2();
    for (auto r : {admin_delete(src, "bob"), admin_passwd(src, "bob", Secret(std::string("pw")), p)}) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().kind, StoreError::Kind::unavailable);
        EXPECT_NE(r.error().message.find(src.path.string()), std::string::npos) << r.error().message;
    }
    EXPECT_FALSE(admin_list(src).ok());

    const std::string broken = line("bob", "App", "b") + "alice:$apr1$x\n";
    test::write_text(src.path, broken);
    auto add = admin_add(src, {"alice", {}, ""}, Secret(std::string("pw")), p);
    ASSERT_FALSE(add.ok());
    EXPECT_EQ(add.error().kind, StoreError::Kind::unavailable);
    EXPECT_NE(add.error().message.find("line 2"), std::string::npos) << add.error().message;
    EXPECT_NE(add.error().message.find(src.path.string()), std::string::npos) << add.error().message;
    EXPECT_EQ(test::read_text(src.path), broken) << "a broken file is never rewritten";
    auto list = admin_list(src);
    ASSERT_FALSE(list.ok());
    EXPECT_NE(list.error().message.find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace gk::store
