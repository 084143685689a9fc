#pragma once
// JSON Web Keys and key sets (RFC 7517, RFC 7518 section 6, RFC 8037) and
// thumbprints (RFC 7638).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/jose/error.hpp"

namespace gk::jose {

struct Jwk {
    crypto::Key key;
    std::string kid;                    // may be empty
    std::string use;                    // "sig", "enc" or empty
    std::vector<std::string> key_ops;   // empty = not restricted
    std::optional<crypto::SigAlg> alg;  // set when the JWK names one it supports

    // May this key verify a signature made with `a`? Checks key type and curve,
    // `alg` (if set), `use` (absent or "sig") and `key_ops` (absent or has "verify").
    [[nodiscard]] bool can_verify(crypto::SigAlg a) const noexcept;
};

// One JWK object. Strict: duplicate members, wrong member types, components of
// the wrong size, an EC point not on its curve, an RSA modulus under 2048 bits,
// an oct secret under 32 bytes, an `alg` gatekeeper does not implement (e.g.
// "RSA-OAEP": such a key must never verify) or one the key cannot serve are
// errors (bad_key / bad_json / duplicate_member). A JWK with `use` "enc" still
// parses; can_verify() then refuses it.
Result<Jwk, JoseError> parse_jwk(std::string_view json);

class JwkSet {
public:
    JwkSet() = default;
    explicit JwkSet(std::vector<Jwk> keys) : keys_(std::move(keys)) {}

    [[nodiscard]] const std::vector<Jwk>& keys() const noexcept { return keys_; }
    [[nodiscard]] bool empty() const noexcept { return keys_.empty(); }

    // Keys that may verify `alg` (can_verify), in set order: with a kid, the
    // keys with exactly that kid, plus keys that have no kid at all (configured
    // from PEM; Envoy's rule); without one, every key that fits. Never the
    // token's own `jwk`/`jku`/`x5u`/`x5c`.
    [[nodiscard]] std::vector<const Jwk*> candidates(std::string_view kid, crypto::SigAlg alg) const;
    [[nodiscard]] bool has_kid(std::string_view kid) const noexcept;

private:
    std::vector<Jwk> keys_;
};

struct JwksParse {
    JwkSet set;
    std::size_t skipped = 0;       // keys ignored: unknown kty/crv/alg, use "enc", key_ops without
                                   // "verify", weak, or individually invalid
    std::size_t private_keys = 0;  // kept keys that carry private or secret material (`d`, or an oct
                                   // `k`): a JWKS served over HTTP should have none (callers may refuse)
};
// {"keys": [...]}. A key gatekeeper cannot use is skipped (counted), as RFC 7517
// section 5 asks; a set that is not valid JSON (bad_json / duplicate_member
// anywhere in the document), or without a "keys" array (bad_json), is an error.
// Two keys with the same kid are both kept (candidates() tries each).
Result<JwksParse, JoseError> parse_jwks(std::string_view json);

// RFC 7638 thumbprint: base64url(SHA-256(canonical JSON of the required members)).
std::string thumbprint(const Jwk& jwk);

// Serialize: public members only unless `with_private`. Members: kty, the key's
// own, then kid, use, alg when set.
std::string to_json(const Jwk& jwk, bool with_private = false);
std::string to_json(const JwkSet& set, bool with_private = false);

}  // namespace gk::jose
