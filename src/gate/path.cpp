// Request-target normalization. Every choice here leans towards "the string we
// match is the string the upstream will act on": anything two servers could
// read differently (encoded '/', ';' parameters, double decoding, overlong
// UTF-8, ".." games) is refused rather than guessed.
#include "gatekeeper/gate/path.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace gk::gate {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

constexpr bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
constexpr bool is_unreserved(unsigned char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int hex_value(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Printable ASCII that RFC 3986 does not allow raw in a path. Clients send some
// of them anyway (WHATWG URLs leave | ^ [ ] alone); encoding them makes the raw
// and the %XX spelling one string for matching, without changing the meaning.
constexpr bool must_encode(unsigned char c) {
    switch (c) {
        case '"': case '<': case '>': case '[': case ']':
        case '^': case '`': case '{': case '|': case '}':
            return true;
        default:
            return false;
    }
}

void append_escape(std::string& out, unsigned char v) {
    out += '%';
    out += kHex[v >> 4];
    out += kHex[v & 0xF];
}

// Bytes that are wrong anywhere in a request-target, path or query: RFC 9112
// targets are ASCII without whitespace, and a fragment is never sent.
std::optional<PathError> scan_target_bytes(std::string_view t) {
    for (char ch : t) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80) return PathError::not_origin_form;
        if (c <= 0x20 || c == 0x7F) return PathError::nul_or_ctl;
        if (c == '#') return PathError::fragment;
    }
    return std::nullopt;
}

// Validates UTF-8 formed by consecutive %XX escapes >= %80, byte by byte.
// The ranges for the second byte exclude overlongs (C0, C1, E0 80-9F,
// F0 80-8F), surrogates (ED A0-BF) and code points above U+10FFFF (F4 90+).
class Utf8Check {
public:
    [[nodiscard]] bool pending() const { return need_ > 0; }

    bool feed(unsigned char b) {
        if (need_ == 0) return lead(b);
        if (b < lo_ || b > hi_) return false;
        lo_ = 0x80;
        hi_ = 0xBF;
        --need_;
        return true;
    }

private:
    bool lead(unsigned char b) {
        lo_ = 0x80;
        hi_ = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) need_ = 1;
        else if (b == 0xE0) { need_ = 2; lo_ = 0xA0; }
        else if (b == 0xED) { need_ = 2; hi_ = 0x9F; }
        else if (b >= 0xE1 && b <= 0xEF) need_ = 2;
        else if (b == 0xF0) { need_ = 3; lo_ = 0x90; }
        else if (b >= 0xF1 && b <= 0xF3) need_ = 3;
        else if (b == 0xF4) { need_ = 3; hi_ = 0x8F; }
        else return false;  // 80-BF continuation without lead, C0/C1 overlong, F5-FF
        return true;
    }

    int need_ = 0;
    unsigned char lo_ = 0x80;
    unsigned char hi_ = 0xBF;
};

// Pass 1: decode unreserved escapes once, canonicalize the rest. The output
// contains '/' only where the client wrote a raw '/', so it can be split on '/'.
Result<std::string, PathError> decode_path(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    Utf8Check utf8;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const auto c = static_cast<unsigned char>(raw[i]);
        if (c == '%') {
            if (i + 2 >= raw.size()) return fail(PathError::bad_percent);
            const int hi = hex_value(raw[i + 1]);
            const int lo = hex_value(raw[i + 2]);
            if (hi < 0 || lo < 0) return fail(PathError::bad_percent);
            i += 2;
            const auto v = static_cast<unsigned char>(hi * 16 + lo);
            if (v >= 0x80) {
                if (!utf8.feed(v)) return fail(PathError::bad_utf8);
                append_escape(out, v);
                continue;
            }
            if (utf8.pending()) return fail(PathError::bad_utf8);
            if (v == '/') return fail(PathError::encoded_slash);
            if (v == '\\') return fail(PathError::encoded_backslash);
            if (v < 0x20 || v == 0x7F) return fail(PathError::nul_or_ctl);
            // Some servlet containers decode before stripping path parameters,
            // so an encoded ';' is as dangerous as a raw one.
            if (v == ';') return fail(PathError::path_parameter);
            if (is_unreserved(v)) out += static_cast<char>(v);
            else append_escape(out, v);
            continue;
        }
        if (utf8.pending()) return fail(PathError::bad_utf8);
        if (c == ';') return fail(PathError::path_parameter);
        if (c == '\\') return fail(PathError::encoded_backslash);  // some servers read it as '/'
        if (must_encode(c)) append_escape(out, c);
        else out += static_cast<char>(c);
    }
    if (utf8.pending()) return fail(PathError::bad_utf8);
    return out;
}

// Pass 2: RFC 3986 5.2.4 on segments, merging empty segments ("//"). ".." above
// the root is an error, not clamped: a client that sends it is probing.
Result<std::string, PathError> remove_dot_segments(std::string_view decoded) {
    std::vector<std::string_view> stack;
    bool trailing_slash = false;
    std::size_t start = 1;  // decoded[0] == '/'
    for (;;) {
        const std::size_t slash = decoded.find('/', start);
        const bool last = slash == std::string_view::npos;
        const std::string_view seg =
            decoded.substr(start, last ? std::string_view::npos : slash - start);
        if (seg.empty() || seg == ".") {
            if (last) trailing_slash = true;
        } else if (seg == "..") {
            // RFC 3986 5.2.4: ".." at the root stays at the root (SECURITY.md P2/P4).
            if (!stack.empty()) stack.pop_back();
            if (last) trailing_slash = true;
        } else {
            stack.push_back(seg);
        }
        if (last) break;
        start = slash + 1;
    }
    std::string out;
    out.reserve(decoded.size());
    for (auto seg : stack) {
        out += '/';
        out += seg;
    }
    if (out.empty() || trailing_slash) out += '/';
    return out;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same(std::string_view a, std::string_view b, bool case_insensitive) {
    if (a.size() != b.size()) return false;
    if (!case_insensitive) return a == b;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

}  // namespace

const char* to_string(PathError e) noexcept {
    switch (e) {
        case PathError::empty: return "empty request target";
        case PathError::not_origin_form: return "malformed request target (not /path or http(s)://host/path, or not ASCII)";
        case PathError::fragment: return "fragment ('#') in request target";
        case PathError::bad_percent: return "malformed percent-encoding";
        case PathError::encoded_slash: return "encoded slash (%2F) in path";
        case PathError::encoded_backslash: return "backslash or encoded backslash (%5C) in path";
        case PathError::nul_or_ctl: return "NUL, control character or space in request target";
        case PathError::bad_utf8: return "percent-encoded bytes are not valid UTF-8";
        case PathError::path_parameter: return "';' path parameter in path";
        case PathError::too_long: return "request target too long";
    }
    return "unknown path error";
}

Result<SplitTarget, PathError> normalize_target(std::string_view request_target, std::size_t max_len) {
    if (request_target.empty()) return fail(PathError::empty);
    if (request_target.size() > max_len) return fail(PathError::too_long);
    if (auto bad = scan_target_bytes(request_target)) return fail(*bad);
    if (request_target.front() != '/') return fail(PathError::not_origin_form);

    const std::size_t q = request_target.find('?');
    const std::string_view raw_path = request_target.substr(0, q);
    auto decoded = decode_path(raw_path);
    if (!decoded) return fail(decoded.error());
    auto path = remove_dot_segments(decoded.value());
    if (!path) return fail(path.error());

    SplitTarget out;
    out.path = std::move(path).value();
    if (q != std::string_view::npos) out.query = std::string(request_target.substr(q + 1));
    return out;
}

Result<AbsoluteTarget, PathError> split_absolute_form(std::string_view target) {
    if (target.empty()) return fail(PathError::empty);
    if (auto bad = scan_target_bytes(target)) return fail(*bad);
    const std::size_t sep = target.find("://");
    if (sep == std::string_view::npos) return fail(PathError::not_origin_form);

    AbsoluteTarget out;
    for (char c : target.substr(0, sep)) out.scheme += lower(c);
    if (out.scheme != "http" && out.scheme != "https") return fail(PathError::not_origin_form);

    const std::string_view rest = target.substr(sep + 3);
    const std::size_t end = rest.find_first_of("/?");
    out.authority = std::string(rest.substr(0, end));
    // Userinfo ("user@host") is deprecated for http(s) (RFC 9110 4.2.4) and a
    // classic way to make a human or a parser read the wrong host.
    if (!is_valid_authority(out.authority)) return fail(PathError::not_origin_form);

    const std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (tail.empty() || tail.front() == '?') out.path_and_query = "/";
    out.path_and_query += tail;
    return out;
}

bool is_valid_authority(std::string_view a) noexcept {
    std::string_view host = a;
    std::string_view port;
    if (!a.empty() && a.front() == '[') {
        const auto close = a.find(']');
        if (close == std::string_view::npos || close < 2) return false;
        for (char ch : a.substr(1, close - 1)) {
            const auto c = static_cast<unsigned char>(ch);
            if (hex_value(ch) < 0 && c != ':' && c != '.') return false;
        }
        const std::string_view rest = a.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            port = rest.substr(1);
            if (port.empty()) return false;
        }
    } else {
        const auto colon = a.find(':');
        if (colon != std::string_view::npos) {
            host = a.substr(0, colon);
            port = a.substr(colon + 1);
            if (port.empty()) return false;
        }
        if (host.empty()) return false;
        for (char ch : host)
            if (!is_unreserved(static_cast<unsigned char>(ch))) return false;
    }
    if (port.size() > 5) return false;
    for (char ch : port)
        if (!is_digit(static_cast<unsigned char>(ch))) return false;
    return true;
}

bool path_has_prefix(std::string_view path, std::string_view prefix, bool case_insensitive) noexcept {
    if (prefix.empty()) return false;
    if (prefix.back() == '/') {
        const std::string_view bare = prefix.substr(0, prefix.size() - 1);
        if (!bare.empty() && same(path, bare, case_insensitive)) return true;
        return path.size() >= prefix.size() && same(path.substr(0, prefix.size()), prefix, case_insensitive);
    }
    if (path.size() < prefix.size()) return false;
    if (!same(path.substr(0, prefix.size()), prefix, case_insensitive)) return false;
    return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace gk::gate
