#pragma once
// RFC 9110 section 11 grammar: challenges (WWW-Authenticate, Proxy-Authenticate)
// and credentials (Authorization). Sans-I/O: string_view in, value or error out.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::httpauth {

struct AuthParam {
    std::string name;    // lower-cased (auth-param names are case-insensitive)
    std::string value;   // unquoted, escapes resolved
    bool quoted = false; // how it was (or should be) written
};

// One challenge or one credentials value: a scheme with either a token68 or params.
struct Challenge {
    std::string scheme;                 // as written; compare case-insensitively
    std::optional<std::string> token68;
    std::vector<AuthParam> params;

    // First param with this (lower-case) name, or nullptr.
    [[nodiscard]] const AuthParam* param(std::string_view lower_name) const;
};
using Credentials = Challenge;

enum class ParseError {
    empty,              // nothing but whitespace
    bad_scheme,         // scheme is not a token
    bad_token68,        // token68 malformed
    bad_param,          // auth-param malformed (missing '=', bad name, ...)
    bad_quoted_string,  // unterminated, bad escape, CTL inside
    trailing_garbage,   // something after the last element that fits no rule
    too_long,           // over the size limit
};
const char* to_string(ParseError) noexcept;

inline constexpr std::size_t kMaxFieldSize = 16 * 1024;

// Parse a WWW-Authenticate field value (possibly several comma-separated challenges).
Result<std::vector<Challenge>, ParseError> parse_challenges(std::string_view field_value);
// Parse an Authorization field value (exactly one credentials).
Result<Credentials, ParseError> parse_credentials(std::string_view field_value);

// Format a challenge for WWW-Authenticate: params with quoted=true (or whose
// value is not a token) are written as quoted-strings with '"' and '\' escaped.
std::string format_challenge(const Challenge& c);
// Several challenges joined with ", " for a single field line.
std::string format_challenges(const std::vector<Challenge>& cs);

bool is_token(std::string_view s) noexcept;
// How many characters at the start of s are token68 characters (RFC 9110
// section 11.2: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"; the "="
// padding is not counted). RFC 6750's b64token is the same class.
std::size_t token68_run(std::string_view s) noexcept;
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace gk::httpauth
