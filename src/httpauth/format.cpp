// Writing challenges, and the small shared helpers of the grammar.
#include <string>

#include "gatekeeper/httpauth/challenge.hpp"
#include "httpauth/chars.hpp"

namespace gk::httpauth {
namespace {

void append_value(std::string& out, const AuthParam& p) {
    if (!p.quoted && is_token(p.value)) {
        out += p.value;
        return;
    }
    out.push_back('"');
    for (char ch : p.value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
            // A CTL cannot be written in a field value at all (not even as a
            // quoted-pair), and CR/LF would split the response header: write SP.
            out.push_back(' ');
        } else {
            out.push_back(ch);
        }
    }
    out.push_back('"');
}

}  // namespace

const AuthParam* Challenge::param(std::string_view lower_name) const {
    for (const auto& p : params) {
        if (p.name == lower_name) return &p;
    }
    return nullptr;
}

const char* to_string(ParseError e) noexcept {
    switch (e) {
        case ParseError::empty: return "empty field value";
        case ParseError::bad_scheme: return "auth-scheme is not a token or is not followed by SP, comma or end";
        case ParseError::bad_token68: return "malformed token68";
        case ParseError::bad_param: return "malformed auth-param";
        case ParseError::bad_quoted_string: return "malformed quoted-string";
        case ParseError::trailing_garbage: return "unexpected text after an element";
        case ParseError::too_long: return "field value too long";
    }
    return "unknown parse error";
}

std::size_t token68_run(std::string_view s) noexcept {
    return detail::class_run(detail::kClass<detail::is_token68_rule>, s, 0);
}

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        if (!detail::is_tchar(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (detail::to_lower(a[i]) != detail::to_lower(b[i])) return false;
    }
    return true;
}

std::string format_challenge(const Challenge& c) {
    std::string out = c.scheme;
    if (c.token68) {
        out.push_back(' ');
        out += *c.token68;
        return out;
    }
    for (std::size_t i = 0; i < c.params.size(); ++i) {
        out += i == 0 ? " " : ", ";
        out += c.params[i].name;
        out.push_back('=');
        append_value(out, c.params[i]);
    }
    return out;
}

std::string format_challenges(const std::vector<Challenge>& cs) {
    std::string out;
    for (std::size_t i = 0; i < cs.size(); ++i) {
        if (i) out += ", ";
        out += format_challenge(cs[i]);
    }
    return out;
}

}  // namespace gk::httpauth
