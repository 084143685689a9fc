// Upstream URLs: deliberately a small subset of RFC 3986. Whatever could make
// the target ambiguous (userinfo, query, fragment) is refused, not ignored.
#include <algorithm>

#include "gatekeeper/config/values.hpp"

namespace gk::config {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_icase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (lower(s[i]) != prefix[i]) return false;
    return true;
}

bool is_reg_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_';
}

bool is_path_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '\\' && c != '"' && c != '<' && c != '>' && c != '`' && c != '{' &&
           c != '}' && c != '|' && c != '^';
}

}  // namespace

Result<UpstreamUrl, ValueError> parse_upstream_url(std::string_view text) {
    const std::string quoted = "'" + std::string(text) + "'";
    const std::string hint = "write http://host[:port][/base] or https://host[:port][/base]";
    UpstreamUrl out;
    std::string_view rest;
    if (starts_with_icase(text, "http://")) {
        rest = text.substr(7);
    } else if (starts_with_icase(text, "https://")) {
        out.tls = true;
        rest = text.substr(8);
    } else {
        return fail(ValueError{"upstream url " + quoted + " must start with http:// or https://", hint});
    }
    out.port = out.tls ? 443 : 80;
    if (rest.find_first_of("?#") != std::string_view::npos)
        return fail(ValueError{"upstream url " + quoted + " must not have a query or fragment", hint});
    const std::size_t path_start = std::min(rest.find('/'), rest.size());
    std::string_view authority = rest.substr(0, path_start);
    std::string_view path = rest.substr(path_start);
    if (authority.find('@') != std::string_view::npos)
        return fail(ValueError{"upstream url " + quoted + " must not carry user information",
                               "credentials for the upstream do not belong in its URL"});
    std::string_view host;
    std::string_view port;
    if (!authority.empty() && authority[0] == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return fail(ValueError{"upstream url " + quoted + " has an unclosed '['", hint});
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return fail(ValueError{"upstream url " + quoted + " has junk after ']'", hint});
            port = after.substr(1);
        }
        if (parse_ip(host).size() != 16)
            return fail(ValueError{"'" + std::string(host) + "' in " + quoted + " is not an IPv6 address", hint});
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
        if (!std::all_of(host.begin(), host.end(), is_reg_name_char))
            return fail(ValueError{"upstream url " + quoted + " has an invalid host", hint});
    }
    if (host.empty()) return fail(ValueError{"upstream url " + quoted + " has no host", hint});
    if (authority.find(':') != std::string_view::npos && port.empty() && authority[0] != '[')
        return fail(ValueError{"upstream url " + quoted + " has an empty port", hint});
    if (!port.empty()) {
        unsigned long p = 0;
        if (port.size() > 5) return fail(ValueError{"upstream url " + quoted + " has a bad port", "1..65535"});
        for (char c : port) {
            if (c < '0' || c > '9') return fail(ValueError{"upstream url " + quoted + " has a bad port", "1..65535"});
            p = p * 10 + static_cast<unsigned long>(c - '0');
        }
        if (p == 0 || p > 65535) return fail(ValueError{"upstream url " + quoted + " has a bad port", "1..65535"});
        out.port = static_cast<std::uint16_t>(p);
    }
    if (!std::all_of(path.begin(), path.end(), is_path_char))
        return fail(ValueError{"upstream url " + quoted + " has characters that need percent-encoding in its path",
                               hint});
    out.host.reserve(host.size());
    for (char c : host) out.host.push_back(lower(c));
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    out.base_path = std::string(path);
    return out;
}

}  // namespace gk::config
