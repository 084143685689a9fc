// Digest through the gate: a client computes its answer from the route's own
// challenge, and each row changes one thing that must turn it into a refusal.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/digest.hpp"
#include "store/memory_attempt_store.hpp"

namespace gk::gate {
namespace {

using schemes::DigestAlgorithm;
using namespace std::chrono_literals;

class OneUser final : public UserDirectory {
public:
    UserLookup find(std::string_view name) const override {
        if (broken) return fail(std::string("store down"));
        for (const auto& u : users)
            if (u.name == name) return std::optional<UserRecord>{u};
        return std::optional<UserRecord>{};
    }
    bool healthy() const override { return true; }
    UserLookup find_by_digest_userhash(std::string_view realm, std::string_view algorithm,
                                       std::string_view userhash) const override {
        if (broken) return fail(std::string("store down"));
        for (const auto& u : users) {
            auto alg = schemes::parse_digest_algorithm(algorithm);
            if (alg && schemes::digest_userhash(*alg, u.name, realm) == userhash)
                return std::optional<UserRecord>{u};
        }
        return std::optional<UserRecord>{};
    }
    std::vector<UserRecord> users;
    bool broken = false;  // lookups fail although healthy() says true
};

constexpr std::string_view kRealm = "Admin Panel";

UserRecord user(std::string name, std::string password, std::vector<std::string> groups, bool disabled = false) {
    UserRecord u;
    u.name = name;
    u.password_hash = "{SHA}unused";
    u.groups = std::move(groups);
    u.disabled = disabled;
    for (auto alg : {DigestAlgorithm::sha256, DigestAlgorithm::md5})
        u.digest_secrets.push_back({std::string(kRealm), schemes::to_string(alg),
                                    schemes::digest_ha1(alg, name, kRealm, password)});
    return u;
}

struct Fixture {
    Fixture() : nonces(std::string(32, 'k'), 300s), counts(1000) {
        Route r;
        r.name = "admin";
        r.path = PathMatch{PathMatchKind::prefix, "/admin/", nullptr};
        r.require = Requirement{RequireKind::groups, {"admins"}};
        r.schemes = {SchemeKind::digest, SchemeKind::basic};
        r.realm = std::string(kRealm);
        r.user_source = "users";
        policy.routes.push_back(r);
        auto dir = std::make_shared<OneUser>();
        dir->users.push_back(user("alice", "wonderland", {"admins"}));
        dir->users.push_back(user("bob", "builder", {"users"}));
        dir->users.push_back(user("carol", "x", {"admins"}, true));
        dirs["users"] = dir;
        now = std::chrono::system_clock::now();
    }
    SchemeContext ctx() { return SchemeContext{&nonces, &counts, nullptr, nullptr, now}; }

    Policy policy;
    Directories dirs;
    schemes::DigestNonces nonces;
    schemes::MemoryNonceCountStore counts;
    std::chrono::system_clock::time_point now;
};

Request get(std::string target, std::optional<std::string> authorization = std::nullopt) {
    Request r;
    r.method = "GET";
    r.host = "example.com";
    r.target = target;
    r.path = target;
    if (authorization) r.headers.push_back({"Authorization", *authorization});
    return r;
}

// What a well-behaved client sends for a challenge: the fields a row may bend.
struct Answer {
    std::string user = "alice", password = "wonderland", realm = std::string(kRealm), uri = "/admin/x";
    std::string method = "GET", nonce, opaque, nc = "00000001", cnonce = "0a4f113b", qop = "auth";
    DigestAlgorithm alg = DigestAlgorithm::sha256;
    std::optional<std::string> body;  // set: qop=auth-int over this body
    bool userhash = false;
};

std::string authorization(const Answer& a) {
    schemes::DigestCredentials c;
    c.username = a.user;
    c.realm = a.realm;
    c.nonce = a.nonce;
    c.uri = a.uri;
    c.cnonce = a.cnonce;
    c.algorithm = a.alg;
    c.nc_text = a.nc;
    c.qop = a.body ? schemes::DigestCredentials::Qop::auth_int : schemes::DigestCredentials::Qop::auth;
    const std::string ha1 = schemes::digest_ha1(a.alg, a.user, a.realm, a.password);
    const std::string response =
        schemes::expected_response(c, ha1, a.method, a.body ? schemes::body_hash(a.alg, *a.body) : std::string());
    const std::string qop = a.body ? "auth-int" : a.qop;
    const std::string name = a.userhash ? schemes::digest_userhash(a.alg, a.user, a.realm) : a.user;
    return "Digest username=\"" + name + "\", userhash=" + (a.userhash ? "true" : "false") + ", realm=\"" + a.realm + "\", nonce=\"" + a.nonce + "\", uri=\"" + a.uri +
           "\", algorithm=" + schemes::to_string(a.alg) + ", response=\"" + response + "\", qop=" + qop +
           ", nc=" + a.nc + ", cnonce=\"" + a.cnonce + "\", opaque=\"" + a.opaque + "\"";
}

// Nonce and opaque from the route's first Digest challenge.
Answer fresh_answer(Fixture& f) {
    const auto challenges = challenges_for(f.policy.routes[0], f.policy, f.ctx());
    Answer a;
    for (const auto& c : challenges) {
        if (!httpauth::iequals(c.scheme, "Digest")) continue;
        a.nonce = c.param("nonce")->value;
        a.opaque = c.param("opaque")->value;
        break;
    }
    return a;
}

Decision decide(Fixture& f, const Request& r) {
    auto ev = evaluate(f.policy, r, f.dirs, f.ctx());
    EXPECT_TRUE(ev.decision.has_value()) << "Digest never needs the hash pool";
    return ev.decision ? *ev.decision : Decision{};
}

TEST(DigestGate, ChallengesAreDigestStrongestFirstThenBasic) {
    Fixture f;
    auto d = decide(f, get("/admin/x"));
    EXPECT_EQ(d.verdict, Verdict::challenge);
    ASSERT_EQ(d.challenges.size(), 3u);
    EXPECT_EQ(d.challenges[0].param("algorithm")->value, "SHA-256");
    EXPECT_EQ(d.challenges[1].param("algorithm")->value, "MD5");
    EXPECT_TRUE(httpauth::iequals(d.challenges[2].scheme, "Basic"));
    EXPECT_EQ(d.challenges[0].param("realm")->value, kRealm);
    EXPECT_EQ(d.challenges[0].param("qop")->value, "auth, auth-int");
    ASSERT_NE(d.challenges[0].param("userhash"), nullptr);
    EXPECT_EQ(d.challenges[0].param("userhash")->value, "true");
    EXPECT_EQ(d.challenges[0].param("stale"), nullptr);
}

TEST(DigestGate, NoNonceIssuerMeansNoDigestAndDigestCredentialsFailClosed) {
    Fixture f;
    const auto challenges = challenges_for(f.policy.routes[0], f.policy, {});
    ASSERT_EQ(challenges.size(), 1u);
    EXPECT_TRUE(httpauth::iequals(challenges[0].scheme, "Basic"));
    const Answer a = fresh_answer(f);
    auto ev = evaluate(f.policy, get("/admin/x", authorization(a)), f.dirs, {});
    ASSERT_TRUE(ev.decision);
    EXPECT_EQ(ev.decision->verdict, Verdict::unavailable);
}

TEST(DigestGate, CorrectAnswerPassesWithAuthenticationInfo) {
    for (auto alg : {DigestAlgorithm::sha256, DigestAlgorithm::md5, DigestAlgorithm::sha256_sess}) {
        Fixture f;
        Answer a = fresh_answer(f);
        a.alg = alg;
        auto d = decide(f, get("/admin/x", authorization(a)));
        EXPECT_EQ(d.verdict, Verdict::allow) << schemes::to_string(alg) << ": " << d.reason;
        ASSERT_TRUE(d.identity);
        EXPECT_EQ(d.identity->user, "alice");
        EXPECT_EQ(d.identity->scheme, "digest");
        ASSERT_EQ(d.response_headers.size(), 1u);
        EXPECT_EQ(d.response_headers[0].first, "Authentication-Info");
        EXPECT_NE(d.response_headers[0].second.find("rspauth=\""), std::string::npos);
        EXPECT_NE(d.response_headers[0].second.find("nc=00000001"), std::string::npos);
    }
}

struct BadRow {
    const char* name;
    void (*bend)(Answer&);
    Verdict verdict;
    bool stale;
};

const BadRow kBadRows[] = {
    {"wrong_password", [](Answer& a) { a.password = "Wonderland"; }, Verdict::challenge, false},
    {"unknown_user", [](Answer& a) { a.user = "mallory"; }, Verdict::challenge, false},
    {"other_realm", [](Answer& a) { a.realm = "App"; }, Verdict::challenge, false},
    {"forged_nonce", [](Answer& a) { a.nonce[5] = a.nonce[5] == 'A' ? 'B' : 'A'; }, Verdict::challenge, false},
    {"nonce_from_elsewhere", [](Answer& a) { a.nonce = std::string(48, 'A'); }, Verdict::challenge, false},
    {"wrong_opaque", [](Answer& a) { a.opaque = "x" + a.opaque; }, Verdict::challenge, false},
    {"missing_opaque", [](Answer& a) { a.opaque.clear(); }, Verdict::challenge, false},
    {"uri_other_resource", [](Answer& a) { a.uri = "/admin/other"; }, Verdict::bad_request, false},
    {"method_differs", [](Answer& a) { a.method = "POST"; }, Verdict::challenge, false},
    {"algorithm_not_offered", [](Answer& a) { a.alg = DigestAlgorithm::sha512_256; }, Verdict::challenge, false},
    {"nc_zero", [](Answer& a) { a.nc = "00000000"; }, Verdict::bad_request, false},
    {"qop_missing", [](Answer& a) { a.qop = "auth, qop=auth"; }, Verdict::bad_request, false},
    {"forbidden_user", [](Answer& a) { a.user = "bob"; a.password = "builder"; }, Verdict::forbid, false},
    {"disabled_user", [](Answer& a) { a.user = "carol"; a.password = "x"; }, Verdict::challenge, false},
};

class DigestBad : public ::testing::TestWithParam<BadRow> {};

TEST_P(DigestBad, IsRefused) {
    Fixture f;
    Answer a = fresh_answer(f);
    GetParam().bend(a);
    auto d = decide(f, get("/admin/x", authorization(a)));
    EXPECT_EQ(d.verdict, GetParam().verdict) << d.reason;
    EXPECT_FALSE(d.verdict == Verdict::allow);
    if (d.verdict == Verdict::challenge) {
        ASSERT_FALSE(d.challenges.empty());
        const auto* stale = d.challenges[0].param("stale");
        EXPECT_EQ(stale != nullptr, GetParam().stale);
    }
    if (d.verdict == Verdict::forbid) {
        EXPECT_TRUE(d.challenges.empty()) << "403 carries no challenge";
    }
}

INSTANTIATE_TEST_SUITE_P(Rows, DigestBad, ::testing::ValuesIn(kBadRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(DigestGate, ReplayOfTheSameNcIsRefusedWithStale) {
    Fixture f;
    Answer a = fresh_answer(f);
    const auto req = get("/admin/x", authorization(a));
    EXPECT_EQ(decide(f, req).verdict, Verdict::allow);
    auto replay = decide(f, req);
    EXPECT_EQ(replay.verdict, Verdict::challenge);
    ASSERT_FALSE(replay.challenges.empty());
    ASSERT_NE(replay.challenges[0].param("stale"), nullptr);
    a.nc = "00000002";
    EXPECT_EQ(decide(f, get("/admin/x", authorization(a))).verdict, Verdict::allow) << "the next nc is fine";
}

TEST(DigestGate, BogusRequestCannotBurnANonce) {
    Fixture f;
    Answer a = fresh_answer(f);
    Answer attacker = a;
    attacker.password = "guess";
    attacker.nc = "ffffffff";
    EXPECT_EQ(decide(f, get("/admin/x", authorization(attacker))).verdict, Verdict::challenge);
    EXPECT_EQ(decide(f, get("/admin/x", authorization(a))).verdict, Verdict::allow);
}

// The shared count store (Redis) cannot answer: a right answer is not let
// through unchecked, and a wrong one never gets as far as the count.
struct DownCounts final : schemes::NonceCountStore {
    int asked = 0;
    Result<bool, std::string> advance(std::string_view, std::uint32_t) override {
        ++asked;
        return fail(std::string("redis: connection refused"));
    }
};

TEST(DigestGate, CountsThatCannotBeCheckedFailClosed) {
    Fixture f;
    DownCounts down;
    Answer a = fresh_answer(f);
    auto ctx = f.ctx();
    ctx.digest_counts = &down;
    auto ev = evaluate(f.policy, get("/admin/x", authorization(a)), f.dirs, ctx);
    ASSERT_TRUE(ev.decision.has_value());
    EXPECT_EQ(ev.decision->verdict, Verdict::unavailable) << ev.decision->reason;
    EXPECT_NE(ev.decision->reason.find("connection refused"), std::string::npos) << ev.decision->reason;
    EXPECT_EQ(down.asked, 1);
    Answer wrong = a;
    wrong.password = "guess";
    ev = evaluate(f.policy, get("/admin/x", authorization(wrong)), f.dirs, ctx);
    ASSERT_TRUE(ev.decision.has_value());
    EXPECT_EQ(ev.decision->verdict, Verdict::challenge);
    EXPECT_EQ(down.asked, 1) << "only a verified response asks for the count";
}

TEST(DigestGate, ExpiredNonceWithCorrectAnswerGetsStaleAndAFreshNonce) {
    Fixture f;
    Answer a = fresh_answer(f);
    f.now += 301s;
    auto d = decide(f, get("/admin/x", authorization(a)));
    EXPECT_EQ(d.verdict, Verdict::challenge);
    ASSERT_FALSE(d.challenges.empty());
    ASSERT_NE(d.challenges[0].param("stale"), nullptr);
    EXPECT_EQ(d.challenges[0].param("stale")->value, "true");
    const std::string next = d.challenges[0].param("nonce")->value;
    EXPECT_NE(next, a.nonce);
    a.nonce = next;
    EXPECT_EQ(decide(f, get("/admin/x", authorization(a))).verdict, Verdict::allow) << "the client retries";
    // A wrong answer with an expired nonce is a plain 401: stale would invite a retry without asking the user.
    Answer wrong = fresh_answer(f);
    wrong.password = "nope";
    f.now += 301s;
    auto w = decide(f, get("/admin/x", authorization(wrong)));
    EXPECT_EQ(w.verdict, Verdict::challenge);
    EXPECT_EQ(w.challenges[0].param("stale"), nullptr);
}

TEST(DigestGate, AuthIntHashesTheBodyTheServerRead) {
    Fixture f;
    Answer a = fresh_answer(f);
    a.method = "POST";
    a.body = "payload=1";
    Request r = get("/admin/x", authorization(a));
    r.method = "POST";
    EXPECT_TRUE(needs_request_body(f.policy, r));
    auto ev = evaluate(f.policy, r, f.dirs, f.ctx());
    ASSERT_TRUE(ev.decision);
    EXPECT_EQ(ev.decision->verdict, Verdict::unavailable) << "no body read: fail closed";
    r.body = "payload=1";
    auto ok = decide(f, r);
    EXPECT_EQ(ok.verdict, Verdict::allow) << ok.reason;
    EXPECT_TRUE(ok.response_headers.empty()) << "no rspauth: it would need the response body";
    a.nc = "00000002";
    Request tampered = get("/admin/x", authorization(a));
    tampered.method = "POST";
    tampered.body = "payload=2";
    EXPECT_EQ(decide(f, tampered).verdict, Verdict::challenge) << "a changed body fails";
    f.policy.digest.auth_int = false;
    EXPECT_FALSE(needs_request_body(f.policy, r));
    a.nc = "00000003";
    Request off = get("/admin/x", authorization(a));
    off.method = "POST";
    off.body = "payload=1";
    EXPECT_EQ(decide(f, off).verdict, Verdict::challenge) << "auth-int switched off";
    EXPECT_FALSE(needs_request_body(f.policy, get("/admin/x")));
}

// Regression: a lookup error is 503 (with the challenges), never "unknown user" (401).
TEST(DigestGate, UserLookupErrorIsUnavailable) {
    for (bool userhash : {false, true}) {
        Fixture f;
        std::static_pointer_cast<OneUser>(f.dirs["users"])->broken = true;
        Answer a = fresh_answer(f);
        a.userhash = userhash;
        f.policy.digest.userhash = true;
        auto d = decide(f, get("/admin/x", authorization(a)));
        EXPECT_EQ(d.verdict, Verdict::unavailable) << "userhash=" << userhash << ": " << d.reason;
    }
}

TEST(DigestGate, UserhashFindsTheUserWithoutTheNameInClear) {
    Fixture f;
    Answer a = fresh_answer(f);
    a.userhash = true;
    const std::string header = authorization(a);
    EXPECT_EQ(header.find("alice"), std::string::npos);
    auto d = decide(f, get("/admin/x", header));
    EXPECT_EQ(d.verdict, Verdict::allow) << d.reason;
    ASSERT_TRUE(d.identity);
    EXPECT_EQ(d.identity->user, "alice");
    Answer wrong = fresh_answer(f);
    wrong.userhash = true;
    wrong.password = "nope";
    EXPECT_EQ(decide(f, get("/admin/x", authorization(wrong))).verdict, Verdict::challenge);
    f.policy.digest.userhash = false;
    Answer off = fresh_answer(f);
    off.userhash = true;
    EXPECT_EQ(decide(f, get("/admin/x", authorization(off))).verdict, Verdict::challenge);
}

TEST(DigestGate, NextnonceOnlyPastHalfTheNonceLife) {
    Fixture f;
    Answer a = fresh_answer(f);
    auto young = decide(f, get("/admin/x", authorization(a)));
    ASSERT_EQ(young.verdict, Verdict::allow);
    EXPECT_EQ(young.response_headers.at(0).second.find("nextnonce"), std::string::npos);
    f.now += 200s;  // lifetime 300 s
    a.nc = "00000002";
    auto old = decide(f, get("/admin/x", authorization(a)));
    ASSERT_EQ(old.verdict, Verdict::allow) << old.reason;
    const std::string& info = old.response_headers.at(0).second;
    const auto at = info.find("nextnonce=\"");
    ASSERT_NE(at, std::string::npos) << info;
    Answer next = a;
    next.nonce = info.substr(at + 11, schemes::DigestNonces::kNonceSize);
    next.nc = "00000001";
    EXPECT_EQ(decide(f, get("/admin/x", authorization(next))).verdict, Verdict::allow) << "the next nonce works";
}

TEST(DigestGate, HtdigestSourcesAreOfferedMd5Only) {
    Fixture f;
    f.policy.user_sources.push_back(UserSource{"users", UserSource::Kind::htdigest, "users.htdigest", 1});
    const auto challenges = challenges_for(f.policy.routes[0], f.policy, f.ctx());
    ASSERT_EQ(challenges.size(), 2u);
    EXPECT_EQ(challenges[0].param("algorithm")->value, "MD5");
    EXPECT_TRUE(httpauth::iequals(challenges[1].scheme, "Basic"));
}

TEST(DigestGate, DigestNotListedOnTheRouteIsNotAccepted) {
    Fixture f;
    Answer a = fresh_answer(f);
    f.policy.routes[0].schemes = {SchemeKind::basic};
    auto d = decide(f, get("/admin/x", authorization(a)));
    EXPECT_EQ(d.verdict, Verdict::challenge);
}

TEST(DigestGate, WrongResponsesLockTheNameThen429) {
    Fixture f;
    f.policy.brute_force.per_user = 2;
    store::MemoryAttemptStore attempts;
    auto ctx = f.ctx();
    ctx.attempts = &attempts;
    for (int i = 0; i < 2; ++i) {
        auto a = fresh_answer(f);
        a.password = "guess";
        auto r = get("/admin/x", authorization(a));
        r.client_address = "192.0.2.1";
        auto ev = evaluate(f.policy, r, f.dirs, ctx);
        ASSERT_TRUE(ev.decision);
        EXPECT_EQ(ev.decision->verdict, Verdict::challenge);
    }
    auto a = fresh_answer(f);  // now the right password
    auto r = get("/admin/x", authorization(a));
    r.client_address = "192.0.2.7";
    auto ev = evaluate(f.policy, r, f.dirs, ctx);
    ASSERT_TRUE(ev.decision);
    EXPECT_EQ(ev.decision->verdict, Verdict::too_many);
    EXPECT_GE(ev.decision->retry_after_seconds, 1);
}

}  // namespace
}  // namespace gk::gate
