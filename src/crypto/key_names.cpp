// Names and sizes for key types, curves and key errors.
#include "crypto/key_internal.hpp"
#include "gatekeeper/crypto/key.hpp"

namespace gk::crypto {

const char* to_string(KeyType t) noexcept {
    switch (t) {
        case KeyType::rsa:
            return "RSA";
        case KeyType::ec:
            return "EC";
        case KeyType::ed25519:
            return "Ed25519";
        case KeyType::oct:
            return "oct";
    }
    return "?";
}

const char* to_string(Curve c) noexcept {
    switch (c) {
        case Curve::none:
            return "";
        case Curve::p256:
            return "P-256";
        case Curve::p384:
            return "P-384";
        case Curve::p521:
            return "P-521";
    }
    return "";
}

std::size_t coordinate_size(Curve c) noexcept {
    switch (c) {
        case Curve::none:
            return 0;
        case Curve::p256:
            return 32;
        case Curve::p384:
            return 48;
        case Curve::p521:
            return 66;
    }
    return 0;
}

const char* to_string(KeyError e) noexcept {
    switch (e) {
        case KeyError::bad_component:
            return "bad key component";
        case KeyError::point_not_on_curve:
            return "EC point not on the curve";
        case KeyError::inconsistent:
            return "private key does not match the public key";
        case KeyError::weak:
            return "key too weak";
        case KeyError::bad_pem:
            return "bad PEM";
        case KeyError::unsupported:
            return "unsupported key type or curve";
        case KeyError::openssl:
            return "OpenSSL error";
    }
    return "?";
}

namespace detail {

const char* group_name(Curve curve) noexcept {
    switch (curve) {
        case Curve::p256:
            return "prime256v1";
        case Curve::p384:
            return "secp384r1";
        case Curve::p521:
            return "secp521r1";
        case Curve::none:
            break;
    }
    return nullptr;
}

Curve curve_from_group_name(std::string_view name) noexcept {
    if (name == "prime256v1" || name == "P-256" || name == "secp256r1") return Curve::p256;
    if (name == "secp384r1" || name == "P-384") return Curve::p384;
    if (name == "secp521r1" || name == "P-521") return Curve::p521;
    return Curve::none;
}

}  // namespace detail
}  // namespace gk::crypto
