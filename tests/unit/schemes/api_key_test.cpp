#include "gatekeeper/schemes/api_key.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gk::schemes {
namespace {

// Fixed vectors, computed independently of this code:
//   key:  Python, int.from_bytes(bytes, "big") in base62 ("0-9A-Za-z", 43 digits),
//         then zlib.crc32(body) in base62 (6 digits)
//   hash: printf %s KEY | sha256sum
struct Vector {
    const char* name;
    std::string bytes;
    const char* key;
    const char* sha256;
};

std::string counting_bytes() {
    std::string b;
    for (int i = 0; i < 32; ++i) b.push_back(static_cast<char>(i));
    return b;
}

const Vector kVectors[] = {
    {"bytes 00..1f", counting_bytes(), "gk_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP",
     "f53ec71d6920f8acf19b9f7fe3479be74b902fbf793f0f14b7819eada0b80935"},
    {"all zero", std::string(32, '\0'), "gk_00000000000000000000000000000000000000000002CZclj",
     "1b4254a165875d05a4be1c7aaec80ddfcae790497fdb1373917223c6ba81577e"},
    {"all ff", std::string(32, '\xff'), "gk_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp13sRzl1",
     "84cc75e7deb7f7cff05dfe4fc80eccaf8387bee1f40161004f35d3f05d87b1c2"},
};

const std::string kSample = kVectors[0].key;
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

TEST(ApiKeyFormat, FixedVectors) {
    for (const auto& v : kVectors) {
        SCOPED_TRACE(v.name);
        const Secret key = api_key_from_bytes(v.bytes);
        EXPECT_EQ(key.reveal(), v.key);
        EXPECT_TRUE(check_api_key(v.key).ok());
        EXPECT_EQ(api_key_hash(v.key), v.sha256);
    }
}

TEST(ApiKeyFormat, GeneratedKeysPass) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const Secret key = generate_api_key();
        const auto k = key.reveal();
        ASSERT_EQ(k.size(), kApiKeyLength);
        ASSERT_EQ(k.substr(0, 3), "gk_");
        ASSERT_TRUE(looks_like_api_key(k)) << k;
        ASSERT_TRUE(check_api_key(k).ok()) << k;
        EXPECT_EQ(k.find_first_of("_-", 3), std::string_view::npos) << k;
        seen.emplace(k);
    }
    EXPECT_EQ(seen.size(), 200u);
}

TEST(ApiKeyFormat, EverySingleSubstitutionFailsTheChecksum) {
    int tried = 0;
    for (std::size_t pos = kApiKeyPrefix.size(); pos < kSample.size(); ++pos) {
        for (char c : kAlphabet) {
            if (c == kSample[pos]) continue;
            std::string typo = kSample;
            typo[pos] = c;
            ASSERT_TRUE(looks_like_api_key(typo)) << typo;
            const auto r = check_api_key(typo);
            ASSERT_FALSE(r.ok()) << "position " << pos << " -> '" << c << "'";
            ASSERT_EQ(r.error(), ApiKeyError::bad_checksum) << typo;
            ++tried;
        }
    }
    EXPECT_EQ(tried, 49 * 61);
}

TEST(ApiKeyFormat, SwappedNeighboursFailTheChecksum) {
    for (std::size_t pos = kApiKeyPrefix.size(); pos + 1 < kSample.size(); ++pos) {
        if (kSample[pos] == kSample[pos + 1]) continue;
        std::string typo = kSample;
        std::swap(typo[pos], typo[pos + 1]);
        EXPECT_EQ(check_api_key(typo).error(), ApiKeyError::bad_checksum) << "swap at " << pos;
    }
}

struct MalformedCase {
    const char* name;
    std::string text;
};

class ApiKeyMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(ApiKeyMalformed, RefusedBeforeTheChecksum) {
    const auto& c = GetParam();
    EXPECT_FALSE(looks_like_api_key(c.text));
    const auto r = check_api_key(c.text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), ApiKeyError::malformed);
}

std::string with(std::size_t pos, char c) {
    std::string s = kSample;
    s[pos] = c;
    return s;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ApiKeyMalformed,
    ::testing::Values(
        MalformedCase{"empty", ""}, MalformedCase{"prefix_only", "gk_"},
        MalformedCase{"one_short", kSample.substr(0, kSample.size() - 1)},
        MalformedCase{"one_long", kSample + "0"}, MalformedCase{"trailing_newline", kSample + "\n"},
        MalformedCase{"leading_space", " " + kSample.substr(1)},
        MalformedCase{"no_prefix", kSample.substr(3)},
        MalformedCase{"upper_prefix", "GK_" + kSample.substr(3)},
        MalformedCase{"other_prefix", "ghp" + kSample.substr(3)},
        MalformedCase{"dash_prefix", "gk-" + kSample.substr(3)}, MalformedCase{"prefix_typo", with(1, 'x')},
        MalformedCase{"underscore_in_body", with(10, '_')}, MalformedCase{"dash_in_body", with(10, '-')},
        MalformedCase{"plus_in_body", with(20, '+')},
        MalformedCase{"slash_in_checksum", with(kApiKeyLength - 1, '/')},
        MalformedCase{"equals_padding", with(kApiKeyLength - 1, '=')},
        MalformedCase{"nul_in_body", with(30, '\0')},
        MalformedCase{"non_ascii", kSample.substr(0, kApiKeyLength - 2) + "\xc3\xa9"},
        MalformedCase{"a_jwt", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ApiKeyFormat, LooksLikeSkipsTheChecksum) {
    const std::string typo = with(10, kSample[10] == 'a' ? 'b' : 'a');
    EXPECT_TRUE(looks_like_api_key(typo));
    EXPECT_EQ(check_api_key(typo).error(), ApiKeyError::bad_checksum);
}

TEST(ApiKeyFormat, HashIsLowerHexOfTheWholeKey) {
    const Secret key = generate_api_key();
    const auto h = api_key_hash(key.reveal());
    EXPECT_EQ(h.size(), 64u);
    EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(api_key_hash(key.reveal()), h);            // stable
    EXPECT_NE(api_key_hash(key.reveal().substr(3)), h);  // the prefix is part of what is hashed
}

TEST(ApiKeyFormat, HintIsPrefixAndFirstCharacters) {
    EXPECT_EQ(api_key_hint(kSample), "gk_003aUl");
    EXPECT_EQ(api_key_hint(kSample).size(), kApiKeyPrefix.size() + kApiKeyHintChars);
    EXPECT_EQ(api_key_hint("gk_"), "gk_");
    // The hint never reaches the checksum, and leaves most of the key unknown.
    EXPECT_LT(kApiKeyHintChars * 2, kApiKeyBodyChars);
}

TEST(ApiKeyFormat, ErrorsSayWhatIsWrong) {
    EXPECT_NE(std::string(to_string(ApiKeyError::malformed)).find("gk_"), std::string::npos);
    EXPECT_NE(std::string(to_string(ApiKeyError::bad_checksum)).find("checksum"), std::string::npos);
}

TEST(ApiKeyFormat, FromBytesWantsExactly32) {
    EXPECT_THROW((void)api_key_from_bytes(std::string(31, 'x')), std::invalid_argument);
    EXPECT_THROW((void)api_key_from_bytes(std::string(33, 'x')), std::invalid_argument);
}

}  // namespace
}  // namespace gk::schemes
