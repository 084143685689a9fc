// IP literals and CIDR blocks for trusted_proxies and listener addresses.
#include <arpa/inet.h>

#include <string>

#include "gatekeeper/config/values.hpp"

namespace gk::config {

std::vector<std::uint8_t> parse_ip(std::string_view text) {
    // inet_pton wants a terminated string; it also refuses leading zeros and
    // short forms like "10.1", which is what we want from a config file.
    const std::string s(text);
    if (s.find('\0') != std::string::npos) return {};
    std::uint8_t buf[16];
    if (inet_pton(AF_INET, s.c_str(), buf) == 1) return {buf, buf + 4};
    if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return {buf, buf + 16};
    return {};
}

Result<gate::Cidr, ValueError> parse_cidr(std::string_view text) {
    const std::string hint = "write an address or address/prefix, e.g. 10.0.0.0/8 or fd00::/8";
    const auto slash = text.find('/');
    gate::Cidr cidr;
    cidr.bytes = parse_ip(text.substr(0, slash));
    if (cidr.bytes.empty())
        return fail(ValueError{"'" + std::string(text.substr(0, slash)) + "' is not an IPv4 or IPv6 address", hint});
    const unsigned max_prefix = static_cast<unsigned>(cidr.bytes.size() * 8);
    cidr.prefix = max_prefix;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3)
            return fail(ValueError{"bad prefix length in '" + std::string(text) + "'", hint});
        unsigned p = 0;
        for (char c : digits) {
            if (c < '0' || c > '9') return fail(ValueError{"bad prefix length in '" + std::string(text) + "'", hint});
            p = p * 10 + static_cast<unsigned>(c - '0');
        }
        if (p > max_prefix)
            return fail(ValueError{"prefix /" + std::string(digits) + " is too long for '" + std::string(text) + "'",
                                   "at most /" + std::to_string(max_prefix) + " for this address family"});
        cidr.prefix = p;
    }
    // Clear host bits so that matching can compare whole bytes.
    for (std::size_t i = 0; i < cidr.bytes.size(); ++i) {
        const unsigned first_bit = static_cast<unsigned>(i * 8);
        if (first_bit >= cidr.prefix) {
            cidr.bytes[i] = 0;
        } else if (cidr.prefix - first_bit < 8) {
            const unsigned keep = cidr.prefix - first_bit;
            cidr.bytes[i] &= static_cast<std::uint8_t>(0xff << (8 - keep));
        }
    }
    return cidr;
}

}  // namespace gk::config
