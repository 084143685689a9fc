// The behaviour every issuer::IssuerStore engine shares (see
// issuer_store_conformance.hpp): each engine's test file instantiates this
// suite with its backend.
#include "issuer_store_conformance.hpp"

#include <array>
#include <atomic>
#include <latch>
#include <thread>
#include <vector>

namespace gk::store::test {
namespace {
using Kind = issuer::StoreFailure::Kind;
using issuer::RotateOutcome;
using Strings = std::vector<std::string>;

std::string message_of(const issuer::StoreFailure& f) { return f.message; }
std::string message_of(const std::string& s) { return s; }

// The value of a result that must succeed; a default value (and a test failure) otherwise.
template <class T, class E>
T must(Result<T, E> r) {
    if (!r) {
        ADD_FAILURE() << message_of(r.error());
        return T{};
    }
    return std::move(r).value();
}

template <class T>
Kind kind_of(const issuer::StoreResult<T>& r) {
    EXPECT_FALSE(r.ok());
    return r.ok() ? Kind::unavailable : r.error().kind;
}

gate::SessionRecord session(std::string id, std::string user, std::int64_t last_seen = 100,
                            std::int64_t expires_at = 1000) {
    const std::string csrf = "csrf-" + user;
    return {std::move(id), std::move(user), csrf, 100, last_seen, expires_at};
}

issuer::RefreshToken refresh(std::string hash, std::string family = "fam", std::string user = "alice",
                             std::int64_t expires_at = 1000) {
    return {std::move(hash), std::move(family), "app", std::move(user), "openid profile", 100, expires_at};
}

// The next token of a rotation: the caller knows only its new hash.
issuer::RefreshToken next_token(std::string hash) {
    issuer::RefreshToken t;
    t.token_hash = std::move(hash);
    return t;
}

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

// ---- refresh tokens ----

TEST_P(IssuerStoreConformance, RotationChainKeepsTheFamily) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->save_refresh(refresh("t0")).ok());
    auto r1 = must(db->rotate_refresh("t0", next_token("t1"), 200));
    EXPECT_EQ(r1.outcome, RotateOutcome::rotated);
    ASSERT_TRUE(r1.old.has_value());
    EXPECT_EQ(r1.old->token_hash, "t0");
    EXPECT_EQ(r1.old->client_id, "app");
    EXPECT_EQ(r1.old->user, "alice");
    EXPECT_TRUE(r1.old->used) << "as stored after the call";
    EXPECT_FALSE(r1.old->revoked);

    auto t1 = must(db->find_refresh("t1"));
    ASSERT_TRUE(t1.has_value());
    EXPECT_EQ(t1->family_id, "fam");
    EXPECT_EQ(t1->client_id, "app");
    EXPECT_EQ(t1->user, "alice");
    EXPECT_EQ(t1->scope, "openid profile") << "an empty scope inherits the old one";
    EXPECT_EQ(t1->issued_at, 200) << "issued_at 0 means now";
    EXPECT_EQ(t1->expires_at, 1000) << "rotation never extends the family";
    EXPECT_FALSE(t1->used);

    auto narrower = next_token("t2");
    narrower.scope = "openid";
    narrower.issued_at = 300;
    narrower.family_id = "fam";
    narrower.expires_at = 99999;  // ignored: the family's end holds
    EXPECT_EQ(must(db->rotate_refresh("t1", narrower, 300)).outcome, RotateOutcome::rotated);
    auto t2 = must(db->find_refresh("t2"));
    ASSERT_TRUE(t2.has_value());
    EXPECT_EQ(t2->scope, "openid");
    EXPECT_EQ(t2->issued_at, 300);
    EXPECT_EQ(t2->expires_at, 1000);
    EXPECT_TRUE(must(db->find_refresh("t0"))->used);
    EXPECT_TRUE(must(db->find_refresh("t1"))->used);
}

TEST_P(IssuerStoreConformance, ReuseOfARotatedTokenRevokesTheFamily) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->save_refresh(refresh("t0")).ok());
    ASSERT_TRUE(db->save_refresh(refresh("other", "fam2")).ok());
    ASSERT_EQ(must(db->rotate_refresh("t0", next_token("t1"), 200)).outcome, RotateOutcome::rotated);
    ASSERT_EQ(must(db->rotate_refresh("t1", next_token("t2"), 210)).outcome, RotateOutcome::rotated);

    auto reuse = must(db->rotate_refresh("t0", next_token("evil"), 220));  // the attacker's copy
    EXPECT_EQ(reuse.outcome, RotateOutcome::reused);
    ASSERT_TRUE(reuse.old.has_value());
    EXPECT_TRUE(reuse.old->revoked);
    EXPECT_FALSE(must(db->find_refresh("evil")).has_value()) << "reuse stores nothing";

    // The legitimate client's newest token is dead too.
    auto newest = must(db->rotate_refresh("t2", next_token("t3"), 230));
    EXPECT_EQ(newest.outcome, RotateOutcome::revoked);
    EXPECT_TRUE(newest.old->revoked);
    EXPECT_FALSE(newest.old->used) << "a refused rotation marks nothing";
    EXPECT_FALSE(must(db->find_refresh("t3")).has_value());
    EXPECT_TRUE(must(db->find_refresh("t2"))->revoked);
    EXPECT_FALSE(must(db->find_refresh("other"))->revoked) << "other families are untouched";
}

TEST_P(IssuerStoreConformance, RotateOutcomesForExpiredUnknownAndBadInput) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->save_refresh(refresh("t0", "fam", "alice", 1000)).ok());
    ASSERT_TRUE(db->save_refresh(refresh("taken", "fam9")).ok());

    auto unknown = must(db->rotate_refresh("nope", next_token("x"), 200));
    EXPECT_EQ(unknown.outcome, RotateOutcome::unknown);
    EXPECT_FALSE(unknown.old.has_value());

    // Refused input leaves the old token unused (the transaction rolls back).
    EXPECT_EQ(kind_of(db->rotate_refresh("t0", next_token(""), 200)), Kind::invalid);
    auto elsewhere = next_token("x");
    elsewhere.family_id = "fam9";
    EXPECT_EQ(kind_of(db->rotate_refresh("t0", elsewhere, 200)), Kind::invalid);
    EXPECT_EQ(kind_of(db->rotate_refresh("t0", next_token("taken"), 200)), Kind::exists);
    EXPECT_FALSE(must(db->find_refresh("t0"))->used);

    EXPECT_EQ(must(db->rotate_refresh("t0", next_token("x"), 1000)).outcome, RotateOutcome::expired)
        << "at exp";
    EXPECT_EQ(must(db->rotate_refresh("t0", next_token("x"), 5000)).outcome, RotateOutcome::expired);
    EXPECT_FALSE(must(db->find_refresh("t0"))->used);
    EXPECT_EQ(must(db->rotate_refresh("t0", next_token("x"), 999)).outcome, RotateOutcome::rotated);
}

TEST_P(IssuerStoreConformance, SaveRefreshStartsOrContinuesAFamily) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->save_refresh(refresh("t0", "fam", "alice", 1000)).ok());
    ASSERT_TRUE(db->save_refresh(refresh("t1", "fam", "alice", 5000)).ok());
    EXPECT_EQ(must(db->find_refresh("t1"))->expires_at, 1000) << "a continued family keeps its end";
    EXPECT_EQ(kind_of(db->save_refresh(refresh("t2", "fam", "mallory"))), Kind::invalid);
    auto other_client = refresh("t2", "fam");
    other_client.client_id = "evil";
    EXPECT_EQ(kind_of(db->save_refresh(other_client)), Kind::invalid);
    EXPECT_EQ(kind_of(db->save_refresh(refresh("t0", "fam"))), Kind::exists);
    EXPECT_EQ(kind_of(db->save_refresh(refresh("", "fam"))), Kind::invalid);
    EXPECT_EQ(kind_of(db->save_refresh(refresh("t3", ""))), Kind::invalid);
    EXPECT_FALSE(must(db->find_refresh("t2")).has_value());
    EXPECT_FALSE(must(db->find_refresh("unknown")).has_value());
}

// Two presentations of one token at once: one rotation, one reuse, and the
// reuse revokes the family. Threads on one store, then two stores on one
// state, which only meet in the engine's locks.
TEST_P(IssuerStoreConformance, RacingRotationsHaveOneWinner) {
    auto a = open();
    auto b = another();
    ASSERT_TRUE(a && b);
    for (int round = 0; round < 100; ++round) {
        const std::string fam = "fam-" + std::to_string(round);
        ASSERT_TRUE(a->save_refresh(refresh(fam + "-t0", fam)).ok());
        issuer::IssuerStore* second = round < 50 ? a.get() : b.get();
        std::array<RotateOutcome, 2> got{RotateOutcome::unknown, RotateOutcome::unknown};
        std::atomic<int> errors{0};
        std::latch start(2);
        auto rotate = [&](issuer::IssuerStore* s, int i) {
            start.arrive_and_wait();
            auto r = s->rotate_refresh(fam + "-t0", next_token(fam + "-n" + std::to_string(i)), 200);
            if (!r)
                ++errors;
            else
                got[static_cast<std::size_t>(i)] = r->outcome;
        };
        std::thread t1(rotate, a.get(), 0), t2(rotate, second, 1);
        t1.join();
        t2.join();
        ASSERT_EQ(errors.load(), 0) << "round " << round;
        const int rotated = (got[0] == RotateOutcome::rotated) + (got[1] == RotateOutcome::rotated);
        const int reused = (got[0] == RotateOutcome::reused) + (got[1] == RotateOutcome::reused);
        EXPECT_EQ(rotated, 1) << "round " << round;
        EXPECT_EQ(reused, 1) << "round " << round;
        EXPECT_TRUE(must(b->find_refresh(fam + "-t0"))->revoked) << "round " << round;
    }
}

TEST_P(IssuerStoreConformance, RevokeFamilyAndUserFamilies) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->save_refresh(refresh("a1", "fa1", "alice")).ok());
    ASSERT_TRUE(db->save_refresh(refresh("a2", "fa2", "alice")).ok());
    ASSERT_TRUE(db->save_refresh(refresh("a3", "fa3", "alice")).ok());
    ASSERT_TRUE(db->save_refresh(refresh("b1", "fb1", "bob")).ok());

    EXPECT_TRUE(must(db->revoke_family("fa1")));
    EXPECT_TRUE(must(db->revoke_family("fa1"))) << "still exists";
    EXPECT_FALSE(must(db->revoke_family("nope")));
    EXPECT_TRUE(must(db->find_refresh("a1"))->revoked);
    EXPECT_FALSE(must(db->find_refresh("a2"))->revoked);

    EXPECT_EQ(must(db->revoke_user_families("alice")), 2) << "fa1 was revoked already";
    EXPECT_EQ(must(db->revoke_user_families("alice")), 0);
    EXPECT_EQ(must(db->revoke_user_families("carol")), 0);
    EXPECT_EQ(kind_of(db->revoke_user_families("")), Kind::invalid);
    EXPECT_TRUE(must(db->find_refresh("a3"))->revoked);
    EXPECT_FALSE(must(db->find_refresh("b1"))->revoked);
    EXPECT_EQ(must(db->rotate_refresh("a2", next_token("a2b"), 200)).outcome, RotateOutcome::revoked);
}

// ---- jti revocation ----

TEST_P(IssuerStoreConformance, RevokedJtisAreListedUntilTheirExpiry) {
    using List = std::vector<std::pair<std::string, std::int64_t>>;
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->revoke_jti("j-b", 200).ok());
    ASSERT_TRUE(db->revoke_jti("j-a", 100).ok());
    ASSERT_TRUE(db->revoke_jti("j-c", 300).ok());
    ASSERT_TRUE(db->revoke_jti("j-a", 50).ok()) << "revoking again is fine";
    EXPECT_EQ(kind_of(db->revoke_jti("", 100)), Kind::invalid);

    EXPECT_EQ(must(db->revoked_jtis(0)), (List{{"j-a", 100}, {"j-b", 200}, {"j-c", 300}}))
        << "never shortened";
    EXPECT_EQ(must(db->revoked_jtis(100)), (List{{"j-b", 200}, {"j-c", 300}})) << "gone at its exp";
    EXPECT_EQ(must(db->revoked_jtis(0)), (List{{"j-b", 200}, {"j-c", 300}})) << "purged, not just hidden";
    ASSERT_TRUE(db->revoke_jti("j-b", 400).ok());
    EXPECT_EQ(must(db->revoked_jtis(350)), (List{{"j-b", 400}})) << "lengthened";
    EXPECT_TRUE(must(db->revoked_jtis(10'000)).empty());
}

// ---- API keys ----

TEST_P(IssuerStoreConformance, ApiKeysCreateFindListRevoke) {
    auto db = open();
    ASSERT_TRUE(db);
    const gate::ApiKeyRecord ci{"ci", "hash-ci", "gk_ab12", "deploy-bot", {"deploy", "read"}, 10, 0, false};
    const gate::ApiKeyRecord mon{"monitor", "hash-mon", "gk_cd34", "", {}, 11, 5000, false};
    ASSERT_TRUE(db->create_api_key(mon).ok());
    ASSERT_TRUE(db->create_api_key(ci).ok());

    auto dup_name = db->create_api_key({"ci", "hash-other", "", "", {}, 12, 0, false});
    EXPECT_EQ(kind_of(dup_name), Kind::exists);
    EXPECT_NE(dup_name.error().message.find("'ci'"), std::string::npos);
    auto dup_hash = db->create_api_key({"ci2", "hash-ci", "", "", {}, 12, 0, false});
    EXPECT_EQ(kind_of(dup_hash), Kind::exists);
    EXPECT_EQ(dup_hash.error().message.find("hash-ci"), std::string::npos) << "no hash in messages";
    EXPECT_EQ(kind_of(db->create_api_key({"", "h", "", "", {}, 1, 0, false})), Kind::invalid);
    EXPECT_EQ(kind_of(db->create_api_key({"k", "", "", "", {}, 1, 0, false})), Kind::invalid);
    EXPECT_EQ(kind_of(db->create_api_key({"k", "h", "", "", {"a b\n"}, 1, 0, false})), Kind::invalid);
    EXPECT_EQ(kind_of(db->create_api_key({"k", "h", "", "", {}, 1, -1, false})), Kind::invalid);

    auto found = must(db->find_api_key("hash-ci"));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->name, "ci");
    EXPECT_EQ(found->hint, "gk_ab12");
    EXPECT_EQ(found->user, "deploy-bot");
    EXPECT_EQ(found->scopes, (Strings{"deploy", "read"}));
    EXPECT_EQ(found->created_at, 10);
    EXPECT_EQ(found->expires_at, 0);
    EXPECT_FALSE(found->revoked);
    EXPECT_EQ(must(db->find_api_key("hash-mon"))->expires_at, 5000);
    EXPECT_FALSE(must(db->find_api_key("ci")).has_value()) << "looked up by hash, not name";

    auto list = must(db->list_api_keys());
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].name, "ci");
    EXPECT_EQ(list[1].name, "monitor");

    EXPECT_TRUE(must(db->revoke_api_key("ci")));
    EXPECT_TRUE(must(db->revoke_api_key("ci")));
    EXPECT_FALSE(must(db->revoke_api_key("nope")));
    auto revoked = must(db->find_api_key("hash-ci"));
    ASSERT_TRUE(revoked.has_value()) << "a revoked key is still found, flagged";
    EXPECT_TRUE(revoked->revoked);
    EXPECT_TRUE(must(db->list_api_keys())[0].revoked);
    EXPECT_EQ(kind_of(db->create_api_key({"ci", "hash-new", "", "", {}, 12, 0, false})), Kind::exists)
        << "a revoked key's name stays taken";
}

// ---- signing keys ----

TEST_P(IssuerStoreConformance, SigningKeysOldestFirstAndRetire) {
    auto db = open();
    ASSERT_TRUE(db);
    const std::string jwk =
        R"({"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"})";
    ASSERT_TRUE(db->add_signing_key({"k2", "EdDSA", jwk, 200, 210, 0}).ok());
    ASSERT_TRUE(db->add_signing_key({"k1", "ES256", jwk, 100, 100, 0}).ok());
    ASSERT_TRUE(db->add_signing_key({"k3", "RS256", jwk, 200, 260, 0}).ok());
    auto dup = db->add_signing_key({"k1", "ES256", jwk, 300, 300, 0});
    EXPECT_EQ(kind_of(dup), Kind::exists);
    EXPECT_EQ(dup.error().message.find("nWGx"), std::string::npos) << "no key material in messages";
    EXPECT_EQ(kind_of(db->add_signing_key({"k4", "", jwk, 1, 1, 0})), Kind::invalid);
    EXPECT_EQ(kind_of(db->add_signing_key({"k4", "ES256", "", 1, 1, 0})), Kind::invalid);
    EXPECT_EQ(kind_of(db->add_signing_key({"", "ES256", jwk, 1, 1, 0})), Kind::invalid);

    auto keys = must(db->signing_keys());
    ASSERT_EQ(keys.size(), 3u);
    EXPECT_EQ(keys[0].kid, "k1");
    EXPECT_EQ(keys[1].kid, "k2") << "same created_at: insertion order";
    EXPECT_EQ(keys[2].kid, "k3");
    EXPECT_EQ(keys[1].alg, "EdDSA");
    EXPECT_EQ(keys[1].private_jwk, jwk);
    EXPECT_EQ(keys[1].created_at, 200);
    EXPECT_EQ(keys[1].signs_from, 210);
    EXPECT_EQ(keys[1].retire_at, 0);

    ASSERT_TRUE(db->set_retire_at("k1", 400).ok());
    EXPECT_EQ(must(db->signing_keys())[0].retire_at, 400);
    auto missing = db->set_retire_at("nope", 400);
    EXPECT_EQ(kind_of(missing), Kind::not_found);
    EXPECT_NE(missing.error().message.find("'nope'"), std::string::npos);
    EXPECT_EQ(kind_of(db->set_retire_at("k1", -1)), Kind::invalid);
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
