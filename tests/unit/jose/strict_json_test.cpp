// The internal strict JSON parser and the strict base64url decoder every
// token part goes through.
#include "jose/strict_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "gatekeeper/httpauth/base64.hpp"
#include "test_tokens.hpp"

namespace gk::jose {
namespace {

using detail::kMaxJsonDepth;
using detail::parse_object;

struct JsonCase {
    const char* name;
    std::string text;
    std::optional<JoseError> error;  // nullopt: accepted
};

class StrictJson : public ::testing::TestWithParam<JsonCase> {};

TEST_P(StrictJson, Verdict) {
    const auto& c = GetParam();
    auto r = parse_object(c.text);
    if (!c.error) {
        EXPECT_TRUE(r.ok()) << to_string(r.error());
    } else {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error(), *c.error);
    }
}

const JsonCase kJsonCases[] = {
    {"empty_object", "{}", std::nullopt},
    {"flat", R"({"a":1,"b":"x"})", std::nullopt},
    {"whitespace_around", " \t\r\n{ \"a\" : 1 }\n ", std::nullopt},
    {"same_name_in_sibling_objects", R"({"a":[{"x":1},{"x":2}],"b":{"x":3}})", std::nullopt},
    {"same_name_parent_and_child", R"({"a":{"a":{"a":1}}})", std::nullopt},
    {"duplicate_top", R"({"a":1,"a":2})", JoseError::duplicate_member},
    {"duplicate_same_value", R"({"a":1,"a":1})", JoseError::duplicate_member},
    {"duplicate_nested_object", R"({"a":{"b":1,"b":2}})", JoseError::duplicate_member},
    {"duplicate_in_array_element", R"({"a":[1,{"x":1,"x":2}]})", JoseError::duplicate_member},
    {"duplicate_deep", R"({"a":{"b":{"c":{"d":{"e":1,"e":2}}}}})", JoseError::duplicate_member},
    {"duplicate_via_escape", R"({"alg":"HS256","\u0061lg":"none"})", JoseError::duplicate_member},
    {"duplicate_escape_both", R"({"a\u0062":1,"\u0061b":2})", JoseError::duplicate_member},
    {"not_duplicate_case", R"({"alg":1,"ALG":2})", std::nullopt},
    {"duplicate_empty_name", R"({"":1,"":2})", JoseError::duplicate_member},
    {"top_array", "[1,2]", JoseError::bad_json},
    {"top_string", R"("x")", JoseError::bad_json},
    {"top_number", "1", JoseError::bad_json},
    {"top_null", "null", JoseError::bad_json},
    {"empty_text", "", JoseError::bad_json},
    {"only_space", "   ", JoseError::bad_json},
    {"trailing_garbage", R"({"a":1}x)", JoseError::bad_json},
    {"two_objects", R"({"a":1}{"b":2})", JoseError::bad_json},
    {"trailing_nul", test::bytes("{}\0"), JoseError::bad_json},
    {"unterminated", R"({"a":1)", JoseError::bad_json},
    {"bom", "\xEF\xBB\xBF{}", JoseError::bad_json},
    {"utf16le", test::bytes("{\0}\0"), JoseError::bad_json},
    {"comment", R"({/*c*/"a":1})", JoseError::bad_json},
    {"trailing_comma", R"({"a":1,})", JoseError::bad_json},
    {"single_quotes", "{'a':1}", JoseError::bad_json},
    {"bare_name", "{a:1}", JoseError::bad_json},
    {"invalid_utf8_value", "{\"a\":\"\xFF\"}", JoseError::bad_json},
    {"invalid_utf8_name", "{\"\xC3\":1}", JoseError::bad_json},
    {"overlong_slash", "{\"a\":\"\xC0\xAF\"}", JoseError::bad_json},
    {"surrogate_utf8", "{\"a\":\"\xED\xA0\x80\"}", JoseError::bad_json},
    {"above_10ffff", "{\"a\":\"\xF4\x90\x80\x80\"}", JoseError::bad_json},
    {"valid_utf8", "{\"a\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"}", std::nullopt},
    {"control_char_in_string", "{\"a\":\"x\ny\"}", JoseError::bad_json},
    {"nan_literal", R"({"a":NaN})", JoseError::bad_json},
    {"leading_zero", R"({"a":01})", JoseError::bad_json},
    {"number_overflow", R"({"a":1e400})", JoseError::bad_json},
    // The first fault stops the parse: an overflow before a repeated name is
    // malformed (found by fuzz_jws, whose oracle had assumed the duplicate).
    {"overflow_then_duplicate", R"({"a":0.5e910,"a":0.5})", JoseError::bad_json},
    {"duplicate_then_overflow", R"({"a":0.5,"a":0.5e910})", JoseError::duplicate_member},
    {"number_overflow_negative", R"({"a":-5e474})", JoseError::bad_json},
    {"number_overflow_nested", R"({"a":[1,{"b":1e999}]})", JoseError::bad_json},
    {"number_underflow_is_zero", R"({"a":1e-400})", std::nullopt},
    {"number_large_finite", R"({"a":1.7e308,"b":123456789012345678901234567890})", std::nullopt},
};

INSTANTIATE_TEST_SUITE_P(Cases, StrictJson, ::testing::ValuesIn(kJsonCases),
                         [](const auto& info) { return std::string(info.param.name); });

std::string nested(std::size_t depth) {
    // depth objects: {"a":{"a":...{}...}}
    std::string s;
    for (std::size_t i = 1; i < depth; ++i) s += R"({"a":)";
    s += "{}";
    for (std::size_t i = 1; i < depth; ++i) s += "}";
    return s;
}

TEST(StrictJsonDepth, BoundedAtTheCap) {
    EXPECT_TRUE(parse_object(nested(kMaxJsonDepth)).ok());
    auto over = parse_object(nested(kMaxJsonDepth + 1));
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error(), JoseError::bad_json);
}

TEST(StrictJsonDepth, TenThousandDeepIsAnErrorNotACrash) {
    EXPECT_FALSE(parse_object(nested(10'000)).ok());
    EXPECT_FALSE(parse_object("{\"a\":" + std::string(10'000, '[')).ok());
}

TEST(StrictJsonValue, BuildsTheSameValueAsBoost) {
    const std::string text =
        R"({"a":[1,-2,{"b":"c\u00e9"}],"d":true,"e":null,"f":1.5,"g":18446744073709551615,"h":{},"i":[],)"
        R"("j":"a\"b\\c\/d","k":9223372036854775807,"l":-9223372036854775808})";
    auto ours = parse_object(text);
    ASSERT_TRUE(ours.ok());
    EXPECT_EQ(boost::json::value(*ours), boost::json::parse(text));
}

TEST(StrictJsonValue, LongNamesAndStrings) {
    const std::string name(5000, 'n');
    const std::string value(20000, 'v');
    auto r = parse_object("{\"" + name + "\":\"" + value + "\",\"x\":1}");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->at(name).as_string(), value);
    EXPECT_EQ(parse_object("{\"" + name + "\":1,\"" + name + "\":2}").error(), JoseError::duplicate_member);
}

TEST(StrictJsonValue, ManyMembersStayLinear) {
    std::string text = "{";
    for (int i = 0; i < 20000; ++i)
        text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    text += "}";
    auto r = parse_object(text);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->size(), 20000u);
    EXPECT_EQ(parse_object(text.substr(0, text.size() - 1) + ",\"k19999\":0}").error(),
              JoseError::duplicate_member);
}

// base64url as the JOSE parts need it (RFC 7515 section 2): unpadded, URL
// alphabet, no whitespace, canonical trailing bits (RFC 4648 section 3.5).
struct B64Case {
    const char* text;
    std::optional<std::string> bytes;
};

TEST(Base64Url, StrictDecoding) {
    const B64Case cases[] = {
        {"", std::string()},           {"AA", std::string(1, '\0')},
        {"AAA", std::string(2, '\0')}, {"AAAA", std::string(3, '\0')},
        {"e30", std::string("{}")},    {"-_8", test::bytes("\xfb\xff")},
        {"AA==", std::nullopt},   // padding
        {"AAA=", std::nullopt},   // padding
        {"e30=", std::nullopt},   // padding
        {"AB", std::nullopt},     // non-zero trailing bits (4 unused bits)
        {"AAB", std::nullopt},    // non-zero trailing bits (2 unused bits)
        {"e31", std::nullopt},    // "{}" in a lax decoder
        {"A", std::nullopt},      // 6 bits cannot make a byte
        {"AAAAA", std::nullopt},  // same
        {"+/8", std::nullopt},    // standard alphabet
        {"A A", std::nullopt},    // whitespace
        {"AA\n", std::nullopt},        {"AA%3D", std::nullopt},
        {"A?A", std::nullopt},         {"A.A", std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        EXPECT_EQ(httpauth::base64url_decode(c.text), c.bytes);
    }
    // The RFC 7515 A.1 MAC with the last character changed k -> l decodes to the
    // same 32 bytes in a lax decoder; strictly it is an error.
    EXPECT_TRUE(httpauth::base64url_decode("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").has_value());
    EXPECT_FALSE(httpauth::base64url_decode("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl").has_value());
    EXPECT_FALSE(httpauth::base64url_decode("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk=").has_value());
}

TEST(Base64Url, EncodeRoundTrip) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t n = 0; n <= all.size(); n += 17) {
        const std::string s = all.substr(0, n);
        const std::string e = httpauth::base64url_encode(s);
        EXPECT_EQ(e.find_first_of("=+/"), std::string::npos);
        EXPECT_EQ(httpauth::base64url_decode(e), s);
    }
}

}  // namespace
}  // namespace gk::jose
