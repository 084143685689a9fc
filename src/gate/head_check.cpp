// Raw request-head checks. Order of work: byte-level line endings first (so a
// bare LF can never split a line differently from Beast), then the request
// line, then each field line, then the framing rules that need all fields.
#include "gatekeeper/gate/head_check.hpp"

#include <limits>

#include "gatekeeper/gate/path.hpp"

namespace gk::gate {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool is_tchar(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~':
            return true;
        default:
            return false;
    }
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(static_cast<unsigned char>(c))) return false;
    return true;
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// Every CR is followed by LF and every LF follows a CR; no NUL. The first
// offending byte decides the error.
std::optional<HeadError> scan_bytes(std::string_view raw) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '\0') return HeadError::nul;
        if (c == '\r' && (i + 1 >= raw.size() || raw[i + 1] != '\n')) return HeadError::bare_cr;
        if (c == '\n' && (i == 0 || raw[i - 1] != '\r')) return HeadError::bare_lf;
    }
    return std::nullopt;
}

// method SP request-target SP HTTP-version, single spaces, nothing else.
std::optional<HeadError> parse_request_line(std::string_view line, HeadFacts& f) {
    const auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return HeadError::bad_request_line;  // HTTP/0.9 or junk
    const std::string_view method = line.substr(0, sp1);
    const std::string_view rest = line.substr(sp1 + 1);
    const auto sp2 = rest.find(' ');
    if (sp2 == std::string_view::npos) return HeadError::bad_request_line;
    const std::string_view target = rest.substr(0, sp2);
    const std::string_view version = rest.substr(sp2 + 1);
    if (!is_token(method) || target.empty() || version.find(' ') != std::string_view::npos)
        return HeadError::bad_request_line;
    for (char ch : target) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F) return HeadError::bad_request_line;  // RFC 9112 targets are VCHAR
    }
    if (version == "HTTP/1.1") {
        f.version_minor = 1;
    } else if (version == "HTTP/1.0") {
        f.version_minor = 0;
    } else {
        return version.substr(0, 5) == "HTTP/" ? HeadError::bad_version : HeadError::bad_request_line;
    }
    f.version_major = 1;
    f.method = std::string(method);
    f.target = std::string(target);
    return std::nullopt;
}

// 1*DIGIT, at most 2^63-1 (what an off_t / int64 on the other side can hold).
std::optional<std::uint64_t> parse_content_length(std::string_view v) {
    if (v.empty()) return std::nullopt;
    constexpr std::uint64_t kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t n = 0;
    for (char ch : v) {
        if (ch < '0' || ch > '9') return std::nullopt;
        const auto d = static_cast<std::uint64_t>(ch - '0');
        if (n > (kMax - d) / 10) return std::nullopt;
        n = n * 10 + d;
    }
    return n;
}

struct FieldState {
    bool host_seen = false;
    bool te_seen = false;
    bool cl_seen = false;
    bool authorization_seen = false;
    bool proxy_authorization_seen = false;
};

std::optional<HeadError> check_field(std::string_view line, bool first_field, FieldState& st, HeadFacts& f) {
    if (is_ows(line.front()))
        return first_field ? HeadError::leading_whitespace_line : HeadError::obs_fold;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return HeadError::bad_header_name;
    const std::string_view name = line.substr(0, colon);
    if (is_ows(name.back())) return HeadError::space_before_colon;
    if (!is_token(name)) return HeadError::bad_header_name;
    if (name.find('_') != std::string_view::npos) return HeadError::underscore_in_name;

    const std::string_view value = trim_ows(line.substr(colon + 1));
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F) return HeadError::bad_header_value;  // obs-text is fine
    }

    if (iequals(name, "content-length")) {
        if (st.cl_seen || value.find(',') != std::string_view::npos) return HeadError::multiple_cl;
        st.cl_seen = true;
        auto n = parse_content_length(value);
        if (!n) return HeadError::bad_cl;
        f.content_length = *n;
    } else if (iequals(name, "transfer-encoding")) {
        // A second line is a list ("chunked, chunked") spread over two lines.
        if (st.te_seen || !iequals(value, "chunked")) return HeadError::te_not_chunked;
        st.te_seen = true;
        f.chunked = true;
    } else if (iequals(name, "host")) {
        if (st.host_seen) return HeadError::multiple_host;
        st.host_seen = true;
        if (!value.empty() && !is_valid_authority(value)) return HeadError::bad_header_value;
        f.host = std::string(value);
    } else if (iequals(name, "authorization")) {
        // A singleton field (RFC 9110 11.6.2): an auth proxy and its upstream
        // must never be able to pick different lines.
        if (st.authorization_seen) return HeadError::multiple_credentials;
        st.authorization_seen = true;
    } else if (iequals(name, "proxy-authorization")) {
        if (st.proxy_authorization_seen) return HeadError::multiple_credentials;
        st.proxy_authorization_seen = true;
    }
    return std::nullopt;
}

}  // namespace

const char* to_string(HeadError e) noexcept {
    switch (e) {
        case HeadError::bare_lf: return "bare LF line ending";
        case HeadError::bare_cr: return "bare CR";
        case HeadError::nul: return "NUL byte in request head";
        case HeadError::obs_fold: return "obsolete line folding";
        case HeadError::space_before_colon: return "whitespace between field name and colon";
        case HeadError::leading_whitespace_line: return "whitespace before the first header field";
        case HeadError::bad_request_line: return "malformed request line";
        case HeadError::bad_version: return "unsupported HTTP version";
        case HeadError::te_not_chunked: return "Transfer-Encoding other than chunked";
        case HeadError::te_with_http10: return "Transfer-Encoding on HTTP/1.0";
        case HeadError::te_and_cl: return "both Transfer-Encoding and Content-Length";
        case HeadError::multiple_cl: return "multiple Content-Length values";
        case HeadError::bad_cl: return "malformed Content-Length";
        case HeadError::multiple_host: return "multiple Host fields";
        case HeadError::missing_host: return "missing Host field";
        case HeadError::multiple_credentials: return "multiple Authorization fields";
        case HeadError::bad_header_name: return "malformed header field name";
        case HeadError::bad_header_value: return "malformed header field value";
        case HeadError::underscore_in_name: return "underscore in header field name";
        case HeadError::incomplete: return "request head does not end with exactly one empty line";
    }
    return "unknown head error";
}

Result<HeadFacts, HeadError> check_request_head(std::string_view raw_head) {
    if (auto bad = scan_bytes(raw_head)) return fail(*bad);
    if (raw_head.size() < 4 || raw_head.substr(raw_head.size() - 4) != "\r\n\r\n")
        return fail(HeadError::incomplete);

    // Drop the terminating empty line; every remaining line ends in CRLF.
    std::string_view lines = raw_head.substr(0, raw_head.size() - 2);
    HeadFacts f;
    FieldState st;
    bool request_line = true;
    bool first_field = true;
    while (!lines.empty()) {
        const auto eol = lines.find(kCrlf);  // never npos: lines ends with CRLF
        const std::string_view line = lines.substr(0, eol);
        lines.remove_prefix(eol + kCrlf.size());
        if (request_line) {
            if (line.empty()) return fail(HeadError::bad_request_line);
            if (auto bad = parse_request_line(line, f)) return fail(*bad);
            request_line = false;
            continue;
        }
        if (line.empty()) return fail(HeadError::incomplete);  // a second head or body bytes
        if (auto bad = check_field(line, first_field, st, f)) return fail(*bad);
        first_field = false;
    }

    if (st.te_seen && st.cl_seen) return fail(HeadError::te_and_cl);
    if (st.te_seen && f.version_minor == 0) return fail(HeadError::te_with_http10);
    if (f.version_minor == 1 && !st.host_seen) return fail(HeadError::missing_host);
    return f;
}

bool request_line_too_long(std::string_view buffered, std::size_t limit) noexcept {
    const auto eol = buffered.find(kCrlf);
    // No line end yet in a buffer at the limit: the request line is at least that long.
    if (eol == std::string_view::npos) return buffered.size() >= limit;
    return eol + kCrlf.size() > limit;
}

}  // namespace gk::gate
