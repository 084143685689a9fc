// Fresh random keys (CLI, demo, tests). An OpenSSL failure here is an edge
// condition, so these throw instead of returning errors.
#include <openssl/err.h>

#include <stdexcept>
#include <string>

#include "crypto/key_internal.hpp"
#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/crypto/key.hpp"

namespace gk::crypto {
namespace {

[[noreturn]] void fail_generate(const char* what) {
    ERR_clear_error();
    throw std::runtime_error(std::string("gk::crypto: generating ") + what + " key failed");
}

}  // namespace

Key Key::generate_rsa(int bits) {
    if (bits < detail::kMinRsaBits || bits > detail::kMaxRsaBits) {
        throw std::invalid_argument("gk::crypto::Key::generate_rsa: bits must be in [2048, 16384]");
    }
    EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
    if (pkey == nullptr) fail_generate("RSA");
    return adopt(pkey, KeyType::rsa, Curve::none);
}

Key Key::generate_ec(Curve curve) {
    const char* group = detail::group_name(curve);
    if (group == nullptr) throw std::invalid_argument("gk::crypto::Key::generate_ec: no curve");
    EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group);
    if (pkey == nullptr) fail_generate("EC");
    return adopt(pkey, KeyType::ec, curve);
}

Key Key::generate_ed25519() {
    EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (pkey == nullptr) fail_generate("Ed25519");
    return adopt(pkey, KeyType::ed25519, Curve::none);
}

Key Key::generate_hmac(std::size_t bytes) {
    if (bytes == 0) throw std::invalid_argument("gk::crypto::Key::generate_hmac: zero bytes");
    return hmac_secret(Secret(random_bytes(bytes)));
}

}  // namespace gk::crypto
