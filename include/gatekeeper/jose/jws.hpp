#pragma once
// JWS compact serialization (RFC 7515 section 7.1): strict parsing, verifying
// with a key set, and signing.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/jose/error.hpp"
#include "gatekeeper/jose/jwk.hpp"

namespace gk::jose {

inline constexpr std::size_t kDefaultMaxTokenBytes = 8 * 1024;

struct JwsHeader {
    crypto::SigAlg alg{};
    std::string kid;
    std::string typ;
    std::string cty;
    std::vector<std::string> crit;  // always empty after parse_jws: any `crit` is refused
};

struct Jws {
    JwsHeader header;
    std::string header_json;    // decoded protected header
    std::string payload;        // decoded payload octets
    std::string signature;      // decoded signature octets
    std::string signing_input;  // ASCII(BASE64URL(header) || '.' || BASE64URL(payload))
};

// Size limit first, then three non-empty parts (the payload part may be empty
// per RFC 7515, but not the header nor the signature), strict base64url, a
// header that is a JSON object without duplicate members, a known `alg`
// ("none" in any case -> alg_none), `crit` (no name understood: any entry ->
// crit_unsupported; `crit` must be a non-empty array of strings, and must not
// name a registered header parameter). `jku`, `x5u`, `jwk`, `x5c` are parsed
// past but never used. Nested tokens (`cty` "JWT" or "application/jwt", any
// case) -> nested_jwt. Errors in that order: too_large, malformed, bad_base64,
// bad_json / duplicate_member, bad_header (alg), alg_none, alg_unsupported,
// bad_header (kid/typ/cty not strings), crit_unsupported, nested_jwt.
Result<Jws, JoseError> parse_jws(std::string_view compact, std::size_t max_bytes = kDefaultMaxTokenBytes);

// Signature check against a key set. `allowed` empty means every implemented
// algorithm (alg_not_allowed is checked before any key lookup). Tries each
// candidate key (by kid, see JwkSet::candidates): the first that verifies
// wins. no_key when no key could serve; bad_signature when some could but
// none verified.
Result<Ok, JoseError> verify_jws(const Jws& jws, const JwkSet& keys,
                                 std::span<const crypto::SigAlg> allowed = {});

struct SignOptions {
    std::string kid;  // written when non-empty
    std::string typ;  // e.g. "JWT" or "at+jwt"; written when non-empty
};
// header {"alg","kid"?,"typ"?} . payload . signature. The key must fit the
// algorithm as a verifier would require (type, curve, RSA >= 2048 bits, HMAC
// secret >= hash size) and hold its private part; otherwise bad_key.
Result<std::string, JoseError> sign_jws(crypto::SigAlg alg, const crypto::Key& key, std::string_view payload,
                                        const SignOptions& opts = {});

// ACME requests (RFC 8555 section 6.2): protected header members written
// after alg, kid and typ, each when set. Apart from SignOptions so that its
// designated initializers elsewhere stay complete.
struct AcmeHeader {
    std::string nonce;
    std::string url;
    const Jwk* jwk = nullptr;  // the public key itself (public members only), e.g. for newAccount
};
// header {"alg","kid"?,"typ"?,"nonce"?,"url"?,"jwk"?} . payload . signature; key rules as above.
Result<std::string, JoseError> sign_jws(crypto::SigAlg alg, const crypto::Key& key, std::string_view payload,
                                        const SignOptions& opts, const AcmeHeader& acme);

}  // namespace gk::jose
