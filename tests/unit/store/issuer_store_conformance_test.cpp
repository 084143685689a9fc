// The behaviour every issuer::IssuerStore engine shares (see
// issuer_store_conformance.hpp): sessions, clients, codes, and what holds
// for every table. Each engine's test file instantiates the suite with its
// backend; refresh tokens, jtis and keys are in
// issuer_store_conformance_tokens_test.cpp.
#include "issuer_store_conformance.hpp"

#include <array>
#include <atomic>
#include <latch>
#include <thread>
#include <vector>

namespace gk::store::test {
namespace {
using issuer::RotateOutcome;

// ---- sessions ----

TEST_P(IssuerStoreConformance, SessionCreateFindTouchDelete) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->create_session(session("s1", "alice")).ok());
    EXPECT_EQ(kind_of(db->create_session(session("s1", "bob"))), Kind::exists);
    EXPECT_EQ(kind_of(db->create_session(session("", "bob"))), Kind::invalid);
    EXPECT_EQ(kind_of(db->create_session(session("s2", ""))), Kind::invalid);

    auto s = must(db->find_session("s1"));
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->user, "alice");
    EXPECT_EQ(s->csrf_token, "csrf-alice");
    EXPECT_EQ(s->created_at, 100);
    EXPECT_EQ(s->last_seen, 100);
    EXPECT_EQ(s->expires_at, 1000);
    EXPECT_FALSE(must(db->find_session("s2")).has_value());
    EXPECT_FALSE(must(db->find_session("")).has_value());

    ASSERT_TRUE(db->touch_session("s1", 250).ok());
    EXPECT_EQ(must(db->find_session("s1"))->last_seen, 250);
    ASSERT_TRUE(db->touch_session("s1", 200).ok());
    EXPECT_EQ(must(db->find_session("s1"))->last_seen, 250) << "a late touch never moves last_seen back";
    EXPECT_EQ(kind_of(db->touch_session("nope", 300)), Kind::not_found);

    EXPECT_TRUE(must(db->delete_session("s1")));
    EXPECT_FALSE(must(db->delete_session("s1")));
    EXPECT_FALSE(must(db->find_session("s1")).has_value());
}

TEST_P(IssuerStoreConformance, DeleteUserSessionsEndsOnlyThatUsers) {
    auto db = open();
    ASSERT_TRUE(db);
    for (const char* id : {"a1", "a2", "a3"}) ASSERT_TRUE(db->create_session(session(id, "alice")).ok());
    ASSERT_TRUE(db->create_session(session("b1", "bob")).ok());
    EXPECT_EQ(must(db->delete_user_sessions("alice")), 3);
    EXPECT_EQ(must(db->delete_user_sessions("alice")), 0);
    EXPECT_FALSE(must(db->find_session("a2")).has_value());
    EXPECT_TRUE(must(db->find_session("b1")).has_value());
}

TEST_P(IssuerStoreConformance, PurgeExpiredSessions) {
    struct Case {
        const char* name;
        std::int64_t last_seen, expires_at, now, idle;
        bool purged;
    };
    const Case cases[] = {
        {"fresh", 100, 1000, 500, 600, false},
        {"at absolute end", 100, 1000, 1000, 0, true},
        {"past absolute end", 900, 1000, 1001, 600, true},
        {"idle exactly the limit", 100, 1000, 700, 600, true},
        {"idle one second less", 101, 1000, 700, 600, false},
        {"idle limit off (0)", 100, 1000, 999, 0, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto db = open();
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->create_session(session("s", "alice", c.last_seen, c.expires_at)).ok());
        ASSERT_TRUE(db->create_session(session("keep", "bob", c.now, c.now + 10)).ok());
        EXPECT_EQ(must(db->purge_expired_sessions(c.now, c.idle)), c.purged ? 1 : 0);
        EXPECT_EQ(must(db->find_session("s")).has_value(), !c.purged);
        EXPECT_TRUE(must(db->find_session("keep")).has_value());
    }
}

// ---- clients ----

TEST_P(IssuerStoreConformance, ClientsPutFindListReplaceDelete) {
    auto db = open();
    ASSERT_TRUE(db);
    const issuer::Client web{"web",
                             "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
                             "Web app",
                             {"https://a.example/cb", "https://a.example/cb2"},
                             {"openid", "profile"},
                             {"authorization_code", "refresh_token"},
                             42};
    const issuer::Client cli{"cli", "", "", {"http://127.0.0.1/cb"}, {}, {"authorization_code"}, 43};
    ASSERT_TRUE(db->put_client(web).ok());
    ASSERT_TRUE(db->put_client(cli).ok());

    auto got = must(db->find_client("web"));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->secret_hash, web.secret_hash);
    EXPECT_EQ(got->name, "Web app");
    EXPECT_EQ(got->redirect_uris, web.redirect_uris);
    EXPECT_EQ(got->scopes, web.scopes);
    EXPECT_EQ(got->grant_types, web.grant_types);
    EXPECT_EQ(got->created_at, 42);
    EXPECT_TRUE(must(db->find_client("cli"))->scopes.empty()) << "an empty list stays empty";
    EXPECT_FALSE(must(db->find_client("nope")).has_value());

    auto changed = web;
    changed.redirect_uris = {"https://b.example/cb"};
    ASSERT_TRUE(db->put_client(changed).ok()) << "insert or replace";
    EXPECT_EQ(must(db->find_client("web"))->redirect_uris, Strings{"https://b.example/cb"});

    auto list = must(db->list_clients());
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].client_id, "cli");
    EXPECT_EQ(list[1].client_id, "web");

    EXPECT_TRUE(must(db->delete_client("cli")));
    EXPECT_FALSE(must(db->delete_client("cli")));
    EXPECT_EQ(must(db->list_clients()).size(), 1u);
}

TEST_P(IssuerStoreConformance, ClientListsRefuseItemsThatCannotBeJoined) {
    auto db = open();
    ASSERT_TRUE(db);
    const std::array bad{Strings{""}, Strings{"a\nb"}, Strings{"ok", "tab\there"}, Strings{"del\x7f"}};
    for (const auto& items : bad) {
        EXPECT_EQ(kind_of(db->put_client({"c", "", "", items, {}, {}, 1})), Kind::invalid);
        EXPECT_EQ(kind_of(db->put_client({"c", "", "", {}, items, {}, 1})), Kind::invalid);
        EXPECT_EQ(kind_of(db->put_client({"c", "", "", {}, {}, items, 1})), Kind::invalid);
    }
    EXPECT_EQ(kind_of(db->put_client({"", "", "", {}, {}, {}, 1})), Kind::invalid);
    EXPECT_TRUE(must(db->list_clients()).empty());
}

TEST_P(IssuerStoreConformance, DeletingAClientEndsItsCodesAndRefreshFamilies) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->put_client({"app", "", "", {"https://a/cb"}, {}, {}, 1}).ok());
    ASSERT_TRUE(db->save_code({"c1", "app", "alice", "https://a/cb", "openid", "chal", 500}).ok());
    ASSERT_TRUE(db->save_code({"c2", "other", "alice", "https://o/cb", "openid", "chal", 500}).ok());
    ASSERT_TRUE(db->save_refresh(refresh("r1")).ok());
    ASSERT_TRUE(db->delete_client("app").value());
    EXPECT_FALSE(must(db->take_code("c1")).has_value());
    EXPECT_TRUE(must(db->take_code("c2")).has_value()) << "another client's code stays";
    EXPECT_TRUE(must(db->find_refresh("r1"))->revoked);
    EXPECT_EQ(must(db->rotate_refresh("r1", next_token("r2"), 200)).outcome, RotateOutcome::revoked);
}

// ---- authorization codes ----

TEST_P(IssuerStoreConformance, CodesAreSingleUse) {
    auto db = open();
    ASSERT_TRUE(db);
    const issuer::AuthorizationCode code{"h1",           "app",         "alice", "https://a/cb",
                                         "openid email", "E9Melhoa2Ow", 160};
    ASSERT_TRUE(db->save_code(code).ok());
    EXPECT_EQ(kind_of(db->save_code(code)), Kind::exists);
    EXPECT_EQ(kind_of(db->save_code({"", "app", "alice", "", "", "", 1})), Kind::invalid);
    EXPECT_EQ(kind_of(db->save_code({"h2", "", "alice", "", "", "", 1})), Kind::invalid);

    auto taken = must(db->take_code("h1"));
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->code_hash, "h1");
    EXPECT_EQ(taken->client_id, "app");
    EXPECT_EQ(taken->user, "alice");
    EXPECT_EQ(taken->redirect_uri, "https://a/cb");
    EXPECT_EQ(taken->scope, "openid email");
    EXPECT_EQ(taken->code_challenge, "E9Melhoa2Ow");
    EXPECT_EQ(taken->expires_at, 160);
    EXPECT_FALSE(must(db->take_code("h1")).has_value()) << "second redemption";
    EXPECT_FALSE(must(db->take_code("unknown")).has_value());
}

// Two redemptions of one code at once, from threads sharing one store and
// from two stores on one state (the CLI and the server on one file, two
// instances on one database): exactly one wins.
TEST_P(IssuerStoreConformance, RacingTakeCodeHasOneWinner) {
    auto a = open();
    auto b = another();
    ASSERT_TRUE(a && b);
    for (int round = 0; round < 50; ++round) {
        const std::string hash = "code-" + std::to_string(round);
        ASSERT_TRUE(a->save_code({hash, "app", "alice", "https://a/cb", "", "", 160}).ok());
        issuer::IssuerStore* second = round % 2 == 0 ? a.get() : b.get();
        std::atomic<int> wins{0}, errors{0};
        std::latch start(2);
        auto redeem = [&](issuer::IssuerStore* s) {
            start.arrive_and_wait();
            auto r = s->take_code(hash);
            if (!r)
                ++errors;
            else if (r->has_value())
                ++wins;
        };
        std::thread t1(redeem, a.get()), t2(redeem, second);
        t1.join();
        t2.join();
        EXPECT_EQ(errors.load(), 0);
        EXPECT_EQ(wins.load(), 1) << "round " << round;
    }
}

// ---- durability ----

TEST_P(IssuerStoreConformance, DataSurvivesReopen) {
    {
        auto db = open();
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->create_session(session("s1", "alice")).ok());
        ASSERT_TRUE(db->put_client({"app", "", "", {}, {}, {}, 1}).ok());
        ASSERT_TRUE(db->save_code({"c1", "app", "alice", "", "", "", 1}).ok());
        ASSERT_TRUE(db->save_refresh(refresh("t0")).ok());
        ASSERT_TRUE(db->revoke_jti("j", 500).ok());
        ASSERT_TRUE(db->create_api_key({"ci", "hash-ci", "", "", {}, 1, 0, false}).ok());
        ASSERT_TRUE(db->add_signing_key({"k1", "ES256", "{}", 1, 1, 0}).ok());
    }
    auto db = another();
    ASSERT_TRUE(db);
    EXPECT_TRUE(must(db->find_session("s1")).has_value());
    EXPECT_TRUE(must(db->find_client("app")).has_value());
    EXPECT_TRUE(must(db->take_code("c1")).has_value());
    EXPECT_TRUE(must(db->find_refresh("t0")).has_value());
    EXPECT_EQ(must(db->revoked_jtis(0)).size(), 1u);
    EXPECT_TRUE(must(db->find_api_key("hash-ci")).has_value());
    EXPECT_EQ(must(db->signing_keys()).size(), 1u);
}

// A key no stored row can have (a NUL inside, bytes that are not UTF-8)
// matches nothing, and is never cut short into another row's key.
TEST_P(IssuerStoreConformance, KeysWithNulOrBadUtf8MatchNothing) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->create_session(session("s1", "alice")).ok());
    ASSERT_TRUE(db->put_client({"app", "", "", {}, {}, {}, 1}).ok());
    ASSERT_TRUE(db->save_code({"c1", "app", "alice", "", "", "", 500}).ok());
    ASSERT_TRUE(db->save_refresh(refresh("t0")).ok());
    ASSERT_TRUE(db->create_api_key({"ci", "hash-ci", "", "", {}, 1, 0, false}).ok());
    ASSERT_TRUE(db->add_signing_key({"k1", "ES256", "{}", 1, 1, 0}).ok());
    for (const std::string& tail : {std::string("\0x", 2), std::string("\xff")}) {
        SCOPED_TRACE(tail == "\xff" ? "bad UTF-8" : "NUL");
        EXPECT_FALSE(must(db->find_session("s1" + tail)).has_value());
        EXPECT_EQ(kind_of(db->touch_session("s1" + tail, 200)), Kind::not_found);
        EXPECT_FALSE(must(db->delete_session("s1" + tail)));
        EXPECT_EQ(must(db->delete_user_sessions("alice" + tail)), 0);
        EXPECT_FALSE(must(db->find_client("app" + tail)).has_value());
        EXPECT_FALSE(must(db->delete_client("app" + tail)));
        EXPECT_FALSE(must(db->take_code("c1" + tail)).has_value());
        EXPECT_FALSE(must(db->find_refresh("t0" + tail)).has_value());
        EXPECT_EQ(must(db->rotate_refresh("t0" + tail, next_token("t9"), 200)).outcome,
                  RotateOutcome::unknown);
        EXPECT_FALSE(must(db->revoke_family("fam" + tail)));
        EXPECT_EQ(must(db->revoke_user_families("alice" + tail)), 0);
        EXPECT_FALSE(must(db->find_api_key("hash-ci" + tail)).has_value());
        EXPECT_FALSE(must(db->revoke_api_key("ci" + tail)));
        EXPECT_EQ(kind_of(db->set_retire_at("k1" + tail, 5)), Kind::not_found);
    }
    EXPECT_TRUE(must(db->find_session("s1")).has_value());
    EXPECT_TRUE(must(db->find_client("app")).has_value());
    EXPECT_TRUE(must(db->take_code("c1")).has_value());
    EXPECT_FALSE(must(db->find_refresh("t0"))->revoked);
    EXPECT_FALSE(must(db->find_api_key("hash-ci"))->revoked);
    EXPECT_EQ(must(db->signing_keys())[0].retire_at, 0);
}

// Lists sort by bytes, whatever the engine's collation.
TEST_P(IssuerStoreConformance, ListsSortByBytes) {
    auto db = open();
    ASSERT_TRUE(db);
    for (const char* id : {"b", "B", "a", "_z"})
        ASSERT_TRUE(db->put_client({id, "", "", {}, {}, {}, 1}).ok());
    Strings ids;
    for (const auto& c : must(db->list_clients())) ids.push_back(c.client_id);
    EXPECT_EQ(ids, (Strings{"B", "_z", "a", "b"}));
}

}  // namespace
}  // namespace gk::store::test
