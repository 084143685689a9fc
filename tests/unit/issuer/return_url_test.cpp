// Open-redirect payloads (the usual lists: PayloadsAllTheThings "Open
// Redirect", OWASP's unvalidated-redirects cheat sheet, the browser URL
// parser quirks behind them) against check_return_url, plus the good cases.
#include "gatekeeper/issuer/return_url.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace gk::issuer {
namespace {

using E = ReturnUrlError;

const std::vector<std::string> kAllowed = {"app.example.com", "gk.example.com:8443", "[::1]:9000",
                                           "localhost"};

struct GoodCase {
    const char* name;
    std::string url;
    std::string want;
};

const GoodCase kGood[] = {
    {"root", "/", "/"},
    {"path", "/app/", "/app/"},
    {"path_query_fragment", "/app/x?y=1&z=%2F#top", "/app/x?y=1&z=%2F#top"},
    {"encoded_slash_inside", "/a%2Fb", "/a%2Fb"},
    {"double_slash_later", "/app//x", "/app//x"},
    {"dot_segments", "/./app/../x", "/./app/../x"},
    {"percent_encoded_utf8", "/caf%C3%A9", "/caf%C3%A9"},
    {"encoded_percent", "/100%25", "/100%25"},
    {"encoded_percent_then_junk", "/a%25zz", "/a%25zz"},
    {"query_with_url", "/app?next=https%3A%2F%2Fx", "/app?next=https%3A%2F%2Fx"},
    {"allowed_https", "https://app.example.com/dash", "https://app.example.com/dash"},
    {"allowed_http", "http://app.example.com/", "http://app.example.com/"},
    {"allowed_no_path", "https://app.example.com", "https://app.example.com"},
    {"allowed_query_only", "https://app.example.com?x=1", "https://app.example.com?x=1"},
    {"case_normalised", "HTTPS://App.Example.COM/Path", "https://app.example.com/Path"},
    {"default_port_https", "https://app.example.com:443/", "https://app.example.com:443/"},
    {"default_port_http", "http://app.example.com:80/", "http://app.example.com:80/"},
    {"listed_port", "https://gk.example.com:8443/x", "https://gk.example.com:8443/x"},
    {"ipv6_listed_port", "http://[::1]:9000/", "http://[::1]:9000/"},
    {"localhost", "http://localhost/cb", "http://localhost/cb"},
    {"absolute_double_slash_path", "https://app.example.com//x", "https://app.example.com//x"},
};

class ReturnUrlGood : public ::testing::TestWithParam<GoodCase> {};

TEST_P(ReturnUrlGood, Accepted) {
    auto r = check_return_url(GetParam().url, kAllowed);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    EXPECT_EQ(*r, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Safe, ReturnUrlGood, ::testing::ValuesIn(kGood),
                         [](const auto& info) { return std::string(info.param.name); });

struct BadCase {
    const char* name;
    std::string url;
    ReturnUrlError want;
};

const BadCase kBad[] = {
    // Not a URL we can place.
    {"empty", "", E::empty},
    {"too_long", "/" + std::string(2048, 'a'), E::too_long},
    {"bare_host", "evil.com", E::not_path_absolute},
    {"bare_host_path", "evil.com/x", E::not_path_absolute},
    {"relative_path", "app/x", E::not_path_absolute},
    {"dot_relative", "../x", E::not_path_absolute},
    {"dot_slash", "./x", E::not_path_absolute},
    {"query_only", "?next=x", E::not_path_absolute},
    {"fragment_only", "#x", E::not_path_absolute},
    {"colon_first", ":x", E::not_path_absolute},
    {"digit_scheme", "1http://evil.com", E::not_path_absolute},
    // Scheme-relative and its disguises.
    {"protocol_relative", "//evil.com", E::scheme_relative},
    {"protocol_relative_path", "//evil.com/x", E::scheme_relative},
    {"triple_slash", "///evil.com", E::scheme_relative},
    {"quad_slash", "////evil.com", E::scheme_relative},
    {"slash_backslash", "/\\evil.com", E::backslash},
    {"backslash_backslash", "\\\\evil.com", E::backslash},
    {"backslash_slash", "\\/evil.com", E::backslash},
    {"backslash_in_path", "/app\\..\\x", E::backslash},
    {"https_backslashes", "https:\\\\evil.com", E::backslash},
    {"https_mixed_slashes", "https:/\\evil.com", E::backslash},
    {"allowed_host_backslash_at", "https://app.example.com\\@evil.com", E::backslash},
    {"slash_tab_slash", "/\t/evil.com", E::bad_character},
    {"slash_newline_slash", "/\n/evil.com", E::bad_character},
    {"slash_cr_slash", "/\r/evil.com", E::bad_character},
    {"slash_space_slash", "/ /evil.com", E::bad_character},
    {"leading_space_protocol_relative", " //evil.com", E::bad_character},
    // Percent-encoded tricks.
    {"encoded_slash_slash", "/%2F%2Fevil.com", E::encoded_trick},
    {"encoded_slash_second", "/%2Fevil.com", E::encoded_trick},
    {"encoded_lower", "/%2f%2fevil.com", E::encoded_trick},
    {"encoded_backslash", "/%5Cevil.com", E::encoded_trick},
    {"encoded_backslash_lower", "/%5cevil.com", E::encoded_trick},
    {"encoded_backslash_later", "/app/%5C..%5Cx", E::encoded_trick},
    {"encoded_tab", "/%09/evil.com", E::encoded_trick},
    {"encoded_newline", "/%0A/evil.com", E::encoded_trick},
    {"header_injection", "/x%0D%0ASet-Cookie:%20a=b", E::encoded_trick},
    {"encoded_nul", "/x%00", E::encoded_trick},
    {"encoded_del", "/x%7F", E::encoded_trick},
    {"double_encoded_slashes", "/%252F%252Fevil.com", E::encoded_trick},
    {"double_encoded_backslash", "/%255Cevil.com", E::encoded_trick},
    {"triple_encoded_slashes", "/%25252F%25252Fevil.com", E::encoded_trick},
    {"double_encoded_newline", "/x%250d%250aLocation:evil", E::encoded_trick},
    {"allowed_host_encoded_crlf", "https://app.example.com/%0d%0aX:1", E::encoded_trick},
    {"bad_percent", "/x%zz", E::bad_percent},
    {"bad_percent_short", "/x%2", E::bad_percent},
    {"bad_percent_end", "/x%", E::bad_percent},
    // Other schemes, in any case and disguise.
    {"javascript", "javascript:alert(1)", E::bad_scheme},
    {"javascript_upper", "JAVASCRIPT:alert(1)", E::bad_scheme},
    {"javascript_mixed", "JaVaScRiPt:alert(1)", E::bad_scheme},
    {"javascript_comment", "javascript://%0Aalert(1)", E::bad_scheme},
    {"javascript_allowed_host_comment", "javascript://app.example.com/%0aalert(1)", E::bad_scheme},
    {"javascript_leading_space", " javascript:alert(1)", E::bad_character},
    {"javascript_leading_tab", "\tjavascript:alert(1)", E::bad_character},
    {"javascript_leading_nul", std::string("\0javascript:alert(1)", 20), E::bad_character},
    {"javascript_leading_c0", "\x01javascript:alert(1)", E::bad_character},
    {"javascript_inner_tab", "java\tscript:alert(1)", E::bad_character},
    {"javascript_inner_newline", "java\nscript:alert(1)", E::bad_character},
    {"javascript_entity", "javascript&colon;alert(1)", E::not_path_absolute},
    {"javascript_encoded_colon", "javascript%3Aalert(1)", E::not_path_absolute},
    {"data", "data:text/html,<script>alert(1)</script>", E::bad_scheme},
    {"data_base64", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", E::bad_scheme},
    {"vbscript", "vbscript:msgbox(1)", E::bad_scheme},
    {"file", "file:///etc/passwd", E::bad_scheme},
    {"ftp", "ftp://app.example.com/", E::bad_scheme},
    {"ws", "wss://app.example.com/", E::bad_scheme},
    {"blob", "blob:https://app.example.com/uuid", E::bad_scheme},
    {"intent", "intent://evil.com#Intent;scheme=https;end", E::bad_scheme},
    {"https_single_slash", "https:/evil.com", E::bad_scheme},
    {"https_no_slash", "https:evil.com", E::bad_scheme},
    {"http_no_slash_allowed", "http:app.example.com", E::bad_scheme},
    {"scheme_with_plus", "http+unix://app.example.com", E::bad_scheme},
    // Userinfo: the real host is after '@'.
    {"userinfo", "https://app.example.com@evil.com", E::userinfo},
    {"userinfo_with_password", "https://app.example.com:443@evil.com/", E::userinfo},
    {"userinfo_good_after", "https://evil.com@app.example.com/", E::userinfo},
    {"userinfo_encoded_at", "https://app.example.com%40evil.com", E::bad_host},
    {"userinfo_in_path_ok_host", "https://evil.com/@app.example.com", E::host_not_allowed},
    // Hosts.
    {"other_host", "https://evil.com/", E::host_not_allowed},
    {"suffix_match", "https://app.example.com.evil.com/", E::host_not_allowed},
    {"prefix_match", "https://evilapp.example.com/", E::host_not_allowed},
    {"subdomain", "https://x.app.example.com/", E::host_not_allowed},
    {"parent_domain", "https://example.com/", E::host_not_allowed},
    {"other_port", "https://app.example.com:8443/", E::host_not_allowed},
    {"http_on_https_default", "http://app.example.com:443/", E::host_not_allowed},
    {"unlisted_port_on_port_entry", "https://gk.example.com/", E::host_not_allowed},
    {"wrong_port_on_port_entry", "https://gk.example.com:9443/", E::host_not_allowed},
    {"ipv6_no_port", "http://[::1]/", E::host_not_allowed},
    {"ip_literal", "http://127.0.0.1/", E::host_not_allowed},
    {"decimal_ip", "http://2130706433/", E::host_not_allowed},
    {"trailing_dot", "https://app.example.com./", E::bad_host},
    {"leading_dot", "https://.app.example.com/", E::bad_host},
    {"double_dot", "https://app..example.com/", E::bad_host},
    {"empty_host", "https:///evil.com", E::bad_host},
    {"empty_host_query", "https://?x", E::bad_host},
    {"empty_port", "https://app.example.com:/", E::bad_host},
    {"port_zero", "https://app.example.com:0/", E::bad_host},
    {"port_too_big", "https://app.example.com:65536/", E::bad_host},
    {"port_letters", "https://app.example.com:44a/", E::bad_host},
    {"port_long", "https://app.example.com:000443/", E::bad_host},
    {"encoded_host", "https://%61pp.example.com/", E::bad_host},
    {"encoded_dot_host", "https://app%2eexample.com/", E::bad_host},
    {"underscore_host", "https://app_example.com/", E::bad_host},
    {"unterminated_ipv6", "http://[::1/", E::bad_host},
    {"ipv6_junk_after", "http://[::1]x/", E::bad_host},
    {"ipv6_bad_chars", "http://[evil.com]/", E::bad_host},
    {"semicolon_host", "https://app.example.com;evil.com/", E::bad_host},
    {"unicode_fullwidth_dot",
     "https://app\xEF\xBC\x8E"
     "example.com/",
     E::bad_character},
    {"unicode_slash_lookalike",
     "/\xE2\x81\x84\xE2\x81\x84"
     "evil.com",
     E::bad_character},
    {"unicode_fullwidth_solidus",
     "/\xEF\xBC\x8F"
     "evil.com",
     E::bad_character},
    {"idn_host", "https://\xC3\xA9vil.com/", E::bad_character},
    {"space_in_host", "https://app.example.com /", E::bad_character},
    {"del", "/x\x7F", E::bad_character},
};

class ReturnUrlBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ReturnUrlBad, Refused) {
    auto r = check_return_url(GetParam().url, kAllowed);
    ASSERT_FALSE(r.ok()) << "accepted as " << *r;
    EXPECT_EQ(r.error(), GetParam().want) << to_string(r.error());
}

INSTANTIATE_TEST_SUITE_P(OpenRedirect, ReturnUrlBad, ::testing::ValuesIn(kBad),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ReturnUrl, LengthLimitIsInclusive) {
    const std::string at_limit = "/" + std::string(kMaxReturnUrl - 1, 'a');
    EXPECT_TRUE(check_return_url(at_limit, {}).ok());
    EXPECT_EQ(check_return_url(at_limit + "a", {}).error(), E::too_long);
}

TEST(ReturnUrl, EmptyAllowListAllowsOnlyPaths) {
    EXPECT_TRUE(check_return_url("/app", {}).ok());
    EXPECT_EQ(check_return_url("https://app.example.com/", {}).error(), E::host_not_allowed);
}

TEST(ReturnUrl, SafeReturnUrlFallsBack) {
    EXPECT_EQ(safe_return_url("/app", kAllowed), "/app");
    EXPECT_EQ(safe_return_url("//evil.com", kAllowed), "/");
    EXPECT_EQ(safe_return_url("javascript:alert(1)", kAllowed, "/home"), "/home");
}

}  // namespace
}  // namespace gk::issuer
