#pragma once
// JWT claims (RFC 7519 section 4) and their validation, including the access
// token profile (RFC 9068). Times are whole seconds since the epoch.
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/jose/error.hpp"

namespace gk::jose {

struct Claims {
    // Every claim, for mapping (email, groups paths). Parsed into an arena it
    // shares with its copies (freed with the last one; a copy allocates from
    // it too): meant to be read for one request, not kept and copied from.
    boost::json::object raw;
    std::string iss;
    std::string sub;
    std::vector<std::string> aud;               // a string aud becomes one element
    std::optional<std::int64_t> exp, nbf, iat;  // NumericDate; fractional values truncated
    std::string jti;
    std::vector<std::string> scopes;  // from "scope" (space-separated) or "scp" (string or array)
};

// The payload must be a JSON object without duplicate members; registered
// claims of the wrong type -> bad_claim (exp "123" is not a NumericDate).
Result<Claims, JoseError> parse_claims(std::string_view payload_json);

struct ClaimRules {
    std::string issuer;                  // empty: not checked (config always sets it)
    std::vector<std::string> audiences;  // any-of; empty: not checked
    std::chrono::seconds leeway{60};
    std::optional<std::chrono::seconds> max_age;  // needs iat when set
    std::vector<std::string> required;            // claim names (dotted paths allowed) that must be present
                                                  // (exp always is)
};
// Fixed order: exp missing (missing_claim), now >= exp + leeway (expired),
// nbf - leeway > now (not_yet_valid), iat - leeway > now (issued_in_future),
// max_age without iat (missing_claim) or now - iat > max_age (too_old, no
// leeway), iss != issuer or absent (wrong_issuer), no aud among audiences
// (wrong_audience), a required claim absent (missing_claim). `now` is floored
// to whole seconds; arithmetic saturates.
Result<Ok, JoseError> validate_claims(const Claims& c, const ClaimRules& rules,
                                      std::chrono::system_clock::time_point now);

// Strings found at a dotted claim path ("realm_access.roles", "groups",
// "email"): a string gives one, an array gives each of its strings, anything
// else none. A member whose whole name matches (claim names are often URLs
// with dots, "https://example.com/groups") wins over the nested walk.
std::vector<std::string> claim_strings(const Claims& c, std::string_view path);

// The confirmation claim (RFC 7800 `cnf`): what key the token is bound to.
// gatekeeper confirms only RFC 8705's certificate thumbprint.
struct Confirmation {
    std::string x5t_s256;                    // base64url SHA-256 of a certificate's DER; "" if absent
    std::vector<std::string> other_methods;  // members it cannot confirm (jkt, jwk, kid, ...)
};
// nullopt: the token carries no cnf (it is not bound). bad_claim: cnf is not
// a non-empty object, or x5t#S256 is not the base64url of 32 bytes.
Result<std::optional<Confirmation>, JoseError> parse_confirmation(const Claims& c);

}  // namespace gk::jose
