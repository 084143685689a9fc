#pragma once
// gatekeeper's own token-signing keys: which key signs now, which are
// published (JWKS) and trusted for verification, and how a new key is rolled
// in. Pure: the keys come from the store as values, the time is an argument.
//
// Rotation (RFC 7517 key rollover, the usual "publish before use" rule): a new
// key is published at once but signs only from now + overlap, so relying
// parties that cache the JWKS pick it up before they meet a token it signed.
// The keys it replaces keep verifying until now + 2 * overlap, long enough for
// every token they signed to expire, as long as overlap >= the access-token TTL.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/issuer/store.hpp"
#include "gatekeeper/jose/error.hpp"
#include "gatekeeper/jose/jwk.hpp"

namespace gk::issuer {

// The algorithms gatekeeper signs with; others are refused by create_signing_key.
bool signing_alg_supported(crypto::SigAlg alg) noexcept;

// Why a set of keys gives no usable ring (for the operator; no key material).
struct KeyRingError {
    std::string message;
};

class KeyRing {
public:
    // Parses every key that is not retired at `now` (retire_at == 0 or > now).
    // A published key that does not parse, whose JWK alg disagrees with the
    // record, or that has no private part is an error; so is a ring where no
    // published key may sign yet (signs_from <= now). The signer is the
    // published key with the latest signs_from (then latest created_at).
    static Result<KeyRing, KeyRingError> build(const std::vector<SigningKey>& keys, std::int64_t now);

    [[nodiscard]] const std::string& signer_kid() const noexcept { return signer_.kid; }
    [[nodiscard]] crypto::SigAlg signer_alg() const noexcept { return *signer_.alg; }
    // header {"alg","kid","typ"} . payload . signature, with the current signer.
    [[nodiscard]] Result<std::string, jose::JoseError> sign(std::string_view payload,
                                                            std::string_view typ) const;

    // Every published key (private parts included: use only to verify).
    [[nodiscard]] const jose::JwkSet& verification_keys() const noexcept { return verify_; }
    // {"keys":[...]}: public parts only, each with kid, use "sig" and alg.
    [[nodiscard]] const std::string& jwks_json() const noexcept { return jwks_json_; }

private:
    jose::Jwk signer_;
    jose::JwkSet verify_;
    std::string jwks_json_;
};

// A fresh key of `alg` (ES256, EdDSA or RS256 with 2048 bits): kid = RFC 7638
// thumbprint, private JWK JSON with kid/use/alg, created_at = now, retire_at 0.
// Throws only if OpenSSL cannot make a key (edge use: CLI, start-up).
Result<SigningKey, KeyRingError> create_signing_key(crypto::SigAlg alg, std::int64_t now,
                                                    std::int64_t signs_from);

struct RotationPlan {
    SigningKey new_key;
    std::vector<std::pair<std::string, std::int64_t>> retire;  // (kid, retire_at) to set
};
// The new key signs from now + overlap_seconds and every current key
// (retire_at == 0) is retired at now + 2 * overlap_seconds. When no existing
// key can sign at `now` (a first key, or all retired) the new key signs at
// once: there is nothing to overlap with. overlap_seconds must be >= 0.
Result<RotationPlan, KeyRingError> plan_rotation(const std::vector<SigningKey>& existing, crypto::SigAlg alg,
                                                 std::int64_t now, std::int64_t overlap_seconds);

// Writes a plan: the new key first (so a crash never leaves a ring without a
// signer), then each retire_at.
Result<Ok, StoreFailure> apply_rotation(IssuerStore& store, const RotationPlan& plan);

}  // namespace gk::issuer
