// The login, logout and message pages: escaping of every input, accessibility
// attributes, no script or external asset, and a CSP whose style hash is
// recomputed here with OpenSSL directly.
#include "gatekeeper/issuer/login_page.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

namespace gk::issuer {
namespace {

const std::string kEvil = "\"><script>alert(1)</script><x a='";
const std::string kEvilEscaped = "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;x a=&#39;";

bool has(const std::string& s, std::string_view needle) { return s.find(needle) != std::string::npos; }

std::size_t occurrences(const std::string& s, std::string_view needle) {
    std::size_t n = 0;
    for (auto i = s.find(needle); i != std::string::npos; i = s.find(needle, i + 1)) ++n;
    return n;
}

// The <input ...> tag whose id is `id`.
std::string input_tag(const std::string& html, std::string_view id) {
    const auto at = html.find("id=\"" + std::string(id) + "\"");
    if (at == std::string::npos) return {};
    const auto open = html.rfind('<', at);
    return html.substr(open, html.find('>', at) - open + 1);
}

std::string openssl_style_hash(std::string_view style) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EXPECT_EQ(EVP_Digest(style.data(), style.size(), md, &len, EVP_sha256(), nullptr), 1);
    unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(b64, md, static_cast<int>(len));
    return "sha256-" + std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

LoginPage sign_in() {
    LoginPage p;
    p.title = "Admin Panel";
    p.return_to = "/admin/";
    p.csrf_token = "csrf123";
    return p;
}

TEST(PageCsp, StyleHashMatchesOpenSsl) {
    EXPECT_EQ(page_style_hash(), openssl_style_hash(page_style()));
    EXPECT_EQ(content_security_policy(),
              "default-src 'none'; style-src '" + openssl_style_hash(page_style()) +
                  "'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
}

TEST(PageCsp, HashCoversTheExactInlineStyle) {
    for (const auto& html :
         {render_login_page(sign_in()).html, render_message_page({"T", "M", {}, "Go", "en"}).html}) {
        const auto open = html.find("<style>");
        const auto close = html.find("</style>");
        ASSERT_NE(open, std::string::npos);
        ASSERT_NE(close, std::string::npos);
        EXPECT_EQ(html.substr(open + 7, close - open - 7), page_style());
        EXPECT_EQ(occurrences(html, "<style"), 1u);
        EXPECT_EQ(occurrences(html, "style="), 0u);  // inline style attributes would be blocked
    }
}

TEST(PageCsp, ExtraFormActionOriginsAreFiltered) {
    auto p = sign_in();
    p.form_action_origins = {"https://app.example.com", "https://x; script-src *", "'unsafe-inline'", ""};
    const auto csp = render_login_page(p).content_security_policy;
    EXPECT_TRUE(has(csp, "form-action 'self' https://app.example.com; frame-ancestors 'none'")) << csp;
    EXPECT_FALSE(has(csp, "script-src"));
    EXPECT_FALSE(has(csp, "unsafe"));
}

TEST(LoginPage, StructureAndAccessibility) {
    const auto page = render_login_page(sign_in());
    const auto& h = page.html;
    EXPECT_TRUE(h.starts_with("<!doctype html>\n<html lang=\"en\">"));
    EXPECT_TRUE(has(h, "<meta charset=\"utf-8\">"));
    EXPECT_TRUE(has(h, "<meta name=\"viewport\""));
    EXPECT_TRUE(has(h, "<title>Sign in \xC2\xB7 Admin Panel</title>"));
    EXPECT_TRUE(has(h, "<form method=\"post\" action=\"/.gatekeeper/login\">"));
    EXPECT_TRUE(has(h, "<input type=\"hidden\" name=\"csrf_token\" value=\"csrf123\">"));
    EXPECT_TRUE(has(h, "<input type=\"hidden\" name=\"return_to\" value=\"/admin/\">"));
    EXPECT_TRUE(has(h, "<label for=\"gk-username\">"));
    EXPECT_TRUE(has(h, "<label for=\"gk-password\">"));
    const auto user = input_tag(h, "gk-username");
    const auto pass = input_tag(h, "gk-password");
    EXPECT_TRUE(has(user, "name=\"username\"")) << user;
    EXPECT_TRUE(has(user, "autocomplete=\"username\""));
    EXPECT_TRUE(has(user, " autofocus")) << "first empty field";
    EXPECT_TRUE(has(pass, "type=\"password\"")) << pass;
    EXPECT_TRUE(has(pass, "name=\"password\""));
    EXPECT_TRUE(has(pass, "autocomplete=\"current-password\""));
    EXPECT_FALSE(has(pass, "autofocus"));
    EXPECT_FALSE(has(h, "role=\"alert\""));
    EXPECT_FALSE(has(user, "aria-invalid"));
    EXPECT_FALSE(has(pass, "aria-describedby"));
    EXPECT_TRUE(has(h, "<button type=\"submit\">Sign in</button>"));
    EXPECT_TRUE(has(std::string(page_style()), ":focus-visible{outline:"));
    EXPECT_TRUE(has(std::string(page_style()), "@media (prefers-color-scheme:dark)"));
    EXPECT_EQ(occurrences(h, "autofocus"), 1u);
}

TEST(LoginPage, NoScriptNoExternalAsset) {
    auto p = sign_in();
    p.error = "Wrong username or password.";
    for (const auto& h :
         {render_login_page(p).html, render_message_page({"T", "M", "/x", "Go", "en"}).html}) {
        EXPECT_FALSE(has(h, "<script"));
        EXPECT_FALSE(has(h, " on"));  // no event handler attributes
        EXPECT_FALSE(has(h, "src="));
        EXPECT_FALSE(has(h, "<link"));
        EXPECT_FALSE(has(h, "http://"));
        EXPECT_FALSE(has(h, "https://"));
        EXPECT_FALSE(has(h, "@import"));
        EXPECT_FALSE(has(h, "url("));
    }
}

TEST(LoginPage, ErrorIsAnnouncedAndLinkedFromInputs) {
    auto p = sign_in();
    p.error = "Wrong username or password.";
    p.username = "alice";
    const auto h = render_login_page(p).html;
    EXPECT_TRUE(has(h, "<p id=\"gk-error\" class=\"err\" role=\"alert\">Wrong username or password.</p>"));
    for (const auto* id : {"gk-username", "gk-password"}) {
        const auto tag = input_tag(h, id);
        EXPECT_TRUE(has(tag, "aria-invalid=\"true\"")) << tag;
        EXPECT_TRUE(has(tag, "aria-describedby=\"gk-error\"")) << tag;
    }
    // The username is refilled, so the password is the first empty field.
    EXPECT_TRUE(has(input_tag(h, "gk-username"), "value=\"alice\""));
    EXPECT_FALSE(has(input_tag(h, "gk-username"), "autofocus"));
    EXPECT_TRUE(has(input_tag(h, "gk-password"), "autofocus"));
    EXPECT_FALSE(has(input_tag(h, "gk-password"), "value="));  // a password is never echoed
}

TEST(LoginPage, EverythingUserProvidedIsEscaped) {
    LoginPage p;
    p.title = kEvil;
    p.action = kEvil;
    p.return_to = kEvil;
    p.csrf_token = kEvil;
    p.error = kEvil;
    p.username = kEvil;
    p.lang = kEvil;
    const auto h = render_login_page(p).html;
    EXPECT_FALSE(has(h, "<script"));
    EXPECT_FALSE(has(h, "<x a="));
    EXPECT_EQ(occurrences(h, kEvilEscaped),
              7u);  // title, heading sub, error, action, csrf, return_to, username
    EXPECT_TRUE(has(h, "<html lang=\"en\">"));  // a bad language tag falls back
}

TEST(LoginPage, SignedInShowsLogoutForm) {
    auto p = sign_in();
    p.signed_in_as = "alice";
    const auto h = render_login_page(p).html;
    EXPECT_TRUE(has(h, "<h1>Admin Panel</h1>"));
    EXPECT_TRUE(has(h, "Signed in as <strong>alice</strong>"));
    EXPECT_TRUE(has(h, "<form method=\"post\" action=\"/.gatekeeper/logout\">"));
    EXPECT_TRUE(has(h, "<input type=\"hidden\" name=\"csrf_token\" value=\"csrf123\">"));
    EXPECT_TRUE(has(h, "<button type=\"submit\" class=\"alt\">Sign out</button>"));
    EXPECT_TRUE(has(h,
                    "<button type=\"submit\" class=\"alt\" name=\"everywhere\" value=\"1\">"
                    "Sign out everywhere</button>"));
    EXPECT_TRUE(has(h, "<a class=\"btn\" href=\"/admin/\">Continue</a>"));
    EXPECT_FALSE(has(h, "type=\"password\""));
    EXPECT_FALSE(has(h, "/.gatekeeper/login"));

    // Without a return URL, "Sign out" is the primary action.
    p.return_to.clear();
    const auto bare = render_login_page(p).html;
    EXPECT_TRUE(has(bare, "<button type=\"submit\">Sign out</button>"));
    EXPECT_FALSE(has(bare, "Continue"));

    p.signed_in_as = kEvil;
    p.return_to = kEvil;
    const auto e = render_login_page(p).html;
    EXPECT_FALSE(has(e, "<script"));
    EXPECT_EQ(occurrences(e, kEvilEscaped), 3u);  // user, Continue link, hidden return_to
}

TEST(LoginPage, CustomLanguageAndActions) {
    auto p = sign_in();
    p.lang = "de-CH";
    p.action = "/auth/login?x=1&y=2";
    const auto h = render_login_page(p).html;
    EXPECT_TRUE(has(h, "<html lang=\"de-CH\">"));
    EXPECT_TRUE(has(h, "action=\"/auth/login?x=1&amp;y=2\""));
}

TEST(MessagePage, RendersEscapedWithSameStyleAndCsp) {
    MessagePage m;
    m.title = "Invalid authorization request";
    m.message = "The redirect_uri is not registered for <client>.";
    const auto page = render_message_page(m);
    EXPECT_TRUE(has(page.html, "<title>Invalid authorization request</title>"));
    EXPECT_TRUE(has(page.html, "<h1>Invalid authorization request</h1>"));
    EXPECT_TRUE(has(page.html, "registered for &lt;client&gt;."));
    EXPECT_FALSE(has(page.html, "<a "));
    EXPECT_FALSE(has(page.html, "<form"));
    EXPECT_EQ(page.content_security_policy, content_security_policy());

    m.link_href = "/?a=1&b=\"2\"";
    m.link_text = "Back <home>";
    const auto linked = render_message_page(m).html;
    EXPECT_TRUE(has(linked, "<a class=\"btn\" href=\"/?a=1&amp;b=&quot;2&quot;\">Back &lt;home&gt;</a>"));
}

}  // namespace
}  // namespace gk::issuer
