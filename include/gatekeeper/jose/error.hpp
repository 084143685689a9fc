#pragma once
// Why a token, key or key set was refused: a flat enum, so the caller (the
// Bearer check) can map each to an RFC 6750 response in one place.
namespace gk::jose {

enum class JoseError {
    // Syntax (RFC 7515 section 7.1, RFC 7519 section 7.2)
    too_large,         // over the configured size limit (checked before any parsing)
    malformed,         // not three dot-separated parts, empty part, JWE (five parts)
    bad_base64,        // not strict unpadded base64url with canonical trailing bits
    bad_json,          // not a JSON object, or invalid JSON / UTF-8
    duplicate_member,  // a member name appears twice in one object (header, claims, JWK)
    bad_header,        // a header parameter has the wrong type, or `alg` missing
    alg_none,          // "none" in any spelling: never accepted
    alg_unsupported,   // an algorithm gatekeeper does not implement
    alg_not_allowed,   // implemented, but not among the caller's allowed algorithms
    crit_unsupported,  // `crit` names an extension gatekeeper does not understand, or is malformed
    nested_jwt,        // `cty: JWT` (a nested token): refused
    // Keys (RFC 7517)
    bad_key,  // a JWK that is malformed or unusable (missing member, wrong size, weak)
    no_key,   // no key in the set matches `kid` and the algorithm
    bad_signature,
    // Claims (RFC 7519 section 4, RFC 9068)
    bad_claim,         // a registered claim with the wrong type (exp not a number, aud not string/array, ...)
    missing_claim,     // a required claim is absent (exp is always required)
    expired,           // exp + leeway <= now
    not_yet_valid,     // nbf - leeway > now
    issued_in_future,  // iat - leeway > now
    too_old,           // now - iat > maximum token age
    wrong_issuer,
    wrong_audience,
    wrong_type,  // header typ is not the one required (e.g. at+jwt, RFC 9068 section 2.1)
};

// Short, client-safe text, e.g. "token expired", "signature does not verify".
const char* to_string(JoseError) noexcept;

}  // namespace gk::jose
