#pragma once
// Pieces of signature.cpp that have a job of their own: HMAC with a MAC
// fetched once, and the JOSE <-> DER conversion of ECDSA signatures.
#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "gatekeeper/crypto/key.hpp"
#include "gatekeeper/crypto/signature.hpp"

namespace gk::crypto::detail {

inline constexpr std::size_t kMaxHmacSize = 64;  // SHA-512

// The digest an algorithm hashes with (nullptr for EdDSA, which hashes internally).
const EVP_MD* md_for(SigAlg alg) noexcept;

// HMAC of `data` under `key` with the hash of an HS* algorithm, into out
// (kMaxHmacSize bytes). Returns the MAC length, 0 on failure.
std::size_t hmac_into(SigAlg alg, std::string_view key, std::string_view data, unsigned char* out) noexcept;

// Largest DER encoding of an ECDSA signature for P-521: SEQUENCE { INTEGER r, INTEGER s }
// with 66-byte values, a sign octet each, and two-byte lengths.
inline constexpr std::size_t kMaxEcdsaDer = 160;

// JOSE R||S (RFC 7518 section 3.4) -> DER for EVP_DigestVerify. Refuses a
// signature that is not exactly 2 * coordinate_size(curve) bytes, and r or s
// outside [1, n-1] (CVE-2022-21449: r = s = 0 must never verify). Returns the
// DER length written to `der` (kMaxEcdsaDer bytes), 0 when refused.
std::size_t ecdsa_jose_to_der(Curve curve, std::string_view sig, unsigned char* der) noexcept;

// ECDSA verification with a context prepared once per key (key.hpp,
// prepared_verify): the digest of `data` with a digest fetched once per
// process, then EVP_PKEY_verify on a duplicate of the prepared context. Saves
// the EVP_PKEY_CTX set-up and the algorithm fetches that EVP_DigestVerifyInit
// pays per call. null when OpenSSL cannot set it up (the caller then falls back).
std::shared_ptr<EVP_PKEY_CTX> prepare_ecdsa_verify(EVP_PKEY* pkey, Curve curve) noexcept;
bool ecdsa_verify_prepared(EVP_PKEY_CTX* prepared, Curve curve, std::string_view data, const unsigned char* der,
                           std::size_t der_len) noexcept;

// DER from EVP_DigestSign -> fixed-size R||S, each left-padded with zeros.
// Empty on failure.
std::string ecdsa_der_to_jose(Curve curve, const unsigned char* der, std::size_t len);

}  // namespace gk::crypto::detail
