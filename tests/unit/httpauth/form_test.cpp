// application/x-www-form-urlencoded and query parsing: the WHATWG grammar with
// strict %-escapes, UTF-8 and no NUL; RFC 6749 single-occurrence lookups;
// limits; percent-encoding for redirect URLs.
#include "gatekeeper/httpauth/form.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace gk::httpauth {
namespace {

// Fields written as "name=value" joined by " | " (so expectations read like the input).
std::string describe(const Form& f) {
    std::string out;
    for (const auto& field : f.fields()) {
        if (!out.empty()) out += " | ";
        out += field.name + "=" + field.value;
    }
    return out;
}

struct ParseCase {
    const char* name;
    std::string input;
    std::optional<std::string> want;  // nullopt: an error
    FormError error = FormError::bad_percent;
};

const ParseCase kParse[] = {
    {"empty", "", ""},
    {"one", "a=b", "a=b"},
    {"two", "a=b&c=d", "a=b | c=d"},
    {"order_kept", "z=1&a=2&m=3", "z=1 | a=2 | m=3"},
    {"plus_is_space", "q=a+b+c", "q=a b c"},
    {"encoded_plus", "q=a%2Bb", "q=a+b"},
    {"encoded_space", "q=a%20b", "q=a b"},
    {"encoded_amp_and_eq", "q=%26%3D", "q=&="},
    {"lower_hex", "q=%c3%a9", "q=\xC3\xA9"},
    {"upper_hex", "q=%C3%A9", "q=\xC3\xA9"},
    {"raw_utf8", "q=\xC3\xA9", "q=\xC3\xA9"},
    {"name_decoded", "%61%62=c", "ab=c"},
    {"no_equals", "flag", "flag="},
    {"empty_value", "a=", "a="},
    {"empty_name", "=v", "=v"},
    {"second_equals_in_value", "a=b=c", "a=b=c"},
    {"empty_pieces_skipped", "&&a=1&&b=2&", "a=1 | b=2"},
    {"only_ampersands", "&&&", ""},
    {"semicolon_not_separator", "a=1;b=2", "a=1;b=2"},
    {"redirect_uri", "redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1",
     "redirect_uri=https://app.example/cb?x=1"},
    {"percent_alone", "a=%", std::nullopt, FormError::bad_percent},
    {"percent_one_digit", "a=%4", std::nullopt, FormError::bad_percent},
    {"percent_non_hex", "a=%zz", std::nullopt, FormError::bad_percent},
    {"percent_half_hex", "a=%4g", std::nullopt, FormError::bad_percent},
    {"percent_in_name", "%x=1", std::nullopt, FormError::bad_percent},
    {"percent_before_amp", "a=%&b=1", std::nullopt, FormError::bad_percent},
    {"encoded_nul", "a=%00", std::nullopt, FormError::nul_byte},
    {"raw_nul", std::string("a=\0b", 4), std::nullopt, FormError::nul_byte},
    {"nul_in_name", "%00=1", std::nullopt, FormError::nul_byte},
    {"bad_utf8_encoded", "a=%FF", std::nullopt, FormError::bad_utf8},
    {"overlong_slash", "a=%C0%AF", std::nullopt, FormError::bad_utf8},
    {"surrogate", "a=%ED%A0%80", std::nullopt, FormError::bad_utf8},
    {"truncated_utf8", "a=%C3", std::nullopt, FormError::bad_utf8},
    {"bad_utf8_raw", "a=\xC3(", std::nullopt, FormError::bad_utf8},
    {"utf8_split_across_pieces", "a=%C3&b=%A9", std::nullopt, FormError::bad_utf8},
};

class FormParse : public ::testing::TestWithParam<ParseCase> {};

TEST_P(FormParse, Parse) {
    const auto& c = GetParam();
    auto r = parse_form(c.input);
    if (c.want) {
        ASSERT_TRUE(r.ok()) << to_string(r.error());
        EXPECT_EQ(describe(*r), *c.want);
    } else {
        ASSERT_FALSE(r.ok()) << describe(*r);
        EXPECT_EQ(r.error(), c.error) << to_string(r.error());
    }
}

INSTANTIATE_TEST_SUITE_P(Whatwg, FormParse, ::testing::ValuesIn(kParse),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FormQuery, LeadingQuestionMarkSkippedOnce) {
    EXPECT_EQ(describe(*parse_query("?a=1&b=2")), "a=1 | b=2");
    EXPECT_EQ(describe(*parse_query("a=1")), "a=1");
    EXPECT_EQ(describe(*parse_query("??a=1")), "?a=1");
    EXPECT_TRUE(parse_query("?").value().empty());
}

TEST(FormLimits, SizeCheckedBeforeDecoding) {
    const FormLimits limits{8, 100};
    EXPECT_TRUE(parse_form("a=123456", limits).ok());
    auto r = parse_form("a=1234567", limits);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), FormError::too_large);
    // Over the size limit and malformed: the limit is reported, nothing was decoded.
    EXPECT_EQ(parse_form("a=%%%%%%%%%", limits).error(), FormError::too_large);
}

TEST(FormLimits, FieldCountCheckedBeforeDecoding) {
    const FormLimits limits{1024, 3};
    EXPECT_TRUE(parse_form("a&b&c", limits).ok());
    EXPECT_TRUE(parse_form("a&&b&&c&&", limits).ok());  // empty pieces are not fields
    EXPECT_EQ(parse_form("a&b&c&d", limits).error(), FormError::too_many_fields);
    EXPECT_EQ(parse_form("a&b&c&%zz", limits).error(), FormError::too_many_fields);
}

TEST(FormLimits, DefaultsAcceptARealTokenRequest) {
    std::string body = "grant_type=authorization_code&code=" + std::string(64, 'x') +
                       "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_verifier=" + std::string(128, 'v');
    EXPECT_TRUE(parse_form(body).ok());
    EXPECT_EQ(parse_form(std::string(64 * 1024 + 1, 'a')).error(), FormError::too_large);
    std::string many;
    for (int i = 0; i < 101; ++i) many += "a&";
    EXPECT_EQ(parse_form(many).error(), FormError::too_many_fields);
}

TEST(FormLookup, SingleReportsAbsentOnceAndDuplicated) {
    auto f = parse_form("client_id=app&scope=read&scope=write&state=&a%62=1&ab=2").value();
    auto once = f.single("client_id");
    ASSERT_TRUE(once.ok());
    EXPECT_EQ(once.value(), std::optional<std::string_view>("app"));

    auto absent = f.single("redirect_uri");
    ASSERT_TRUE(absent.ok());
    EXPECT_FALSE(absent.value().has_value());

    auto empty = f.single("state");
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty.value(), std::optional<std::string_view>(""));

    auto dup = f.single("scope");
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error(), FormError::duplicate);

    // Names are compared after decoding: "a%62" and "ab" are the same parameter.
    EXPECT_EQ(f.single("ab").error(), FormError::duplicate);
    // Case-sensitive.
    EXPECT_FALSE(f.single("Client_ID").value().has_value());
}

TEST(FormLookup, CountFirstAll) {
    auto f = parse_form("x=1&y=2&x=3").value();
    EXPECT_EQ(f.size(), 3u);
    EXPECT_EQ(f.count("x"), 2u);
    EXPECT_EQ(f.count("z"), 0u);
    EXPECT_TRUE(f.contains("y"));
    EXPECT_FALSE(f.contains("z"));
    EXPECT_EQ(f.first("x"), std::optional<std::string_view>("1"));
    EXPECT_FALSE(f.first("z").has_value());
    const auto xs = f.all("x");
    ASSERT_EQ(xs.size(), 2u);
    EXPECT_EQ(xs[0], "1");
    EXPECT_EQ(xs[1], "3");
}

struct EncodeCase {
    const char* name;
    std::string in;
    std::string want;
};

const EncodeCase kEncode[] = {
    {"empty", "", ""},
    {"unreserved_kept", "AZaz09-._~", "AZaz09-._~"},
    {"space", "a b", "a%20b"},
    {"plus", "a+b", "a%2Bb"},
    {"reserved", ":/?#[]@!$&'()*,;=", "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2C%3B%3D"},
    {"percent", "100%", "100%25"},
    {"utf8", "\xC3\xA9", "%C3%A9"},
    {"controls", std::string("\0\r\n\x7F", 4), "%00%0D%0A%7F"},
    {"url", "https://app.example/cb?x=1&y=2", "https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1%26y%3D2"},
};

class PercentEncode : public ::testing::TestWithParam<EncodeCase> {};

TEST_P(PercentEncode, Encode) { EXPECT_EQ(percent_encode(GetParam().in), GetParam().want); }

INSTANTIATE_TEST_SUITE_P(Rfc3986, PercentEncode, ::testing::ValuesIn(kEncode),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FormEncode, RoundTripsThroughParse) {
    const std::vector<FormField> fields = {
        {"code", "a+b c/d?e&f=g"}, {"state", ""}, {"n\xC3\xA4me", "v\xC3\xA4lue"}, {"", "x"}, {"=", "&"}};
    const auto encoded = encode_form(fields);
    EXPECT_EQ(encoded.find_first_of(" +/?"), std::string::npos) << encoded;
    auto back = parse_form(encoded);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->fields(), fields);
}

TEST(FormEncode, AppendQuery) {
    const std::vector<FormField> p = {{"code", "x y"}, {"state", "s/1"}};
    EXPECT_EQ(append_query("https://app.example/cb", p), "https://app.example/cb?code=x%20y&state=s%2F1");
    EXPECT_EQ(append_query("https://app.example/cb?v=1", p),
              "https://app.example/cb?v=1&code=x%20y&state=s%2F1");
    EXPECT_EQ(append_query("https://app.example/cb?", p), "https://app.example/cb?code=x%20y&state=s%2F1");
    EXPECT_EQ(append_query("https://app.example/cb?v=1&", p),
              "https://app.example/cb?v=1&code=x%20y&state=s%2F1");
    EXPECT_EQ(append_query("/cb#frag", p), "/cb?code=x%20y&state=s%2F1#frag");
    EXPECT_EQ(append_query("/cb?a#frag", {}), "/cb?a#frag");
}

TEST(FormDecode, Component) {
    EXPECT_EQ(form_decode("a+b%21").value(), "a b!");
    EXPECT_EQ(form_decode("%").error(), FormError::bad_percent);
    EXPECT_EQ(to_string(FormError::duplicate), std::string("parameter included more than once"));
}

}  // namespace
}  // namespace gk::httpauth
