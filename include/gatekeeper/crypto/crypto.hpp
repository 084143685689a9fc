#pragma once
// Thin wrappers over OpenSSL 3 EVP. The only core module that includes <openssl/*>.
#include <cstddef>
#include <string>
#include <string_view>

namespace gk::crypto {

// Constant-time equality (CRYPTO_memcmp); different lengths compare unequal
// without leaking where they differ.
bool ct_equal(std::string_view a, std::string_view b) noexcept;

// Bytes from the OpenSSL CSPRNG. Throws only if the CSPRNG fails (edge).
std::string random_bytes(std::size_t n);

enum class DigestAlg { md5, sha1, sha256, sha384, sha512, sha512_256 };

// Raw digest bytes.
std::string digest(DigestAlg alg, std::string_view data);
std::string hmac(DigestAlg alg, std::string_view key, std::string_view data);
std::string to_hex(std::string_view bytes);

}  // namespace gk::crypto
