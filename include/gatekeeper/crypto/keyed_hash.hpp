#pragma once
// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash for hash
// tables whose keys an attacker chooses. With a secret random key nobody
// outside the process can make two inputs collide on purpose, so a table keyed
// by it cannot be flooded into one bucket; SHA-256 gives the same guarantee
// at about eight times the cost. Not a MAC for anything that leaves the
// process: 64 bits are too few for that, and a table built on it still
// compares the full key (in constant time when it is a secret).
#include <cstdint>
#include <string_view>

namespace gk::crypto {

// The function itself, with the key as two little-endian 64-bit words
// (k0 = key bytes 0..7, k1 = bytes 8..15).
std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data) noexcept;

class KeyedHash {
public:
    // A fresh key from the CSPRNG (throws only if the CSPRNG fails, like random_bytes).
    KeyedHash();
    // A given 16-byte key (tests); any other length throws std::invalid_argument.
    explicit KeyedHash(std::string_view key);

    [[nodiscard]] std::uint64_t operator()(std::string_view data) const noexcept {
        return siphash24(k0_, k1_, data);
    }

private:
    std::uint64_t k0_ = 0, k1_ = 0;
};

}  // namespace gk::crypto
