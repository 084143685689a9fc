// RFC 7616 section 3.4 credentials -> DigestCredentials. Strict so that one
// header value has exactly one meaning: every parameter at most once, the
// fixed-format fields (nc, response, qop, algorithm) in their exact grammar,
// and the user name well-formed UTF-8 whichever way it was sent.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "gatekeeper/schemes/digest.hpp"
#include "gatekeeper/httpauth/utf8.hpp"

namespace gk::schemes {
namespace {

bool is_hex(char ch) noexcept {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

unsigned hex_value(char ch) noexcept {
    if (ch >= '0' && ch <= '9') return static_cast<unsigned>(ch - '0');
    if (ch >= 'a' && ch <= 'f') return static_cast<unsigned>(ch - 'a' + 10);
    return static_cast<unsigned>(ch - 'A' + 10);
}

char lower(char ch) noexcept { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch; }

bool all_hex(std::string_view s) noexcept { return std::all_of(s.begin(), s.end(), is_hex); }

std::string lower_copy(std::string_view s) {
    std::string out(s);
    for (auto& ch : out) ch = lower(ch);
    return out;
}

bool has_ctl(std::string_view s) noexcept {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7F;
    });
}

// attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
bool is_attr_char(char ch) noexcept {
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) return true;
    return std::string_view("!#$&+-.^_`|~").find(ch) != std::string_view::npos;
}

// RFC 8187 ext-value = charset "'" [ language ] "'" value-chars, UTF-8 only
// (section 3.2.1: recipients must support UTF-8; we advertise charset=UTF-8).
// Returns the decoded octets, or nullopt.
std::optional<std::string> decode_ext_value(std::string_view v) {
    const auto q1 = v.find('\'');
    if (q1 == std::string_view::npos || !httpauth::iequals(v.substr(0, q1), "UTF-8")) return std::nullopt;
    const auto q2 = v.find('\'', q1 + 1);
    if (q2 == std::string_view::npos) return std::nullopt;
    // Language-Tag (RFC 5646) is only ALPHA / DIGIT / "-"; it is not used.
    for (char ch : v.substr(q1 + 1, q2 - q1 - 1)) {
        const bool alnum = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && ch != '-') return std::nullopt;
    }
    std::string out;
    for (std::size_t i = q2 + 1; i < v.size(); ++i) {
        const char ch = v[i];
        if (ch == '%') {
            if (i + 2 >= v.size()) return std::nullopt;
            if (!is_hex(v[i + 1]) || !is_hex(v[i + 2])) return std::nullopt;
            out.push_back(static_cast<char>(hex_value(v[i + 1]) * 16 + hex_value(v[i + 2])));
            i += 2;
        } else if (is_attr_char(ch)) {
            out.push_back(ch);
        } else {
            return std::nullopt;
        }
    }
    return out;
}

// The parameters this parser reads, in one place so presence and duplicate
// handling cannot drift apart.
enum Field : std::size_t { username, username_ext, realm, nonce, uri, response, algorithm, cnonce, opaque,
                           qop, nc, userhash, kFieldCount };
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "username", "username*", "realm", "nonce", "uri", "response", "algorithm", "cnonce", "opaque",
    "qop", "nc", "userhash"};

using Fields = std::array<const httpauth::AuthParam*, kFieldCount>;

// Collects the known parameters; refuses duplicates of ANY name (RFC 9110
// section 11.2), oversized values, and unknown ones are otherwise ignored.
Result<Fields, DigestError> collect(const std::vector<httpauth::AuthParam>& params) {
    std::vector<std::string_view> names;
    names.reserve(params.size());
    Fields f{};
    for (const auto& p : params) {
        if (p.value.size() > kMaxDigestParam) return fail(DigestError::too_long);
        names.push_back(p.name);  // already lower-case
        for (std::size_t i = 0; i < kFieldCount; ++i) {
            if (p.name == kFieldNames[i]) f[i] = &p;
        }
    }
    std::sort(names.begin(), names.end());
    if (std::adjacent_find(names.begin(), names.end()) != names.end()) return fail(DigestError::duplicate_param);
    return f;
}

// username / username* / userhash -> (user, userhash), checked against the algorithm.
Result<Ok, DigestError> read_username(const Fields& f, DigestAlgorithm alg, DigestCredentials& out) {
    if (f[userhash]) {
        const std::string_view v = f[userhash]->value;
        if (httpauth::iequals(v, "true")) {
            out.userhash = true;
        } else if (!httpauth::iequals(v, "false")) {
            return fail(DigestError::bad_userhash);
        }
    }
    if (f[username_ext]) {
        // ext-value is token syntax; hashed names are ASCII hex and never need it.
        if (f[username_ext]->quoted || out.userhash) return fail(DigestError::bad_username);
        auto decoded = decode_ext_value(f[username_ext]->value);
        if (!decoded) return fail(DigestError::bad_username);
        out.username = std::move(*decoded);
    } else {
        out.username = f[username]->value;
    }
    if (out.userhash) {
        if (out.username.size() != hex_length(alg) || !all_hex(out.username)) return fail(DigestError::bad_username);
        out.username = lower_copy(out.username);
    }
    if (has_ctl(out.username) || !httpauth::is_utf8(out.username)) return fail(DigestError::bad_username);
    return Ok{};
}

}  // namespace

const char* to_string(DigestError e) noexcept {
    switch (e) {
        case DigestError::not_digest: return "scheme is not Digest";
        case DigestError::not_params: return "Digest credentials without auth-params";
        case DigestError::missing_param: return "Digest credentials lack a required parameter";
        case DigestError::duplicate_param: return "Digest credentials repeat a parameter";
        case DigestError::too_long: return "Digest parameter value too long";
        case DigestError::bad_username: return "Digest username is malformed";
        case DigestError::bad_userhash: return "Digest userhash is neither true nor false";
        case DigestError::bad_algorithm: return "Digest algorithm is not supported";
        case DigestError::bad_qop: return "Digest qop is not auth or auth-int";
        case DigestError::bad_nc: return "Digest nc is not 8 hex digits";
        case DigestError::bad_response: return "Digest response has the wrong form";
    }
    return "unknown Digest error";
}

const char* to_string(DigestCredentials::Qop q) noexcept {
    return q == DigestCredentials::Qop::auth_int ? "auth-int" : "auth";
}

Result<DigestCredentials, DigestError> parse_digest(const httpauth::Credentials& c) {
    if (!httpauth::iequals(c.scheme, "Digest")) return fail(DigestError::not_digest);
    if (c.token68) return fail(DigestError::not_params);
    auto fields = collect(c.params);
    if (!fields) return fail(fields.error());
    const Fields& f = fields.value();
    // 3.4: sending both MUST be treated as an error, whatever else is wrong.
    if (f[username] && f[username_ext]) return fail(DigestError::bad_username);

    // Presence first, so the error names the most basic problem. nonce, uri
    // and cnonce have no meaningful empty value; an empty user or realm is
    // well-formed and simply matches no account.
    if (!f[username] && !f[username_ext]) return fail(DigestError::missing_param);
    for (Field k : {realm, nonce, uri, response, qop, cnonce, nc}) {
        if (!f[k]) return fail(DigestError::missing_param);
    }
    for (Field k : {nonce, uri, cnonce}) {
        if (f[k]->value.empty()) return fail(DigestError::missing_param);
    }

    DigestCredentials out;
    if (f[algorithm]) {
        auto alg = parse_digest_algorithm(f[algorithm]->value);
        if (!alg) return fail(DigestError::bad_algorithm);
        out.algorithm = *alg;
    }  // absent: MD5 (3.3)

    // The qop text enters the response as sent, so only the exact lower-case
    // tokens are accepted: "AUTH" would hash differently from what we compute.
    const std::string_view qop_v = f[qop]->value;
    if (qop_v == "auth") {
        out.qop = DigestCredentials::Qop::auth;
    } else if (qop_v == "auth-int") {
        out.qop = DigestCredentials::Qop::auth_int;
    } else {
        return fail(DigestError::bad_qop);
    }

    // nc-value = 8LHEX (3.4). Upper-case digits are accepted too: the text is
    // kept as sent for the hash, and replay tracking uses the number.
    const std::string_view nc_v = f[nc]->value;
    if (nc_v.size() != 8 || !all_hex(nc_v)) return fail(DigestError::bad_nc);
    std::uint32_t count = 0;
    for (char ch : nc_v) count = count * 16 + hex_value(ch);
    if (count == 0) return fail(DigestError::bad_nc);  // the first request with a nonce is 00000001
    out.nc = count;
    out.nc_text = std::string(nc_v);

    const std::string_view resp = f[response]->value;
    if (resp.size() != hex_length(out.algorithm) || !all_hex(resp)) return fail(DigestError::bad_response);
    out.response = lower_copy(resp);

    if (auto u = read_username(f, out.algorithm, out); !u) return fail(u.error());
    out.realm = f[realm]->value;
    out.nonce = f[nonce]->value;
    out.uri = f[uri]->value;
    out.cnonce = f[cnonce]->value;
    if (f[opaque]) out.opaque = f[opaque]->value;
    return out;
}

}  // namespace gk::schemes
