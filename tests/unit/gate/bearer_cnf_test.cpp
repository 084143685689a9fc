// Certificate-bound access tokens (RFC 8705 section 3) through the gate: a
// token whose cnf names a certificate thumbprint passes only over a
// connection whose verified client certificate has it, cached or not.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/jose/jws.hpp"
#include "fixed_keys.hpp"

namespace gk::gate {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

using test::FixedKeys;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
constexpr std::int64_t kNowS = 1'800'000'000;
// Two SHA-256 values in base64url: the thumbprints of "alice's" and "bob's" certificates.
constexpr const char* kAlice = "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0";
constexpr const char* kBob = "pS0VnyYrLG3bckphhAvvw26zDIiHekAwtly-himESck";

std::shared_ptr<const ClientCertificate> cert(const char* thumb, bool verified = true) {
    auto c = std::make_shared<ClientCertificate>();
    c->verified = verified;
    if (!verified) c->problem = CertProblem::revoked;
    c->subject_cn = "client";
    c->thumbprint = thumb;
    return c;
}

struct Fixture {
    Fixture() : cache(100, 300s) {
        signer.key = crypto::Key::generate_ec(crypto::Curve::p256);
        signer.kid = "k1";
        BearerIssuer is;
        is.name = "corp";
        is.issuer = "https://id.example.test/";
        is.audiences = {"api"};
        is.algorithms = {crypto::SigAlg::es256};
        policy.issuers.push_back(is);
        Route r;
        r.name = "api";
        r.realm = "api";
        r.path = PathMatch{PathMatchKind::prefix, "/api/", nullptr};
        r.require = Requirement{RequireKind::authenticated, {}};
        r.schemes = {SchemeKind::bearer};
        policy.routes.push_back(r);
        jose::Jwk pub = signer;
        auto pt = signer.key.point();
        pub.key = *crypto::Key::ec(crypto::Curve::p256, pt.x, pt.y);
        keys = std::make_shared<FixedKeys>();
        keys->set = std::make_shared<jose::JwkSet>(std::vector<jose::Jwk>{pub});
        sources["corp"] = keys;
    }
    std::string token(std::optional<json::value> cnf) const {
        json::object c;
        c["iss"] = "https://id.example.test/";
        c["aud"] = "api";
        c["sub"] = "alice";
        c["iat"] = kNowS - 10;
        c["exp"] = kNowS + 300;
        if (cnf) c["cnf"] = *cnf;
        jose::SignOptions o;
        o.kid = signer.kid;
        return *jose::sign_jws(crypto::SigAlg::es256, signer.key, json::serialize(c), o);
    }
    Decision run(const std::string& tok, std::shared_ptr<const ClientCertificate> c) {
        Request req;
        req.method = "GET";
        req.host = "api.example.test";
        req.path = "/api/x";
        req.target = "/api/x";
        req.headers = {{"Authorization", "Bearer " + tok}};
        req.client_cert = std::move(c);
        SchemeContext ctx;
        ctx.key_sources = &sources;
        ctx.token_cache = use_cache ? &cache : nullptr;
        ctx.now = kNow;
        auto ev = evaluate(policy, req, dirs, ctx);
        EXPECT_TRUE(ev.decision.has_value());
        return ev.decision ? *ev.decision : Decision{};
    }
    std::string description(const Decision& d) const {
        for (const auto& ch : d.challenges)
            if (const auto* p = ch.param("error_description")) return p->value;
        return {};
    }
    Policy policy;
    Directories dirs;
    jose::Jwk signer;
    std::shared_ptr<FixedKeys> keys;
    KeySources sources;
    TokenCache cache;
    bool use_cache = false;
};

json::value x5t(const char* thumb) { return json::object{{"x5t#S256", thumb}}; }

TEST(BearerCnf, Table) {
    const struct {
        const char* name;
        std::optional<json::value> cnf;
        std::shared_ptr<const ClientCertificate> cert;
        Verdict verdict;
        const char* description_has;
    } rows[] = {
        {"bound, matching certificate", x5t(kAlice), cert(kAlice), Verdict::allow, nullptr},
        {"bound, other certificate", x5t(kAlice), cert(kBob), Verdict::challenge, "different client certificate"},
        {"bound, no certificate", x5t(kAlice), nullptr, Verdict::challenge, "none was presented"},
        {"bound, certificate not verified", x5t(kAlice), cert(kAlice, false), Verdict::challenge, "not valid"},
        {"malformed cnf (string)", json::value("x"), cert(kAlice), Verdict::challenge, "malformed cnf"},
        {"malformed x5t (short)", x5t("qZk-NkcGgWq6PiVxeFDCbJzQ2J0"), cert(kAlice), Verdict::challenge,
         "malformed cnf"},
        {"unknown members only", json::value(json::object{{"jkt", kAlice}}), cert(kAlice), Verdict::challenge,
         "unsupported confirmation"},
        {"x5t and an unknown member", json::value(json::object{{"x5t#S256", kAlice}, {"jkt", kAlice}}), cert(kAlice),
         Verdict::challenge, "unsupported confirmation"},
        {"no cnf, no certificate", std::nullopt, nullptr, Verdict::allow, nullptr},
        {"no cnf, any certificate", std::nullopt, cert(kBob), Verdict::allow, nullptr},
    };
    for (const auto& row : rows) {
        Fixture f;
        auto d = f.run(f.token(row.cnf), row.cert);
        EXPECT_EQ(d.verdict, row.verdict) << row.name << ": " << d.reason;
        if (row.description_has) {
            EXPECT_NE(f.description(d).find(row.description_has), std::string::npos)
                << row.name << ": " << f.description(d);
            ASSERT_FALSE(d.challenges.empty());
            EXPECT_EQ(d.challenges[0].param("error")->value, "invalid_token") << row.name;
        }
    }
}

TEST(BearerCnf, TheCacheDoesNotCarryABindingToAnotherConnection) {
    Fixture f;
    f.use_cache = true;
    const auto tok = f.token(x5t(kAlice));
    EXPECT_EQ(f.run(tok, cert(kAlice)).verdict, Verdict::allow);
    EXPECT_EQ(f.cache.size(), 1u);
    // The same token, now a cache hit, over connections with another or no certificate.
    EXPECT_EQ(f.run(tok, cert(kBob)).verdict, Verdict::challenge);
    EXPECT_EQ(f.run(tok, nullptr).verdict, Verdict::challenge);
    EXPECT_EQ(f.run(tok, cert(kAlice)).verdict, Verdict::allow);
}

TEST(BearerCnf, ARefusedBindingIsNotCached) {
    Fixture f;
    f.use_cache = true;
    EXPECT_EQ(f.run(f.token(x5t(kAlice)), cert(kBob)).verdict, Verdict::challenge);
    EXPECT_EQ(f.cache.size(), 0u);
}

}  // namespace
}  // namespace gk::gate
