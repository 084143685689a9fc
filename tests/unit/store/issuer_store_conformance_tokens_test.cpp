// The shared issuer-store behaviour (issuer_store_conformance.hpp), part
// two: refresh-token families, jti revocations, API keys, signing keys.
#include <array>
#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "issuer_store_conformance.hpp"

namespace gk::store::test {
namespace {
using issuer::RotateOutcome;

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

TEST_P(IssuerStoreConformance, AFirstSigningKeyIsAddedOnlyWhileThereIsNone) {
    auto db = open();
    ASSERT_TRUE(db);
    const std::string jwk = R"({"kty":"OKP","crv":"Ed25519","d":"x"})";
    EXPECT_TRUE(must(db->add_first_signing_key({"first", "EdDSA", jwk, 100, 100, 0})));
    EXPECT_FALSE(must(db->add_first_signing_key({"second", "EdDSA", jwk, 101, 101, 0}))) << "one exists";
    EXPECT_EQ(kind_of(db->add_first_signing_key({"", "EdDSA", jwk, 1, 1, 0})), Kind::invalid);
    auto keys = must(db->signing_keys());
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].kid, "first");
}

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

}  // namespace
}  // namespace gk::store::test
