// JOSE algorithm names (RFC 7518 section 3.1, RFC 8037 section 3.1) and which
// key serves which algorithm.
#include <array>
#include <utility>

#include "crypto/key_internal.hpp"
#include "gatekeeper/crypto/signature.hpp"

namespace gk::crypto {
namespace {

constexpr std::array<std::pair<SigAlg, const char*>, 13> kNames = {{
    {SigAlg::hs256, "HS256"},
    {SigAlg::hs384, "HS384"},
    {SigAlg::hs512, "HS512"},
    {SigAlg::rs256, "RS256"},
    {SigAlg::rs384, "RS384"},
    {SigAlg::rs512, "RS512"},
    {SigAlg::ps256, "PS256"},
    {SigAlg::ps384, "PS384"},
    {SigAlg::ps512, "PS512"},
    {SigAlg::es256, "ES256"},
    {SigAlg::es384, "ES384"},
    {SigAlg::es512, "ES512"},
    {SigAlg::eddsa, "EdDSA"},
}};

}  // namespace

const char* jose_name(SigAlg alg) noexcept {
    for (const auto& [a, name] : kNames) {
        if (a == alg) return name;
    }
    return "";
}

std::optional<SigAlg> sig_alg_from_jose_name(std::string_view name) noexcept {
    for (const auto& [a, n] : kNames) {
        if (name == n) return a;
    }
    return std::nullopt;  // including "none"
}

KeyType key_type_for(SigAlg alg) noexcept {
    switch (alg) {
        case SigAlg::hs256:
        case SigAlg::hs384:
        case SigAlg::hs512:
            return KeyType::oct;
        case SigAlg::rs256:
        case SigAlg::rs384:
        case SigAlg::rs512:
        case SigAlg::ps256:
        case SigAlg::ps384:
        case SigAlg::ps512:
            return KeyType::rsa;
        case SigAlg::es256:
        case SigAlg::es384:
        case SigAlg::es512:
            return KeyType::ec;
        case SigAlg::eddsa:
            return KeyType::ed25519;
    }
    return KeyType::oct;
}

Curve curve_for(SigAlg alg) noexcept {
    switch (alg) {
        case SigAlg::es256:
            return Curve::p256;
        case SigAlg::es384:
            return Curve::p384;
        case SigAlg::es512:
            return Curve::p521;
        default:
            return Curve::none;
    }
}

bool key_fits(SigAlg alg, const Key& key) noexcept {
    if (!key.valid() || key.type() != key_type_for(alg)) return false;
    switch (key.type()) {
        // An HMAC secret is only ever an oct key: the bytes of an RSA or EC
        // public key can never become one (the RS256 -> HS256 confusion).
        case KeyType::oct:
            return key.native() == nullptr && !key.secret().empty();
        case KeyType::rsa:
            return key.native() != nullptr && key.bits() >= detail::kMinRsaBits;
        case KeyType::ec:
            return key.native() != nullptr && key.curve() == curve_for(alg);
        case KeyType::ed25519:
            return key.native() != nullptr;
    }
    return false;
}

const char* to_string(SignError e) noexcept {
    switch (e) {
        case SignError::key_mismatch:
            return "key does not fit the algorithm";
        case SignError::no_private_key:
            return "no private key";
        case SignError::openssl:
            return "OpenSSL error";
    }
    return "?";
}

}  // namespace gk::crypto
