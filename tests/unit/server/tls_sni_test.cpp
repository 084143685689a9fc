// SNI: which certificate a name selects (DNS SANs with one-label wildcards,
// case-insensitive; IP SANs; the first certificate otherwise).
#include <gtest/gtest.h>

#include "server/tls_sni.hpp"

namespace gk::server {
namespace {

struct MatchCase {
    const char* pattern;
    const char* host;
    bool match;
};

TEST(TlsSni, DnsNameMatching) {
    const MatchCase cases[] = {
        {"example.com", "example.com", true},
        {"example.com", "EXAMPLE.com", true},
        {"Example.COM", "example.com", true},
        {"example.com", "example.com.", true},
        {"example.com", "www.example.com", false},
        {"example.com", "example.org", false},
        {"*.example.com", "www.example.com", true},
        {"*.example.com", "WWW.Example.Com", true},
        {"*.example.com", "example.com", false},
        {"*.example.com", "a.b.example.com", false},
        {"*.example.com", ".example.com", false},
        {"*.com", "example.com", false},
        {"www.*.com", "www.example.com", false},
        {"w*.example.com", "www.example.com", false},
        {"example.com", "", false},
        {"", "example.com", false},
    };
    for (const auto& c : cases)
        EXPECT_EQ(dns_name_matches(c.pattern, c.host), c.match) << c.pattern << " vs " << c.host;
}

TEST(TlsSni, PicksTheCertificateWhoseSanCoversTheName) {
    CertNames a{{"a.example", "*.a.example"}, {}};
    CertNames b{{"b.example", "*.B.example"}, {{127, 0, 0, 1}}};
    CertNames v6{{}, {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}};
    const std::vector<const CertNames*> certs{&a, &b, &v6};
    struct Case {
        const char* sni;
        std::size_t want;
    } cases[] = {
        {"a.example", 0},     {"www.a.example", 0}, {"b.example", 1},     {"B.EXAMPLE", 1},
        {"x.b.example", 1},   {"y.x.b.example", 0}, {"127.0.0.1", 1},     {"::1", 2},
        {"127.0.0.2", 0},     {"c.example", 0},     {"", 0},              {"b.example.", 1},
    };
    for (const auto& c : cases) EXPECT_EQ(pick_certificate(certs, c.sni), c.want) << c.sni;
}

TEST(TlsSni, AnIpLiteralNeverMatchesADnsName) {
    CertNames dns_only{{"127.0.0.1"}, {}};
    EXPECT_FALSE(cert_covers(dns_only, "127.0.0.1"));
}

}  // namespace
}  // namespace gk::server
