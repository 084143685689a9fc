// The quad-at-a-time base64url/base64 decoder against a bit-at-a-time
// reference written from RFC 4648: every length 0..41, a bad symbol at every
// position, every value of the last symbol (the non-canonical tails), and
// random round trips.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

#include "gatekeeper/httpauth/base64.hpp"

namespace gk::httpauth {
namespace {

constexpr std::string_view kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::optional<std::string> reference_url(std::string_view in) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : in) {
        const auto pos = kUrl.find(ch);
        if (pos == std::string_view::npos) return std::nullopt;
        acc = (acc << 6 | static_cast<std::uint32_t>(pos)) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>(acc >> bits & 0xff));
        }
    }
    if (in.size() % 4 == 1) return std::nullopt;
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

TEST(Base64Quads, MatchesReferenceOnEveryShape) {
    std::mt19937 rng(7);
    for (std::size_t len = 0; len <= 41; ++len) {
        std::string s(len, 'A');
        for (auto& c : s) c = kUrl[rng() % 64];
        EXPECT_EQ(base64url_decode(s), reference_url(s)) << s;
        for (std::size_t at = 0; at < len; ++at) {
            for (char bad : {'=', '+', '/', ' ', '.', '\0', '\xff'}) {
                std::string t = s;
                t[at] = bad;
                ASSERT_EQ(base64url_decode(t), std::nullopt) << "len " << len << " at " << at;
            }
        }
        if (len > 0) {
            for (char last : kUrl) {
                std::string t = s;
                t.back() = last;
                ASSERT_EQ(base64url_decode(t), reference_url(t)) << t;
            }
        }
    }
}

TEST(Base64Quads, RoundTrips) {
    std::mt19937 rng(11);
    for (std::size_t len = 0; len < 300; len += 1 + len / 8) {
        std::string bytes(len, '\0');
        for (auto& b : bytes) b = static_cast<char>(rng());
        EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
        EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
    }
}

}  // namespace
}  // namespace gk::httpauth
