#pragma once
// Which of a listener's certificates answers a client's SNI name: the first
// whose subjectAltName covers it, else the first certificate.
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gk::server {

// The names a certificate is valid for (subjectAltName only: browsers ignore the CN).
struct CertNames {
    std::vector<std::string> dns;                 // as written, e.g. "*.example.com"
    std::vector<std::vector<std::uint8_t>> ips;   // 4 or 16 bytes
};

[[nodiscard]] CertNames names_of(X509* cert);

// RFC 6125 matching: case-insensitive; "*" only as the whole leftmost label and
// covering exactly one label ("*.a.b" covers "x.a.b", not "a.b" nor "y.x.a.b").
// A trailing dot on the host is ignored.
[[nodiscard]] bool dns_name_matches(std::string_view pattern, std::string_view host);

// True when `host` is covered by a DNS name, or is an IP literal listed as an IP SAN.
[[nodiscard]] bool cert_covers(const CertNames& names, std::string_view host);

// Index into `certs` for the SNI name; 0 (the default) without SNI or without a match.
[[nodiscard]] std::size_t pick_certificate(const std::vector<const CertNames*>& certs, std::string_view sni);

}  // namespace gk::server
