#pragma once
// The fixtures jwt_bench and jwt_icount share: an ES256 (or other) key set of
// three keys, a Keycloak-like access token signed by the middle one, and a
// gate policy with a Bearer route and a public route.
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "raw_openssl.hpp"
#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/jose/jwk.hpp"
#include "gatekeeper/jose/jws.hpp"
#include "gatekeeper/jose/jwt.hpp"

namespace gk::bench {

namespace json = boost::json;
using gk::crypto::Curve;
using namespace std::chrono_literals;

inline const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
inline constexpr std::int64_t kNowS = 1'800'000'000;
inline const std::string kIssuer = "https://id.example.test/realms/corp";

// A Keycloak-like access token payload.
inline std::string claims_json(std::string jti = "b3c1e2d4-7f8a-4b9c-a0d1-e2f3a4b5c6d7") {
    json::object c;
    c["iss"] = kIssuer;
    c["sub"] = "5f0c2f6e-3b7a-4c1e-9d2a-8b1f0e7c6d54";
    c["aud"] = json::array{"api", "account"};
    c["exp"] = kNowS + 300;
    c["iat"] = kNowS - 10;
    c["nbf"] = kNowS - 10;
    c["jti"] = jti;
    c["azp"] = "web-frontend";
    c["scope"] = "openid profile email read write";
    c["email"] = "alice@example.com";
    c["preferred_username"] = "alice";
    c["realm_access"] = json::object{{"roles", json::array{"admins", "staff", "offline_access"}}};
    return json::serialize(c);
}

inline Key new_key(SigAlg alg) {
    switch (alg) {
        case SigAlg::es256:
            return Key::generate_ec(Curve::p256);
        case SigAlg::rs256:
        case SigAlg::ps256:
            return Key::generate_rsa(2048);
        case SigAlg::eddsa:
            return Key::generate_ed25519();
        default:
            return Key::generate_hmac(32);
    }
}

// The public half, as a key set fetched from a JWKS URL would hold it.
inline Key public_of(const Key& k) {
    if (k.type() == gk::crypto::KeyType::oct) return k;
    auto p = Key::from_pem(k.public_pem());
    if (!p) throw std::runtime_error("public_pem round trip failed");
    return std::move(*p);
}

struct Fixture {
    SigAlg alg{};
    gk::jose::JwkSet set;          // 3 keys, kids k0 k1 k2; the token is signed by k1
    const Key* verify_key = nullptr;
    Key signer;                    // k1's private half
    std::string token;
    gk::jose::Jws jws;             // token, pre-parsed
    std::string raw_sig;           // what OpenSSL verifies (DER for ECDSA)
    gk::jose::JwtRules rules;
};

inline const Fixture& fixture(SigAlg alg) {
    static std::map<SigAlg, std::unique_ptr<Fixture>> all;
    auto& slot = all[alg];
    if (slot) return *slot;
    auto f = std::make_unique<Fixture>();
    f->alg = alg;
    std::vector<gk::jose::Jwk> keys;
    for (int i = 0; i < 3; ++i) {
        Key k = new_key(alg);
        if (i == 1) f->signer = k;
        gk::jose::Jwk j;
        j.key = public_of(k);
        j.kid = "k" + std::to_string(i);
        j.use = "sig";
        j.alg = alg;
        keys.push_back(std::move(j));
    }
    f->set = gk::jose::JwkSet(std::move(keys));
    f->verify_key = &f->set.keys()[1].key;

    gk::jose::SignOptions o;
    o.kid = "k1";
    o.typ = "at+jwt";
    auto tok = gk::jose::sign_jws(alg, f->signer, claims_json(), o);
    if (!tok) throw std::runtime_error("sign_jws failed");
    f->token = std::move(*tok);
    auto parsed = gk::jose::parse_jws(f->token);
    if (!parsed) throw std::runtime_error("parse_jws failed");
    f->jws = std::move(*parsed);
    f->raw_sig = alg == SigAlg::es256 ? to_der(f->jws.signature) : f->jws.signature;

    f->rules.algorithms = {alg};
    f->rules.typ = "at+jwt";
    f->rules.claims.issuer = kIssuer;
    f->rules.claims.audiences = {"api"};
    f->rules.claims.leeway = 60s;
    slot = std::move(f);
    return *slot;
}

class FixedKeys final : public gk::gate::KeySource {
public:
    explicit FixedKeys(std::shared_ptr<const gk::jose::JwkSet> s) : set_(std::move(s)) {}
    std::shared_ptr<const gk::jose::JwkSet> keys() const override { return set_; }
    void on_unknown_kid(std::string_view) override {}
    std::string problem() const override { return ""; }

private:
    std::shared_ptr<const gk::jose::JwkSet> set_;
};

struct GateFixture {
    gk::gate::Policy policy;
    gk::gate::KeySources sources;
    gk::gate::Directories dirs;
    gk::gate::Request req;         // GET /api/orders/42 with the fixture's ES256 token
    gk::gate::Request public_req;  // GET /public/x, no credentials
    gk::gate::TokenCache cache{10000, 300s};

    GateFixture() {
        const Fixture& f = fixture(SigAlg::es256);
        gk::gate::BearerIssuer is;
        is.name = "corp";
        is.issuer = kIssuer;
        is.audiences = {"api"};
        is.algorithms = {SigAlg::es256};
        is.typ = "at+jwt";
        is.leeway = 60s;
        is.groups_claim = "realm_access.roles";
        policy.issuers.push_back(is);

        gk::gate::Route r;
        r.name = "api";
        r.path = gk::gate::PathMatch{gk::gate::PathMatchKind::prefix, "/api/", nullptr};
        r.require = gk::gate::Requirement{gk::gate::RequireKind::groups, {"staff"}};
        r.schemes = {gk::gate::SchemeKind::bearer};
        r.realm = "api";
        r.issuers = {"corp"};
        r.scopes = {gk::gate::ScopeRule{{"GET", "HEAD"}, {"read"}}, gk::gate::ScopeRule{{}, {"write"}}};
        policy.routes.push_back(r);
        // Scenario 1's route: what a cache hit is measured against.
        gk::gate::Route pub;
        pub.name = "public";
        pub.path = gk::gate::PathMatch{gk::gate::PathMatchKind::prefix, "/public/", nullptr};
        pub.require = gk::gate::Requirement{gk::gate::RequireKind::public_access, {}};
        policy.routes.push_back(pub);

        sources["corp"] = std::make_shared<FixedKeys>(std::make_shared<gk::jose::JwkSet>(f.set));

        req.method = "GET";
        req.host = "api.example.test";
        req.authority = "api.example.test";
        req.target = "/api/orders/42";
        req.path = "/api/orders/42";
        req.client_address = "127.0.0.1";
        req.headers = {{"Host", "api.example.test"},
                       {"User-Agent", "bench/1.0"},
                       {"Accept", "application/json"},
                       {"Authorization", "Bearer " + f.token}};
        public_req = req;
        public_req.target = "/public/x";
        public_req.path = "/public/x";
        public_req.headers.pop_back();
    }

    // Scenario 4b: a pool of distinct tokens (same claims but jti) larger than
    // the cache, taken in turn, so every request misses, verifies and is
    // remembered, evicting the least recent entry.
    static constexpr std::size_t kFreshCache = 1000, kFreshPool = 1500;
    gk::gate::TokenCache fresh_cache{kFreshCache, 300s};
    std::vector<gk::gate::Request> fresh;

    const std::vector<gk::gate::Request>& fresh_requests() {
        if (!fresh.empty()) return fresh;
        const Fixture& f = fixture(SigAlg::es256);
        gk::jose::SignOptions o;
        o.kid = "k1";
        o.typ = "at+jwt";
        for (std::size_t i = 0; i < kFreshPool; ++i) {
            auto tok = gk::jose::sign_jws(SigAlg::es256, f.signer, claims_json("jti-" + std::to_string(i)), o);
            if (!tok) throw std::runtime_error("sign_jws failed");
            gk::gate::Request r = req;
            r.headers.back().value = "Bearer " + *tok;
            fresh.push_back(std::move(r));
        }
        return fresh;
    }

    gk::gate::SchemeContext context(bool cached) {
        gk::gate::SchemeContext ctx;
        ctx.key_sources = &sources;
        ctx.token_cache = cached ? &cache : nullptr;
        ctx.now = kNow;
        return ctx;
    }
};

inline GateFixture& gate_fixture() {
    static GateFixture g;
    return g;
}

}  // namespace gk::bench
