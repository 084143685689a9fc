#pragma once
// Character classes of RFC 9110 section 5.6 used by the auth grammar.
#include <array>
#include <string_view>

namespace gk::httpauth::detail {

constexpr bool is_alpha(unsigned char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
constexpr bool is_tchar_rule(unsigned char c) noexcept {
    if (is_alpha(c) || is_digit(c)) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~':
            return true;
        default:
            return false;
    }
}

// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
constexpr bool is_token68_rule(unsigned char c) noexcept {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

// The two classes every credential is scanned with, as tables built from the
// rules above: one load per character instead of a chain of comparisons (a
// Bearer JWT is several hundred characters of token68).
template <bool (*Rule)(unsigned char)>
inline constexpr std::array<bool, 256> kClass = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[static_cast<std::size_t>(c)] = Rule(static_cast<unsigned char>(c));
    return t;
}();

constexpr bool is_tchar(unsigned char c) noexcept { return kClass<is_tchar_rule>[c]; }

// Length of the run of `table` characters in s from `from` on. Eight table
// loads per test and branch: credentials are long runs of one class.
inline std::size_t class_run(const std::array<bool, 256>& table, std::string_view s, std::size_t from) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t i = from;
    for (; i + 8 <= s.size(); i += 8) {
        // Bitwise, not &&: no branch per character (unsigned first, so that no
        // two bools meet under '&').
        const unsigned all = static_cast<unsigned>(table[p[i]]) & table[p[i + 1]] & table[p[i + 2]] &
                             table[p[i + 3]] & table[p[i + 4]] & table[p[i + 5]] & table[p[i + 6]] &
                             table[p[i + 7]];
        if (!all) break;
    }
    while (i < s.size() && table[p[i]]) ++i;
    return i - from;
}
constexpr bool is_token68_char(unsigned char c) noexcept { return kClass<is_token68_rule>[c]; }

constexpr bool is_ows(unsigned char c) noexcept { return c == ' ' || c == '\t'; }

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
constexpr bool is_qdtext(unsigned char c) noexcept {
    return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) || c >= 0x80;
}

// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
constexpr bool is_quotable(unsigned char c) noexcept { return c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7F); }

constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace gk::httpauth::detail
