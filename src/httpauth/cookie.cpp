#include "gatekeeper/httpauth/cookie.hpp"

#include <algorithm>

#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::httpauth {

const char* to_string(CookieError e) noexcept {
    switch (e) {
        case CookieError::duplicate:
            return "cookie sent more than once";
        case CookieError::bad_name:
            return "cookie name is not a token";
        case CookieError::bad_value:
            return "cookie value holds a character outside cookie-octet";
        case CookieError::bad_path:
            return "cookie Path must start with '/' and hold no CTL or ';'";
        case CookieError::bad_domain:
            return "cookie Domain is not a host name";
        case CookieError::bad_max_age:
            return "cookie Max-Age is negative";
        case CookieError::too_large:
            return "cookie too large";
        case CookieError::prefix_needs_secure:
            return "__Secure- and __Host- cookies need Secure";
        case CookieError::host_prefix_path:
            return "__Host- cookies need Path=/";
        case CookieError::host_prefix_domain:
            return "__Host- cookies must not have a Domain";
        case CookieError::none_needs_secure:
            return "SameSite=None needs Secure";
    }
    return "cookie error";
}

namespace {

bool is_ws(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
    return s;
}

void parse_into(std::string_view header, std::vector<Cookie>& out) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        const auto pair = header.substr(0, semi);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos) {
            const auto name = trim(pair.substr(0, eq));
            if (!name.empty()) out.push_back({std::string(name), std::string(trim(pair.substr(eq + 1)))});
        }
        if (semi == std::string_view::npos) break;
        header.remove_prefix(semi + 1);
    }
}

bool starts_with_icase(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && httpauth::iequals(s.substr(0, prefix.size()), prefix);
}

bool is_path_value(std::string_view p) noexcept {
    if (p.empty() || p.front() != '/') return false;
    return std::all_of(p.begin(), p.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c >= 0x20 && c != 0x7F && c != ';';
    });
}

bool is_domain_value(std::string_view d) noexcept {
    if (d.empty() || d.size() > 253) return false;
    return std::all_of(d.begin(), d.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.';
    });
}

Result<Ok, CookieError> check(const SetCookie& c) {
    if (c.name.empty() || !httpauth::is_token(c.name)) return fail(CookieError::bad_name);
    if (!is_cookie_value(c.value)) return fail(CookieError::bad_value);
    if (c.name.size() + c.value.size() > kMaxCookieSize) return fail(CookieError::too_large);
    if (!is_path_value(c.path)) return fail(CookieError::bad_path);
    if (c.domain && !is_domain_value(*c.domain)) return fail(CookieError::bad_domain);
    if (c.max_age && c.max_age->count() < 0) return fail(CookieError::bad_max_age);
    const bool host = starts_with_icase(c.name, "__Host-");
    if ((host || starts_with_icase(c.name, "__Secure-")) && !c.secure)
        return fail(CookieError::prefix_needs_secure);
    if (host && c.path != "/") return fail(CookieError::host_prefix_path);
    if (host && c.domain) return fail(CookieError::host_prefix_domain);
    if (c.same_site == SameSite::none && !c.secure) return fail(CookieError::none_needs_secure);
    return Ok{};
}

}  // namespace

bool is_cookie_octet(char ch) noexcept {
    const auto c = static_cast<unsigned char>(ch);
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
           (c >= 0x5D && c <= 0x7E);
}

bool is_cookie_value(std::string_view v) noexcept { return std::all_of(v.begin(), v.end(), is_cookie_octet); }

std::size_t CookieJar::count(std::string_view name) const noexcept {
    return static_cast<std::size_t>(
        std::count_if(cookies_.begin(), cookies_.end(), [&](const Cookie& c) { return c.name == name; }));
}

Result<std::optional<std::string_view>, CookieError> CookieJar::single(std::string_view name) const {
    std::optional<std::string_view> found;
    for (const auto& c : cookies_) {
        if (c.name != name) continue;
        if (found) return fail(CookieError::duplicate);
        found = c.value;
    }
    return found;
}

CookieJar parse_cookie_header(std::string_view field_value) {
    std::vector<Cookie> out;
    parse_into(field_value, out);
    return CookieJar(std::move(out));
}

CookieJar parse_cookie_headers(const std::vector<std::string_view>& field_values) {
    std::vector<Cookie> out;
    for (const auto v : field_values) parse_into(v, out);
    return CookieJar(std::move(out));
}

Result<std::string, CookieError> format_set_cookie(const SetCookie& c) {
    if (auto ok = check(c); !ok) return fail(ok.error());
    std::string out = c.name;
    out += '=';
    out += c.value;
    out += "; Path=";
    out += c.path;
    if (c.domain) {
        out += "; Domain=";
        out += *c.domain;
    }
    if (c.max_age) {
        out += "; Max-Age=";
        out += std::to_string(c.max_age->count());
    }
    if (c.secure) out += "; Secure";
    if (c.http_only) out += "; HttpOnly";
    switch (c.same_site) {
        case SameSite::lax:
            out += "; SameSite=Lax";
            break;
        case SameSite::strict:
            out += "; SameSite=Strict";
            break;
        case SameSite::none:
            out += "; SameSite=None";
            break;
    }
    return out;
}

Result<std::string, CookieError> format_delete_cookie(const SetCookie& c) {
    SetCookie d = c;
    d.value.clear();
    d.max_age = std::chrono::seconds(0);
    return format_set_cookie(d);
}

}  // namespace gk::httpauth
