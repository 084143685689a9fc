// SipHash-2-4 as the paper specifies it: 2 compression rounds per 8-byte
// word, 4 finalization rounds, the input length in the last word's top byte.
#include "gatekeeper/crypto/keyed_hash.hpp"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

#include "gatekeeper/crypto/crypto.hpp"

namespace gk::crypto {
namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int b) noexcept { return (x << b) | (x >> (64 - b)); }

// Little-endian whatever the host: the specification's byte order.
std::uint64_t load_le(const unsigned char* p, std::size_t n) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    return v;
}

// A whole word: one load (and a byte swap on a big-endian host).
std::uint64_t load_word(const unsigned char* p) noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return v;
}

struct State {
    std::uint64_t v0, v1, v2, v3;

    void round() noexcept {
        v0 += v1;
        v1 = rotl(v1, 13);
        v1 ^= v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotl(v1, 17);
        v1 ^= v2;
        v2 = rotl(v2, 32);
    }
    void absorb(std::uint64_t m) noexcept {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
};

}  // namespace

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data) noexcept {
    State s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
            k1 ^ 0x7465646279746573ULL};
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t n = data.size();
    const std::size_t whole = n - n % 8;
    for (std::size_t i = 0; i < whole; i += 8) s.absorb(load_word(p + i));
    s.absorb(load_le(p + whole, n % 8) | (static_cast<std::uint64_t>(n & 0xff) << 56));
    s.v2 ^= 0xff;
    s.round();
    s.round();
    s.round();
    s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

KeyedHash::KeyedHash() {
    const std::string key = random_bytes(16);
    const auto* p = reinterpret_cast<const unsigned char*>(key.data());
    k0_ = load_le(p, 8);
    k1_ = load_le(p + 8, 8);
}

KeyedHash::KeyedHash(std::string_view key) {
    if (key.size() != 16) throw std::invalid_argument("SipHash key must be 16 bytes");
    const auto* p = reinterpret_cast<const unsigned char*>(key.data());
    k0_ = load_le(p, 8);
    k1_ = load_le(p + 8, 8);
}

}  // namespace gk::crypto
