// acme: what loads, the defaults, the managed certificate paths, and each
// mistake reported at its line.
#include <gtest/gtest.h>

#include "gatekeeper/config/config.hpp"
#include "mistakes.hpp"
#include "temp_dir.hpp"

namespace gk::config {
namespace {

using test::TempDir;

constexpr const char* kHead =
    "listeners: [{ address: 127.0.0.1, port: 8080 }]\n"          // 1
    "upstreams: { app: { url: \"http://127.0.0.1:3000\" } }\n"  // 2
    "routes:\n"                                                  // 3
    "  - { name: all, path: /, upstream: app, require: public }\n"  // 4
    "acme:\n";                                                   // 5

TEST(AcmeConfig, LoadsWithDefaultsAndPaths) {
    TempDir dir;
    dir.write("ca.pem", "x");
    auto r = load_policy_text(std::string(kHead) + "  email: ops@example.org\n  ca_file: ca.pem\n"
                                                   "  hosts: [a.example, b.example]\n",
                              "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok()) << format(r.error().front());
    const auto& a = r->acme;
    EXPECT_TRUE(a.enabled);
    EXPECT_EQ(a.directory, "https://acme-v02.api.letsencrypt.org/directory");
    EXPECT_EQ(a.ca_file, dir.file("ca.pem"));
    EXPECT_NEAR(a.renew_at, 2.0 / 3.0, 1e-9);
    EXPECT_EQ(a.retry_min, std::chrono::minutes(1));
    EXPECT_EQ(a.retry_max, std::chrono::hours(1));
    const auto certs = acme::managed_certificates(a, r->state_dir);
    ASSERT_EQ(certs.size(), 2u);
    EXPECT_EQ(certs[1].host, "b.example");
    EXPECT_EQ(certs[1].cert_file, r->state_dir + "/acme/b.example/cert.pem");
    EXPECT_EQ(certs[1].key_file, r->state_dir + "/acme/b.example/key.pem");
    EXPECT_EQ(a.challenge, acme::ChallengeType::http01);  // what gatekeeper did before the setting existed
}

// Same lines as kHead, with an HTTPS listener (no certificate: acme brings them).
constexpr const char* kTlsHead =
    "listeners: [{ address: 127.0.0.1, port: 8443, tls: {} }]\n"  // 1
    "upstreams: { app: { url: \"http://127.0.0.1:3000\" } }\n"    // 2
    "routes:\n"                                                     // 3
    "  - { name: all, path: /, upstream: app, require: public }\n"  // 4
    "acme:\n";                                                      // 5

TEST(AcmeConfig, ChallengeChoices) {
    const struct {
        const char* head;
        const char* body;
        int line;  // 0: loads
        acme::ChallengeType want;
        const char* says;
    } cases[] = {
        {kTlsHead, "  hosts: [a.example]\n", 0, acme::ChallengeType::http01, ""},
        {kTlsHead, "  hosts: [a.example]\n  challenge: http-01\n", 0, acme::ChallengeType::http01, ""},
        {kTlsHead, "  hosts: [a.example]\n  challenge: tls-alpn-01\n", 0, acme::ChallengeType::tls_alpn01, ""},
        {kHead, "  hosts: [a.example]\n  challenge: http-01\n", 0, acme::ChallengeType::http01, ""},
        {kHead, "  hosts: [a.example]\n  challenge: tls-alpn-01\n", 7, {}, "needs an HTTPS listener"},
        {kTlsHead, "  hosts: [a.example]\n  challenge: dns-01\n", 7, {}, "'dns-01' is not http-01 or tls-alpn-01"},
        {kTlsHead, "  hosts: [a.example]\n  challenge: TLS-ALPN-01\n", 7, {}, "is not http-01 or tls-alpn-01"},
        {kTlsHead, "  hosts: [a.example]\n  challenge: \"\"\n", 7, {}, "is not http-01 or tls-alpn-01"},
        {kTlsHead, "  hosts: [a.example]\n  challenge: [tls-alpn-01]\n", 7, {}, "challenge"},
    };
    for (const auto& c : cases) {
        TempDir dir;
        auto r = load_policy_text(std::string(c.head) + c.body, "c.yaml", dir.str());
        if (c.line == 0) {
            ASSERT_TRUE(r.ok()) << c.body << format(r.error().front());
            EXPECT_EQ(r->acme.challenge, c.want) << c.body;
            continue;
        }
        ASSERT_FALSE(r.ok()) << c.body;
        const auto& e = r.error().front();
        EXPECT_EQ(e.line, c.line) << c.body << format(e);
        EXPECT_NE(format(e).find(c.says), std::string::npos) << format(e);
        EXPECT_NE(format(e).find("c.yaml:7"), std::string::npos) << format(e);
    }
}

TEST(AcmeConfig, NoSectionNoCertificates) {
    TempDir dir;
    std::string text = kHead;
    text.resize(text.size() - 6);  // without "acme:\n"
    auto r = load_policy_text(text, "ok.yaml", dir.str());
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->acme.enabled);
    EXPECT_TRUE(acme::managed_certificates(r->acme, r->state_dir).empty());
}

TEST(AcmeConfig, MistakesNameTheirLine) {
    const test::Mistake cases[] = {
        {"  hosts: [\"*.example.org\"]\n", 6, "not a lower-case DNS name"},
        {"  hosts: [127.0.0.1]\n", 6, "not a lower-case DNS name"},
        {"  hosts: [Gate.Example]\n", 6, "not a lower-case DNS name"},
        {"  hosts: [a.example, a.example]\n", 6, "listed twice"},
        {"  hosts: [a.example]\n  directory: http://ca.example/dir\n", 7, "https URL"},
        {"  hosts: [a.example]\n  email: nobody\n", 7, "not an e-mail address"},
        {"  hosts: [a.example]\n  renew_at: 1.5\n", 7, "between 0 and 1"},
        {"  hosts: [a.example]\n  renew_at: 0\n", 7, "between 0 and 1"},
        {"  hosts: [a.example]\n  retry: { min: 1h, max: 1m }\n", 7, "below 'min'"},
        {"  hosts: [a.example]\n  ca_file: missing.pem\n", 7, "missing.pem"},
        {"  hosts: [a.example]\n  renew: 0.5\n", 7, "renew"},
        {"  email: ops@example.org\n", 5, "acme needs 'hosts'"},
    };
    test::expect_first_errors(kHead, cases);
}

}  // namespace
}  // namespace gk::config
