// API keys: "gk_" + base62(256 random bits, 43 chars) + base62(CRC-32 of those 43 chars, 6 chars).
#include "gatekeeper/schemes/api_key.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::schemes {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static_assert(kAlphabet.size() == 62);
static_assert(kApiKeyPrefix.size() == 3 &&
              kApiKeyLength == kApiKeyPrefix.size() + kApiKeyBodyChars + kApiKeyChecksumChars);

constexpr bool is_base62(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Big-endian bytes (at most 32) as exactly `width` base62 digits into `out`,
// most significant first (schoolbook division of the byte string by 62, once
// per digit). The caller guarantees 62^width > 256^bytes.size(), so nothing is
// cut off. No allocation: check_api_key stays noexcept.
void base62_fixed(std::string_view bytes, char* out, std::size_t width) noexcept {
    std::array<std::uint8_t, kApiKeyRandomBytes> n{};
    const std::size_t len = bytes.size() < n.size() ? bytes.size() : n.size();
    for (std::size_t i = 0; i < len; ++i) n[i] = static_cast<std::uint8_t>(bytes[i]);
    for (std::size_t d = width; d-- > 0;) {
        unsigned rem = 0;
        for (std::size_t i = 0; i < len; ++i) {
            const unsigned cur = (rem << 8) | n[i];
            n[i] = static_cast<std::uint8_t>(cur / 62);
            rem = cur % 62;
        }
        out[d] = kAlphabet[rem];
    }
}

// CRC-32 (IEEE 802.3, reflected, as zlib's crc32), bit by bit: 43 bytes per
// call do not need a table.
std::uint32_t crc32(std::string_view data) noexcept {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char c : data) {
        crc ^= c;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

using Checksum = std::array<char, kApiKeyChecksumChars>;

Checksum checksum_of(std::string_view body) noexcept {
    const std::uint32_t c = crc32(body);
    const char be[4] = {static_cast<char>(c >> 24), static_cast<char>(c >> 16), static_cast<char>(c >> 8),
                        static_cast<char>(c)};
    Checksum out{};
    base62_fixed(std::string_view(be, sizeof be), out.data(), out.size());
    return out;
}

}  // namespace

const char* to_string(ApiKeyError e) noexcept {
    switch (e) {
        case ApiKeyError::malformed:
            return "not an API key (expected gk_ and 49 letters or digits)";
        case ApiKeyError::bad_checksum:
            return "API key checksum does not match (mistyped or truncated?)";
    }
    return "invalid API key";
}

Secret api_key_from_bytes(std::string_view random32) {
    if (random32.size() != kApiKeyRandomBytes)
        throw std::invalid_argument("an API key takes exactly 32 random bytes");
    std::string key;
    key.reserve(kApiKeyLength);
    key += kApiKeyPrefix;
    key.resize(kApiKeyPrefix.size() + kApiKeyBodyChars);
    base62_fixed(random32, key.data() + kApiKeyPrefix.size(), kApiKeyBodyChars);
    const Checksum sum = checksum_of(std::string_view(key).substr(kApiKeyPrefix.size()));
    key.append(sum.data(), sum.size());
    return Secret(std::move(key));
}

Secret generate_api_key() {
    const Secret bytes(crypto::random_bytes(kApiKeyRandomBytes));
    return api_key_from_bytes(bytes.reveal());
}

bool looks_like_api_key(std::string_view text) noexcept {
    if (text.size() != kApiKeyLength || text.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return false;
    for (char c : text.substr(kApiKeyPrefix.size()))
        if (!is_base62(c)) return false;
    return true;
}

Result<Ok, ApiKeyError> check_api_key(std::string_view key) noexcept {
    if (!looks_like_api_key(key)) return fail(ApiKeyError::malformed);
    const auto body = key.substr(kApiKeyPrefix.size(), kApiKeyBodyChars);
    const auto given = key.substr(kApiKeyPrefix.size() + kApiKeyBodyChars);
    const Checksum sum = checksum_of(body);
    if (std::string_view(sum.data(), sum.size()) != given) return fail(ApiKeyError::bad_checksum);
    return Ok{};
}

std::string api_key_hash(std::string_view key) {
    return crypto::to_hex(crypto::digest(crypto::DigestAlg::sha256, key));
}

std::string api_key_hint(std::string_view key) {
    return std::string(key.substr(0, kApiKeyPrefix.size() + kApiKeyHintChars));
}

}  // namespace gk::schemes
