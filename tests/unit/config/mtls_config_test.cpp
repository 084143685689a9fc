// Client certificates in the config: the listener's tls keys (client_cert,
// client_ca, client_crl), the top-level mtls section and the mtls scheme on
// routes, read back when valid and reported with file:line when not.
#include <gtest/gtest.h>

#include "gatekeeper/config/config.hpp"
#include "temp_dir.hpp"
#include "test_pems.hpp"

namespace gk::config {
namespace {

using test::TempDir;
using Mode = gate::ClientCertSettings::Mode;
using From = gate::MtlsSettings::IdentityFrom;

std::string all_errors(const std::vector<ConfigError>& errors) {
    std::string out;
    for (const auto& e : errors) out += format(e) + "\n";
    return out;
}

struct Files {
    Files() {
        // The listener's own pair must be real (the loader checks the key belongs to the certificate).
        dir.write("cert.pem", testing_pems::kACert);
        dir.write("key.pem", testing_pems::kAKey);
        for (const char* f : {"ca.pem", "crl.pem"}) dir.write(f, "x\n");
        dir.write("users.htpasswd", "alice:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n");
    }
    TempDir dir;
};

TEST(MtlsConfig, ReadsListenerSectionAndRoutes) {
    Files f;
    const char* yaml = R"(listeners:
  - address: 127.0.0.1
    port: 8443
    tls: { cert: cert.pem, key: key.pem, client_cert: request, client_ca: ca.pem, client_crl: crl.pem }
  - { address: 127.0.0.1, port: 8444, tls: { cert: cert.pem, key: key.pem, client_cert: require, client_ca: ca.pem } }
  - { address: 127.0.0.1, port: 8445, tls: { cert: cert.pem, key: key.pem, client_cert: off } }
users:
  staff: { htpasswd: users.htpasswd }
mtls:
  identity: san_email
  groups_from: none
  group_map:
    alice: [admins, ops]
    "CN=bob,O=Example": staff
routes:
  - { path: /certs/, schemes: [mtls], require: { groups: [admins] } }
  - { path: /either/, schemes: [mtls, basic], users: staff }
)";
    auto r = load_policy_text(yaml, "ok.yaml", f.dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    const auto& p = *r;
    ASSERT_EQ(p.listeners.size(), 3u);
    EXPECT_EQ(p.listeners[0].client_cert.mode, Mode::request);
    EXPECT_EQ(p.listeners[0].client_cert.ca_file, f.dir.file("ca.pem"));
    EXPECT_EQ(p.listeners[0].client_cert.crl_file, f.dir.file("crl.pem"));
    EXPECT_EQ(p.listeners[1].client_cert.mode, Mode::require);
    EXPECT_TRUE(p.listeners[1].client_cert.crl_file.empty());
    EXPECT_EQ(p.listeners[2].client_cert.mode, Mode::off);
    EXPECT_EQ(p.mtls.identity, From::san_email);
    EXPECT_FALSE(p.mtls.groups_from_ou);
    EXPECT_EQ(p.mtls.line, 9);
    ASSERT_EQ(p.mtls.group_map.size(), 2u);
    EXPECT_EQ(p.mtls.group_map.at("alice"), (std::vector<std::string>{"admins", "ops"}));
    EXPECT_EQ(p.mtls.group_map.at("CN=bob,O=Example"), (std::vector<std::string>{"staff"}));
    EXPECT_EQ(p.routes[0].schemes, (std::vector<gate::SchemeKind>{gate::SchemeKind::mtls}));
    EXPECT_EQ(p.routes[1].schemes, (std::vector<gate::SchemeKind>{gate::SchemeKind::mtls, gate::SchemeKind::basic}));
}

TEST(MtlsConfig, Defaults) {
    Files f;
    auto r = load_policy_text("listeners:\n  - { port: 8443, tls: { cert: cert.pem, key: key.pem } }\nroutes: []\n",
                              "ok.yaml", f.dir.str());
    ASSERT_TRUE(r.ok()) << all_errors(r.error());
    EXPECT_EQ(r->listeners[0].client_cert.mode, Mode::off);
    EXPECT_EQ(r->mtls.identity, From::subject_cn);
    EXPECT_TRUE(r->mtls.groups_from_ou);
    EXPECT_TRUE(r->mtls.group_map.empty());
}

struct BadCase {
    const char* name;
    const char* yaml;
    int line;
    const char* message;
    const char* hint;
};
std::ostream& operator<<(std::ostream& os, const BadCase& c) { return os << c.name; }


class BadMtlsConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadMtlsConfig, ReportsLineAndMessage) {
    Files f;
    const auto& c = GetParam();
    auto r = load_policy_text(c.yaml, "bad.yaml", f.dir.str());
    ASSERT_FALSE(r.ok()) << "accepted:\n" << c.yaml;
    bool found = false;
    for (const auto& e : r.error())
        found = found || (e.line == c.line && e.message.find(c.message) != std::string::npos &&
                          e.hint.find(c.hint) != std::string::npos);
    EXPECT_TRUE(found) << "wanted line " << c.line << " '" << c.message << "', got:\n" << all_errors(r.error());
}

// Lines 1-2: a listener that asks for certificates; a case continues at line 3.
#define MTLS_TEST_HEAD "listeners:\n  - { port: 8443, tls: { cert: cert.pem, key: key.pem, client_cert: request, client_ca: ca.pem } }\n"

INSTANTIATE_TEST_SUITE_P(
    Table, BadMtlsConfig,
    ::testing::Values(
        BadCase{"mode_unknown",
                "listeners:\n  - { port: 8443, tls: { cert: cert.pem, key: key.pem, client_cert: optional } }\nroutes: []\n",
                2, "client_cert must be off, request or require", "request"},
        BadCase{"mode_without_ca",
                "listeners:\n  - { port: 8443, tls: { cert: cert.pem, key: key.pem, client_cert: require } }\nroutes: []\n",
                2, "needs 'client_ca'", "client_ca:"},
        BadCase{"ca_without_mode",
                "listeners:\n  - { port: 8443, tls: { cert: cert.pem, key: key.pem, client_ca: ca.pem } }\nroutes: []\n",
                2, "'client_ca' is set but client certificates are off", "client_cert: request"},
        BadCase{"crl_missing_file",
                "listeners:\n  - port: 8443\n    tls: { cert: cert.pem, key: key.pem, client_cert: request, "
                "client_ca: ca.pem, client_crl: nope.pem }\nroutes: []\n",
                3, "nope.pem", ""},
        BadCase{"tls_key_typo",
                "listeners:\n  - { port: 8443, tls: { cert: cert.pem, key: key.pem, client_certs: request } }\nroutes: []\n",
                2, "unknown key 'client_certs'", "client_cert"},
        BadCase{"identity_unknown", MTLS_TEST_HEAD "mtls:\n  identity: subject_cm\nroutes: []\n", 4,
                "unknown identity source 'subject_cm'", "did you mean 'subject_cn'?"},
        BadCase{"groups_from_unknown", MTLS_TEST_HEAD "mtls:\n  groups_from: o\nroutes: []\n", 4,
                "groups_from must be ou or none", ""},
        BadCase{"group_map_not_map", MTLS_TEST_HEAD "mtls:\n  group_map: [a]\nroutes: []\n", 4, "", ""},
        BadCase{"group_map_empty_group", MTLS_TEST_HEAD "mtls:\n  group_map:\n    alice: [\"\"]\nroutes: []\n", 5,
                "group name must not be empty", ""},
        BadCase{"mtls_key_typo", MTLS_TEST_HEAD "mtls:\n  identiy: subject\nroutes: []\n", 4, "unknown key 'identiy'",
                "identity"},
        BadCase{"route_mtls_without_listener",
                "listeners:\n  - { port: 8080 }\nroutes:\n  - { path: /, schemes: [mtls] }\n", 4,
                "no listener asks for client certificates", "client_cert: request"},
        BadCase{"scheme_typo", MTLS_TEST_HEAD "routes:\n  - { path: /, schemes: [mtl] }\n", 4, "unknown scheme 'mtl'",
                "did you mean 'mtls'?"}));

}  // namespace
}  // namespace gk::config
