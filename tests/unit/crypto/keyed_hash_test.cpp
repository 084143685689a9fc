// SipHash-2-4 against the vectors of the SipHash paper (key 00 01 .. 0f,
// message 00 01 .. (n-1)), and the keyed behaviour a hash table relies on.
#include "gatekeeper/crypto/keyed_hash.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gk::crypto {
namespace {

std::string counting(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
    return s;
}

struct Vector {
    std::size_t length;
    std::uint64_t expected;
};

// Appendix A of the paper (15 bytes) and entries of its reference vectors:
// empty, one byte, one whole word, a word and a tail.
const Vector kVectors[] = {
    {0, 0x726fdb47dd0e0e31ULL},
    {1, 0x74f839c593dc67fdULL},
    {8, 0x93f5f5799a932462ULL},
    {15, 0xa129ca6149be45e5ULL},
};

TEST(KeyedHash, PaperVectors) {
    const KeyedHash h(counting(16));
    for (const auto& v : kVectors) {
        EXPECT_EQ(h(counting(v.length)), v.expected) << "length " << v.length;
        EXPECT_EQ(siphash24(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL, counting(v.length)), v.expected);
    }
}

TEST(KeyedHash, KeyMustBeSixteenBytes) {
    EXPECT_THROW(KeyedHash(std::string(15, 'k')), std::invalid_argument);
    EXPECT_THROW(KeyedHash(std::string(17, 'k')), std::invalid_argument);
}

TEST(KeyedHash, RandomKeysDiffer) {
    // Two processes (here: two instances) hash the same token differently,
    // so collisions found against one say nothing about another.
    const KeyedHash a, b;
    const std::string token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";
    EXPECT_EQ(a(token), a(token));
    EXPECT_NE(a(token), b(token));
}

TEST(KeyedHash, EveryLengthAndByteCounts) {
    // Lengths around the word boundary and one flipped byte all give distinct values.
    const KeyedHash h(counting(16));
    std::set<std::uint64_t> seen;
    for (std::size_t n = 0; n <= 40; ++n) {
        std::string s(n, 'a');
        EXPECT_TRUE(seen.insert(h(s)).second) << n;
        if (n > 0) {
            s[n - 1] = 'b';
            EXPECT_TRUE(seen.insert(h(s)).second) << n;
        }
    }
}

}  // namespace
}  // namespace gk::crypto
