#pragma once
// Shared by the OAuth tests: a real SqliteIssuerStore on a temporary file,
// one signing key, three clients and a small user directory.
//   web  confidential, secret "web-secret", https://app.example/cb,
//        scopes read write, grants authorization_code refresh_token client_credentials
//   spa  public (no secret), https://spa.example/cb, scope read,
//        grants authorization_code refresh_token
//   svc  confidential, secret "svc-secret", scopes read write admin, grant client_credentials
// Users: alice (groups admins, email alice@example.com), bob (disabled).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../store/test_util.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/httpauth/form.hpp"
#include "gatekeeper/issuer/oauth.hpp"
#include "gatekeeper/issuer/signing_keys.hpp"
#include "store/sqlite_issuer_store.hpp"

namespace gk::issuer::test {

inline constexpr std::int64_t kNow = 1'700'000'000;
inline const std::string kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";   // RFC 7636 appendix B
inline const std::string kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";  // its S256

class FakeUsers : public gate::UserDirectory {
public:
    std::map<std::string, gate::UserRecord, std::less<>> users;
    bool up = true;
    [[nodiscard]] gate::UserLookup find(std::string_view name) const override {
        if (!up) return fail(std::string("store down"));
        auto it = users.find(name);
        if (it == users.end()) return std::optional<gate::UserRecord>{};
        return std::optional<gate::UserRecord>{it->second};
    }
    [[nodiscard]] bool healthy() const override { return up; }
};

inline Form form(std::vector<std::pair<std::string, std::string>> pairs) {
    std::vector<FormField> f;
    for (auto& [n, v] : pairs) f.push_back({std::move(n), std::move(v)});
    return Form(std::move(f));
}

inline std::string basic(const std::string& id, const std::string& secret) {
    return "Basic " +
           httpauth::base64_encode(httpauth::percent_encode(id) + ":" + httpauth::percent_encode(secret));
}

inline boost::json::object body_of(const Response& r) { return boost::json::parse(r.body).as_object(); }

inline std::string header(const Response& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name) return v;
    }
    return {};
}

inline std::string str(const boost::json::object& o, std::string_view k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The value of `name` in a redirect's query.
inline std::string query_param(const std::string& location, std::string_view name) {
    auto q = httpauth::parse_query(location.substr(location.find('?') + 1));
    if (!q) return {};
    auto v = q->first(name);
    return v ? std::string(*v) : std::string();
}

class OauthFixture : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::SqliteIssuerStore::open(dir_ / "gk.db");
        ASSERT_TRUE(opened.ok()) << opened.error();
        store_ = std::move(*opened);
        auto key = create_signing_key(crypto::SigAlg::es256, kNow - 1000, kNow - 1000);
        ASSERT_TRUE(key.ok());
        ASSERT_TRUE(store_->add_signing_key(*key).ok());
        auto ring = KeyRing::build({*key}, kNow);
        ASSERT_TRUE(ring.ok()) << ring.error().message;
        ring_ = std::make_unique<KeyRing>(std::move(*ring));

        settings_.issuer = "https://gw.example";
        settings_.audiences = {"https://api.example"};

        const auto cheap = store::test::cheap_argon2();
        put({"web",
             password::hash_argon2id("web-secret", cheap),
             "Web",
             {"https://app.example/cb"},
             {"read", "write"},
             {"authorization_code", "refresh_token", "client_credentials"},
             kNow});
        put({"spa",
             "",
             "SPA",
             {"https://spa.example/cb"},
             {"read"},
             {"authorization_code", "refresh_token"},
             kNow});
        put({"svc",
             password::hash_argon2id("svc-secret", cheap),
             "Service",
             {},
             {"read", "write", "admin"},
             {"client_credentials"},
             kNow});

        users_.users["alice"] = gate::UserRecord{"alice", "", {"admins"}, "alice@example.com", false, {}};
        users_.users["bob"] = gate::UserRecord{"bob", "", {"users"}, "", true, {}};
    }

    void put(const Client& c) { ASSERT_TRUE(store_->put_client(c).ok()); }

    Issuer issuer() { return Issuer{*store_, *ring_, settings_, &users_, {}}; }

    // A code for `user` from /authorize (the redirect's code parameter).
    std::string code_for(const std::string& client, const std::string& redirect,
                         const std::string& user = "alice", const std::string& scope = "") {
        std::vector<std::pair<std::string, std::string>> q{
            {"response_type", "code"}, {"client_id", client},          {"redirect_uri", redirect},
            {"state", "xyz"},          {"code_challenge", kChallenge}, {"code_challenge_method", "S256"}};
        if (!scope.empty()) q.emplace_back("scope", scope);
        auto r = authorize(form(q), user, kNow, *store_, settings_);
        EXPECT_EQ(r.kind, AuthorizeResult::Kind::redirect_code) << r.message << r.location;
        return query_param(r.location, "code");
    }

    // Exchange a code for web (client_secret_basic) and return the token response.
    Response redeem_web(const std::string& code, std::int64_t at = kNow) {
        return token_endpoint(form({{"grant_type", "authorization_code"},
                                    {"code", code},
                                    {"redirect_uri", "https://app.example/cb"},
                                    {"code_verifier", kVerifier}}),
                              basic("web", "web-secret"), at, issuer());
    }

    Response refresh_web(const std::string& refresh, std::int64_t at, const std::string& scope = "") {
        std::vector<std::pair<std::string, std::string>> p{{"grant_type", "refresh_token"},
                                                           {"refresh_token", refresh}};
        if (!scope.empty()) p.emplace_back("scope", scope);
        return token_endpoint(form(p), basic("web", "web-secret"), at, issuer());
    }

    store::test::TempDir dir_;
    std::unique_ptr<store::SqliteIssuerStore> store_;
    std::unique_ptr<KeyRing> ring_;
    Settings settings_;
    FakeUsers users_;
};

}  // namespace gk::issuer::test
