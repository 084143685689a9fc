#pragma once
// The Basic scheme (RFC 7617): decoding credentials into user and password, and
// the challenge value. Checking the password is someone else's job (password/).
#include <cstddef>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/common/secret.hpp"
#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::schemes {

struct BasicCredentials {
    std::string user;    // may be empty: no account has that name, so it fails as an unknown user
    gk::Secret password;
};

enum class BasicError {
    not_basic,      // scheme is not "Basic" (case-insensitive)
    missing_token,  // no token68 (nothing, or auth-params instead)
    bad_base64,     // not strict RFC 4648 section 4 base64 (padding required, canonical bits)
    no_colon,       // decoded user-pass has no ':'
    control_char,   // a CTL (0x00-0x1F, 0x7F) in user-id or password
    bad_utf8,       // not well-formed UTF-8 (overlongs, surrogates, > U+10FFFF rejected)
    too_long,       // decoded user-pass over kMaxBasicDecoded
};
const char* to_string(BasicError) noexcept;

// Upper bound on the decoded "user:password" octets.
inline constexpr std::size_t kMaxBasicDecoded = 4096;

// Splits at the FIRST colon (a user-id cannot contain ':', a password can).
// Compares nothing and normalizes nothing: no NFC/PRECIS mapping, octets are
// passed on exactly as sent.
Result<BasicCredentials, BasicError> decode_basic(const httpauth::Credentials& c);

// Basic realm="<realm>", charset="UTF-8" (RFC 7617 sections 2 and 2.1).
httpauth::Challenge basic_challenge(std::string_view realm);

}  // namespace gk::schemes
