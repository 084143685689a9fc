// KeyRing: the published keys at one instant and the one that signs.
#include "gatekeeper/issuer/signing_keys.hpp"

#include <algorithm>
#include <optional>

#include "gatekeeper/jose/jws.hpp"

namespace gk::issuer {

bool signing_alg_supported(crypto::SigAlg alg) noexcept {
    return alg == crypto::SigAlg::es256 || alg == crypto::SigAlg::eddsa || alg == crypto::SigAlg::rs256;
}

namespace {

bool published(const SigningKey& k, std::int64_t now) { return k.retire_at == 0 || k.retire_at > now; }

Result<jose::Jwk, KeyRingError> load(const SigningKey& k) {
    const auto alg = crypto::sig_alg_from_jose_name(k.alg);
    if (!alg || !signing_alg_supported(*alg)) {
        return fail(KeyRingError{"signing key " + k.kid + ": unsupported alg '" + k.alg + "'"});
    }
    auto jwk = jose::parse_jwk(k.private_jwk);
    if (!jwk) {
        return fail(
            KeyRingError{"signing key " + k.kid + ": bad JWK (" + jose::to_string(jwk.error()) + ")"});
    }
    if (jwk->alg && *jwk->alg != *alg) {
        return fail(KeyRingError{"signing key " + k.kid + ": JWK alg differs from the record's"});
    }
    if (!jwk->key.has_private() || !crypto::key_fits(*alg, jwk->key)) {
        return fail(
            KeyRingError{"signing key " + k.kid + ": no private part or wrong key type for " + k.alg});
    }
    jwk->kid = k.kid;  // the record's kid is the one tokens carry
    jwk->alg = *alg;
    jwk->use = "sig";
    jwk->key_ops.clear();
    return std::move(*jwk);
}

}  // namespace

Result<KeyRing, KeyRingError> KeyRing::build(const std::vector<SigningKey>& keys, std::int64_t now) {
    std::vector<jose::Jwk> loaded;
    const SigningKey* best = nullptr;
    std::size_t best_index = 0;
    for (const auto& k : keys) {
        if (!published(k, now)) continue;
        auto jwk = load(k);
        if (!jwk) return fail(jwk.error());
        if (k.signs_from <= now && (best == nullptr || k.signs_from > best->signs_from ||
                                    (k.signs_from == best->signs_from && k.created_at > best->created_at))) {
            best = &k;
            best_index = loaded.size();
        }
        loaded.push_back(std::move(*jwk));
    }
    if (best == nullptr)
        return fail(KeyRingError{"no signing key is usable now (none published and active)"});
    KeyRing ring;
    ring.signer_ = loaded[best_index];
    ring.verify_ = jose::JwkSet(std::move(loaded));
    ring.jwks_json_ = jose::to_json(ring.verify_, false);
    return ring;
}

Result<std::string, jose::JoseError> KeyRing::sign(std::string_view payload, std::string_view typ) const {
    jose::SignOptions opts;
    opts.kid = signer_.kid;
    opts.typ = std::string(typ);
    return jose::sign_jws(*signer_.alg, signer_.key, payload, opts);
}

}  // namespace gk::issuer
