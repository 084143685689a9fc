// normalize_target / split_absolute_form / path_has_prefix against SECURITY.md
// 5.2 (rows P1-P10) and the bypass tricks around them.
#include "gatekeeper/gate/path.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

namespace gk::gate {
namespace {

using E = PathError;

struct NormCase {
    const char* name;
    std::string target;
    std::optional<E> error;  // set: must fail with this
    std::string path;        // otherwise: normalized path
    std::string query;
};

NormCase ok(const char* name, std::string t, std::string p, std::string q = "") {
    return {name, std::move(t), std::nullopt, std::move(p), std::move(q)};
}
NormCase bad(const char* name, std::string t, E e) { return {name, std::move(t), e, "", ""}; }

const NormCase kNormCases[] = {
    // Plain cases.
    ok("root", "/", "/"),
    ok("simple", "/admin", "/admin"),
    ok("trailing_slash_kept", "/admin/", "/admin/"),
    ok("query_split", "/a?b=c", "/a", "b=c"),
    ok("empty_query", "/a?", "/a", ""),
    ok("query_raw_not_decoded", "/a?x=%2e%2E&y=%2F", "/a", "x=%2e%2E&y=%2F"),
    ok("second_question_mark_is_query", "/a?b?c", "/a", "b?c"),
    ok("dots_in_query_untouched", "/a?/../admin", "/a", "/../admin"),
    ok("sub_delims_colon_at_kept", "/a!$&'()*+,=:@b", "/a!$&'()*+,=:@b"),
    // P1: path parameters.
    bad("P1_tomcat_dotdot_semicolon", "/admin/..;/admin/secret", E::path_parameter),
    bad("P1_admin_semicolon", "/admin;x", E::path_parameter),
    bad("P1_dotdot_semicolon_slash", "/admin/..;/", E::path_parameter),
    bad("P1_jsessionid", "/public;jsessionid=1/../admin", E::path_parameter),
    bad("P1_encoded_semicolon", "/admin%3bx", E::path_parameter),
    // P2: encoded dots count as dots.
    ok("P2_encoded_dotdot_above_root", "/%2e%2e/admin", "/admin"),
    ok("P2_public_encoded_dotdot", "/public/%2e%2e/admin", "/admin"),
    // ".." at the root stays at the root (RFC 3986 5.2.4), so the rule on /admin applies.
    ok("P2_dot_encoded_dot_above_root", "/.%2e/admin", "/admin"),
    ok("P2_dot_encoded_dot", "/public/.%2e/admin/x/%2E.", "/admin/"),
    ok("P2_upper_encoded_dotdot", "/public/%2E%2E/admin", "/admin"),
    ok("P2_mixed_dot_encoded", "/public/%2e./admin", "/admin"),
    ok("P2_encoded_dot", "/%2e/admin", "/admin"),
    // P3: encoded slash and backslash.
    bad("P3_dotdot_encoded_slash", "/public/..%2fadmin", E::encoded_slash),
    bad("P3_admin_encoded_slash", "/admin%2fsecret", E::encoded_slash),
    bad("P3_encoded_slash_upper", "/admin%2Fsecret", E::encoded_slash),
    bad("P3_encoded_backslash", "/public/..%5cadmin", E::encoded_backslash),
    bad("P3_raw_backslash", "/public/..\\admin", E::encoded_backslash),
    // P4: merge slashes and remove dot segments.
    ok("P4_double_slash", "//admin", "/admin"),
    ok("P4_many_slashes", "///admin///x", "/admin/x"),
    ok("P4_dot_prefix", "/./admin", "/admin"),
    ok("P4_admin_dot", "/admin/.", "/admin/"),
    ok("P4_public_dotdot", "/public/../admin", "/admin"),
    ok("P4_dotdot_to_root", "/a/..", "/"),
    ok("P4_dotdot_trailing", "/a/b/..", "/a/"),
    ok("P4_trailing_double_slash", "/admin//", "/admin/"),
    ok("P4_three_dots_is_a_name", "/.../admin", "/.../admin"),
    ok("P4_dotfile_is_a_name", "/.well-known/x", "/.well-known/x"),
    ok("P4_dotdot_above_root", "/..", "/"),
    ok("P4_climb_too_far", "/a/b/../../..", "/"),
    ok("P4_climb_then_come_back", "/a/../../admin", "/admin"),
    // P5: unreserved decoding, case kept.
    ok("P5_encoded_a", "/%61dmin", "/admin"),
    ok("P5_encoded_upper_A", "/%41DMIN", "/ADMIN"),
    ok("P5_case_preserved", "/Admin", "/Admin"),
    ok("P5_all_unreserved_decoded", "/%7e%2d%5f%2E%30", "/~-_.0"),
    // P6: CTL refused, other escapes kept upper-case.
    bad("P6_encoded_nul", "/admin%00.css", E::nul_or_ctl),
    bad("P6_encoded_lf", "/admin%0a", E::nul_or_ctl),
    bad("P6_encoded_cr", "/admin%0D", E::nul_or_ctl),
    bad("P6_encoded_del", "/admin%7f", E::nul_or_ctl),
    bad("P6_encoded_tab", "/admin%09", E::nul_or_ctl),
    ok("P6_encoded_space_kept", "/admin%20", "/admin%20"),
    ok("P6_lower_hex_upper_cased", "/a%3a%40%2a", "/a%3A%40%2A"),
    ok("P6_encoded_question_kept", "/a%3fb", "/a%3Fb"),
    ok("P6_encoded_hash_kept", "/a%23b", "/a%23b"),
    bad("P6_raw_space", "/admin x", E::nul_or_ctl),
    bad("P6_raw_tab", "/admin\tx", E::nul_or_ctl),
    bad("P6_raw_nul", std::string("/admin\0x", 8), E::nul_or_ctl),
    bad("P6_raw_del", "/admin\x7f", E::nul_or_ctl),
    // P7: decode once only.
    // "%252e" is "%25" then the plain characters "2e": only the escape's own
    // hex is canonical, so the text the upstream decodes to stays "%2e".
    ok("P7_double_encoded_dots", "/%252e%252e/admin", "/%252e%252e/admin"),
    ok("P7_double_encoded_slash", "/a%252fb", "/a%252fb"),
    ok("P7_double_encoded_upper", "/%252E", "/%252E"),
    ok("P7_encoded_percent", "/%25", "/%25"),
    // P8: UTF-8 in escapes.
    bad("P8_overlong_dot", "/%c0%ae%c0%ae/admin", E::bad_utf8),
    bad("P8_overlong_slash", "/%c0%af", E::bad_utf8),
    bad("P8_overlong_three_byte", "/%e0%80%ae", E::bad_utf8),
    bad("P8_surrogate", "/%ed%a0%80", E::bad_utf8),
    bad("P8_above_max", "/%f4%90%80%80", E::bad_utf8),
    bad("P8_lone_continuation", "/%a9", E::bad_utf8),
    bad("P8_truncated", "/%c3", E::bad_utf8),
    bad("P8_truncated_by_raw_char", "/%c3a", E::bad_utf8),
    bad("P8_truncated_by_ascii_escape", "/%c3%41", E::bad_utf8),
    bad("P8_truncated_by_slash", "/%e2%82/x", E::bad_utf8),
    bad("P8_f5_lead", "/%f5%80%80%80", E::bad_utf8),
    ok("P8_valid_two_byte", "/caf%c3%a9", "/caf%C3%A9"),
    ok("P8_valid_three_byte", "/%e2%82%ac", "/%E2%82%AC"),
    ok("P8_valid_four_byte", "/%f0%9f%98%80", "/%F0%9F%98%80"),
    ok("P8_max_code_point", "/%f4%8f%bf%bf", "/%F4%8F%BF%BF"),
    bad("P8_raw_utf8", "/caf\xc3\xa9", E::not_origin_form),
    // P9: fragment, query.
    bad("P9_fragment", "/admin#frag", E::fragment),
    bad("P9_fragment_in_query", "/a?b#c", E::fragment),
    ok("P9_query_not_in_path", "/admin?x", "/admin", "x"),
    bad("P9_query_nul", std::string("/a?b=\0", 6), E::nul_or_ctl),
    bad("P9_query_space", "/a?b= c", E::nul_or_ctl),
    ok("P9_query_escaped_nul_kept_raw", "/a?b=%00", "/a", "b=%00"),
    // Malformed percent.
    bad("pct_at_end", "/a%", E::bad_percent),
    bad("pct_one_digit", "/a%4", E::bad_percent),
    bad("pct_not_hex", "/a%zz", E::bad_percent),
    bad("pct_half_hex", "/a%4g/b", E::bad_percent),
    bad("pct_signed", "/a%+1", E::bad_percent),
    // Characters RFC 3986 forbids raw in a path are encoded, not refused.
    ok("raw_pipe_encoded", "/a|b", "/a%7Cb"),
    ok("raw_brackets_encoded", "/a[0]", "/a%5B0%5D"),
    ok("raw_quotes_encoded", "/\"<>^`{}", "/%22%3C%3E%5E%60%7B%7D"),
    ok("encoded_pipe_same_as_raw", "/a%7cb", "/a%7Cb"),
    // Forms.
    bad("empty", "", E::empty),
    bad("asterisk_form", "*", E::not_origin_form),
    bad("relative", "admin", E::not_origin_form),
    bad("absolute_form_here", "http://h/admin", E::not_origin_form),
    bad("query_only", "?a", E::not_origin_form),
};

void PrintTo(const NormCase& c, std::ostream* os) { *os << c.name; }

class NormalizeTarget : public testing::TestWithParam<NormCase> {};

TEST_P(NormalizeTarget, Table) {
    const auto& c = GetParam();
    auto r = normalize_target(c.target);
    if (c.error) {
        ASSERT_FALSE(r.ok()) << "accepted as " << r->path;
        EXPECT_EQ(r.error(), *c.error) << to_string(r.error());
        return;
    }
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r->path, c.path);
    EXPECT_EQ(r->query, c.query);
    // Fixed point: what we forward normalizes to itself.
    auto again = normalize_target(r->path);
    ASSERT_TRUE(again.ok()) << to_string(again.error());
    EXPECT_EQ(again->path, r->path);
}

INSTANTIATE_TEST_SUITE_P(Security52, NormalizeTarget, testing::ValuesIn(kNormCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(NormalizeTarget, LengthLimit) {
    const std::string at_limit = "/" + std::string(8191, 'a');
    EXPECT_TRUE(normalize_target(at_limit).ok());
    auto over = normalize_target(at_limit + "a");
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error(), E::too_long);
    auto small = normalize_target("/abcdef", 4);
    ASSERT_FALSE(small.ok());
    EXPECT_EQ(small.error(), E::too_long);
}

TEST(NormalizeTarget, DeepDotSegmentsStayLinear) {
    std::string t;
    for (int i = 0; i < 1000; ++i) t += "/a";
    for (int i = 0; i < 1000; ++i) t += "/..";
    auto r = normalize_target(t);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->path, "/");
    auto over = normalize_target(t + "/../admin");
    ASSERT_TRUE(over.ok());
    EXPECT_EQ(over->path, "/admin");
}

TEST(PathError, EveryValueHasText) {
    for (int i = 0; i <= static_cast<int>(E::too_long); ++i) {
        const std::string s = to_string(static_cast<E>(i));
        EXPECT_FALSE(s.empty());
        EXPECT_NE(s, "unknown path error");
    }
}

// P10: absolute-form.
struct AbsCase {
    const char* name;
    std::string target;
    std::optional<E> error;
    std::string scheme, authority, path_and_query;
};

const AbsCase kAbsCases[] = {
    {"P10_internal_admin", "http://internal/admin", std::nullopt, "http", "internal", "/admin"},
    {"https_port_query", "HTTPS://Example.com:8443/a/b?x=1", std::nullopt, "https", "Example.com:8443", "/a/b?x=1"},
    {"empty_path", "http://h", std::nullopt, "http", "h", "/"},
    {"query_without_path", "http://h?x", std::nullopt, "http", "h", "/?x"},
    {"ipv6", "http://[::1]:8080/x", std::nullopt, "http", "[::1]:8080", "/x"},
    {"path_kept_raw", "http://h/a/../%2e%2e", std::nullopt, "http", "h", "/a/../%2e%2e"},
    {"userinfo", "http://admin@internal/admin", E::not_origin_form, "", "", ""},
    {"userinfo_trick", "http://good.com@evil.com/", E::not_origin_form, "", "", ""},
    {"ftp_scheme", "ftp://h/x", E::not_origin_form, "", "", ""},
    {"no_scheme", "//h/x", E::not_origin_form, "", "", ""},
    {"empty_authority", "http:///admin", E::not_origin_form, "", "", ""},
    {"bad_port", "http://h:80x/", E::not_origin_form, "", "", ""},
    {"empty_port", "http://h:/", E::not_origin_form, "", "", ""},
    {"long_port", "http://h:123456/", E::not_origin_form, "", "", ""},
    {"pct_in_host", "http://%69nternal/", E::not_origin_form, "", "", ""},
    {"backslash_host", "http://h\\@evil/", E::not_origin_form, "", "", ""},
    {"unclosed_ipv6", "http://[::1/x", E::not_origin_form, "", "", ""},
    {"fragment", "http://h/a#b", E::fragment, "", "", ""},
    {"space", "http://h/a b", E::nul_or_ctl, "", "", ""},
    {"non_ascii_host", "http://h\xc3\xa9/", E::not_origin_form, "", "", ""},
    {"empty", "", E::empty, "", "", ""},
};

void PrintTo(const AbsCase& c, std::ostream* os) { *os << c.name; }

class SplitAbsolute : public testing::TestWithParam<AbsCase> {};

TEST_P(SplitAbsolute, Table) {
    const auto& c = GetParam();
    auto r = split_absolute_form(c.target);
    if (c.error) {
        ASSERT_FALSE(r.ok()) << "accepted, authority " << r->authority;
        EXPECT_EQ(r.error(), *c.error) << to_string(r.error());
        return;
    }
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(r->scheme, c.scheme);
    EXPECT_EQ(r->authority, c.authority);
    EXPECT_EQ(r->path_and_query, c.path_and_query);
}

INSTANTIATE_TEST_SUITE_P(Security52, SplitAbsolute, testing::ValuesIn(kAbsCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SplitAbsolute, PathThenNormalizes) {
    auto abs = split_absolute_form("http://internal/public/%2e%2e/admin?x=1");
    ASSERT_TRUE(abs.ok());
    auto n = normalize_target(abs->path_and_query);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->path, "/admin");
    EXPECT_EQ(n->query, "x=1");
}

struct PrefixCase {
    const char* path;
    const char* prefix;
    bool case_insensitive;
    bool expected;
};

const PrefixCase kPrefixCases[] = {
    {"/admin", "/admin", false, true},
    {"/admin/", "/admin", false, true},
    {"/admin/x", "/admin", false, true},
    {"/administrator", "/admin", false, false},
    {"/admin-old", "/admin", false, false},
    {"/adm", "/admin", false, false},
    {"/", "/admin", false, false},
    {"/admin/", "/admin/", false, true},
    {"/admin/x", "/admin/", false, true},
    {"/admin", "/admin/", false, true},  // the /admin/ route covers /admin
    {"/administrator", "/admin/", false, false},
    {"/adm", "/admin/", false, false},
    {"/", "/", false, true},
    {"/anything/at/all", "/", false, true},
    {"/ADMIN", "/admin", false, false},
    {"/ADMIN", "/admin", true, true},
    {"/Admin/X", "/admin/", true, true},
    {"/ADMIN", "/admin/", true, true},
    {"/ADMINISTRATOR", "/admin", true, false},
    {"/%C3%A9", "/%c3%a9", true, true},  // hex case folds with ASCII
    {"/a/b/c", "/a/b", false, true},
    {"/a/bc", "/a/b", false, false},
    {"/admin", "", false, false},
    {"", "/", false, false},
};

void PrintTo(const PrefixCase& c, std::ostream* os) {
    *os << '"' << c.path << "\" vs \"" << c.prefix << '"' << (c.case_insensitive ? " (ci)" : "");
}

class PathHasPrefix : public testing::TestWithParam<PrefixCase> {};

TEST_P(PathHasPrefix, Table) {
    const auto& c = GetParam();
    EXPECT_EQ(path_has_prefix(c.path, c.prefix, c.case_insensitive), c.expected)
        << "path=" << c.path << " prefix=" << c.prefix << " ci=" << c.case_insensitive;
}

INSTANTIATE_TEST_SUITE_P(SegmentBoundary, PathHasPrefix, testing::ValuesIn(kPrefixCases));

TEST(PathHasPrefix, NonAsciiBytesAreNotFolded) {
    // 0xC3 vs 0xE3 differ by 0x20 like ASCII case; they must not compare equal.
    EXPECT_FALSE(path_has_prefix("/\xc3", "/\xe3", true));
}

}  // namespace
}  // namespace gk::gate
