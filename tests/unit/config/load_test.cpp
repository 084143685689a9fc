// A full valid config read back field by field, the file-level edges, and a
// check that every example under examples/ loads.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <filesystem>

#include "gatekeeper/config/config.hpp"
#include "temp_dir.hpp"
#include "test_pems.hpp"

namespace gk::config {
namespace {

using namespace std::chrono_literals;
using test::TempDir;

std::string all_errors(const std::vector<ConfigError>& errors) {
    std::string out;
    for (const auto& e : errors) out += format(e) + "\n";
    return out;
}

constexpr const char* kFull = R"(# every key of docs/config-schema.md
server:
  threads: 2
  trusted_proxies: [10.0.0.0/8, "::1/128", 192.168.1.7]
  access_log: false
  state_dir: ./var/state
  limits:
    max_header_bytes: 16384
    max_body_bytes: 1099511627776
    header_timeout: 5s
    idle_timeout: 2m
    body_timeout: 1500ms
    shutdown_grace: 1h
listeners:
  - { address: 127.0.0.1, port: 8080 }
  - { address: "::1", port: 8443, tls: { cert: cert.pem, key: /ABS/key.pem } }
upstreams:
  app:
    url: http://127.0.0.1:3000/base/
    connect_timeout: 2s
    response_timeout: 45s
    tls_verify: true
  secure:
    url: https://API.example.com
    tls_verify: false
    ca_file: ca.pem
    max_idle_per_thread: 8
users:
  staff:   { htpasswd: users.htpasswd }
  db:      { sqlite: gatekeeper.db }
identity_headers:
  user:   [X-User]
  email:  []
  groups: [X-Groups, Remote-Groups]
routes:
  - name: admin
    host: [Admin.Example.com, "*.example.org"]
    path: /admin/
    methods: [GET, POST, get]
    case_insensitive: true
    upstream: app
    schemes: [basic]
    realm: Admin Panel
    users: staff
    require: { groups: [admins, ops] }
    cors_preflight: true
  - path: { exact: / }
    upstream: secure
    require: public
  - name: numbered
    path: { regex: "^/x/[0-9]+$" }
    case_insensitive: true
    schemes: basic
    users: db
    require: { users: [alice] }
  - path: { prefix: /app }
    schemes: [basic]
    users: staff
    require: authenticated
state:
  redis: { address: 127.0.0.1, port: 6380, db: 2, timeout: 100ms, prefix: "gate:", username: gk,
           password_file: redis-password }
  postgres: { conninfo: "host=127.0.0.1 dbname=gatekeeper", pool: 3, timeout: 1s, audit: false }
)";

class LoadTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir.write("users.htpasswd", "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n");
        // The loader checks that the key belongs to the certificate.
        dir.write("cert.pem", testing_pems::kACert);
        dir.write("key.pem", testing_pems::kAKey);
        dir.write("ca.pem", "-\n");
        dir.write("redis-password", "pw\n");
    }
    std::string full() const {
        std::string text = kFull;
        text.replace(text.find("/ABS/key.pem"), 12, dir.file("key.pem"));
        return text;
    }
    TempDir dir;
};

TEST_F(LoadTest, FullConfigRoundTrip) {
    const std::string path = dir.write("gatekeeper.yaml", full());
    auto r = load_policy_file(path);
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    const gate::Policy& p = r.value();
    const std::string base = dir.str();

    EXPECT_EQ(p.source_file, path);
    EXPECT_EQ(p.threads, 2u);
    EXPECT_FALSE(p.access_log);
    EXPECT_EQ(p.state_dir, base + "/var/state");
    ASSERT_EQ(p.trusted_proxies.size(), 3u);
    EXPECT_EQ(p.trusted_proxies[0].bytes, (std::vector<std::uint8_t>{10, 0, 0, 0}));
    EXPECT_EQ(p.trusted_proxies[0].prefix, 8u);
    EXPECT_EQ(p.trusted_proxies[1].bytes.size(), 16u);
    EXPECT_EQ(p.trusted_proxies[1].bytes[15], 1);
    EXPECT_EQ(p.trusted_proxies[1].prefix, 128u);
    EXPECT_EQ(p.trusted_proxies[2].bytes, (std::vector<std::uint8_t>{192, 168, 1, 7}));
    EXPECT_EQ(p.trusted_proxies[2].prefix, 32u);

    EXPECT_EQ(p.limits.max_header_bytes, 16384u);
    EXPECT_EQ(p.limits.max_body_bytes, 1099511627776ull);
    EXPECT_EQ(p.limits.header_timeout, 5s);
    EXPECT_EQ(p.limits.idle_timeout, 2min);
    EXPECT_EQ(p.limits.body_timeout, 1500ms);
    EXPECT_EQ(p.limits.shutdown_grace, 1h);

    ASSERT_EQ(p.listeners.size(), 2u);
    EXPECT_EQ(p.listeners[0].address, "127.0.0.1");
    EXPECT_EQ(p.listeners[0].port, 8080);
    EXPECT_FALSE(p.listeners[0].tls);
    EXPECT_EQ(p.listeners[0].line, 15);
    EXPECT_EQ(p.listeners[1].address, "::1");
    EXPECT_EQ(p.listeners[1].port, 8443);
    EXPECT_TRUE(p.listeners[1].tls);
    ASSERT_EQ(p.listeners[1].certificates.size(), 1u);
    EXPECT_EQ(p.listeners[1].certificates[0].cert_file, base + "/cert.pem");  // relative: from the config's folder
    EXPECT_EQ(p.listeners[1].certificates[0].key_file, dir.file("key.pem"));   // absolute: as written
    EXPECT_TRUE(p.listeners[1].session_tickets);
    EXPECT_EQ(p.listeners[1].ticket_key_rotation, std::chrono::hours(12));
    EXPECT_EQ(p.listeners[1].line, 16);

    ASSERT_EQ(p.upstreams.size(), 2u);
    const auto& app = p.upstreams[0];
    EXPECT_EQ(app.name, "app");
    EXPECT_EQ(app.url, "http://127.0.0.1:3000/base/");
    EXPECT_FALSE(app.tls);
    EXPECT_EQ(app.host, "127.0.0.1");
    EXPECT_EQ(app.port, 3000);
    EXPECT_EQ(app.base_path, "/base");
    EXPECT_TRUE(app.verify_tls);
    EXPECT_EQ(app.ca_file, "");
    EXPECT_EQ(app.connect_timeout, 2s);
    EXPECT_EQ(app.response_timeout, 45s);
    EXPECT_EQ(app.max_idle_per_thread, 32u);
    EXPECT_EQ(app.line, 18);
    const auto& secure = p.upstreams[1];
    EXPECT_EQ(secure.name, "secure");
    EXPECT_TRUE(secure.tls);
    EXPECT_EQ(secure.host, "api.example.com");
    EXPECT_EQ(secure.port, 443);
    EXPECT_EQ(secure.base_path, "");
    EXPECT_FALSE(secure.verify_tls);
    EXPECT_EQ(secure.ca_file, base + "/ca.pem");
    EXPECT_EQ(secure.connect_timeout, 5s);     // default
    EXPECT_EQ(secure.response_timeout, 30s);   // default
    EXPECT_EQ(secure.max_idle_per_thread, 8u);

    ASSERT_EQ(p.user_sources.size(), 2u);
    EXPECT_EQ(p.user_sources[0].name, "staff");
    EXPECT_EQ(p.user_sources[0].kind, gate::UserSource::Kind::htpasswd);
    EXPECT_EQ(p.user_sources[0].path, base + "/users.htpasswd");
    EXPECT_EQ(p.user_sources[0].line, 29);
    EXPECT_EQ(p.user_sources[1].name, "db");
    EXPECT_EQ(p.user_sources[1].kind, gate::UserSource::Kind::sqlite);
    EXPECT_EQ(p.user_sources[1].path, base + "/gatekeeper.db");  // need not exist yet

    EXPECT_EQ(p.identity_headers.user, (std::vector<std::string>{"X-User"}));
    EXPECT_TRUE(p.identity_headers.email.empty());
    EXPECT_EQ(p.identity_headers.groups, (std::vector<std::string>{"X-Groups", "Remote-Groups"}));

    ASSERT_EQ(p.routes.size(), 4u);
    const auto& admin = p.routes[0];
    EXPECT_EQ(admin.name, "admin");
    EXPECT_EQ(admin.line, 36);
    EXPECT_EQ(admin.hosts, (std::vector<std::string>{"admin.example.com", "*.example.org"}));
    EXPECT_EQ(admin.path.kind, gate::PathMatchKind::prefix);
    EXPECT_EQ(admin.path.value, "/admin/");
    EXPECT_EQ(admin.path.regex, nullptr);
    EXPECT_EQ(admin.methods, (std::vector<std::string>{"GET", "POST", "get"}));  // case kept
    EXPECT_TRUE(admin.case_insensitive);
    EXPECT_EQ(admin.upstream, "app");
    EXPECT_EQ(admin.schemes, (std::vector<gate::SchemeKind>{gate::SchemeKind::basic}));
    EXPECT_EQ(admin.realm, "Admin Panel");
    EXPECT_EQ(admin.user_source, "staff");
    EXPECT_EQ(admin.require.kind, gate::RequireKind::groups);
    EXPECT_EQ(admin.require.values, (std::vector<std::string>{"admins", "ops"}));
    EXPECT_TRUE(admin.allow_cors_preflight);

    const auto& root = p.routes[1];
    EXPECT_EQ(root.name, "route-2");  // default: 1-based index
    EXPECT_EQ(root.path.kind, gate::PathMatchKind::exact);
    EXPECT_EQ(root.path.value, "/");
    EXPECT_EQ(root.require.kind, gate::RequireKind::public_access);
    EXPECT_TRUE(root.schemes.empty());
    EXPECT_TRUE(root.hosts.empty());
    EXPECT_TRUE(root.methods.empty());
    EXPECT_FALSE(root.case_insensitive);
    EXPECT_FALSE(root.allow_cors_preflight);
    EXPECT_EQ(root.upstream, "secure");

    const auto& numbered = p.routes[2];
    EXPECT_EQ(numbered.path.kind, gate::PathMatchKind::regex);
    EXPECT_EQ(numbered.path.value, "^/x/[0-9]+$");
    ASSERT_NE(numbered.path.regex, nullptr);
    EXPECT_TRUE(RE2::FullMatch("/x/42", *numbered.path.regex));
    EXPECT_TRUE(RE2::FullMatch("/X/42", *numbered.path.regex));  // case_insensitive reaches RE2
    EXPECT_FALSE(RE2::FullMatch("/x/4a", *numbered.path.regex));
    EXPECT_EQ(numbered.schemes, (std::vector<gate::SchemeKind>{gate::SchemeKind::basic}));  // scalar shorthand
    EXPECT_EQ(numbered.realm, "numbered");  // default: the route name
    EXPECT_EQ(numbered.user_source, "db");
    EXPECT_EQ(numbered.upstream, "");       // gatekeeper answers itself
    EXPECT_EQ(numbered.require.kind, gate::RequireKind::users);
    EXPECT_EQ(numbered.require.values, (std::vector<std::string>{"alice"}));

    const auto& last = p.routes[3];
    EXPECT_EQ(last.name, "route-4");
    EXPECT_EQ(last.realm, "route-4");
    EXPECT_EQ(last.path.kind, gate::PathMatchKind::prefix);
    EXPECT_EQ(last.path.value, "/app");
    EXPECT_EQ(last.require.kind, gate::RequireKind::authenticated);

    EXPECT_EQ(p.state.redis_host, "127.0.0.1");
    EXPECT_EQ(p.state.redis_port, 6380);
    EXPECT_EQ(p.state.redis_db, 2u);
    EXPECT_EQ(p.state.redis_timeout, 100ms);
    EXPECT_EQ(p.state.redis_prefix, "gate:");
    EXPECT_EQ(p.state.redis_username, "gk");
    EXPECT_EQ(p.state.redis_password_file, base + "/redis-password");
    EXPECT_EQ(p.state.postgres, "host=127.0.0.1 dbname=gatekeeper");
    EXPECT_EQ(p.state.postgres_pool, 3u);
    EXPECT_FALSE(p.state.postgres_audit);
    EXPECT_EQ(p.state.postgres_timeout, 1s);
}

TEST_F(LoadTest, DefaultsWhenSectionsAreLeftOut) {
    auto r = load_policy_text("listeners: [{port: 9000}]\nroutes: [{path: /, require: public}]\n", "mini.yaml",
                              dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    const gate::Policy defaults;
    EXPECT_EQ(r->source_file, "mini.yaml");
    EXPECT_EQ(r->listeners.at(0).address, "127.0.0.1");
    EXPECT_EQ(r->listeners.at(0).port, 9000);
    EXPECT_EQ(r->threads, 0u);
    EXPECT_TRUE(r->access_log);
    EXPECT_EQ(r->state_dir, dir.str() + "/state");
    EXPECT_EQ(r->trusted_proxies.size(), defaults.trusted_proxies.size());
    EXPECT_EQ(r->limits.max_header_bytes, defaults.limits.max_header_bytes);
    EXPECT_EQ(r->identity_headers.user, defaults.identity_headers.user);
    EXPECT_EQ(r->routes.at(0).name, "route-1");
}

TEST_F(LoadTest, MaxConnections) {
    EXPECT_EQ(gate::Policy{}.limits.max_connections, 10000u);
    auto r = load_policy_text(
        "server: { limits: { max_connections: 20 } }\n"
        "listeners: [{port: 9000}]\nroutes: [{path: /, require: public}]\n",
        "c.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    EXPECT_EQ(r->limits.max_connections, 20u);
}

TEST_F(LoadTest, CredentialCacheSettings) {
    const gate::Policy defaults;
    EXPECT_EQ(defaults.limits.credential_cache_ttl, 60s);
    EXPECT_EQ(defaults.limits.credential_cache_entries, 10000u);
    auto r = load_policy_text("server: { limits: { credential_cache_ttl: 30s, credential_cache_entries: 0 } }\n"
                              "listeners: [{port: 9000}]\nroutes: [{path: /, require: public}]\n",
                              "c.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    EXPECT_EQ(r->limits.credential_cache_ttl, 30s);
    EXPECT_EQ(r->limits.credential_cache_entries, 0u);
    auto bad = load_policy_text("server: { limits: { credential_cache_entries: -1 } }\n"
                                "listeners: [{port: 9000}]\nroutes: [{path: /, require: public}]\n",
                                "c.yaml", dir.str());
    EXPECT_FALSE(bad.ok());
}

TEST_F(LoadTest, DigestSection) {
    const gate::Policy defaults;
    EXPECT_EQ(defaults.digest.algorithms,
              (std::vector<schemes::DigestAlgorithm>{schemes::DigestAlgorithm::sha256, schemes::DigestAlgorithm::md5}));
    EXPECT_TRUE(defaults.digest.auth_int);
    EXPECT_TRUE(defaults.digest.userhash);
    auto r = load_policy_text("digest: { algorithms: [sha-512-256, SHA-256], nonce_lifetime: 90s, max_nonces: 50,\n"
                              "          auth_int: false, auth_int_max_body: 4096, userhash: false }\n"
                              "listeners: [{port: 9000}]\nroutes: [{path: /, require: public}]\n",
                              "d.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    EXPECT_EQ(r->digest.algorithms, (std::vector<schemes::DigestAlgorithm>{schemes::DigestAlgorithm::sha512_256,
                                                                           schemes::DigestAlgorithm::sha256}));
    EXPECT_EQ(r->digest.nonce_lifetime, 90s);
    EXPECT_EQ(r->digest.max_nonces, 50u);
    EXPECT_FALSE(r->digest.auth_int);
    EXPECT_EQ(r->digest.auth_int_max_body, 4096u);
    EXPECT_FALSE(r->digest.userhash);
}

TEST_F(LoadTest, EmptyTrustedProxiesTrustsNobody) {
    auto r = load_policy_text("server: { trusted_proxies: [] }\nlisteners: [{port: 9000}]\n"
                              "routes: [{path: /, require: public}]\n",
                              "t.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    EXPECT_TRUE(r->trusted_proxies.empty());
}

TEST_F(LoadTest, UnreadableFileIsOneErrorNamingIt) {
    const std::string missing = dir.file("nope.yaml");
    auto r = load_policy_file(missing);
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.error().size(), 1u);
    EXPECT_EQ(r.error()[0].file, missing);
    EXPECT_EQ(r.error()[0].line, 0);
    EXPECT_NE(r.error()[0].message.find("cannot read config file"), std::string::npos);
    EXPECT_EQ(format(r.error()[0]).rfind(missing + ": error: cannot read config file", 0), 0u);

    auto d = load_policy_file(dir.str());  // a folder is not a config
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().size(), 1u);
}

TEST_F(LoadTest, RelativePathsStartAtTheConfigFolder) {
    std::filesystem::create_directories(dir.file("conf"));
    dir.write("conf/users.htpasswd", "bob:{SHA}x\n");
    const std::string path = dir.write(
        "conf/g.yaml", "listeners: [{port: 9000}]\nusers: { s: { htpasswd: users.htpasswd } }\n"
                       "routes: [{path: /, schemes: [basic], users: s}]\n");
    auto r = load_policy_file(path);
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    EXPECT_EQ(r->user_sources.at(0).path, dir.file("conf/users.htpasswd"));
    EXPECT_EQ(r->state_dir, dir.file("conf/state"));
}

TEST_F(LoadTest, HtdigestSourceForDigestRoutes) {
    std::filesystem::create_directories(dir.file("conf"));
    dir.write("conf/users.htdigest", "Mufasa:testrealm@host.com:939e7578ed9e3c518a452acee763bce9\n");
    const std::string path = dir.write(
        "conf/g.yaml", "listeners: [{port: 9000}]\n"                         // 1
                       "digest: { algorithms: [MD5] }\n"                     // 2
                       "users:\n"                                            // 3
                       "  dig: { htdigest: users.htdigest }\n"               // 4
                       "routes:\n"                                           // 5
                       "  - { path: /, schemes: [digest], users: dig, realm: testrealm@host.com }\n");
    auto r = load_policy_file(path);
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    ASSERT_EQ(r->user_sources.size(), 1u);
    EXPECT_EQ(r->user_sources[0].name, "dig");
    EXPECT_EQ(r->user_sources[0].kind, gate::UserSource::Kind::htdigest);
    EXPECT_EQ(r->user_sources[0].path, dir.file("conf/users.htdigest")) << "resolved against the config's folder";
    EXPECT_EQ(r->user_sources[0].line, 4);
    ASSERT_EQ(r->routes.size(), 1u);
    EXPECT_EQ(r->routes[0].user_source, "dig");

    // The default algorithms (SHA-256, MD5) include MD5: accepted too.
    const std::string defaults = dir.write(
        "conf/d.yaml", "listeners: [{port: 9000}]\nusers: { dig: { htdigest: users.htdigest } }\n"
                       "routes: [{path: /, schemes: [digest], users: dig}]\n");
    auto d = load_policy_file(defaults);
    ASSERT_TRUE(d.ok()) << all_errors(d.error());
    EXPECT_EQ(d->user_sources.at(0).kind, gate::UserSource::Kind::htdigest);
}

TEST(FormatTest, CompilerStyle) {
    EXPECT_EQ(format(ConfigError{"a.yaml", 3, 7, "bad port", "1..65535"}),
              "a.yaml:3:7: error: bad port (hint: 1..65535)");
    EXPECT_EQ(format(ConfigError{"a.yaml", 3, 0, "m", ""}), "a.yaml:3: error: m");
    EXPECT_EQ(format(ConfigError{"a.yaml", 0, 0, "m", "h"}), "a.yaml: error: m (hint: h)");
}

// Every example config must load as shipped, with the files beside it.
class ExampleTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ExampleTest, Loads) {
    const auto examples =
        (std::filesystem::path(GK_TESTDATA_DIR) / ".." / ".." / ".." / ".." / "examples").lexically_normal();
    auto r = load_policy_file((examples / GetParam()).string());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    EXPECT_FALSE(r->listeners.empty());
    EXPECT_FALSE(r->routes.empty());
    ASSERT_FALSE(r->user_sources.empty());
    EXPECT_EQ(r->user_sources[0].path, (examples / "users.htpasswd").string());
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleTest, ::testing::Values("proxy.yaml", "forward-auth.yaml"));

}  // namespace
}  // namespace gk::config
