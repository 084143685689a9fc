// The decision table of DESIGN.md, for Basic: one row per situation.
#include <gtest/gtest.h>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/password/hash.hpp"
#include "store/memory_attempt_store.hpp"

namespace gk::gate {
namespace {

class FakeDirectory : public UserDirectory {
public:
    UserLookup find(std::string_view name) const override {
        if (!up) return fail(std::string("store down"));
        for (const auto& u : users)
            if (u.name == name) return std::optional<UserRecord>{u};
        return std::optional<UserRecord>{};
    }
    bool healthy() const override { return up && !stale_unhealthy; }
    std::vector<UserRecord> users;
    bool up = true;
    bool stale_unhealthy = false;  // healthy() says false although lookups work
};

Route route(std::string name, std::string prefix, RequireKind kind, std::vector<std::string> values = {}) {
    Route r;
    r.name = std::move(name);
    r.path = PathMatch{PathMatchKind::prefix, std::move(prefix), nullptr};
    r.require = Requirement{kind, std::move(values)};
    if (kind != RequireKind::public_access) {
        r.schemes = {SchemeKind::basic};
        r.realm = r.name == "admin" ? "Admin Panel" : "app";
        r.user_source = "users";
    }
    r.upstream = "app";
    return r;
}

struct Fixture {
    Fixture() {
        policy.routes.push_back(route("admin", "/admin/", RequireKind::groups, {"admins"}));
        policy.routes.push_back(route("bob-only", "/bob/", RequireKind::users, {"bob"}));
        policy.routes.push_back(route("app", "/app/", RequireKind::authenticated));
        auto cors = route("cors", "/cors/", RequireKind::authenticated);
        cors.allow_cors_preflight = true;
        policy.routes.push_back(cors);
        policy.routes.push_back(route("public", "/pub/", RequireKind::public_access));
        dir = std::make_shared<FakeDirectory>();
        // A cheap hash keeps the table fast; the format is irrelevant to the decision.
        dir->users.push_back({"alice", "{SHA}" + httpauth::base64_encode(crypto::digest(crypto::DigestAlg::sha1, "password")),
                              {"admins"}, "alice@example.com", false, {}});
        dir->users.push_back({"bob", password::hash_argon2id("builder", {1, 64, 1}), {"users"}, "", false, {}});
        dir->users.push_back({"carol", password::hash_argon2id("x", {1, 64, 1}), {}, "", true, {}});
        dirs["users"] = dir;
    }
    Policy policy;
    std::shared_ptr<FakeDirectory> dir;
    Directories dirs;
};

Request get(std::string path, std::vector<Header> headers = {}) {
    Request r;
    r.method = "GET";
    r.host = "example.com";
    r.path = std::move(path);
    r.headers = std::move(headers);
    return r;
}

Header basic(std::string_view user_pass) {
    return {"Authorization", "Basic " + httpauth::base64_encode(user_pass)};
}

// Runs evaluate and, when it asks for one, the password check, like the server.
Decision decide(const Fixture& f, const Request& r) {
    auto ev = evaluate(f.policy, r, f.dirs);
    if (ev.decision) return *ev.decision;
    auto ok = password::verify(ev.check->stored_hash, ev.check->password.reveal());
    return finish_password_check(*ev.route, *ev.check, ok.ok() && ok.value(), f.policy);
}

struct Row {
    const char* name;
    Request request;
    Verdict verdict;
    bool has_challenge;
    const char* user;  // identity expected, or nullptr
};

class DecisionTable : public ::testing::TestWithParam<Row> {};

TEST_P(DecisionTable, Row) {
    static const Fixture f;
    const auto& row = GetParam();
    const auto d = decide(f, row.request);
    EXPECT_EQ(d.verdict, row.verdict) << row.name << ": " << d.reason;
    EXPECT_EQ(!d.challenges.empty(), row.has_challenge) << row.name;
    if (row.user) {
        ASSERT_TRUE(d.identity) << row.name;
        EXPECT_EQ(d.identity->user, row.user);
    }
    if (row.has_challenge) {
        EXPECT_EQ(d.challenges[0].scheme, "Basic");
        ASSERT_NE(d.challenges[0].param("realm"), nullptr);
        ASSERT_NE(d.challenges[0].param("charset"), nullptr);
        EXPECT_EQ(d.challenges[0].param("charset")->value, "UTF-8");
    }
}

// alice's {SHA} hash above is of the password "password".
INSTANTIATE_TEST_SUITE_P(
    Basic, DecisionTable,
    ::testing::Values(
        Row{"no credentials", get("/admin/"), Verdict::challenge, true, nullptr},
        Row{"right credentials, right group", get("/admin/", {basic("alice:password")}), Verdict::allow, false, "alice"},
        Row{"wrong password", get("/admin/", {basic("alice:nope")}), Verdict::challenge, true, nullptr},
        Row{"unknown user", get("/admin/", {basic("mallory:password")}), Verdict::challenge, true, nullptr},
        Row{"identified, not in group -> 403 without challenge", get("/admin/", {basic("bob:builder")}),
            Verdict::forbid, false, "bob"},
        Row{"users rule: listed", get("/bob/", {basic("bob:builder")}), Verdict::allow, false, "bob"},
        Row{"users rule: not listed", get("/bob/", {basic("alice:password")}), Verdict::forbid, false, "alice"},
        Row{"authenticated rule", get("/app/", {basic("bob:builder")}), Verdict::allow, false, "bob"},
        Row{"disabled user looks like a wrong password", get("/app/", {basic("carol:x")}), Verdict::challenge, true,
            nullptr},
        Row{"scheme name is case-insensitive", get("/app/", {{"Authorization", "bAsIc Ym9iOmJ1aWxkZXI="}}),
            Verdict::allow, false, "bob"},
        Row{"password may contain colons", get("/app/", {basic("bob:builder:extra")}), Verdict::challenge, true,
            nullptr},
        Row{"unknown scheme -> challenge", get("/app/", {{"Authorization", "Negotiate abc"}}), Verdict::challenge,
            true, nullptr},
        Row{"malformed base64 -> 400", get("/app/", {{"Authorization", "Basic !!!"}}), Verdict::bad_request, false,
            nullptr},
        Row{"no colon -> 400", get("/app/", {basic("bobbuilder")}), Verdict::bad_request, false, nullptr},
        Row{"two Authorization headers -> 400", get("/app/", {basic("bob:builder"), basic("bob:builder")}),
            Verdict::bad_request, false, nullptr},
        Row{"public route needs nothing", get("/pub/x"), Verdict::allow, false, nullptr},
        Row{"public route ignores bad credentials", get("/pub/x", {{"Authorization", "Basic !!!"}}), Verdict::allow,
            false, nullptr},
        Row{"no route -> 404 (deny by default)", get("/elsewhere"), Verdict::not_found, false, nullptr},
        Row{"segment boundary: /administrator is not /admin/", get("/administrator"), Verdict::not_found, false,
            nullptr}));

TEST(Decision, CorsPreflightPassesOnlyWhereAllowed) {
    const Fixture f;
    auto pre = get("/cors/x", {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "PUT"}});
    pre.method = "OPTIONS";
    EXPECT_EQ(decide(f, pre).verdict, Verdict::allow);
    pre.path = "/app/x";
    EXPECT_EQ(decide(f, pre).verdict, Verdict::challenge);
}

TEST(Decision, UnavailableUserSourceFailsClosed) {
    Fixture f;
    f.dir->up = false;
    const auto d = decide(f, get("/app/", {basic("bob:builder")}));
    EXPECT_EQ(d.verdict, Verdict::unavailable);
    EXPECT_EQ(status_of(d.verdict), 503);
}

// Regression: a lookup error is 503 at once, never "unknown user" (401).
TEST(Decision, LookupErrorIsUnavailableNotUnknownUser) {
    Fixture f;
    f.dir->up = false;
    const auto d = decide(f, get("/app/", {basic("mallory:pw")}));
    EXPECT_EQ(d.verdict, Verdict::unavailable);
    EXPECT_NE(d.reason.find("unavailable"), std::string::npos) << d.reason;
}

// Regression: the gate goes by find()'s answer, not by a stale healthy() (a
// source that recovered answers at once, without a restart).
TEST(Decision, RecoveredSourcePassesWhateverHealthySays) {
    Fixture f;
    f.dir->up = false;
    EXPECT_EQ(decide(f, get("/app/", {basic("bob:builder")})).verdict, Verdict::unavailable);
    f.dir->up = true;
    f.dir->stale_unhealthy = true;
    EXPECT_EQ(decide(f, get("/app/", {basic("bob:builder")})).verdict, Verdict::allow);
}

TEST(Decision, UnknownUserIsCheckedAgainstADummyHash) {
    const Fixture f;
    auto ev = evaluate(f.policy, get("/app/", {basic("mallory:pw")}), f.dirs);
    ASSERT_TRUE(ev.check);
    EXPECT_FALSE(ev.check->record);
    EXPECT_EQ(ev.check->stored_hash, password::dummy_hash());
}

TEST(Decision, SameBodyForUnknownUserAndWrongPassword) {
    const Fixture f;
    const auto a = decide(f, get("/app/", {basic("mallory:pw")}));
    const auto b = decide(f, get("/app/", {basic("bob:wrong")}));
    EXPECT_EQ(a.public_detail, b.public_detail);
    EXPECT_EQ(a.verdict, b.verdict);
}

TEST(Decision, ChallengeIsFormattedPerRfc7617) {
    const Fixture f;
    const auto d = decide(f, get("/admin/"));
    ASSERT_EQ(d.challenges.size(), 1u);
    EXPECT_EQ(httpauth::format_challenge(d.challenges[0]), "Basic realm=\"Admin Panel\", charset=\"UTF-8\"");
}

// Brute force: the counters sit in front of the password check.
Decision decide_with(const Fixture& f, const Request& r, const SchemeContext& ctx, bool* hashed = nullptr) {
    auto ev = evaluate(f.policy, r, f.dirs, ctx);
    if (hashed) *hashed = !ev.decision;
    if (ev.decision) return *ev.decision;
    auto ok = password::verify(ev.check->stored_hash, ev.check->password.reveal());
    return finish_password_check(*ev.route, *ev.check, ok.ok() && ok.value(), f.policy, ctx);
}

Request from(std::string address, Request r) {
    r.client_address = std::move(address);
    return r;
}

TEST(BasicBruteForce, LockedNamesGet429BeforeAnyHashingExistingOrNot) {
    Fixture f;
    f.policy.brute_force.per_user = 3;
    f.policy.brute_force.per_address = 0;
    store::MemoryAttemptStore attempts;
    SchemeContext ctx;
    ctx.attempts = &attempts;
    ctx.now = std::chrono::system_clock::now();
    for (const char* user : {"alice", "mallory"}) {
        const std::string wrong = std::string(user) + ":wrong";
        for (int i = 0; i < 3; ++i)
            EXPECT_EQ(decide_with(f, from("192.0.2.1", get("/app/", {basic(wrong)})), ctx).verdict,
                      Verdict::challenge);
        bool hashed = true;
        const std::string right = std::string(user) + ":password";
        auto d = decide_with(f, from("192.0.2.1", get("/app/", {basic(right)})), ctx, &hashed);
        EXPECT_EQ(d.verdict, Verdict::too_many) << user << ": even the right password waits";
        EXPECT_FALSE(hashed) << "a locked attempt costs no hashing";
        EXPECT_EQ(d.retry_after_seconds, 1);
        EXPECT_TRUE(d.challenges.empty());
        EXPECT_FALSE(d.identity);
    }
    // Another name from the same address is not affected; after the lock-out, alice gets in.
    EXPECT_EQ(decide_with(f, from("192.0.2.1", get("/app/", {basic("bob:builder")})), ctx).verdict, Verdict::allow);
    ctx.now += std::chrono::seconds(2);
    EXPECT_EQ(decide_with(f, from("192.0.2.1", get("/app/", {basic("alice:password")})), ctx).verdict,
              Verdict::allow);
}

TEST(BasicBruteForce, RouteLimitsOverrideThePolicysAndAddressesCount) {
    Fixture f;
    f.policy.brute_force.per_address = 100;
    AttemptLimits strict = f.policy.brute_force;
    strict.per_address = 2;
    f.policy.routes[0].brute_force = strict;  // /admin/
    store::MemoryAttemptStore attempts;
    SchemeContext ctx;
    ctx.attempts = &attempts;
    ctx.now = std::chrono::system_clock::now();
    decide_with(f, from("192.0.2.1", get("/admin/", {basic("u1:x")})), ctx);
    decide_with(f, from("192.0.2.1", get("/admin/", {basic("u2:x")})), ctx);
    EXPECT_EQ(decide_with(f, from("192.0.2.1", get("/admin/", {basic("u3:x")})), ctx).verdict, Verdict::too_many);
    EXPECT_EQ(decide_with(f, from("192.0.2.1", get("/app/", {basic("u3:x")})), ctx).verdict, Verdict::challenge)
        << "the /app/ route allows 100 per address";
    EXPECT_EQ(decide_with(f, from("192.0.2.2", get("/admin/", {basic("u3:x")})), ctx).verdict, Verdict::challenge);
}

// A counter store that cannot answer (a shared Redis that is down), and
// counts what is written to it anyway.
class DownAttemptStore : public AttemptStore {
public:
    Result<AttemptSummary, std::string> summary(std::string_view, std::int64_t) override {
        return fail(std::string("redis down"));
    }
    Result<Ok, std::string> add_failure(std::string_view, std::int64_t, std::uint64_t, std::int64_t) override {
        ++writes;
        return fail(std::string("redis down"));
    }
    Result<Ok, std::string> forget(std::string_view, std::uint64_t) override {
        ++writes;
        return fail(std::string("redis down"));
    }
    int writes = 0;
};

TEST(BasicBruteForce, CountersDownOnlyACachedVerificationPasses) {
    Fixture f;
    DownAttemptStore attempts;
    SchemeContext ctx;
    ctx.attempts = &attempts;
    ctx.now = std::chrono::system_clock::now();
    // A known user: the gate still hands out the check, marked cache-only.
    auto ev = evaluate(f.policy, from("192.0.2.1", get("/app/", {basic("alice:password")})), f.dirs, ctx);
    ASSERT_FALSE(ev.decision);
    ASSERT_TRUE(ev.check);
    ASSERT_TRUE(ev.check->unless_cached);
    EXPECT_EQ(ev.check->unless_cached->verdict, Verdict::unavailable);
    EXPECT_EQ(ev.check->unless_cached->retry_after_seconds, 1);
    // Not vouched for by the cache: the 503, and nothing counted.
    auto refused = finish_password_check(*ev.route, *ev.check, false, f.policy, ctx);
    EXPECT_EQ(refused.verdict, Verdict::unavailable);
    EXPECT_FALSE(refused.identity);
    // Vouched for (the caller's cache hit): it passes, with its identity.
    auto passed = finish_password_check(*ev.route, *ev.check, true, f.policy, ctx);
    EXPECT_EQ(passed.verdict, Verdict::allow);
    ASSERT_TRUE(passed.identity);
    EXPECT_EQ(passed.identity->user, "alice");
    EXPECT_EQ(attempts.writes, 0) << "nothing is written to a store that cannot answer";
    // A disabled user never passes, cached or not.
    auto carol = evaluate(f.policy, from("192.0.2.1", get("/app/", {basic("carol:x")})), f.dirs, ctx);
    ASSERT_TRUE(carol.check);
    EXPECT_EQ(finish_password_check(*carol.route, *carol.check, true, f.policy, ctx).verdict, Verdict::unavailable);
    // An unknown user cannot be in any cache: the 503 at once, no check to run.
    auto nobody = evaluate(f.policy, from("192.0.2.1", get("/app/", {basic("mallory:password")})), f.dirs, ctx);
    ASSERT_TRUE(nobody.decision);
    EXPECT_EQ(nobody.decision->verdict, Verdict::unavailable);
}

}  // namespace
}  // namespace gk::gate
