// issuers:, bearer: and the Bearer keys of a route: what loads, with which
// values, and each mistake reported at its line.
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
    "issuers:\n";                                  // 5

std::string all_errors(const std::vector<ConfigError>& errors) {
    std::string out;
    for (const auto& e : errors) out += format(e) + "\n";
    return out;
}

TEST(BearerConfig, FullIssuerAndRouteLoad) {
    TempDir dir;
    dir.write("jwks.json", "{\"keys\":[]}");
    const std::string yaml = std::string(kHead) +
                             "  corp:\n"
                             "    issuer: https://id.example.com/realms/main\n"
                             "    jwks_file: jwks.json\n"
                             "    audiences: [api, web]\n"
                             "    algorithms: [RS256, ES256]\n"
                             "    claims: { user: preferred_username, email: email, groups: realm_access.roles }\n"
                             "    leeway: 30s\n"
                             "    max_age: 1h\n"
                             "    typ: at+jwt\n"
                             "    required_claims: [jti]\n"
                             "  idp:\n"
                             "    issuer: https://idp.example.com\n"
                             "    discovery: true\n"
                             "    jwks_min_refresh: 10s\n"
                             "bearer: { max_token_bytes: 4096, token_cache_ttl: 1m, token_cache_entries: 50 }\n"
                             "routes:\n"
                             "  - name: api\n"
                             "    path: /api/\n"
                             "    upstream: app\n"
                             "    schemes: [bearer]\n"
                             "    issuers: [corp]\n"
                             "    query_token: true\n"
                             "    scopes:\n"
                             "      - { methods: [GET, HEAD], scopes: read }\n"
                             "      - { scopes: \"write admin\" }\n"
                             "  - name: simple\n"
                             "    path: /s/\n"
                             "    schemes: [bearer]\n"
                             "    scopes: [read]\n";
    auto r = load_policy_text(yaml, "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    const auto& p = r.value();
    ASSERT_EQ(p.issuers.size(), 2u);
    const auto& corp = p.issuers[0];
    EXPECT_EQ(corp.name, "corp");
    EXPECT_EQ(corp.issuer, "https://id.example.com/realms/main");
    EXPECT_EQ(corp.jwks.kind, gate::JwksSource::Kind::file);
    EXPECT_EQ(corp.jwks.location, dir.file("jwks.json"));
    EXPECT_EQ(corp.audiences, (std::vector<std::string>{"api", "web"}));
    EXPECT_EQ(corp.algorithms, (std::vector<crypto::SigAlg>{crypto::SigAlg::rs256, crypto::SigAlg::es256}));
    EXPECT_EQ(corp.user_claim, "preferred_username");
    EXPECT_EQ(corp.groups_claim, "realm_access.roles");
    EXPECT_EQ(corp.leeway, std::chrono::seconds(30));
    EXPECT_EQ(corp.max_age, std::chrono::seconds(3600));
    EXPECT_EQ(corp.typ, "at+jwt");
    EXPECT_EQ(corp.required_claims, std::vector<std::string>{"jti"});
    EXPECT_EQ(p.issuers[1].jwks.kind, gate::JwksSource::Kind::discovery);
    EXPECT_EQ(p.issuers[1].jwks.location, "https://idp.example.com");
    EXPECT_EQ(p.issuers[1].jwks.min_refresh_interval, std::chrono::seconds(10));
    EXPECT_EQ(p.bearer.max_token_bytes, 4096u);
    EXPECT_EQ(p.bearer.token_cache_ttl, std::chrono::seconds(60));
    EXPECT_EQ(p.bearer.token_cache_entries, 50u);
    const auto& api = p.routes[0];
    EXPECT_EQ(api.issuers, std::vector<std::string>{"corp"});
    EXPECT_TRUE(api.bearer_query_token);
    ASSERT_EQ(api.scopes.size(), 2u);
    EXPECT_EQ(api.scopes[0].methods, (std::vector<std::string>{"GET", "HEAD"}));
    EXPECT_EQ(api.scopes[0].scopes, std::vector<std::string>{"read"});
    EXPECT_TRUE(api.scopes[1].methods.empty());
    EXPECT_EQ(api.scopes[1].scopes, (std::vector<std::string>{"write", "admin"}));
    ASSERT_EQ(p.routes[1].scopes.size(), 1u);
    EXPECT_EQ(p.routes[1].scopes[0].scopes, std::vector<std::string>{"read"});
    EXPECT_TRUE(p.routes[1].issuers.empty());
}

struct BadCase {
    const char* name;
    const char* yaml;  // after kHead (line 6 on)
    int line;
    const char* message;
};

TEST(BearerConfig, MistakesNameTheirLine) {
    const BadCase cases[] = {
        {"no issuer value", "  corp:\n    jwks_file: jwks.json\nroutes: []\n", 6, "has no 'issuer'"},
        {"no key source", "  corp:\n    issuer: https://x\nroutes: []\n", 6, "exactly one key source"},
        {"two key sources", "  corp:\n    issuer: https://x\n    jwks_file: jwks.json\n    jwks_url: https://x/j\nroutes: []\n",
         6, "exactly one key source"},
        {"plain http jwks", "  corp:\n    issuer: https://x\n    jwks_url: http://x/jwks\nroutes: []\n", 8,
         "not an https URL"},
        {"alg none", "  corp:\n    issuer: https://x\n    jwks_file: jwks.json\n    algorithms: [none]\nroutes: []\n", 9,
         "unknown or refused JWS algorithm 'none'"},
        {"lower-case alg", "  corp:\n    issuer: https://x\n    jwks_file: jwks.json\n    algorithms: [es256]\nroutes: []\n",
         9, "unknown or refused"},
        {"hmac over the network",
         "  corp:\n    issuer: https://x\n    jwks_url: https://x/j\n    algorithms: [HS256]\nroutes: []\n", 9,
         "HS* algorithm with keys fetched over the network"},
        {"missing jwks file", "  corp:\n    issuer: https://x\n    jwks_file: nope.json\nroutes: []\n", 8, "nope.json"},
        {"unknown issuer on route",
         "  corp: { issuer: https://x, jwks_file: jwks.json }\nroutes:\n  - { path: /, schemes: [bearer], issuers: [crop] }\n",
         8, "unknown issuer 'crop'"},
        {"bearer without issuers", "  {}\nroutes:\n  - { path: /, schemes: [bearer] }\n", 8, "no 'issuers' are configured"},
        {"scopes without bearer",
         "  corp: { issuer: https://x, jwks_file: jwks.json }\nroutes:\n  - { path: /, schemes: [basic], "
         "users: u, scopes: [read] }\n",
         8, "applies to bearer"},
        {"bad scope", "  corp: { issuer: https://x, jwks_file: jwks.json }\nroutes:\n  - { path: /, schemes: [bearer], scopes: ['a\"b'] }\n",
         8, "not a valid scope"},
        {"bad claim path", "  corp:\n    issuer: https://x\n    jwks_file: jwks.json\n    claims: { groups: a..b }\nroutes: []\n",
         9, "not a dotted name"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        TempDir dir;
        dir.write("jwks.json", "{\"keys\":[]}");
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
