#pragma once
// Keys for signatures and MACs: an RAII, cheaply copyable handle over an
// OpenSSL EVP_PKEY (RSA, EC P-256/384/521, Ed25519) or an HMAC secret.
// The key's own type decides which algorithms it can serve, never the data it
// is used on: an RSA or EC public key is never an HMAC secret.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/common/secret.hpp"

struct evp_pkey_st;      // OpenSSL's EVP_PKEY, kept out of this header
struct evp_pkey_ctx_st;  // and its EVP_PKEY_CTX

namespace gk::crypto {

enum class KeyType { rsa, ec, ed25519, oct };
enum class Curve { none, p256, p384, p521 };
const char* to_string(KeyType) noexcept;
const char* to_string(Curve) noexcept;   // "P-256", "P-384", "P-521" (JWK crv names); "" for none
// Size of one coordinate / scalar in bytes: 32, 48, 66; 0 for none.
std::size_t coordinate_size(Curve) noexcept;

enum class KeyError {
    bad_component,    // empty, oversized, leading-zero-padded where forbidden, or otherwise unusable
    point_not_on_curve,
    inconsistent,     // private parts do not match the public ones
    weak,             // RSA modulus under 2048 bits, or an HMAC secret under 32 bytes
    bad_pem,
    unsupported,      // a key type or curve gatekeeper does not handle
    openssl,          // OpenSSL refused for another reason
};
const char* to_string(KeyError) noexcept;

// Big-endian unsigned integers and raw coordinates, as JWK carries them
// (RFC 7518 section 6), after base64url decoding.
struct RsaComponents {
    std::string n, e;
    // Private (all empty for a public key; d alone is not enough: OpenSSL needs the CRT parts).
    std::string d, p, q, dp, dq, qi;
};

class Key {
public:
    Key() = default;  // an empty key: valid() is false, usable for nothing

    static Result<Key, KeyError> rsa(const RsaComponents& c);
    // x and y are exactly coordinate_size(curve) bytes; d (private scalar) the same or empty.
    static Result<Key, KeyError> ec(Curve curve, std::string_view x, std::string_view y, const Secret& d = {});
    // x is the 32-byte public key; d the 32-byte seed (private) or empty.
    static Result<Key, KeyError> ed25519(std::string_view x, const Secret& d = {});
    // An HMAC secret (any length accepted here: weak() tells whether it is under 32 bytes;
    // RFC 7518 section 3.2 wants at least the hash size: 32/48/64 bytes for HS256/384/512).
    static Key hmac_secret(Secret bytes);
    // A PEM public key (SPKI), private key (PKCS#8 or traditional), or an X.509 certificate's public key.
    static Result<Key, KeyError> from_pem(std::string_view pem);

    // New random keys. bits for RSA (>= 2048); throws only if OpenSSL fails (edge use: CLI, demo, tests).
    static Key generate_rsa(int bits);
    static Key generate_ec(Curve curve);
    static Key generate_ed25519();
    static Key generate_hmac(std::size_t bytes);

    [[nodiscard]] bool valid() const noexcept { return pkey_ != nullptr || !secret_.empty(); }
    [[nodiscard]] KeyType type() const noexcept { return type_; }
    [[nodiscard]] Curve curve() const noexcept { return curve_; }
    [[nodiscard]] bool has_private() const noexcept;
    [[nodiscard]] int bits() const noexcept;  // RSA modulus / EC field / 256 for Ed25519 / 8*len for oct
    // An HMAC secret under 32 bytes or an RSA modulus under 2048 bits (the
    // constructors already refuse the latter; key_fits() refuses both for RSA).
    [[nodiscard]] bool weak() const noexcept;

    // Components for export (JWK). Private parts are filled only when present
    // and `with_private` is set.
    [[nodiscard]] RsaComponents rsa_components(bool with_private = false) const;
    struct Point {
        std::string x, y;  // fixed-size big-endian (EC); x only for Ed25519 (32 bytes)
        Secret d;          // private scalar / Ed25519 seed, when asked for and present
    };
    [[nodiscard]] Point point(bool with_private = false) const;
    [[nodiscard]] const Secret& secret() const noexcept { return secret_; }  // oct only

    // PEM text: SubjectPublicKeyInfo, or PKCS#8 for the private key (if present).
    [[nodiscard]] std::string public_pem() const;
    [[nodiscard]] Secret private_pem() const;

    // For crypto/ internals only.
    [[nodiscard]] evp_pkey_st* native() const noexcept { return pkey_.get(); }
    // EC keys: a verify context set up once (EVP_PKEY_verify_init with the
    // curve's hash), never used itself, only duplicated per signature; null
    // for other key types or when OpenSSL could not set it up.
    [[nodiscard]] evp_pkey_ctx_st* prepared_verify() const noexcept { return verify_ctx_.get(); }

private:
    // Takes ownership of `pkey` (which may be null: then an empty key is returned).
    static Key adopt(evp_pkey_st* pkey, KeyType type, Curve curve);

    std::shared_ptr<evp_pkey_st> pkey_;  // shared: EVP_PKEY is immutable once built and safe to share across threads
    std::shared_ptr<evp_pkey_ctx_st> verify_ctx_;  // read-only after adopt(): EVP_PKEY_CTX_dup only reads it
    Secret secret_;
    KeyType type_ = KeyType::oct;
    Curve curve_ = Curve::none;
};

}  // namespace gk::crypto
