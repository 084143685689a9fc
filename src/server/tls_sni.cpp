#include "server/tls_sni.hpp"

#include <arpa/inet.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace gk::server {
namespace {

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::vector<std::uint8_t> ip_bytes(std::string_view text) {
    const std::string s(text);
    unsigned char buf[16];
    if (::inet_pton(AF_INET, s.c_str(), buf) == 1) return {buf, buf + 4};
    if (::inet_pton(AF_INET6, s.c_str(), buf) == 1) return {buf, buf + 16};
    return {};
}

struct NamesFree {
    void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};

}  // namespace

CertNames names_of(X509* cert) {
    CertNames out;
    std::unique_ptr<GENERAL_NAMES, NamesFree> names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names) return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        if (gn->type == GEN_DNS) {
            const ASN1_STRING* s = gn->d.dNSName;
            out.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                 static_cast<std::size_t>(ASN1_STRING_length(s)));
        } else if (gn->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* s = gn->d.iPAddress;
            const auto* p = ASN1_STRING_get0_data(s);
            out.ips.emplace_back(p, p + ASN1_STRING_length(s));
        }
    }
    return out;
}

bool dns_name_matches(std::string_view pattern, std::string_view host) {
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (host.empty() || pattern.empty()) return false;
    if (pattern.substr(0, 2) != "*.") return iequal(pattern, host);
    // "*.rest": the host's first label is non-empty and the remainder equals rest.
    const auto dot = host.find('.');
    if (dot == std::string_view::npos || dot == 0) return false;
    const auto rest = pattern.substr(2);
    // "*.com"-like patterns (one label after the star) are too broad to honour.
    if (rest.find('.') == std::string_view::npos) return false;
    return iequal(rest, host.substr(dot + 1));
}

bool cert_covers(const CertNames& names, std::string_view host) {
    const auto ip = ip_bytes(host);
    if (!ip.empty()) return std::find(names.ips.begin(), names.ips.end(), ip) != names.ips.end();
    return std::any_of(names.dns.begin(), names.dns.end(),
                       [&](const std::string& p) { return dns_name_matches(p, host); });
}

std::size_t pick_certificate(const std::vector<const CertNames*>& certs, std::string_view sni) {
    if (sni.empty()) return 0;
    for (std::size_t i = 0; i < certs.size(); ++i)
        if (certs[i] && cert_covers(*certs[i], sni)) return i;
    return 0;
}

}  // namespace gk::server
