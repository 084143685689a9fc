// Strict base64 / base64url: RFC 4648 section 10 vectors, and the spellings a
// lenient decoder would accept but we must not.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "gatekeeper/httpauth/base64.hpp"

namespace gk::httpauth {
namespace {

struct Rfc4648 {
    std::string plain;
    std::string b64;
    std::string b64url;
};

class Base64Rfc4648 : public ::testing::TestWithParam<Rfc4648> {};

TEST_P(Base64Rfc4648, EncodeDecodeBothAlphabets) {
    const auto& c = GetParam();
    EXPECT_EQ(base64_encode(c.plain), c.b64);
    EXPECT_EQ(base64_decode(c.b64), std::optional<std::string>(c.plain));
    EXPECT_EQ(base64url_encode(c.plain), c.b64url);
    EXPECT_EQ(base64url_decode(c.b64url), std::optional<std::string>(c.plain));
}

INSTANTIATE_TEST_SUITE_P(Section10, Base64Rfc4648,
                         ::testing::Values(Rfc4648{"", "", ""}, Rfc4648{"f", "Zg==", "Zg"},
                                           Rfc4648{"fo", "Zm8=", "Zm8"}, Rfc4648{"foo", "Zm9v", "Zm9v"},
                                           Rfc4648{"foob", "Zm9vYg==", "Zm9vYg"},
                                           Rfc4648{"fooba", "Zm9vYmE=", "Zm9vYmE"},
                                           Rfc4648{"foobar", "Zm9vYmFy", "Zm9vYmFy"},
                                           // the two alphabets differ at 62 and 63
                                           Rfc4648{"\xfb\xff\xbf", "+/+/", "-_-_"},
                                           Rfc4648{"Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
                                                   "QWxhZGRpbjpvcGVuIHNlc2FtZQ"},
                                           Rfc4648{std::string("\0\0\0", 3), "AAAA", "AAAA"}));

struct Bad {
    const char* why;
    std::string text;
};

class Base64Rejects : public ::testing::TestWithParam<Bad> {};

TEST_P(Base64Rejects, Std) { EXPECT_EQ(base64_decode(GetParam().text), std::nullopt) << GetParam().why; }

INSTANTIATE_TEST_SUITE_P(
    Strict, Base64Rejects,
    ::testing::Values(
        Bad{"non-canonical trailing bits (RFC 7617 vector)", "QWxhZGRpbjpvcGVuIHNlc2FtZR=="},
        Bad{"non-canonical trailing bits, one pad", "Zm9="},  // "fo" is Zm8=
        Bad{"non-canonical trailing bits, two pads", "Zh=="},  // "f" is Zg==
        Bad{"missing padding", "QWxhZGRpbjpvcGVuIHNlc2FtZQ"}, Bad{"missing one pad", "Zm8"},
        Bad{"too much padding", "Zg==="}, Bad{"three pads", "Z==="}, Bad{"only padding", "===="},
        Bad{"pad in the middle", "Zg==Zm8="}, Bad{"pad inside a quantum", "Z=8="},
        Bad{"url alphabet in std", "-_-_"}, Bad{"whitespace", "Zm9v YmFy"}, Bad{"trailing newline", "Zm9v\n"},
        Bad{"leading space", " Zm9v"}, Bad{"NUL", std::string("Zm9v\0\0\0\0", 8)},
        Bad{"non-ASCII", "Zm9v\xc3\xa9\xc3\xa9"}, Bad{"single symbol", "Z"}, Bad{"5 symbols", "Zm9vY"},
        Bad{"percent-encoded", "Zm8%3D"}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

class Base64UrlRejects : public ::testing::TestWithParam<Bad> {};

TEST_P(Base64UrlRejects, Url) { EXPECT_EQ(base64url_decode(GetParam().text), std::nullopt) << GetParam().why; }

INSTANTIATE_TEST_SUITE_P(
    Strict, Base64UrlRejects,
    ::testing::Values(Bad{"padding is rejected", "Zg=="}, Bad{"one pad", "Zm8="}, Bad{"padded full quantum", "Zm9v===="},
                      Bad{"std alphabet in url", "+/+/"}, Bad{"non-canonical 2 symbols", "Zh"},
                      Bad{"non-canonical 3 symbols", "Zm9"}, Bad{"length 1 mod 4", "Zm9vY"},
                      Bad{"whitespace", "Zm 9v"}, Bad{"dot (JWS separator)", "Zm9v.YmFy"}),
    [](const auto& info) { return "case" + std::to_string(info.index); });

// Every byte value through every remainder length: decode(encode(x)) == x and
// encode(decode(s)) == s, i.e. exactly one spelling per value.
TEST(Base64, AllBytesRoundTrip) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t len = 0; len <= all.size(); ++len) {
        const std::string in = all.substr(all.size() - len);
        const std::string e = base64_encode(in);
        const std::string u = base64url_encode(in);
        EXPECT_EQ(e.size() % 4, 0u);
        EXPECT_EQ(u.find('='), std::string::npos);
        ASSERT_EQ(base64_decode(e), std::optional<std::string>(in)) << len;
        ASSERT_EQ(base64url_decode(u), std::optional<std::string>(in)) << len;
    }
}

// Exhaustive over all 2-symbol and 3-symbol base64url strings: decodes iff canonical.
TEST(Base64, ShortInputsDecodeIffCanonical) {
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int accepted2 = 0;
    for (char a : alphabet) {
        for (char b : alphabet) {
            const std::string s{a, b};
            auto d = base64url_decode(s);
            if (d) {
                ++accepted2;
                EXPECT_EQ(base64url_encode(*d), s);
            }
        }
    }
    EXPECT_EQ(accepted2, 256);  // one spelling per byte value
    int accepted3 = 0;
    for (char a : alphabet) {
        for (char b : alphabet) {
            for (char c : alphabet) {
                const std::string s{a, b, c};
                auto d = base64url_decode(s);
                if (d) {
                    ++accepted3;
                    EXPECT_EQ(base64url_encode(*d), s);
                }
            }
        }
    }
    EXPECT_EQ(accepted3, 65536);
}

}  // namespace
}  // namespace gk::httpauth
