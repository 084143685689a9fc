#include "gatekeeper/gate/transport.hpp"
#include "gatekeeper/httpauth/cookie.hpp"
#include "gatekeeper/httpauth/form.hpp"
#include "gatekeeper/schemes/session.hpp"

namespace gk::gate {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

// 1*5DIGIT, at most 65535 (RFC 3986 allows any digits; a real port does not).
bool valid_port(std::string_view p) {
    if (p.empty() || p.size() > 5) return false;
    unsigned v = 0;
    for (char c : p) {
        if (!is_digit(c)) return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v <= 65535;
}

// Labels of letters, digits and '-' (1-63 each, no '-' at either end), at most
// 253 characters, one optional trailing dot. Dotted IPv4 fits this too.
bool valid_dns_name(std::string_view h) {
    if (!h.empty() && h.back() == '.') h.remove_suffix(1);
    if (h.empty() || h.size() > 253) return false;
    while (true) {
        const auto dot = h.find('.');
        const auto label = h.substr(0, dot);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!is_alpha(c) && !is_digit(c) && c != '-') return false;
        if (dot == std::string_view::npos) return true;
        h.remove_prefix(dot + 1);
    }
}

// Hex groups, colons and an optional dotted IPv4 tail; no zone id ('%').
// Loose on purpose beyond the alphabet: the result only ever goes back into
// a URL between brackets, and nothing but these characters can.
bool valid_ipv6_literal(std::string_view h) {
    if (h.size() < 2 || h.size() > 45 || h.find(':') == std::string_view::npos) return false;
    for (char c : h)
        if (!is_hex(c) && c != ':' && c != '.') return false;
    return true;
}

bool has_query_token(std::string_view query) {
    if (query.empty()) return false;
    auto form = httpauth::parse_query(query);
    // A query the parser refuses is searched raw: fail closed.
    if (!form) return query.find("access_token") != std::string_view::npos;
    return form->contains("access_token");
}

}  // namespace

const char* to_string(ListenerTransport t) noexcept {
    switch (t) {
        case ListenerTransport::tls:
            return "tls";
        case ListenerTransport::loopback_plain:
            return "loopback plain HTTP";
        case ListenerTransport::insecure_plain:
            return "insecure plain HTTP";
        case ListenerTransport::redirect_plain:
            return "plain HTTP, redirecting to https";
    }
    return "?";
}

ListenerTransport transport_of(const Listener& l) noexcept {
    if (l.tls) return ListenerTransport::tls;
    if (l.loopback) return ListenerTransport::loopback_plain;
    return l.insecure ? ListenerTransport::insecure_plain : ListenerTransport::redirect_plain;
}

std::optional<std::string> redirect_host(std::string_view authority) {
    std::string_view host = authority;
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const auto rest = host.substr(close + 1);
        if (!rest.empty() && (rest.front() != ':' || !valid_port(rest.substr(1)))) return std::nullopt;
        const auto literal = host.substr(1, close - 1);
        if (!valid_ipv6_literal(literal)) return std::nullopt;
        return "[" + lower(literal) + "]";
    }
    if (const auto colon = host.find(':'); colon != std::string_view::npos) {
        if (!valid_port(host.substr(colon + 1))) return std::nullopt;
        host = host.substr(0, colon);
    }
    if (!valid_dns_name(host)) return std::nullopt;
    return lower(host);
}

std::optional<std::string> https_location(std::string_view authority, std::uint16_t https_port,
                                          std::string_view path, std::string_view query) {
    auto host = redirect_host(authority);
    if (!host) return std::nullopt;
    std::string url = "https://" + *host;
    if (https_port != 443) url += ":" + std::to_string(https_port);
    // The normalized path always starts with '/', so the host cannot be extended.
    url += path.empty() || path.front() != '/' ? "/" : path;
    if (!query.empty()) {
        url += '?';
        url += query;
    }
    return url;
}

TransportVerdict check_transport(const TransportInput& in) {
    TransportVerdict v;
    const bool plain = in.listener != ListenerTransport::tls && !in.secure;
    if (!plain) return v;
    if (in.listener == ListenerTransport::redirect_plain && in.credential) {
        v.kind = TransportVerdict::Kind::refuse_credential;
        v.credential = *in.credential;
        return v;
    }
    if (in.path.starts_with(kAcmeChallengePrefix)) {
        v.kind = TransportVerdict::Kind::acme_challenge;
        return v;
    }
    if (in.listener != ListenerTransport::redirect_plain) return v;
    auto location = https_location(in.authority, in.https_port, in.path, in.query);
    if (!location) {
        v.kind = TransportVerdict::Kind::bad_host;
        return v;
    }
    v.kind = TransportVerdict::Kind::redirect;
    v.location = std::move(*location);
    return v;
}

std::optional<std::string> carried_credential(const Policy& policy, const Request& req) {
    for (const char* name : {"Authorization", "Proxy-Authorization"})
        if (req.count(name)) return std::string(name);
    for (const auto& route : policy.routes)
        if (!route.api_key_header.empty() && req.count(route.api_key_header)) return route.api_key_header;
    if (has_query_token(req.query)) return std::string("access_token");
    const auto cookies = req.all("Cookie");
    if (!cookies.empty()) {
        const auto jar = httpauth::parse_cookie_headers(cookies);
        for (bool secure : {true, false}) {
            auto name = schemes::session_cookie_name(policy.cookie_prefix, secure);
            if (jar.count(name)) return name;
        }
    }
    return std::nullopt;
}

std::string hsts_value(const HstsSettings& s) {
    if (!s.enabled) return {};
    std::string v = "max-age=" + std::to_string(s.max_age.count());
    if (s.include_subdomains) v += "; includeSubDomains";
    if (s.preload) v += "; preload";
    return v;
}

}  // namespace gk::gate
