// format_challenge output, and format -> parse round trips.
#include <gtest/gtest.h>

#include <string>

#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::httpauth {
namespace {

Challenge make(std::string scheme, std::vector<AuthParam> params) {
    Challenge c;
    c.scheme = std::move(scheme);
    c.params = std::move(params);
    return c;
}

struct FormatCase {
    const char* name;
    Challenge in;
    std::string out;
};

class Format : public ::testing::TestWithParam<FormatCase> {};

TEST_P(Format, Writes) { EXPECT_EQ(format_challenge(GetParam().in), GetParam().out); }

INSTANTIATE_TEST_SUITE_P(
    Table, Format,
    ::testing::Values(
        FormatCase{"basic", make("Basic", {{"realm", "Admin Panel", true}, {"charset", "UTF-8", true}}),
                   "Basic realm=\"Admin Panel\", charset=\"UTF-8\""},
        FormatCase{"token_value", make("Digest", {{"realm", "r", true}, {"algorithm", "SHA-256", false}, {"stale", "true", false}}),
                   "Digest realm=\"r\", algorithm=SHA-256, stale=true"},
        FormatCase{"non_token_forced_quoted", make("X", {{"a", "b c", false}}), "X a=\"b c\""},
        FormatCase{"empty_value_quoted", make("X", {{"a", "", false}}), "X a=\"\""},
        FormatCase{"escapes", make("X", {{"title", "Login to \"apps\" \\ now", true}}),
                   "X title=\"Login to \\\"apps\\\" \\\\ now\""},
        FormatCase{"slash_not_token", make("X", {{"scope", "a/b", false}}), "X scope=\"a/b\""},
        FormatCase{"no_params", make("Negotiate", {}), "Negotiate"},
        // CR/LF in a configured realm must never split the header line.
        FormatCase{"ctl_replaced", make("Basic", {{"realm", "a\r\nSet-Cookie: x", true}}),
                   "Basic realm=\"a  Set-Cookie: x\""},
        FormatCase{"htab_kept", make("X", {{"a", "1\t2", true}}), "X a=\"1\t2\""},
        FormatCase{"utf8_kept", make("Basic", {{"realm", "caf\xc3\xa9", true}}), "Basic realm=\"caf\xc3\xa9\""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Format, Token68) {
    Challenge c;
    c.scheme = "Negotiate";
    c.token68 = "abc==";
    EXPECT_EQ(format_challenge(c), "Negotiate abc==");
}

TEST(Format, SeveralChallengesOneLine) {
    const std::vector<Challenge> cs = {make("Digest", {{"realm", "r", true}}), make("Basic", {{"realm", "r", true}}),
                                       make("Bearer", {})};
    EXPECT_EQ(format_challenges(cs), "Digest realm=\"r\", Basic realm=\"r\", Bearer");
    EXPECT_EQ(format_challenges({}), "");
}

TEST(Format, RoundTripOfAwkwardValues) {
    // Each value survives format -> parse byte for byte (all bytes but CTLs).
    std::string every;
    for (int b = 0x20; b < 0x100; ++b) {
        if (b != 0x7f) every.push_back(static_cast<char>(b));
    }
    const std::vector<std::string> values = {"", "\"", "\\", "\\\"", "a,b", "a=b", "  lead", "trail  ", every, "\t"};
    for (const auto& v : values) {
        const std::vector<Challenge> cs = {make("X", {{"p", v, false}, {"q", "tok", false}}), make("Y", {})};
        auto r = parse_challenges(format_challenges(cs));
        ASSERT_TRUE(r.ok()) << format_challenges(cs);
        ASSERT_EQ(r.value().size(), 2u);
        ASSERT_EQ(r.value()[0].params.size(), 2u);
        EXPECT_EQ(r.value()[0].params[0].value, v);
        EXPECT_EQ(r.value()[0].params[1].value, "tok");
        EXPECT_EQ(r.value()[1].scheme, "Y");
    }
}

}  // namespace
}  // namespace gk::httpauth
