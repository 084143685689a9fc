// RFC 7638 JWK thumbprint: SHA-256 over the required members only, in
// lexicographic order, without whitespace (section 3.2). Every value here is
// base64url or a fixed name, so no JSON escaping can arise.
#include <string>
#include <utility>

#include "gatekeeper/common/secret.hpp"
#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/jose/jwk.hpp"

namespace gk::jose {

std::string thumbprint(const Jwk& jwk) {
    using httpauth::base64url_encode;
    const crypto::Key& key = jwk.key;
    std::string canonical;
    switch (key.type()) {
        case crypto::KeyType::rsa: {
            const auto c = key.rsa_components(false);
            canonical = R"({"e":")" + base64url_encode(c.e) + R"(","kty":"RSA","n":")" +
                        base64url_encode(c.n) + R"("})";
            break;
        }
        case crypto::KeyType::ec: {
            const auto p = key.point(false);
            canonical = R"({"crv":")" + std::string(crypto::to_string(key.curve())) +
                        R"(","kty":"EC","x":")" + base64url_encode(p.x) + R"(","y":")" +
                        base64url_encode(p.y) + R"("})";
            break;
        }
        case crypto::KeyType::ed25519: {
            const auto p = key.point(false);
            canonical = R"({"crv":"Ed25519","kty":"OKP","x":")" + base64url_encode(p.x) + R"("})";
            break;
        }
        case crypto::KeyType::oct:
            canonical = R"({"k":")" + base64url_encode(key.secret().reveal()) + R"(","kty":"oct"})";
            break;
    }
    std::string out = base64url_encode(crypto::digest(crypto::DigestAlg::sha256, canonical));
    const Secret wipe(std::move(canonical));  // holds an oct key's secret: wiped on the way out
    return out;
}

}  // namespace gk::jose
