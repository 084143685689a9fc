// Bearer through the gate: each RFC 6750 case a client can meet, with real
// signed tokens and an in-memory key source standing in for the JWKS fetcher.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/jose/jws.hpp"
#include "fixed_keys.hpp"

namespace gk::gate {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

using test::FixedKeys;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
constexpr std::int64_t kNowS = 1'800'000'000;

jose::Jwk make_key(std::string kid) {
    jose::Jwk k;
    k.key = crypto::Key::generate_ec(crypto::Curve::p256);
    k.kid = std::move(kid);
    return k;
}

struct Fixture {
    Fixture() : signer(make_key("k1")), other(make_key("k2")), cache(100, 300s) {
        BearerIssuer is;
        is.name = "corp";
        is.issuer = "https://id.example.test/";
        is.audiences = {"api"};
        is.algorithms = {crypto::SigAlg::es256};
        is.groups_claim = "realm_access.roles";
        policy.issuers.push_back(is);
        BearerIssuer second = is;
        second.name = "partner";
        second.issuer = "https://partner.example.test/";
        policy.issuers.push_back(second);

        Route r;
        r.name = "api";
        r.path = PathMatch{PathMatchKind::prefix, "/api/", nullptr};
        r.require = Requirement{RequireKind::authenticated, {}};
        r.schemes = {SchemeKind::bearer};
        r.realm = "api";
        r.issuers = {"corp"};
        r.scopes = {ScopeRule{{"GET", "HEAD"}, {"read"}}, ScopeRule{{}, {"write"}}};
        policy.routes.push_back(r);
        Route admin = r;
        admin.name = "admin";
        admin.path.value = "/admin/";
        admin.scopes.clear();
        admin.require = Requirement{RequireKind::groups, {"admins"}};
        admin.schemes = {SchemeKind::basic, SchemeKind::bearer};
        admin.issuers = {"corp", "partner"};
        policy.routes.push_back(admin);
        Route query = r;
        query.name = "feed";
        query.path.value = "/feed/";
        query.bearer_query_token = true;
        policy.routes.push_back(query);

        corp = std::make_shared<FixedKeys>();
        corp->set = std::make_shared<jose::JwkSet>(std::vector<jose::Jwk>{public_of(signer)});
        partner = std::make_shared<FixedKeys>();
        partner->set = std::make_shared<jose::JwkSet>(std::vector<jose::Jwk>{public_of(other)});
        sources["corp"] = corp;
        sources["partner"] = partner;
    }

    static jose::Jwk public_of(const jose::Jwk& k) {
        jose::Jwk p = k;
        auto pt = k.key.point();
        p.key = *crypto::Key::ec(crypto::Curve::p256, pt.x, pt.y);
        return p;
    }

    json::object claims(std::string scope = "read write") const {
        json::object c;
        c["iss"] = "https://id.example.test/";
        c["aud"] = "api";
        c["sub"] = "alice";
        c["email"] = "alice@example.com";
        c["realm_access"] = json::object{{"roles", json::array{"admins", "staff"}}};
        c["iat"] = kNowS - 10;
        c["exp"] = kNowS + 300;
        if (!scope.empty()) c["scope"] = scope;
        return c;
    }
    std::string token(const json::object& c, const jose::Jwk& key) const {
        jose::SignOptions o;
        o.kid = key.kid;
        o.typ = "at+jwt";
        return *jose::sign_jws(crypto::SigAlg::es256, key.key, json::serialize(c), o);
    }
    std::string token(const json::object& c) const { return token(c, signer); }

    Decision run(std::string method, std::string target, std::vector<Header> headers,
                 std::chrono::system_clock::time_point now = kNow) {
        Request req;
        req.method = std::move(method);
        req.host = "api.example.test";
        const auto q = target.find('?');
        req.path = target.substr(0, q);
        if (q != std::string::npos) req.query = target.substr(q + 1);
        req.target = target;
        req.headers = std::move(headers);
        SchemeContext ctx;
        ctx.key_sources = use_sources ? &sources : nullptr;
        ctx.token_cache = use_cache ? &cache : nullptr;
        ctx.now = now;
        auto ev = evaluate(policy, req, dirs, ctx);
        EXPECT_TRUE(ev.decision.has_value());
        return ev.decision ? *ev.decision : Decision{};
    }
    Decision bearer(std::string method, std::string target, const std::string& tok,
                    std::chrono::system_clock::time_point now = kNow) {
        return run(std::move(method), std::move(target), {{"Authorization", "Bearer " + tok}}, now);
    }

    Policy policy;
    Directories dirs;
    jose::Jwk signer, other;
    std::shared_ptr<FixedKeys> corp, partner;
    KeySources sources;
    TokenCache cache;
    bool use_sources = true;
    bool use_cache = false;
};

std::vector<std::string> www(const Decision& d) {
    std::vector<std::string> out;
    for (const auto& c : d.challenges) out.push_back(httpauth::format_challenge(c));
    return out;
}

TEST(BearerGate, NoTokenIsA401WithoutErrorCode) {
    Fixture f;
    auto d = f.run("GET", "/api/x", {});
    EXPECT_EQ(d.verdict, Verdict::challenge);
    EXPECT_EQ(www(d), std::vector<std::string>{"Bearer realm=\"api\""});
}

TEST(BearerGate, ValidTokenPassesWithIdentity) {
    Fixture f;
    auto d = f.bearer("GET", "/api/x", f.token(f.claims()));
    ASSERT_EQ(d.verdict, Verdict::allow) << d.reason;
    ASSERT_TRUE(d.identity);
    EXPECT_EQ(d.identity->user, "alice");
    EXPECT_EQ(d.identity->email, "alice@example.com");
    EXPECT_EQ(d.identity->groups, (std::vector<std::string>{"admins", "staff"}));
    EXPECT_EQ(d.identity->scopes, (std::vector<std::string>{"read", "write"}));
    EXPECT_EQ(d.identity->scheme, "bearer");
    EXPECT_EQ(d.scheme, "bearer");
}

TEST(BearerGate, MissingScopeIsA403NamingTheScope) {
    Fixture f;
    const auto tok = f.token(f.claims("read"));
    EXPECT_EQ(f.bearer("GET", "/api/x", tok).verdict, Verdict::allow);
    auto d = f.bearer("POST", "/api/x", tok);
    EXPECT_EQ(d.verdict, Verdict::forbid);
    EXPECT_EQ(www(d), std::vector<std::string>{"Bearer realm=\"api\", error=\"insufficient_scope\", "
                                               "error_description=\"insufficient scope\", scope=\"write\""});
    auto none = f.bearer("GET", "/api/x", f.token(f.claims("")));
    EXPECT_EQ(none.verdict, Verdict::forbid);
}

struct InvalidCase {
    const char* name;
    std::function<void(json::object&)> change;
    const char* description;
};

TEST(BearerGate, InvalidTokensAre401InvalidToken) {
    const InvalidCase cases[] = {
        {"expired", [](json::object& c) { c["exp"] = kNowS - 61; }, "token expired"},
        {"not yet valid", [](json::object& c) { c["nbf"] = kNowS + 61; }, nullptr},
        {"issued in the future", [](json::object& c) { c["iat"] = kNowS + 61; }, nullptr},
        {"wrong audience", [](json::object& c) { c["aud"] = "other"; }, nullptr},
        {"wrong issuer", [](json::object& c) { c["iss"] = "https://evil.example/"; }, nullptr},
        {"no exp", [](json::object& c) { c.erase("exp"); }, nullptr},
        {"no user", [](json::object& c) { c.erase("sub"); }, "token names no user"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Fixture f;
        auto claims = f.claims();
        c.change(claims);
        auto d = f.bearer("GET", "/api/x", f.token(claims));
        EXPECT_EQ(d.verdict, Verdict::challenge);
        ASSERT_EQ(d.challenges.size(), 1u);
        const auto* err = d.challenges[0].param("error");
        ASSERT_NE(err, nullptr);
        EXPECT_EQ(err->value, "invalid_token");
        ASSERT_NE(d.challenges[0].param("error_description"), nullptr);
        if (c.description) {
            EXPECT_EQ(d.challenges[0].param("error_description")->value, c.description);
        }
    }
}

TEST(BearerGate, WithinLeewayPasses) {
    Fixture f;
    auto c = f.claims();
    c["exp"] = kNowS - 30;
    c["nbf"] = kNowS + 30;
    EXPECT_EQ(f.bearer("GET", "/api/x", f.token(c)).verdict, Verdict::allow);
}

TEST(BearerGate, ForgedAndForeignTokensAreRefused) {
    Fixture f;
    auto tok = f.token(f.claims());
    tok[tok.size() - 5] = tok[tok.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(f.bearer("GET", "/api/x", tok).verdict, Verdict::challenge);
    // Signed by a key the issuer does not have: the source is asked to look again.
    jose::Jwk stranger = make_key("rotated");
    auto d = f.bearer("GET", "/api/x", f.token(f.claims(), stranger));
    EXPECT_EQ(d.verdict, Verdict::challenge);
    EXPECT_EQ(f.corp->unknown_kids, std::vector<std::string>{"rotated"});
}

TEST(BearerGate, MalformedRequestsAre400InvalidRequest) {
    Fixture f;
    for (const char* field : {"Bearer abc$def", "Bearer", "Bearer a=b", "Bearer abc def", "Bearermf_9"}) {
        SCOPED_TRACE(field);
        auto d = f.run("GET", "/api/x", {{"Authorization", field}});
        EXPECT_EQ(d.verdict, Verdict::bad_request);
        ASSERT_EQ(d.challenges.size(), 1u);
        EXPECT_EQ(d.challenges[0].param("error")->value, "invalid_request");
    }
    auto two = f.run("GET", "/api/x", {{"Authorization", "Bearer a"}, {"Authorization", "Bearer b"}});
    EXPECT_EQ(two.verdict, Verdict::bad_request);
    EXPECT_EQ(two.challenges.at(0).param("error")->value, "invalid_request");
}

TEST(BearerGate, QueryTokensOnlyWhereAllowedAndNeverTwice) {
    Fixture f;
    const auto tok = f.token(f.claims());
    EXPECT_EQ(f.run("GET", "/api/x?access_token=" + tok, {}).verdict, Verdict::bad_request);
    EXPECT_EQ(f.run("GET", "/feed/x?access_token=" + tok, {}).verdict, Verdict::allow);
    EXPECT_EQ(f.run("GET", "/feed/x?access_token=" + tok, {{"Authorization", "Bearer " + tok}}).verdict,
              Verdict::bad_request);
    EXPECT_EQ(f.run("GET", "/feed/x?access_token=" + tok + "&access_token=" + tok, {}).verdict,
              Verdict::bad_request);
}

TEST(BearerGate, OversizedTokenIsRefusedBeforeParsing) {
    Fixture f;
    f.policy.bearer.max_token_bytes = 1024;
    auto d = f.bearer("GET", "/api/x", std::string(2000, 'a'));
    EXPECT_EQ(d.verdict, Verdict::challenge);
    EXPECT_EQ(d.challenges.at(0).param("error")->value, "invalid_token");
}

TEST(BearerGate, NoKeysFailsClosed) {
    Fixture f;
    f.corp->set = nullptr;
    auto d = f.bearer("GET", "/api/x", f.token(f.claims()));
    EXPECT_EQ(d.verdict, Verdict::unavailable);
    EXPECT_NE(d.reason.find("fetch failed"), std::string::npos);
    f.use_sources = false;
    EXPECT_EQ(f.bearer("GET", "/api/x", f.token(f.claims())).verdict, Verdict::unavailable);
}

TEST(BearerGate, RouteWithBasicAndBearerOffersBoth) {
    Fixture f;
    auto d = f.run("GET", "/admin/x", {});
    EXPECT_EQ(www(d), (std::vector<std::string>{"Basic realm=\"api\", charset=\"UTF-8\"", "Bearer realm=\"api\""}));
}

TEST(BearerGate, GroupsFromAClaimPathAndSeveralIssuers) {
    Fixture f;
    EXPECT_EQ(f.bearer("GET", "/admin/x", f.token(f.claims())).verdict, Verdict::allow);
    auto c = f.claims();
    c["realm_access"] = json::object{{"roles", json::array{"staff"}}};
    auto d = f.bearer("GET", "/admin/x", f.token(c));
    EXPECT_EQ(d.verdict, Verdict::forbid);
    EXPECT_EQ(d.challenges.back().param("error")->value, "insufficient_scope");
    // The partner's token verifies with the partner's keys only.
    auto p = f.claims();
    p["iss"] = "https://partner.example.test/";
    EXPECT_EQ(f.bearer("GET", "/admin/x", f.token(p, f.other)).verdict, Verdict::allow);
    EXPECT_EQ(f.bearer("GET", "/admin/x", f.token(p, f.signer)).verdict, Verdict::challenge);
    // ... and is not trusted where only corp is.
    EXPECT_EQ(f.bearer("GET", "/api/x", f.token(p, f.other)).verdict, Verdict::challenge);
}

TEST(BearerGate, CacheServesRepeatsButNeverPastExpiry) {
    Fixture f;
    f.use_cache = true;
    auto c = f.claims("read");
    c["exp"] = kNowS + 100;
    const auto tok = f.token(c);
    EXPECT_EQ(f.bearer("GET", "/api/x", tok).verdict, Verdict::allow);
    EXPECT_EQ(f.cache.size(), 1u);
    // A hit is served without a signature check: an entry planted for a
    // string that is no JWT at all says yes while its key set is current.
    Identity planted;
    planted.user = "planted";
    planted.scopes = {"read"};
    f.cache.remember(TokenCache::key_for("not-a-jwt"), VerifiedToken{"corp", planted, "j", "", f.corp->set},
                     kNow + 100s, kNow);
    EXPECT_EQ(f.bearer("GET", "/api/x", "not-a-jwt").verdict, Verdict::allow);
    // Scopes are still checked per request on a cached token.
    EXPECT_EQ(f.bearer("DELETE", "/api/x", tok, kNow + 10s).verdict, Verdict::forbid);
    EXPECT_EQ(f.bearer("GET", "/api/x", tok, kNow + 10s).verdict, Verdict::allow);
    // exp 100 s + leeway 60 s: gone at 160 s.
    EXPECT_NE(f.bearer("GET", "/api/x", tok, kNow + 161s).verdict, Verdict::allow);
    // The issuer's key set changed (a key rotated out, maybe leaked): cached
    // tokens are verified again and refused when their key is gone.
    f.corp->set = std::make_shared<jose::JwkSet>();
    EXPECT_EQ(f.bearer("GET", "/api/x", "not-a-jwt").verdict, Verdict::challenge);
    EXPECT_EQ(f.bearer("GET", "/api/x", tok, kNow + 10s).verdict, Verdict::challenge);
    // A cached token from another issuer's route is not trusted here.
    f.corp->set = std::make_shared<jose::JwkSet>(std::vector<jose::Jwk>{Fixture::public_of(f.signer)});
    auto p = f.claims();
    p["iss"] = "https://partner.example.test/";
    const auto ptok = f.token(p, f.other);
    EXPECT_EQ(f.bearer("GET", "/admin/x", ptok).verdict, Verdict::allow);
    EXPECT_EQ(f.bearer("GET", "/api/x", ptok).verdict, Verdict::challenge);
}

}  // namespace
}  // namespace gk::gate
