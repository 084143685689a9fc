// Cookie header parsing (RFC 6265 sections 4.2.1, 5.4: lenient), ambiguous
// names, and the Set-Cookie builder with the __Host-/__Secure- prefix rules.
#include "gatekeeper/httpauth/cookie.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace gk::httpauth {
namespace {

using std::chrono::seconds;

std::string describe(const CookieJar& jar) {
    std::string out;
    for (const auto& c : jar.cookies()) {
        if (!out.empty()) out += " | ";
        out += "[" + c.name + "]=[" + c.value + "]";
    }
    return out;
}

struct ParseCase {
    const char* name;
    std::string header;
    std::string want;
};

const ParseCase kParse[] = {
    {"empty", "", ""},
    {"one", "sid=abc", "[sid]=[abc]"},
    {"rfc_form", "SID=31d4d96e407aad42; lang=en-US", "[SID]=[31d4d96e407aad42] | [lang]=[en-US]"},
    {"no_space_after_semicolon", "a=1;b=2", "[a]=[1] | [b]=[2]"},
    {"extra_whitespace", "  a = 1 ;\tb=2\t;  ", "[a]=[1] | [b]=[2]"},
    {"empty_value", "a=; b=2", "[a]=[] | [b]=[2]"},
    {"value_with_equals", "a=b=c", "[a]=[b=c]"},
    {"base64_padding", "t=YWJj==", "[t]=[YWJj==]"},
    {"quoted_value_kept", "a=\"x y\"", "[a]=[\"x y\"]"},
    {"no_equals_skipped", "flag; a=1", "[a]=[1]"},
    {"empty_name_skipped", "=v; a=1", "[a]=[1]"},
    {"empty_pairs_skipped", ";;a=1;;", "[a]=[1]"},
    {"case_sensitive_names", "SID=1; sid=2", "[SID]=[1] | [sid]=[2]"},
    {"same_name_twice", "sid=good; sid=evil", "[sid]=[good] | [sid]=[evil]"},
    {"inner_space_kept", "a=x y", "[a]=[x y]"},
    {"comma_not_separator", "a=1, b=2", "[a]=[1, b=2]"},
    {"non_ascii_kept", "n=\xC3\xA9", "[n]=[\xC3\xA9]"},
    {"only_whitespace", " \t ", ""},
};

class CookieParse : public ::testing::TestWithParam<ParseCase> {};

TEST_P(CookieParse, Parse) { EXPECT_EQ(describe(parse_cookie_header(GetParam().header)), GetParam().want); }

INSTANTIATE_TEST_SUITE_P(Rfc6265, CookieParse, ::testing::ValuesIn(kParse),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CookieJar, SeveralHeaderLines) {
    auto jar = parse_cookie_headers({"a=1; b=2", "c=3", "", "__Host-sid=x"});
    EXPECT_EQ(describe(jar), "[a]=[1] | [b]=[2] | [c]=[3] | [__Host-sid]=[x]");
}

TEST(CookieJar, SingleReportsAmbiguity) {
    auto jar = parse_cookie_headers({"__Host-gk=ours; theme=dark", "__Host-gk=planted"});
    auto dup = jar.single("__Host-gk");
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error(), CookieError::duplicate);
    EXPECT_EQ(jar.count("__Host-gk"), 2u);

    auto once = jar.single("theme");
    ASSERT_TRUE(once.ok());
    EXPECT_EQ(once.value(), std::optional<std::string_view>("dark"));

    auto absent = jar.single("missing");
    ASSERT_TRUE(absent.ok());
    EXPECT_FALSE(absent.value().has_value());

    // Names are case-sensitive: "__host-gk" is a different cookie.
    EXPECT_FALSE(jar.single("__host-gk").value().has_value());
}

TEST(CookieOctets, Table) {
    for (int c = 0; c < 256; ++c) {
        const bool want = c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
                          (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
        EXPECT_EQ(is_cookie_octet(static_cast<char>(c)), want) << c;
    }
    EXPECT_TRUE(is_cookie_value(""));
    EXPECT_TRUE(is_cookie_value("abc-_.~+/="));
    EXPECT_FALSE(is_cookie_value("a b"));
    EXPECT_FALSE(is_cookie_value("a;b"));
    EXPECT_FALSE(is_cookie_value("a,b"));
    EXPECT_FALSE(is_cookie_value("\"ab\""));
    EXPECT_FALSE(is_cookie_value("a\\b"));
}

SetCookie base(std::string name, std::string value = "v") {
    SetCookie c;
    c.name = std::move(name);
    c.value = std::move(value);
    return c;
}

struct SetCase {
    const char* name;
    SetCookie cookie;
    std::optional<std::string> want;  // nullopt: error
    CookieError error = CookieError::bad_name;
};

SetCookie with(SetCookie c, auto&& f) {
    f(c);
    return c;
}

const SetCase kSet[] = {
    {"defaults", base("sid", "abc"), "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax"},
    {"host_prefix", with(base("__Host-gk_session", "t0k"), [](SetCookie& c) { c.max_age = seconds(3600); }),
     "__Host-gk_session=t0k; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax"},
    {"strict", with(base("a"), [](SetCookie& c) { c.same_site = SameSite::strict; }),
     "a=v; Path=/; Secure; HttpOnly; SameSite=Strict"},
    {"none_secure", with(base("a"), [](SetCookie& c) { c.same_site = SameSite::none; }),
     "a=v; Path=/; Secure; HttpOnly; SameSite=None"},
    {"plain_http_cookie",
     with(base("a"),
          [](SetCookie& c) {
              c.secure = false;
              c.http_only = false;
          }),
     "a=v; Path=/; SameSite=Lax"},
    {"path_and_domain",
     with(base("a"),
          [](SetCookie& c) {
              c.path = "/app";
              c.domain = "example.com";
          }),
     "a=v; Path=/app; Domain=example.com; Secure; HttpOnly; SameSite=Lax"},
    {"secure_prefix_with_domain", with(base("__Secure-a"), [](SetCookie& c) { c.domain = "example.com"; }),
     "__Secure-a=v; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Lax"},
    {"max_age_zero", with(base("a", ""), [](SetCookie& c) { c.max_age = seconds(0); }),
     "a=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax"},
    {"empty_name", base(""), std::nullopt, CookieError::bad_name},
    {"name_with_space", base("a b"), std::nullopt, CookieError::bad_name},
    {"name_with_equals", base("a=b"), std::nullopt, CookieError::bad_name},
    {"name_with_semicolon", base("a;b"), std::nullopt, CookieError::bad_name},
    {"value_with_semicolon", base("a", "x;Domain=evil"), std::nullopt, CookieError::bad_value},
    {"value_with_space", base("a", "x y"), std::nullopt, CookieError::bad_value},
    {"value_with_crlf", base("a", "x\r\nSet-Cookie: b=1"), std::nullopt, CookieError::bad_value},
    {"value_with_comma", base("a", "x,y"), std::nullopt, CookieError::bad_value},
    {"value_with_quote", base("a", "\"x\""), std::nullopt, CookieError::bad_value},
    {"too_large", base("a", std::string(4096, 'x')), std::nullopt, CookieError::too_large},
    {"path_relative", with(base("a"), [](SetCookie& c) { c.path = "app"; }), std::nullopt,
     CookieError::bad_path},
    {"path_empty", with(base("a"), [](SetCookie& c) { c.path = ""; }), std::nullopt, CookieError::bad_path},
    {"path_semicolon", with(base("a"), [](SetCookie& c) { c.path = "/;Domain=x"; }), std::nullopt,
     CookieError::bad_path},
    {"path_ctl", with(base("a"), [](SetCookie& c) { c.path = "/\n"; }), std::nullopt, CookieError::bad_path},
    {"domain_semicolon", with(base("a"), [](SetCookie& c) { c.domain = "a.com;x"; }), std::nullopt,
     CookieError::bad_domain},
    {"domain_empty", with(base("a"), [](SetCookie& c) { c.domain = ""; }), std::nullopt,
     CookieError::bad_domain},
    {"negative_max_age", with(base("a"), [](SetCookie& c) { c.max_age = seconds(-1); }), std::nullopt,
     CookieError::bad_max_age},
    {"host_not_secure", with(base("__Host-a"), [](SetCookie& c) { c.secure = false; }), std::nullopt,
     CookieError::prefix_needs_secure},
    {"host_lower_case_not_secure", with(base("__host-a"), [](SetCookie& c) { c.secure = false; }),
     std::nullopt, CookieError::prefix_needs_secure},
    {"host_with_path", with(base("__Host-a"), [](SetCookie& c) { c.path = "/app"; }), std::nullopt,
     CookieError::host_prefix_path},
    {"host_with_domain", with(base("__Host-a"), [](SetCookie& c) { c.domain = "example.com"; }), std::nullopt,
     CookieError::host_prefix_domain},
    {"secure_not_secure", with(base("__Secure-a"), [](SetCookie& c) { c.secure = false; }), std::nullopt,
     CookieError::prefix_needs_secure},
    {"secure_mixed_case", with(base("__SECURE-a"), [](SetCookie& c) { c.secure = false; }), std::nullopt,
     CookieError::prefix_needs_secure},
    {"none_not_secure",
     with(base("a"),
          [](SetCookie& c) {
              c.secure = false;
              c.same_site = SameSite::none;
          }),
     std::nullopt, CookieError::none_needs_secure},
};

class SetCookieFormat : public ::testing::TestWithParam<SetCase> {};

TEST_P(SetCookieFormat, Format) {
    const auto& c = GetParam();
    auto r = format_set_cookie(c.cookie);
    if (c.want) {
        ASSERT_TRUE(r.ok()) << to_string(r.error());
        EXPECT_EQ(*r, *c.want);
    } else {
        ASSERT_FALSE(r.ok()) << *r;
        EXPECT_EQ(r.error(), c.error) << to_string(r.error());
    }
}

INSTANTIATE_TEST_SUITE_P(Rfc6265bis, SetCookieFormat, ::testing::ValuesIn(kSet),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SetCookieDelete, EmptiesValueAndExpires) {
    auto c = base("__Host-gk_session", "secret");
    c.max_age = seconds(3600);
    auto r = format_delete_cookie(c);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, "__Host-gk_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax");
    // The prefix rules still apply to the deletion.
    c.path = "/x";
    EXPECT_EQ(format_delete_cookie(c).error(), CookieError::host_prefix_path);
}

TEST(SetCookieRoundTrip, ValueParsesBack) {
    auto c = base("__Host-gk_session", "AbC-_.~+/=!#$%&'()*:<>?@[]^`{|}");
    auto r = format_set_cookie(c);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    // What a browser would send back is the name=value before the first ';'.
    auto jar = parse_cookie_header(r->substr(0, r->find(';')));
    EXPECT_EQ(jar.single(c.name).value(), std::optional<std::string_view>(c.value));
}

}  // namespace
}  // namespace gk::httpauth
