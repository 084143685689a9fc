// decode_basic and basic_challenge beyond the RFC vectors: each error, UTF-8
// edge cases (overlongs, surrogates, range), the size cap.
#include <gtest/gtest.h>

#include <string>

#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/schemes/basic.hpp"

namespace gk::schemes {
namespace {

httpauth::Credentials token(std::string scheme, std::string t) {
    httpauth::Credentials c;
    c.scheme = std::move(scheme);
    c.token68 = std::move(t);
    return c;
}

// Credentials whose token68 is the base64 of user_pass.
httpauth::Credentials basic_of(std::string_view user_pass) {
    return token("Basic", httpauth::base64_encode(user_pass));
}

struct Case {
    const char* name;
    httpauth::Credentials creds;
    std::optional<BasicError> error;  // nullopt = decodes
    std::string user = {};
    std::string password = {};
};

class DecodeBasic : public ::testing::TestWithParam<Case> {};

TEST_P(DecodeBasic, Table) {
    const auto& c = GetParam();
    auto r = decode_basic(c.creds);
    if (c.error) {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error(), *c.error) << to_string(r.error());
        return;
    }
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r.value().user, c.user);
    EXPECT_EQ(r.value().password.reveal(), c.password);
}

httpauth::Credentials with_params() {
    httpauth::Credentials c;
    c.scheme = "Basic";
    c.params.push_back({"realm", "x", true});
    return c;
}

httpauth::Credentials scheme_only(std::string s) {
    httpauth::Credentials c;
    c.scheme = std::move(s);
    return c;
}

const std::string k4k(kMaxBasicDecoded - 2, 'p');

INSTANTIATE_TEST_SUITE_P(
    Table, DecodeBasic,
    ::testing::Values(
        Case{"aladdin", token("Basic", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), std::nullopt, "Aladdin", "open sesame"},
        Case{"upper_scheme", token("BASIC", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), std::nullopt, "Aladdin", "open sesame"},
        Case{"empty_password", basic_of("alice:"), std::nullopt, "alice", ""},
        Case{"only_colon", basic_of(":"), std::nullopt, "", ""},
        Case{"first_colon_splits", basic_of("a::b:"), std::nullopt, "a", ":b:"},
        Case{"utf8_both", basic_of("\xc3\xa9l\xc3\xa8ve:\xe2\x82\xac\xf0\x9f\x94\x91"), std::nullopt,
             "\xc3\xa9l\xc3\xa8ve", "\xe2\x82\xac\xf0\x9f\x94\x91"},
        Case{"max_code_point", basic_of("u:\xf4\x8f\xbf\xbf"), std::nullopt, "u", "\xf4\x8f\xbf\xbf"},
        Case{"noncharacter_is_wellformed", basic_of("u:\xef\xbf\xbf"), std::nullopt, "u", "\xef\xbf\xbf"},
        Case{"c1_control_is_not_a_ctl", basic_of("u:\xc2\x85"), std::nullopt, "u", "\xc2\x85"},
        Case{"spaces_kept", basic_of(" u : p "), std::nullopt, " u ", " p "},
        Case{"at_size_cap", basic_of("u:" + k4k), std::nullopt, "u", k4k},

        Case{"bearer", token("Bearer", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), BasicError::not_basic},
        Case{"basic_prefix_scheme", token("Basicx", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), BasicError::not_basic},
        Case{"no_token", scheme_only("Basic"), BasicError::missing_token},
        Case{"params_not_token", with_params(), BasicError::missing_token},
        Case{"url_alphabet", token("Basic", "-_-_"), BasicError::bad_base64},
        Case{"unpadded", token("Basic", "QWxhZGRpbjpvcGVuIHNlc2FtZQ"), BasicError::bad_base64},
        Case{"noncanonical", token("Basic", "QWxhZGRpbjpvcGVuIHNlc2FtZR=="), BasicError::bad_base64},
        Case{"empty_decoded", token("Basic", ""), BasicError::no_colon},
        Case{"no_colon", basic_of("alice"), BasicError::no_colon},
        Case{"nul_in_password", basic_of(std::string("a:b\0c", 5)), BasicError::control_char},
        Case{"tab_in_user", basic_of("a\tb:c"), BasicError::control_char},
        Case{"cr_lf_in_password", basic_of("a:b\r\n"), BasicError::control_char},
        Case{"del_in_password", basic_of("a:b\x7f"), BasicError::control_char},
        Case{"escape_in_user", basic_of("\x1b[31m:x"), BasicError::control_char},
        Case{"latin1_octet", basic_of("a:\xe9t\xe9"), BasicError::bad_utf8},
        Case{"overlong_slash_c0", basic_of("a:\xc0\xaf"), BasicError::bad_utf8},
        Case{"overlong_c1", basic_of("a:\xc1\xbf"), BasicError::bad_utf8},
        Case{"overlong_3byte", basic_of("a:\xe0\x80\xaf"), BasicError::bad_utf8},
        Case{"overlong_4byte", basic_of("a:\xf0\x80\x80\xaf"), BasicError::bad_utf8},
        Case{"overlong_nul_as_colon_trick", basic_of("a\xc0\xba" "b:c"), BasicError::bad_utf8},
        Case{"surrogate_high", basic_of("a:\xed\xa0\x80"), BasicError::bad_utf8},
        Case{"surrogate_low", basic_of("a:\xed\xbf\xbf"), BasicError::bad_utf8},
        Case{"above_10ffff", basic_of("a:\xf4\x90\x80\x80"), BasicError::bad_utf8},
        Case{"f5_lead", basic_of("a:\xf5\x80\x80\x80"), BasicError::bad_utf8},
        Case{"ff_byte", basic_of("a:\xff"), BasicError::bad_utf8},
        Case{"stray_continuation", basic_of("a:\x80"), BasicError::bad_utf8},
        Case{"truncated_2byte", basic_of("a:\xc3"), BasicError::bad_utf8},
        Case{"truncated_4byte", basic_of("a:\xf0\x9f\x94"), BasicError::bad_utf8},
        Case{"lead_then_ascii", basic_of("a:\xe2\x82x"), BasicError::bad_utf8},
        Case{"over_size_cap", basic_of("u:" + k4k + "x"), BasicError::too_long},
        Case{"huge_token_not_decoded", token("Basic", std::string(100000, 'A')), BasicError::too_long}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DecodeBasic, EndToEndFromHeader) {
    auto c = httpauth::parse_credentials("basic  dGVzdDoxMjPCow==");
    ASSERT_TRUE(c.ok());
    auto r = decode_basic(c.value());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value().user, "test");
    EXPECT_EQ(r.value().password.reveal(), "123\xc2\xa3");
}

TEST(DecodeBasic, EveryErrorHasAMessage) {
    for (auto e : {BasicError::not_basic, BasicError::missing_token, BasicError::bad_base64, BasicError::no_colon,
                   BasicError::control_char, BasicError::bad_utf8, BasicError::too_long}) {
        EXPECT_STRNE(to_string(e), "unknown Basic error");
    }
}

TEST(BasicChallenge, ExactFieldValue) {
    EXPECT_EQ(httpauth::format_challenge(basic_challenge("Admin Panel")),
              "Basic realm=\"Admin Panel\", charset=\"UTF-8\"");
    // A realm that is a token is still quoted (RFC 7617: realm is a quoted-string).
    EXPECT_EQ(httpauth::format_challenge(basic_challenge("api")), "Basic realm=\"api\", charset=\"UTF-8\"");
    EXPECT_EQ(httpauth::format_challenge(basic_challenge("")), "Basic realm=\"\", charset=\"UTF-8\"");
    EXPECT_EQ(httpauth::format_challenge(basic_challenge("say \"hi\"")),
              "Basic realm=\"say \\\"hi\\\"\", charset=\"UTF-8\"");
}

TEST(BasicChallenge, ParsesBack) {
    const std::string realm = "R\xc3\xa9gion \\ \"1\", 2";
    auto r = httpauth::parse_challenges(httpauth::format_challenge(basic_challenge(realm)));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.value().size(), 1u);
    EXPECT_EQ(r.value()[0].scheme, "Basic");
    ASSERT_NE(r.value()[0].param("realm"), nullptr);
    EXPECT_EQ(r.value()[0].param("realm")->value, realm);
    EXPECT_EQ(r.value()[0].param("charset")->value, "UTF-8");
}

}  // namespace
}  // namespace gk::schemes
