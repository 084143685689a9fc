#pragma once
// The API key format: "gk_" + 43 base62 characters (256 random bits) + 6
// base62 characters of CRC-32 over those 43, like GitHub's token format.
//
//   gk_4Vq0...(43)...Zr 1aB9cD
//   ^^^ prefix          ^^^^^^ checksum (fixed width, same alphabet)
//
// Why this shape:
// - The prefix makes a leaked key recognisable (secret scanners, logs) and
//   lets the gate send `Authorization: Bearer gk_...` to the API-key check
//   instead of the JWT verifier, cheaply and without a lookup.
// - Base62 has no '_' or '-': the key is one double-clickable word and the
//   prefix splits off unambiguously. Fixed widths make the length exact.
// - The checksum catches typos and truncation before the store is asked:
//   CRC-32 detects every error burst of 32 bits or less, so any one changed
//   character in the body is caught, and any change to the checksum itself
//   too (the checksum is compared as text).
// - The store keeps SHA-256 of the whole key (lower-case hex): with 256 random
//   bits there is nothing to brute-force, so no slow password hash is needed.
//
// Everything here is pure except generate_api_key(), which reads the CSPRNG.
#include <cstddef>
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/common/secret.hpp"

namespace gk::schemes {

inline constexpr std::string_view kApiKeyPrefix = "gk_";
inline constexpr std::size_t kApiKeyRandomBytes = 32;                                      // 256 bits
inline constexpr std::size_t kApiKeyBodyChars = 43;                                        // 62^43 > 2^256
inline constexpr std::size_t kApiKeyChecksumChars = 6;                                     // 62^6 > 2^32
inline constexpr std::size_t kApiKeyLength = 3 + kApiKeyBodyChars + kApiKeyChecksumChars;  // 52
inline constexpr std::size_t kApiKeyHintChars = 6;  // body characters shown by api_key_hint

enum class ApiKeyError {
    malformed,     // wrong prefix, length or a character outside base62
    bad_checksum,  // well-formed, but the checksum does not match: a typo
};
const char* to_string(ApiKeyError) noexcept;

// A new key from 256 bits of the OpenSSL CSPRNG. Throws only if the CSPRNG
// fails (as crypto::random_bytes does): call it at the edge.
[[nodiscard]] Secret generate_api_key();

// The key for the given 32 random bytes (deterministic; generate_api_key uses
// it, tests give it fixed bytes). Any other size is a programming error and
// throws std::invalid_argument.
[[nodiscard]] Secret api_key_from_bytes(std::string_view random32);

// Prefix, exact length and alphabet, no checksum: cheap enough to decide
// whether a Bearer credential is meant as an API key at all.
[[nodiscard]] bool looks_like_api_key(std::string_view text) noexcept;

// looks_like_api_key, then the checksum.
[[nodiscard]] Result<Ok, ApiKeyError> check_api_key(std::string_view key) noexcept;

// What the store keeps and looks up by: lower-case hex SHA-256 of the whole
// key (prefix included), the same as `printf %s KEY | sha256sum`.
[[nodiscard]] std::string api_key_hash(std::string_view key);

// The prefix and the first kApiKeyHintChars body characters ("gk_AbC123"),
// to tell keys apart in listings. For shorter input, the input as it is.
[[nodiscard]] std::string api_key_hint(std::string_view key);

}  // namespace gk::schemes
