#include "gatekeeper/issuer/return_url.hpp"

#include <algorithm>

namespace gk::issuer {

const char* to_string(ReturnUrlError e) noexcept {
    switch (e) {
        case ReturnUrlError::empty:
            return "empty return URL";
        case ReturnUrlError::too_long:
            return "return URL too long";
        case ReturnUrlError::bad_character:
            return "return URL holds a control, space or non-ASCII character";
        case ReturnUrlError::backslash:
            return "return URL holds a backslash";
        case ReturnUrlError::scheme_relative:
            return "scheme-relative return URL";
        case ReturnUrlError::not_path_absolute:
            return "return URL is neither a path nor an absolute URL";
        case ReturnUrlError::bad_scheme:
            return "return URL scheme is not http or https";
        case ReturnUrlError::userinfo:
            return "return URL holds userinfo";
        case ReturnUrlError::bad_host:
            return "return URL host is malformed";
        case ReturnUrlError::host_not_allowed:
            return "return URL host is not allowed";
        case ReturnUrlError::bad_percent:
            return "return URL has a malformed percent-escape";
        case ReturnUrlError::encoded_trick:
            return "return URL decodes to a scheme-relative or control character";
    }
    return "return URL error";
}

namespace {

constexpr int kMaxDecodeRounds = 4;

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// One round of percent-decoding. Strict rounds fail on a malformed escape;
// lenient rounds (the second and later) keep it literally, since "%25zz"
// legitimately decodes once to "%zz".
bool decode_once(std::string_view in, std::string& out, bool strict) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%') {
            const int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
            const int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
            if (strict) return false;
        }
        out += in[i];
    }
    return true;
}

bool starts_scheme_relative(std::string_view p) noexcept {
    return p.size() >= 2 && p[0] == '/' && (p[1] == '/' || p[1] == '\\');
}

bool has_control(std::string_view p) noexcept {
    return std::any_of(p.begin(), p.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7F;
    });
}

// The path-query-fragment part (possibly empty for absolute URLs). The raw
// text is already printable ASCII without '\'; what decoding reveals is checked
// here, repeatedly, because the application behind may decode again.
Result<Ok, ReturnUrlError> check_rest(std::string_view rest, bool relative) {
    std::string cur(rest), next;
    for (int round = 0; round < kMaxDecodeRounds; ++round) {
        if (!decode_once(cur, next, round == 0)) return fail(ReturnUrlError::bad_percent);
        if (next == cur) break;
        if (has_control(next) || next.find('\\') != std::string::npos)
            return fail(ReturnUrlError::encoded_trick);
        if (relative && starts_scheme_relative(next)) return fail(ReturnUrlError::encoded_trick);
        cur.swap(next);
    }
    return Ok{};
}

bool is_reg_name_char(char c) noexcept { return is_alpha(c) || is_digit(c) || c == '-' || c == '.'; }

// host [ ":" port ] with host a reg-name of letters/digits/'-'/'.' or an
// IPv6 literal; lower-cased into `host` and `port` (port may be empty).
bool split_authority(std::string_view auth, std::string& host, std::string& port) {
    std::string_view h = auth, p;
    if (!auth.empty() && auth.front() == '[') {
        const auto close = auth.find(']');
        if (close == std::string_view::npos || close < 3) return false;
        h = auth.substr(0, close + 1);
        const auto inner = auth.substr(1, close - 1);
        if (!std::all_of(inner.begin(), inner.end(), [](char c) {
                return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f') || c == ':' || c == '.';
            }))
            return false;
        const auto after = auth.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return false;
            p = after.substr(1);
            if (p.empty()) return false;
        }
    } else {
        const auto colon = auth.find(':');
        if (colon != std::string_view::npos) {
            h = auth.substr(0, colon);
            p = auth.substr(colon + 1);
            if (p.empty()) return false;
        }
        if (h.empty() || h.size() > 253 || !std::all_of(h.begin(), h.end(), is_reg_name_char)) return false;
        if (h.front() == '.' || h.front() == '-' || h.back() == '.' || h.find("..") != std::string_view::npos)
            return false;
    }
    if (p.size() > 5 || !std::all_of(p.begin(), p.end(), is_digit)) return false;
    unsigned long n = 0;
    for (const char c : p) n = n * 10 + static_cast<unsigned long>(c - '0');
    if (!p.empty() && (n == 0 || n > 65535)) return false;
    host.clear();
    for (const char c : h) host += lower(c);
    port = std::string(p);
    return true;
}

bool host_allowed(const std::string& host, const std::string& port, std::string_view scheme,
                  const std::vector<std::string>& allowed) {
    const std::string_view default_port = scheme == "https" ? "443" : "80";
    for (const auto& entry : allowed) {
        if (port.empty() || port == default_port) {
            if (entry == host) return true;
        }
        if (!port.empty() && entry.size() == host.size() + 1 + port.size() && entry.starts_with(host) &&
            entry[host.size()] == ':' && std::string_view(entry).substr(host.size() + 1) == port)
            return true;
    }
    return false;
}

}  // namespace

Result<std::string, ReturnUrlError> check_return_url(std::string_view url,
                                                     const std::vector<std::string>& allowed_hosts) {
    if (url.empty()) return fail(ReturnUrlError::empty);
    if (url.size() > kMaxReturnUrl) return fail(ReturnUrlError::too_long);
    for (const char ch : url) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F) return fail(ReturnUrlError::bad_character);
    }
    if (url.find('\\') != std::string_view::npos) return fail(ReturnUrlError::backslash);

    if (url.front() == '/') {
        if (url.size() >= 2 && url[1] == '/') return fail(ReturnUrlError::scheme_relative);
        if (auto ok = check_rest(url, true); !ok) return fail(ok.error());
        return std::string(url);
    }

    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"  (RFC 3986 section 3.1)
    std::size_t i = 0;
    while (i < url.size() && (is_alpha(url[i]) || (i > 0 && (is_digit(url[i]) || url[i] == '+' ||
                                                             url[i] == '-' || url[i] == '.'))))
        ++i;
    if (i == 0 || i == url.size() || url[i] != ':') return fail(ReturnUrlError::not_path_absolute);
    std::string scheme;
    for (const char c : url.substr(0, i)) scheme += lower(c);
    if (scheme != "http" && scheme != "https") return fail(ReturnUrlError::bad_scheme);
    std::string_view rest = url.substr(i + 1);
    if (!rest.starts_with("//")) return fail(ReturnUrlError::bad_scheme);
    rest.remove_prefix(2);

    const auto end = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, end);
    const auto tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    if (authority.find('@') != std::string_view::npos) return fail(ReturnUrlError::userinfo);
    std::string host, port;
    if (!split_authority(authority, host, port)) return fail(ReturnUrlError::bad_host);
    if (!host_allowed(host, port, scheme, allowed_hosts)) return fail(ReturnUrlError::host_not_allowed);
    if (auto ok = check_rest(tail, false); !ok) return fail(ok.error());

    std::string out = scheme + "://" + host;
    if (!port.empty()) out += ":" + port;
    out += tail;
    return out;
}

std::string safe_return_url(std::string_view url, const std::vector<std::string>& allowed_hosts,
                            std::string_view fallback) {
    auto r = check_return_url(url, allowed_hosts);
    return r ? std::move(r).value() : std::string(fallback);
}

}  // namespace gk::issuer
