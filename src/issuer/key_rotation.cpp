// New signing keys and the rotation plan that rolls one in.
#include <optional>

#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/issuer/signing_keys.hpp"

namespace gk::issuer {

Result<SigningKey, KeyRingError> create_signing_key(crypto::SigAlg alg, std::int64_t now,
                                                    std::int64_t signs_from) {
    if (!signing_alg_supported(alg)) {
        return fail(KeyRingError{std::string("cannot sign with ") + crypto::jose_name(alg) +
                                 " (ES256, EdDSA or RS256)"});
    }
    jose::Jwk jwk;
    switch (alg) {
        case crypto::SigAlg::eddsa:
            jwk.key = crypto::Key::generate_ed25519();
            break;
        case crypto::SigAlg::rs256:
            jwk.key = crypto::Key::generate_rsa(2048);
            break;
        default:
            jwk.key = crypto::Key::generate_ec(crypto::Curve::p256);
            break;
    }
    jwk.kid = jose::thumbprint(jwk);  // RFC 7638: stable, derived from the public key
    jwk.use = "sig";
    jwk.alg = alg;
    SigningKey k;
    k.kid = jwk.kid;
    k.alg = crypto::jose_name(alg);
    k.private_jwk = jose::to_json(jwk, true);
    k.created_at = now;
    k.signs_from = signs_from;
    k.retire_at = 0;
    return k;
}

Result<RotationPlan, KeyRingError> plan_rotation(const std::vector<SigningKey>& existing, crypto::SigAlg alg,
                                                 std::int64_t now, std::int64_t overlap_seconds) {
    if (overlap_seconds < 0) return fail(KeyRingError{"rotation overlap must not be negative"});
    bool can_sign_now = false;
    for (const auto& k : existing) {
        if ((k.retire_at == 0 || k.retire_at > now) && k.signs_from <= now) can_sign_now = true;
    }
    auto key = create_signing_key(alg, now, can_sign_now ? now + overlap_seconds : now);
    if (!key) return fail(key.error());
    RotationPlan plan;
    plan.new_key = std::move(*key);
    for (const auto& k : existing) {
        if (k.retire_at == 0) plan.retire.emplace_back(k.kid, now + 2 * overlap_seconds);
    }
    return plan;
}

Result<Ok, StoreFailure> apply_rotation(IssuerStore& store, const RotationPlan& plan) {
    auto added = store.add_signing_key(plan.new_key);
    if (!added) return fail(added.error());
    for (const auto& [kid, at] : plan.retire) {
        auto r = store.set_retire_at(kid, at);
        if (!r) return fail(r.error());
    }
    return Ok{};
}

}  // namespace gk::issuer
