// The tls: mapping of a listener: one certificate or several, ticket and
// OCSP settings, and the errors (key of another certificate, not PEM, both
// forms at once, bad rotation) with the line they are reported at.
#include <gtest/gtest.h>

#include "gatekeeper/config/config.hpp"
#include "temp_dir.hpp"
#include "test_pems.hpp"

namespace gk::config {
using test::TempDir;
namespace {

class TlsConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir.write("a.pem", testing_pems::kACert);
        dir.write("a.key", testing_pems::kAKey);
        dir.write("b.pem", testing_pems::kBCert);
        dir.write("b.key", testing_pems::kBKey);
        dir.write("junk.pem", "not PEM\n");
    }
    Result<gate::Policy, std::vector<ConfigError>> load(const std::string& tls) {
        return load_policy_text("listeners:\n  - port: 443\n    tls:\n" + tls + "routes: []\n", "t.yaml", dir.str());
    }
    TempDir dir;
};

TEST_F(TlsConfigTest, SeveralCertificatesAndSettings) {
    auto r = load("      certificates:\n        - { cert: a.pem, key: a.key }\n        - { cert: b.pem, key: b.key }\n"
                  "      session_tickets: false\n      ticket_key_rotation: 2h\n      ocsp_stapling: false\n");
    ASSERT_TRUE(r.ok()) << (r.ok() ? "" : format(r.error()[0]));
    const auto& l = r.value().listeners[0];
    ASSERT_EQ(l.certificates.size(), 2u);
    EXPECT_EQ(l.certificates[0].cert_file, dir.file("a.pem"));
    EXPECT_EQ(l.certificates[1].key_file, dir.file("b.key"));
    EXPECT_EQ(l.certificates[1].line, 6);
    EXPECT_FALSE(l.session_tickets);
    EXPECT_EQ(l.ticket_key_rotation, std::chrono::hours(2));
    EXPECT_FALSE(l.ocsp_stapling);
}

TEST_F(TlsConfigTest, OneCertificateWithDefaults) {
    auto r = load("      cert: a.pem\n      key: a.key\n");
    ASSERT_TRUE(r.ok()) << (r.ok() ? "" : format(r.error()[0]));
    const auto& l = r.value().listeners[0];
    ASSERT_EQ(l.certificates.size(), 1u);
    EXPECT_TRUE(l.session_tickets);
    EXPECT_EQ(l.ticket_key_rotation, std::chrono::hours(12));
    EXPECT_TRUE(l.ocsp_stapling);
}

TEST_F(TlsConfigTest, Errors) {
    struct Case {
        const char* tls;
        int line;
        const char* message;
    } cases[] = {
        {"      cert: a.pem\n      key: b.key\n", 4, "does not match certificate"},
        {"      certificates:\n        - { cert: a.pem, key: a.key }\n        - { cert: b.pem, key: a.key }\n", 6,
         "does not match certificate"},
        {"      cert: junk.pem\n      key: a.key\n", 4, "holds no PEM certificate"},
        {"      cert: a.pem\n      key: junk.pem\n", 4, "no unencrypted PEM private key"},
        {"      cert: a.pem\n      key: a.key\n      certificates: [ { cert: b.pem, key: b.key } ]\n", 6,
         "either 'cert'/'key' or 'certificates'"},
        {"      certificates: []\n", 4, "non-empty list"},
        {"      certificates:\n        - { cert: a.pem }\n", 5, "a certificate needs 'key'"},
        {"      cert: a.pem\n      key: a.key\n      ticket_key_rotation: 10s\n", 6, "between 1m and 7d"},
        {"      session_tickets: true\n", 4, "tls needs a certificate"},
    };
    for (const auto& c : cases) {
        auto r = load(c.tls);
        ASSERT_FALSE(r.ok()) << c.tls;
        std::string all;
        bool found = false;
        for (const auto& e : r.error()) {
            all += format(e) + "\n";
            found = found || (e.line == c.line && e.message.find(c.message) != std::string::npos);
        }
        EXPECT_TRUE(found) << c.tls << "wanted line " << c.line << " '" << c.message << "', got:\n" << all;
    }
}

}  // namespace
}  // namespace gk::config
