// Broken configs: each must name the right line and say what is wrong, and one
// broken route must never hide another's errors.
#include <gtest/gtest.h>

#include "gatekeeper/config/config.hpp"
#include "temp_dir.hpp"

namespace gk::config {
namespace {

using test::TempDir;

// Seven lines every case can build on; a case's own text starts at line 8.
constexpr const char* kHead =
    "listeners:\n"                               // 1
    "  - { address: 127.0.0.1, port: 8080 }\n"   // 2
    "upstreams:\n"                               // 3
    "  app: { url: \"http://127.0.0.1:3000\" }\n"  // 4
    "users:\n"                                   // 5
    "  staff: { htpasswd: users.htpasswd }\n"    // 6
    "routes:\n";                                 // 7

struct BadCase {
    const char* name;
    bool with_head;       // prepend kHead
    const char* yaml;
    int line;             // expected line of (at least) one error
    const char* message;  // substring of that error's message
    const char* hint;     // substring of its hint ("" = not checked)
};

std::ostream& operator<<(std::ostream& os, const BadCase& c) { return os << c.name; }

std::string all_errors(const std::vector<ConfigError>& errors) {
    std::string out;
    for (const auto& e : errors) out += format(e) + "\n";
    return out;
}

class BadConfigTest : public ::testing::TestWithParam<BadCase> {
protected:
    void SetUp() override { dir.write("users.htpasswd", "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n"); }
    TempDir dir;
};

TEST_P(BadConfigTest, ReportsLineAndMessage) {
    const auto& c = GetParam();
    const std::string text = std::string(c.with_head ? kHead : "") + c.yaml;
    auto r = load_policy_text(text, "bad.yaml", dir.str());
    ASSERT_FALSE(r.ok()) << "accepted:\n" << text;
    bool found = false;
    for (const auto& e : r.error()) {
        EXPECT_EQ(e.file, "bad.yaml");
        EXPECT_FALSE(e.message.empty());
        if (e.line == c.line && e.message.find(c.message) != std::string::npos &&
            e.hint.find(c.hint) != std::string::npos) {
            found = true;
            EXPECT_GT(e.column, 0) << format(e);
        }
    }
    EXPECT_TRUE(found) << "wanted line " << c.line << " '" << c.message << "' hint '" << c.hint << "', got:\n"
                       << all_errors(r.error());
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadConfigTest,
    ::testing::Values(
        // Keys
        BadCase{"unknown_route_key", true, "  - path: /\n    upstrem: app\n    require: public\n", 9,
                "unknown key 'upstrem'", "did you mean 'upstream'?"},
        BadCase{"unknown_top_key", true, "  - { path: /, require: public }\nrutes: []\n", 9, "unknown key 'rutes'",
                "did you mean 'routes'?"},
        BadCase{"unknown_key_far_from_any", true, "  - { path: /, require: public, frobnicate: 1 }\n", 8,
                "unknown key 'frobnicate'", "known keys here"},
        BadCase{"duplicate_key", true, "  - path: /\n    path: /x\n    require: public\n", 9,
                "duplicate key 'path'", ""},
        // YAML itself
        BadCase{"yaml_syntax", true, "  - path: [/a, /b\n    require: public\n", 9, "YAML:", ""},
        BadCase{"yaml_bad_map", false, "listeners: [{port: 1}]\nroutes: a: b\n", 2, "YAML:", ""},
        BadCase{"yaml_tab", false, "listeners:\n\t- {port: 1}\n", 2, "YAML:", ""},
        BadCase{"empty_config", false, "", 1, "empty", ""},
        BadCase{"top_is_a_list", false, "- a\n- b\n", 1, "must be a mapping", ""},
        BadCase{"no_listeners", false, "routes: []\n", 1, "no 'listeners'", ""},
        // Server
        BadCase{"threads_too_many", false, "server: { threads: 300 }\nlisteners: [{port: 1}]\nroutes: []\n", 1,
                "out of range", "0..256"},
        BadCase{"threads_negative", false, "server:\n  threads: -1\nlisteners: [{port: 1}]\nroutes: []\n", 2,
                "whole number", ""},
        BadCase{"access_log_yes", false, "server:\n  access_log: yes\nlisteners: [{port: 1}]\nroutes: []\n", 2,
                "true or false", ""},
        BadCase{"bad_duration_space", false,
                "server:\n  limits:\n    idle_timeout: 10 s\nlisteners: [{port: 1}]\nroutes: []\n", 3,
                "not a duration", "500ms"},
        BadCase{"bad_duration_negative", false,
                "server:\n  limits:\n    body_timeout: -5s\nlisteners: [{port: 1}]\nroutes: []\n", 3, "negative",
                ""},
        BadCase{"bad_duration_overflow", false,
                "server:\n  limits:\n    header_timeout: 99999999999999999999h\nlisteners: [{port: 1}]\n"
                "routes: []\n",
                3, "too large", ""},
        BadCase{"zero_duration", false,
                "server:\n  limits:\n    shutdown_grace: 0s\nlisteners: [{port: 1}]\nroutes: []\n", 3,
                "longer than zero", ""},
        BadCase{"zero_body_limit", false,
                "server:\n  limits:\n    max_body_bytes: 0\nlisteners: [{port: 1}]\nroutes: []\n", 3,
                "out of range", ""},
        BadCase{"zero_max_connections", false,
                "server:\n  limits:\n    max_connections: 0\nlisteners: [{port: 1}]\nroutes: []\n", 3,
                "'max_connections' is 0, out of range", "1..10000000"},
        BadCase{"max_connections_not_a_number", false,
                "server:\n  limits:\n    max_connections: lots\nlisteners: [{port: 1}]\nroutes: []\n", 3,
                "whole number", ""},
        BadCase{"unknown_limit", false,
                "server:\n  limits:\n    max_header_byte: 1\nlisteners: [{port: 1}]\nroutes: []\n", 3,
                "unknown key 'max_header_byte'", "did you mean 'max_header_bytes'?"},
        BadCase{"bad_cidr_prefix", false,
                "server:\n  trusted_proxies:\n    - 10.0.0.0/8\n    - 10.0.0.0/33\nlisteners: [{port: 1}]\n"
                "routes: []\n",
                4, "too long", "/32"},
        BadCase{"bad_cidr_v6_prefix", false,
                "server:\n  trusted_proxies: [\"::1/129\"]\nlisteners: [{port: 1}]\nroutes: []\n", 2, "too long",
                "/128"},
        BadCase{"bad_cidr_garbage", false,
                "server:\n  trusted_proxies: localhost\nlisteners: [{port: 1}]\nroutes: []\n", 2,
                "not an IPv4 or IPv6 address", ""},
        BadCase{"bad_state_dir", false, "server: { state_dir: [a] }\nlisteners: [{port: 1}]\nroutes: []\n", 1,
                "must be a string", ""},
        // Listeners
        BadCase{"port_too_big", false, "listeners:\n  - { address: 127.0.0.1, port: 70000 }\nroutes: []\n", 2,
                "out of range", "1..65535"},
        BadCase{"port_zero", false, "listeners:\n  - { port: 0 }\nroutes: []\n", 2, "out of range", ""},
        BadCase{"port_words", false, "listeners:\n  - { port: http }\nroutes: []\n", 2, "whole number", ""},
        BadCase{"port_missing", false, "listeners:\n  - { address: 127.0.0.1 }\nroutes: []\n", 2, "no 'port'", ""},
        BadCase{"address_name", false, "listeners:\n  - { address: localhost, port: 80 }\nroutes: []\n", 2,
                "not an IPv4 or IPv6 address", ""},
        BadCase{"duplicate_listener", false,
                "listeners:\n  - { address: \"::1\", port: 80 }\n  - { address: \"0:0::1\", port: 80 }\nroutes: []\n",
                3, "duplicate listener", ""},
        BadCase{"tls_missing_files", false,
                "listeners:\n  - port: 443\n    tls: { cert: nope.pem, key: nope-key.pem }\nroutes: []\n", 3,
                "cannot read file", "relative paths"},
        BadCase{"tls_without_key", false,
                "listeners:\n  - port: 443\n    tls:\n      cert: users.htpasswd\nroutes: []\n", 4,
                "tls needs 'key'", ""},
        BadCase{"tls_true", false, "listeners:\n  - port: 443\n    tls: true\nroutes: []\n", 3,
                "'tls' must be a mapping", ""},
        BadCase{"listeners_map", false, "listeners: { port: 1 }\nroutes: []\n", 1, "must be a list", ""},
        // Upstreams
        BadCase{"upstream_ftp", false, "listeners: [{port: 1}]\nupstreams:\n  a: { url: \"ftp://x\" }\nroutes: []\n",
                3, "must start with http:// or https://", ""},
        BadCase{"upstream_userinfo", false,
                "listeners: [{port: 1}]\nupstreams:\n  a:\n    url: http://u:p@x\nroutes: []\n", 4,
                "user information", ""},
        BadCase{"upstream_query", false,
                "listeners: [{port: 1}]\nupstreams:\n  a:\n    url: http://x/?a=1\nroutes: []\n", 4, "query", ""},
        BadCase{"upstream_no_url", false, "listeners: [{port: 1}]\nupstreams:\n  a: { tls_verify: true }\nroutes: []\n",
                3, "has no 'url'", ""},
        BadCase{"upstream_shorthand", false, "listeners: [{port: 1}]\nupstreams:\n  a: http://x\nroutes: []\n", 3,
                "must be a mapping", "url:"},
        BadCase{"upstream_bad_timeout", false,
                "listeners: [{port: 1}]\nupstreams:\n  a:\n    url: http://x\n    connect_timeout: 5 seconds\n"
                "routes: []\n",
                5, "not a duration", ""},
        BadCase{"upstream_ca_missing", false,
                "listeners: [{port: 1}]\nupstreams:\n  a:\n    url: https://x\n    ca_file: /nonexistent/ca.pem\n"
                "routes: []\n",
                5, "cannot read file /nonexistent/ca.pem", ""},
        // User sources
        BadCase{"htpasswd_missing", false,
                "listeners: [{port: 1}]\nusers:\n  s: { htpasswd: missing.htpasswd }\nroutes: []\n", 3,
                "cannot read file", ""},
        BadCase{"user_source_both", false,
                "listeners: [{port: 1}]\nusers:\n  s: { htpasswd: users.htpasswd, sqlite: x.db }\nroutes: []\n", 3,
                "exactly one of", ""},
        BadCase{"user_source_neither", false, "listeners: [{port: 1}]\nusers:\n  s: {}\nroutes: []\n", 3,
                "exactly one of", ""},
        BadCase{"sqlite_folder_missing", false,
                "listeners: [{port: 1}]\nusers:\n  s: { sqlite: no/such/dir/x.db }\nroutes: []\n", 3,
                "does not exist", ""},
        // Users in PostgreSQL: only with a state database, and only `true`.
        BadCase{"postgres_users_without_state", false,
                "listeners: [{port: 1}]\nusers:\n  s: { postgres: true }\nroutes: []\n", 3,
                "needs a state database", "state: { postgres: { conninfo:"},
        BadCase{"postgres_users_with_only_redis", false,
                "listeners: [{port: 1}]\nusers:\n  s: { postgres: true }\nroutes: []\n"
                "state: { redis: { address: 127.0.0.1 } }\n",
                3, "needs a state database", "state: { postgres:"},
        BadCase{"postgres_users_false", false,
                "listeners: [{port: 1}]\nusers:\n  s: { postgres: false }\nroutes: []\n"
                "state: { postgres: { conninfo: \"dbname=gk\" } }\n",
                3, "can only be true", "htpasswd or sqlite"},
        BadCase{"postgres_users_not_a_bool", false,
                "listeners: [{port: 1}]\nusers:\n  s: { postgres: yes please }\nroutes: []\n"
                "state: { postgres: { conninfo: \"dbname=gk\" } }\n",
                3, "must be true or false", ""},
        BadCase{"postgres_users_a_conninfo", false,
                "listeners: [{port: 1}]\nusers:\n  s:\n    postgres: { conninfo: \"dbname=gk\" }\nroutes: []\n"
                "state: { postgres: { conninfo: \"dbname=gk\" } }\n",
                4, "postgres", ""},
        BadCase{"postgres_and_sqlite_users", false,
                "listeners: [{port: 1}]\nusers:\n  s: { postgres: true, sqlite: x.db }\nroutes: []\n"
                "state: { postgres: { conninfo: \"dbname=gk\" } }\n",
                3, "exactly one of", "{ postgres: true }"},
        // Identity headers
        BadCase{"header_with_space", false,
                "listeners: [{port: 1}]\nidentity_headers:\n  user: [X-Ok, \"X Bad\"]\nroutes: []\n", 3,
                "not a valid header name", "token"},
        BadCase{"unknown_identity_key", false,
                "listeners: [{port: 1}]\nidentity_headers:\n  users: [X-User]\nroutes: []\n", 3,
                "unknown key 'users'", "did you mean 'user'?"},
        // Routes
        BadCase{"unknown_upstream", true,
                "  - name: a\n    path: /a/\n    require: public\n    upstream: ap\n", 11, "unknown upstream 'ap'",
                "did you mean 'app'?"},
        BadCase{"unknown_upstream_far", true, "  - { path: /a/, require: public, upstream: zzzzzz }\n", 8,
                "unknown upstream 'zzzzzz'", "app"},
        BadCase{"unknown_scheme", true, "  - path: /\n    schemes: [basic, digets]\n    users: staff\n", 9,
                "unknown scheme 'digets'", "did you mean 'digest'?"},
        BadCase{"session_without_sessions", true, "  - path: /\n    schemes: [session]\n", 9,
                "no 'sessions' are configured", "sessions:"},
        BadCase{"digest_without_users", true, "  - path: /\n    schemes: [digest]\n", 9,
                "uses basic or digest but names no 'users'", "users:"},
        BadCase{"digest_unknown_algorithm", false,
                "digest: { algorithms: [SHA-256, SHA-1] }\nlisteners: [{port: 1}]\nroutes: []\n", 1,
                "unknown Digest algorithm 'SHA-1'", "SHA-256"},
        BadCase{"digest_sess_in_offer", false,
                "digest: { algorithms: [MD5-sess] }\nlisteners: [{port: 1}]\nroutes: []\n", 1,
                "unknown Digest algorithm", ""},
        BadCase{"scheme_twice", true, "  - path: /\n    schemes: [basic, basic]\n    users: staff\n", 9,
                "listed twice", ""},
        BadCase{"bad_regex", true, "  - path: { regex: \"^/x/(\" }\n    require: public\n", 8, "bad regex",
                "RE2"},
        BadCase{"backreference_regex", true, "  - path:\n      regex: \"^/(a)\\\\1$\"\n    require: public\n", 9,
                "bad regex", ""},
        BadCase{"path_without_slash", true, "  - { path: admin/, require: public }\n", 8, "must start with '/'",
                ""},
        BadCase{"exact_without_slash", true, "  - path: { exact: x }\n    require: public\n", 8,
                "must start with '/'", ""},
        BadCase{"path_two_kinds", true, "  - path: { exact: /, prefix: /a }\n    require: public\n", 8,
                "exactly one of 'prefix', 'exact' or 'regex'", ""},
        BadCase{"path_missing", true, "  - require: public\n", 8, "has no 'path'", ""},
        BadCase{"duplicate_route_name", true,
                "  - { name: a, path: /a/, require: public }\n  - { name: a, path: /b/, require: public }\n", 9,
                "duplicate route name 'a'", ""},
        BadCase{"default_name_taken", true,
                "  - { name: route-2, path: /a/, require: public }\n  - { path: /b/, require: public }\n", 9,
                "route name 'route-2' is already used", ""},
        BadCase{"basic_without_users", true, "  - path: /\n    schemes: [basic]\n", 9, "names no 'users'", ""},
        BadCase{"unknown_user_source", true, "  - path: /\n    schemes: [basic]\n    users: staf\n", 10,
                "unknown user source 'staf'", "did you mean 'staff'?"},
        BadCase{"public_with_schemes", true, "  - path: /\n    require: public\n    schemes: [basic]\n", 10,
                "public route 'route-1' lists schemes", "remove 'schemes'"},
        BadCase{"protected_without_schemes", true, "  - path: /\n    require: authenticated\n", 8,
                "accepts no scheme", ""},
        BadCase{"protected_by_default", true, "  - path: /\n", 8, "accepts no scheme", ""},
        BadCase{"require_typo", true, "  - path: /\n    require: authenticted\n", 9,
                "unknown requirement 'authenticted'", "did you mean 'authenticated'?"},
        BadCase{"require_both", true,
                "  - path: /\n    schemes: [basic]\n    users: staff\n    require: { users: [a], groups: [b] }\n",
                11, "exactly one of 'users' or 'groups'", ""},
        BadCase{"require_nobody", true,
                "  - path: /\n    schemes: [basic]\n    users: staff\n    require: { groups: [] }\n", 11,
                "lists nobody", ""},
        BadCase{"realm_quote", true,
                "  - path: /\n    schemes: [basic]\n    users: staff\n    realm: say \"hi\"\n", 11,
                "realm must not contain", ""},
        BadCase{"realm_backslash", true,
                "  - path: /\n    schemes: [basic]\n    users: staff\n    realm: 'a\\b'\n", 11,
                "realm must not contain", ""},
        BadCase{"realm_control", true,
                "  - path: /\n    schemes: [basic]\n    users: staff\n    realm: \"a\\tb\"\n", 11,
                "realm must not contain", ""},
        BadCase{"method_not_token", true, "  - path: /\n    require: public\n    methods: [GET, \"PO ST\"]\n", 10,
                "not a valid method", ""},
        BadCase{"host_with_port", true, "  - path: /\n    require: public\n    host: example.com:8080\n", 10,
                "not a host name", ""},
        BadCase{"host_bad_wildcard", true, "  - path: /\n    require: public\n    host: [\"a.*.com\"]\n", 10,
                "not a host name", ""},
        BadCase{"cors_not_bool", true, "  - path: /\n    require: public\n    cors_preflight: maybe\n", 10,
                "true or false", ""},
        BadCase{"route_not_map", true, "  - /admin/\n", 8, "a route must be a mapping", ""},
        BadCase{"routes_not_list", false, "listeners: [{port: 1}]\nroutes: { a: b }\n", 2, "must be a list", ""}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

class SeveralErrorsTest : public ::testing::Test {
protected:
    void SetUp() override { dir.write("users.htpasswd", "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n"); }
    TempDir dir;
};

TEST_F(SeveralErrorsTest, EveryBrokenRouteIsReportedInLineOrder) {
    const std::string text = std::string(kHead) +
                             "  - name: one\n"                     // 8
                             "    path: /one/\n"                   // 9
                             "    upstream: nowhere\n"             // 10 unknown upstream
                             "    require: public\n"               // 11
                             "  - name: two\n"                     // 12
                             "    path: { regex: \"(\" }\n"        // 13 bad regex
                             "    require: public\n"               // 14
                             "  - name: three\n"                   // 15
                             "    path: /three/\n"                 // 16
                             "    schemes: [bearer]\n"             // 17 not in this build
                             "    users: staff\n"                  // 18
                             "  - name: one\n"                     // 19 duplicate name
                             "    path: /four/\n"                  // 20
                             "    require: public\n"               // 21
                             "    colour: blue\n";                 // 22 unknown key
    // Listed in the file before the routes, but read after: the report must still be sorted.
    const std::string with_bad_port =
        std::string(text).replace(text.find("port: 8080"), 10, "port: 99999");
    auto r = load_policy_text(with_bad_port, "many.yaml", dir.str());
    ASSERT_FALSE(r.ok());
    const auto& errors = r.error();
    std::vector<int> lines;
    for (const auto& e : errors) lines.push_back(e.line);
    EXPECT_EQ(lines, (std::vector<int>{2, 10, 13, 17, 19, 22})) << [&] {
        std::string s;
        for (const auto& e : errors) s += format(e) + "\n";
        return s;
    }();
    EXPECT_NE(errors.at(1).message.find("nowhere"), std::string::npos);
    EXPECT_NE(errors.at(3).message.find("bearer"), std::string::npos);
    for (const auto& e : errors) EXPECT_EQ(format(e).rfind("many.yaml:" + std::to_string(e.line) + ":", 0), 0u);
}

TEST_F(SeveralErrorsTest, ColumnsPointAtTheValue) {
    auto r = load_policy_text("listeners:\n  - { address: 127.0.0.1, port: 0 }\nroutes: []\n", "c.yaml", dir.str());
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.error().size(), 1u);
    EXPECT_EQ(r.error()[0].line, 2);
    EXPECT_EQ(r.error()[0].column, 33);  // the 0 after "port: "
}

TEST_F(SeveralErrorsTest, DeepNestingIsAnErrorNotACrash) {
    const std::string deep = "listeners: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
    auto r = load_policy_text(deep, "deep.yaml", dir.str());
    EXPECT_FALSE(r.ok());
}

// htdigest user sources: Digest only, MD5 only, realms without ':'. Their own
// table and head (line numbers below count from this head, not kHead).
constexpr const char* kHtdigestHead =
    "listeners: [{port: 1}]\n"                  // 1
    "users:\n"                                  // 2
    "  dig: { htdigest: users.htdigest }\n"     // 3
    "  pw: { htpasswd: users.htpasswd }\n"      // 4
    "routes:\n";                                // 5

class HtdigestConfigTest : public ::testing::TestWithParam<BadCase> {
protected:
    void SetUp() override {
        dir.write("users.htpasswd", "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n");
        dir.write("users.htdigest", "Mufasa:testrealm@host.com:939e7578ed9e3c518a452acee763bce9\n");
    }
    TempDir dir;
};

TEST_P(HtdigestConfigTest, ReportsLineAndMessage) {
    const auto& c = GetParam();
    const std::string text = std::string(c.with_head ? kHtdigestHead : "") + c.yaml;
    auto r = load_policy_text(text, "bad.yaml", dir.str());
    ASSERT_FALSE(r.ok()) << "accepted:\n" << text;
    bool found = false;
    for (const auto& e : r.error())
        if (e.line == c.line && e.message.find(c.message) != std::string::npos &&
            e.hint.find(c.hint) != std::string::npos) {
            found = true;
            EXPECT_GT(e.column, 0) << format(e);
        }
    EXPECT_TRUE(found) << "wanted line " << c.line << " '" << c.message << "' hint '" << c.hint << "', got:\n"
                       << all_errors(r.error());
}

INSTANTIATE_TEST_SUITE_P(
    Table, HtdigestConfigTest,
    ::testing::Values(
        BadCase{"basic_with_htdigest", true, "  - path: /\n    schemes: [basic]\n    users: dig\n", 8,
                "offers basic, but user source 'dig' is an htdigest file", "schemes: [digest]"},
        BadCase{"basic_and_digest_with_htdigest", true, "  - path: /\n    schemes: [digest, basic]\n    users: dig\n",
                8, "offers basic, but user source 'dig' is an htdigest file", "htpasswd"},
        BadCase{"digest_with_htpasswd_still_refused", true, "  - path: /\n    schemes: [digest]\n    users: pw\n", 8,
                "offers digest, but user source 'pw' is an htpasswd file", "htdigest"},
        BadCase{"htdigest_realm_with_colon", true,
                "  - path: /\n    schemes: [digest]\n    realm: \"a:b\"\n    users: dig\n", 9, "with a ':'",
                "realm"},
        BadCase{"htdigest_without_md5", false,
                "digest: { algorithms: [SHA-256] }\nlisteners: [{port: 1}]\nusers: { d: { htdigest: users.htdigest } }\n"
                "routes:\n  - { path: /, schemes: [digest], users: d }\n",
                5, "holds only MD5", "add MD5"},
        BadCase{"htdigest_missing", false,
                "listeners: [{port: 1}]\nusers:\n  s: { htdigest: missing.htdigest }\nroutes: []\n", 3,
                "cannot read file", ""},
        BadCase{"htdigest_empty", false, "listeners: [{port: 1}]\nusers:\n  s: { htdigest: \"\" }\nroutes: []\n", 3,
                "must not be empty", ""},
        BadCase{"htdigest_and_htpasswd", false,
                "listeners: [{port: 1}]\nusers:\n  s: { htdigest: users.htdigest, htpasswd: users.htpasswd }\n"
                "routes: []\n",
                3, "exactly one of 'htpasswd', 'htdigest', 'sqlite' or 'postgres'", "htdigest: users.htdigest"},
        BadCase{"htdigest_typo", false,
                "listeners: [{port: 1}]\nusers:\n  s: { htdigets: users.htdigest }\nroutes: []\n", 3,
                "unknown key 'htdigets'", "did you mean 'htdigest'?"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(HtdigestConfig, DigestRouteOverHtdigestIsAccepted) {
    TempDir dir;
    dir.write("users.htdigest", "Mufasa:testrealm@host.com:939e7578ed9e3c518a452acee763bce9\n");
    auto r = load_policy_text("listeners: [{port: 1}]\nusers: { dig: { htdigest: users.htdigest } }\nroutes:\n"
                              "  - { path: /, schemes: [digest], users: dig, realm: testrealm@host.com }\n",
                              "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
}

}  // namespace
}  // namespace gk::config
