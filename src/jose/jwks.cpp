// JWK sets (RFC 7517 section 5): parsing that skips what it cannot use, and
// the key lookup a verifier does: by kid, then by what each key may verify.
#include <utility>

#include "jose/jwk_internal.hpp"
#include "jose/strict_json.hpp"

namespace gk::jose {

std::vector<const Jwk*> JwkSet::candidates(std::string_view kid, crypto::SigAlg alg) const {
    std::vector<const Jwk*> out;
    for (const auto& k : keys_) {
        // A token kid selects keys with exactly that kid; a key configured
        // without one (a PEM file) stays a candidate, as in Envoy's jwt_authn.
        // A token without kid may be checked by every key that fits.
        if (!kid.empty() && !k.kid.empty() && k.kid != kid) continue;
        if (k.can_verify(alg)) out.push_back(&k);
    }
    return out;
}

bool JwkSet::has_kid(std::string_view kid) const noexcept {
    for (const auto& k : keys_) {
        if (k.kid == kid) return true;
    }
    return false;
}

Result<JwksParse, JoseError> parse_jwks(std::string_view json) {
    auto doc = detail::parse_object(json);
    if (!doc) return fail(doc.error());
    const boost::json::value* keys = doc->if_contains("keys");
    if (keys == nullptr || !keys->is_array()) return fail(JoseError::bad_json);

    JwksParse out;
    std::vector<Jwk> usable;
    usable.reserve(keys->get_array().size());
    for (const auto& v : keys->get_array()) {
        if (!v.is_object()) {
            ++out.skipped;
            continue;
        }
        auto jwk = detail::jwk_from_object(v.get_object());
        // Keys for encryption, unknown types and curves, weak or broken keys:
        // skipped (RFC 7517 section 5), never a reason to refuse the others.
        if (!jwk || !detail::usable_for_verify(*jwk)) {
            ++out.skipped;
            continue;
        }
        if (jwk->key.has_private()) ++out.private_keys;  // an oct key always does
        usable.push_back(std::move(*jwk));
    }
    out.set = JwkSet(std::move(usable));
    return out;
}

}  // namespace gk::jose
