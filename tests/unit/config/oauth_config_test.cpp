// oauth:, sessions: and the session/apikey keys of a route: what loads, with
// which values, and each mistake reported at its line.
#include <gtest/gtest.h>

#include "gatekeeper/config/config.hpp"
#include "temp_dir.hpp"

namespace gk::config {
namespace {

using test::TempDir;

constexpr const char* kHead =
    "listeners:\n"                                 // 1
    "  - { address: 127.0.0.1, port: 8080 }\n"     // 2
    "upstreams:\n"                                 // 3
    "  app: { url: \"http://127.0.0.1:3000\" }\n"  // 4
    "users:\n"                                     // 5
    "  db: { sqlite: users.db }\n";                // 6

std::string all_errors(const std::vector<ConfigError>& errors) {
    std::string out;
    for (const auto& e : errors) out += format(e) + "\n";
    return out;
}

TEST(OAuthConfig, FullSectionsLoad) {
    TempDir dir;
    const std::string yaml = std::string(kHead) +
                             "oauth:\n"
                             "  url: https://auth.example.com/\n"
                             "  database: data/gk.db\n"
                             "  audiences: [api]\n"
                             "  algorithm: EdDSA\n"
                             "  access_token_ttl: 5m\n"
                             "  refresh_token_ttl: 7d\n"
                             "  code_ttl: 30s\n"
                             "  key_overlap: 2h\n"
                             "sessions:\n"
                             "  users: db\n"
                             "  idle_timeout: 10m\n"
                             "  lifetime: 8h\n"
                             "  allowed_return_hosts: [App.Example.com, 'app.example.com:8443']\n"
                             "routes:\n"
                             "  - name: app\n"
                             "    path: /app/\n"
                             "    upstream: app\n"
                             "    schemes: [session, basic, bearer, apikey]\n"
                             "    users: db\n"
                             "    issuers: [gatekeeper]\n"
                             "    api_key_header: X-API-Key\n"
                             "    scopes: [read]\n";
    auto r = load_policy_text(yaml, "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    const auto& p = *r;
    EXPECT_TRUE(p.self_issuer.enabled);
    EXPECT_EQ(p.self_issuer.url, "https://auth.example.com")
        << "trailing slash dropped: iss is compared exactly";
    EXPECT_EQ(p.self_issuer.database, dir.file("data/gk.db"));
    EXPECT_EQ(p.self_issuer.audiences, std::vector<std::string>{"api"});
    EXPECT_EQ(p.self_issuer.algorithm, crypto::SigAlg::eddsa);
    EXPECT_EQ(p.self_issuer.access_token_ttl, std::chrono::seconds(300));
    EXPECT_EQ(p.self_issuer.refresh_token_ttl, std::chrono::seconds(7 * 86400));
    EXPECT_EQ(p.self_issuer.code_ttl, std::chrono::seconds(30));
    EXPECT_EQ(p.self_issuer.key_overlap, std::chrono::seconds(7200));
    ASSERT_EQ(p.issuers.size(), 1u);
    EXPECT_EQ(p.issuers[0].name, "gatekeeper");
    EXPECT_EQ(p.issuers[0].issuer, "https://auth.example.com");
    EXPECT_EQ(p.issuers[0].jwks.kind, gate::JwksSource::Kind::self);
    EXPECT_EQ(p.issuers[0].typ, "at+jwt");
    EXPECT_EQ(p.sessions.user_source, "db");
    EXPECT_EQ(p.sessions.idle_timeout, std::chrono::seconds(600));
    EXPECT_EQ(p.sessions.lifetime, std::chrono::seconds(8 * 3600));
    EXPECT_EQ(p.sessions.allowed_return_hosts,
              (std::vector<std::string>{"app.example.com", "app.example.com:8443"}));
    EXPECT_EQ(p.routes[0].api_key_header, "X-API-Key");
}

TEST(OAuthConfig, DefaultsNeedNoOauthSection) {
    TempDir dir;
    auto r =
        load_policy_text(std::string(kHead) + "routes:\n  - { path: /, schemes: [apikey], scopes: [read] }\n",
                         "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    EXPECT_FALSE(r->self_issuer.enabled);
    EXPECT_EQ(r->self_issuer.database, dir.file("state/gatekeeper.db"))
        << "sessions and keys live in the state folder";
    EXPECT_TRUE(r->issuers.empty());
}

TEST(OAuthConfig, LoopbackHttpIssuerIsAllowedForTheDemo) {
    TempDir dir;
    auto r = load_policy_text(std::string(kHead) + "oauth: { url: 'http://127.0.0.1:8080' }\nroutes: []\n",
                              "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    EXPECT_EQ(r->self_issuer.url, "http://127.0.0.1:8080");
}

TEST(OAuthConfig, MistakesAreReportedAtTheirLine) {
    struct Case {
        const char* name;
        const char* yaml;
        int line;
        const char* message;
    };
    const Case cases[] = {
        {"no url", "oauth: { database: x.db }\nroutes: []\n", 7, "has no 'url'"},
        {"plain http", "oauth:\n  url: http://auth.example.com\nroutes: []\n", 8, "not an https URL"},
        {"http look-alike host", "oauth:\n  url: http://127.0.0.1.evil.com\nroutes: []\n", 8,
         "not an https URL"},
        {"bad algorithm", "oauth:\n  url: https://a.example\n  algorithm: HS256\nroutes: []\n", 9,
         "not offered"},
        {"long access tokens", "oauth:\n  url: https://a.example\n  access_token_ttl: 2d\nroutes: []\n", 9,
         "over 24h"},
        {"reserved issuer name",
         "issuers:\n  gatekeeper: { issuer: https://x, jwks_url: https://x/jwks }\noauth: { url: "
         "https://a.example }\n"
         "routes: []\n",
         9, "already named 'gatekeeper'"},
        {"two issuers, one iss",
         "issuers:\n  a: { issuer: https://x, jwks_url: https://x/jwks }\n  b: { issuer: https://x, "
         "jwks_url: https://x/k }\n"
         "routes: []\n",
         9, "have the same issuer"},
        {"oauth url of another issuer",
         "issuers:\n  a: { issuer: https://x, jwks_url: https://x/jwks }\noauth:\n  url: https://x\nroutes: "
         "[]\n",
         10, "is also the issuer of 'a'"},
        {"sessions without users", "sessions: { idle_timeout: 5m }\nroutes: []\n", 7, "has no 'users'"},
        {"sessions unknown users", "sessions:\n  users: nobody\nroutes: []\n", 8, "unknown user source"},
        {"idle longer than lifetime",
         "sessions:\n  users: db\n  idle_timeout: 2h\n  lifetime: 1h\nroutes: []\n", 9,
         "longer than lifetime"},
        {"bad return host", "sessions:\n  users: db\n  allowed_return_hosts: ['https://x']\nroutes: []\n", 9,
         "not a host name"},
        {"session route without sessions", "routes:\n  - { path: /, schemes: [session] }\n", 8,
         "no 'sessions' are configured"},
        {"api_key_header without apikey",
         "routes:\n  - { path: /, schemes: [bearer], api_key_header: X-K }\n", 8, "applies to apikey"},
        {"api_key_header Authorization",
         "routes:\n  - { path: /, schemes: [apikey], api_key_header: Authorization }\n", 8,
         "cannot carry API keys"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        TempDir dir;
        const std::string text = std::string(kHead) + c.yaml;
        auto r = load_policy_text(text, "bad.yaml", dir.str());
        ASSERT_FALSE(r.ok()) << text;
        bool found = false;
        for (const auto& e : r.error())
            if (e.line == c.line && e.message.find(c.message) != std::string::npos) found = true;
        EXPECT_TRUE(found) << all_errors(r.error());
    }
}

}  // namespace
}  // namespace gk::config
