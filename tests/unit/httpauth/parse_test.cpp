// Table tests for the grammar beyond the shared corpus: limits, CTLs, the
// comma ambiguity, HTAB vs SP, credentials-only rules.
#include <gtest/gtest.h>

#include <string>

#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::httpauth {
namespace {

// Expected parse in a compact notation: challenges joined by " | ", each
// "Scheme" or "Scheme ~token68" or "Scheme name=value;name=\"quoted\"".
std::string describe(const std::vector<Challenge>& cs) {
    std::string out;
    for (const auto& c : cs) {
        if (!out.empty()) out += " | ";
        out += c.scheme;
        if (c.token68) out += " ~" + *c.token68;
        for (std::size_t i = 0; i < c.params.size(); ++i) {
            out += i == 0 ? " " : ";";
            const auto& p = c.params[i];
            out += p.name + "=" + (p.quoted ? "\"" + p.value + "\"" : p.value);
        }
    }
    return out;
}

struct ParseCase {
    const char* name;
    std::string input;
    std::optional<std::string> want;  // nullopt = syntax error
};

class Challenges : public ::testing::TestWithParam<ParseCase> {};

TEST_P(Challenges, Parse) {
    const auto& c = GetParam();
    auto r = parse_challenges(c.input);
    if (!c.want) {
        EXPECT_FALSE(r.ok()) << "parsed as: " << (r.ok() ? describe(r.value()) : "");
        return;
    }
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(describe(r.value()), *c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Challenges,
    ::testing::Values(
        ParseCase{"only_commas", " , ,, ", ""},
        ParseCase{"quoted_flag", "Basic realm=\"a\", x=b", "Basic realm=\"a\";x=b"},
        ParseCase{"names_lowercased", "Digest ReAlM=x", "Digest realm=x"},
        ParseCase{"scheme_kept_as_written", "bEaReR realm=x", "bEaReR realm=x"},
        ParseCase{"sp_comma_then_param", "A , b=c", "A b=c"},
        ParseCase{"sp_comma_then_challenge", "A , B", "A | B"},
        ParseCase{"tab_comma_is_only_ows", "A\t, B", "A | B"},
        ParseCase{"tab_comma_then_param_is_error", "A\t, b=c", std::nullopt},
        ParseCase{"sp_tab_comma_then_param", "A \t, b=c", "A b=c"},
        ParseCase{"sp_then_tab_before_param", "A \tb=c", std::nullopt},
        ParseCase{"token68_all_chars", "X AZaz09-._~+/==", "X ~AZaz09-._~+/=="},
        ParseCase{"token68_ows_before_comma", "X abc= \t, Y", "X ~abc= | Y"},
        ParseCase{"token68_leading_equals", "X =abc", std::nullopt},
        ParseCase{"token68_only_equals", "X ==", std::nullopt},
        ParseCase{"param_value_empty_then_end", "X a=b, c=", std::nullopt},
        ParseCase{"param_name_not_token", "X a=b, {c}=d", std::nullopt},
        ParseCase{"obs_text_in_token_value", "X a=fo\xe4", std::nullopt},
        ParseCase{"obs_text_in_quoted_value", "X a=\"fo\xe4\"", "X a=\"fo\xe4\""},
        ParseCase{"htab_in_quoted_value", "X a=\"a\tb\"", "X a=\"a\tb\""},
        ParseCase{"quoted_pair_of_obs_text", "X a=\"\\\xe4\"", "X a=\"\xe4\""},
        ParseCase{"quoted_pair_of_ctl", "X a=\"\\\x01\"", std::nullopt},
        ParseCase{"del_in_quoted", "X a=\"\x7f\"", std::nullopt},
        ParseCase{"del_in_token", "X a=b\x7f", std::nullopt},
        ParseCase{"ctl_in_scheme", "X\x01 a=b", std::nullopt},
        ParseCase{"vt_as_whitespace", "X\va=b", std::nullopt},
        ParseCase{"bare_lf", "X a=b,\nY", std::nullopt},
        ParseCase{"bare_cr", "X a=b,\rY", std::nullopt},
        ParseCase{"crlf_without_fold", "X a=b,\r\nY", std::nullopt},
        ParseCase{"obs_fold_tab", "X\r\n\ta=b", "X a=b"},
        ParseCase{"obs_fold_after_comma", "X a=b,\r\n  Y", "X a=b | Y"},
        ParseCase{"quoted_unterminated_after_escape", "X a=\"\\", std::nullopt},
        ParseCase{"quote_then_token_junk", "X a=\"b\"c", std::nullopt},
        ParseCase{"two_quoted_strings", "X a=\"b\" \"c\"", std::nullopt},
        ParseCase{"comma_in_scheme_position", "X a=b, =c", std::nullopt},
        ParseCase{"disguised_param_in_scheme_slot", "X a=b, Y=z", "X a=b;y=z"},
        ParseCase{"duplicate_params_kept_in_order", "X a=1, A=2, a=3", "X a=1;a=2;a=3"}),
    [](const auto& info) { return std::string(info.param.name); });

struct CredCase {
    const char* name;
    std::string input;
    bool ok;
    ParseError error = ParseError::empty;  // checked when !ok
};

class CredentialsTable : public ::testing::TestWithParam<CredCase> {};

TEST_P(CredentialsTable, Verdict) {
    const auto& c = GetParam();
    auto r = parse_credentials(c.input);
    ASSERT_EQ(r.ok(), c.ok);
    if (!c.ok) {
        EXPECT_EQ(r.error(), c.error) << to_string(r.error());
    }
}

INSTANTIATE_TEST_SUITE_P(
    Table, CredentialsTable,
    ::testing::Values(
        CredCase{"empty", "", false, ParseError::empty}, CredCase{"blank", " \t ", false, ParseError::empty},
        CredCase{"comma_only", ",", false, ParseError::bad_scheme},
        CredCase{"leading_comma", ", Basic abc", false, ParseError::bad_scheme},
        CredCase{"token68_trailing_comma", "Bearer abc,", false, ParseError::trailing_garbage},
        // #auth-param allows empty elements, also a trailing one.
        CredCase{"params_trailing_comma", "Digest a=b,", true},
        CredCase{"params_then_second_scheme", "Digest a=b, Basic x", false, ParseError::trailing_garbage},
        CredCase{"obs_fold_rejected", "Basic\r\n abc", false, ParseError::bad_scheme},
        CredCase{"crlf_injection", "Basic abc\r\nX-Evil: 1", false, ParseError::bad_param},
        CredCase{"nul_after_token", std::string("Basic abc\0", 10), false, ParseError::bad_param},
        CredCase{"tab_separator", "Basic\tabc", false, ParseError::bad_scheme},
        CredCase{"unterminated", "Digest a=\"b", false, ParseError::bad_quoted_string},
        CredCase{"missing_equals", "Digest a \"b\"", false, ParseError::bad_param},
        CredCase{"at_limit", "Bearer " + std::string(kMaxFieldSize - 7, 'a'), true},
        CredCase{"over_limit", "Bearer " + std::string(kMaxFieldSize - 6, 'a'), false, ParseError::too_long}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ParseChallenges, SizeLimit) {
    const std::string big = "Basic realm=\"" + std::string(kMaxFieldSize, 'a') + "\"";
    auto r = parse_challenges(big);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), ParseError::too_long);
}

TEST(ParseChallenges, ManyEmptyElementsAreLinear) {
    // 16 KiB of commas must not be quadratic or recursive.
    const std::string commas(kMaxFieldSize - 8, ',');
    auto r = parse_challenges(commas + "Basic");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.value().size(), 1u);
}

TEST(Challenge, ParamLookupIsByLowerCaseNameFirstMatch) {
    auto r = parse_challenges("Digest REALM=\"a\", realm=\"b\", Nonce=n");
    ASSERT_TRUE(r.ok());
    const auto& c = r.value().at(0);
    ASSERT_NE(c.param("realm"), nullptr);
    EXPECT_EQ(c.param("realm")->value, "a");
    ASSERT_NE(c.param("nonce"), nullptr);
    EXPECT_EQ(c.param("nonce")->value, "n");
    EXPECT_FALSE(c.param("nonce")->quoted);
    EXPECT_EQ(c.param("opaque"), nullptr);
}

TEST(Helpers, IsToken) {
    EXPECT_TRUE(is_token("Basic"));
    EXPECT_TRUE(is_token("!#$%&'*+-.^_`|~09azAZ"));
    EXPECT_FALSE(is_token(""));
    EXPECT_FALSE(is_token("a b"));
    EXPECT_FALSE(is_token("a/b"));
    EXPECT_FALSE(is_token("a=b"));
    EXPECT_FALSE(is_token("\"a\""));
    EXPECT_FALSE(is_token("caf\xc3\xa9"));
}

TEST(Helpers, IEqualsAsciiOnly) {
    EXPECT_TRUE(iequals("Basic", "bASIC"));
    EXPECT_TRUE(iequals("", ""));
    EXPECT_FALSE(iequals("Basic", "Basi"));
    EXPECT_FALSE(iequals("Basic", "Basid"));
    // No locale folding: '@' (0x40) and '`' (0x60) differ by 0x20 but are not letters.
    EXPECT_FALSE(iequals("@", "`"));
    EXPECT_FALSE(iequals("\xc3\x89", "\xc3\xa9"));  // É vs é: bytes, not Unicode
}

TEST(Helpers, EveryErrorHasAMessage) {
    for (auto e : {ParseError::empty, ParseError::bad_scheme, ParseError::bad_token68, ParseError::bad_param,
                   ParseError::bad_quoted_string, ParseError::trailing_garbage, ParseError::too_long}) {
        EXPECT_STRNE(to_string(e), "unknown parse error");
    }
}

}  // namespace
}  // namespace gk::httpauth
