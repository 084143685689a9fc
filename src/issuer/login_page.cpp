#include "gatekeeper/issuer/login_page.hpp"

#include <algorithm>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/issuer/html.hpp"

namespace gk::issuer {

namespace {

// Light by default, dark under prefers-color-scheme; borders of inputs and the
// focus ring keep 3:1 against the card (WCAG 1.4.11), text 4.5:1 or more.
constexpr std::string_view kStyle =
    ":root{color-scheme:light dark;--bg:#f3f4f6;--card:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;"
    "--field:#8c959f;--accent:#0b5cd5;--on-accent:#fff;--err-bg:#fdecea;--err:#a1260d}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--fg:#e6edf3;--muted:#9198a1;"
    "--line:#30363d;--field:#656c76;--accent:#4493f8;--on-accent:#0d1117;--err-bg:#3c1618;--err:#ffa198}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:1.5rem;"
    "background:var(--bg);color:var(--fg);"
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
    "main{width:100%;max-width:24rem;padding:2rem;background:var(--card);border:1px solid var(--line);"
    "border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08),0 8px 24px rgba(0,0,0,.06)}\n"
    "h1{margin:0;font-size:1.5rem;font-weight:600;line-height:1.25}\n"
    ".sub{margin:.25rem 0 1.5rem;color:var(--muted)}\n"
    ".err{margin:0 0 1rem;padding:.75rem 1rem;border-radius:8px;background:var(--err-bg);color:var(--err)}\n"
    "label{display:block;margin:1rem 0 .375rem;font-weight:500}\n"
    "input{width:100%;padding:.625rem .75rem;font:inherit;color:inherit;background:var(--card);"
    "border:1px solid var(--field);border-radius:8px}\n"
    "input[aria-invalid=true]{border-color:var(--err)}\n"
    "button,.btn{display:block;width:100%;margin-top:1.5rem;padding:.6875rem 1rem;font:inherit;"
    "font-weight:600;text-align:center;text-decoration:none;color:var(--on-accent);background:var(--accent);"
    "border:1px solid var(--accent);border-radius:8px;cursor:pointer}\n"
    ".alt{margin-top:.75rem;color:var(--fg);background:transparent;border-color:var(--field)}\n"
    ":focus-visible{outline:3px solid var(--accent);outline-offset:2px}\n"
    "p{margin:0 0 1rem}\n";

bool is_lang_tag(std::string_view s) noexcept {
    return !s.empty() && s.size() <= 35 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool is_csp_source(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
               c == '/' || c == '.' || c == '-' || c == '[' || c == ']' || c == '*';
    });
}

class Html {
public:
    // Literal markup.
    Html& raw(std::string_view s) {
        out_ += s;
        return *this;
    }
    // Escaped text or attribute value.
    Html& text(std::string_view s) {
        append_html_escaped(out_, s);
        return *this;
    }
    Html& hidden(std::string_view name, std::string_view value) {
        return raw("<input type=\"hidden\" name=\"").raw(name).raw("\" value=\"").text(value).raw("\">\n");
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

void head(Html& h, std::string_view lang, std::string_view title) {
    h.raw("<!doctype html>\n<html lang=\"").text(is_lang_tag(lang) ? lang : "en").raw("\">\n<head>\n");
    h.raw("<meta charset=\"utf-8\">\n");
    h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.raw("<meta name=\"color-scheme\" content=\"light dark\">\n");
    h.raw("<meta name=\"referrer\" content=\"no-referrer\">\n");
    h.raw("<meta name=\"robots\" content=\"noindex, nofollow\">\n");
    h.raw("<title>").text(title).raw("</title>\n");
    h.raw("<style>").raw(kStyle).raw("</style>\n</head>\n<body>\n<main>\n");
}

void foot(Html& h) { h.raw("</main>\n</body>\n</html>\n"); }

void sign_in_form(Html& h, const LoginPage& p) {
    const bool invalid = p.error.has_value();
    h.raw("<h1>Sign in</h1>\n");
    if (!p.title.empty()) h.raw("<p class=\"sub\">").text(p.title).raw("</p>\n");
    if (invalid) h.raw("<p id=\"gk-error\" class=\"err\" role=\"alert\">").text(*p.error).raw("</p>\n");
    h.raw("<form method=\"post\" action=\"").text(p.action).raw("\">\n");
    h.hidden(kFieldCsrf, p.csrf_token);
    h.hidden(kFieldReturnTo, p.return_to);
    const std::string_view aria = invalid ? " aria-invalid=\"true\" aria-describedby=\"gk-error\"" : "";
    // Autofocus goes to the first field the user still has to fill.
    const bool user_first = p.username.empty();
    h.raw("<label for=\"gk-username\">Username</label>\n");
    h.raw("<input id=\"gk-username\" name=\"")
        .raw(kFieldUsername)
        .raw("\" type=\"text\" value=\"")
        .text(p.username);
    h.raw("\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required");
    h.raw(aria).raw(user_first ? " autofocus>\n" : ">\n");
    h.raw("<label for=\"gk-password\">Password</label>\n");
    h.raw("<input id=\"gk-password\" name=\"").raw(kFieldPassword).raw("\" type=\"password\"");
    h.raw(" autocomplete=\"current-password\" required").raw(aria).raw(user_first ? ">\n" : " autofocus>\n");
    h.raw("<button type=\"submit\">Sign in</button>\n</form>\n");
}

void sign_out_form(Html& h, const LoginPage& p) {
    h.raw("<h1>")
        .text(p.title.empty() ? std::string_view("Signed in") : std::string_view(p.title))
        .raw("</h1>\n");
    h.raw("<p class=\"sub\">Signed in as <strong>").text(*p.signed_in_as).raw("</strong></p>\n");
    if (p.error) h.raw("<p id=\"gk-error\" class=\"err\" role=\"alert\">").text(*p.error).raw("</p>\n");
    if (!p.return_to.empty()) h.raw("<a class=\"btn\" href=\"").text(p.return_to).raw("\">Continue</a>\n");
    h.raw("<form method=\"post\" action=\"").text(p.logout_action).raw("\">\n");
    h.hidden(kFieldCsrf, p.csrf_token);
    h.hidden(kFieldReturnTo, p.return_to);
    // One primary action per card: "Continue" when there is somewhere to go back to.
    h.raw(p.return_to.empty() ? "<button type=\"submit\">" : "<button type=\"submit\" class=\"alt\">");
    h.raw("Sign out</button>\n<button type=\"submit\" class=\"alt\" name=\"").raw(kFieldEverywhere);
    h.raw("\" value=\"1\">Sign out everywhere</button>\n");
    h.raw("</form>\n");
}

}  // namespace

std::string_view page_style() noexcept { return kStyle; }

const std::string& page_style_hash() {
    static const std::string hash =
        "sha256-" + httpauth::base64_encode(crypto::digest(crypto::DigestAlg::sha256, kStyle));
    return hash;
}

std::string content_security_policy(const std::vector<std::string>& form_action_origins) {
    std::string csp = "default-src 'none'; style-src '" + page_style_hash() + "'; form-action 'self'";
    for (const auto& o : form_action_origins) {
        if (!is_csp_source(o)) continue;
        csp += ' ';
        csp += o;
    }
    csp += "; frame-ancestors 'none'; base-uri 'none'";
    return csp;
}

HtmlPage render_login_page(const LoginPage& p) {
    Html h;
    const bool signed_in = p.signed_in_as.has_value();
    std::string title = signed_in ? p.title : std::string("Sign in");
    if (!signed_in && !p.title.empty()) title += " \xC2\xB7 " + p.title;  // "Sign in · Admin Panel"
    if (title.empty()) title = "Signed in";
    head(h, p.lang, title);
    if (signed_in) {
        sign_out_form(h, p);
    } else {
        sign_in_form(h, p);
    }
    foot(h);
    return {h.take(), content_security_policy(p.form_action_origins)};
}

HtmlPage render_message_page(const MessagePage& p) {
    Html h;
    head(h, p.lang, p.title);
    h.raw("<h1>").text(p.title).raw("</h1>\n<p class=\"sub\">").text(p.message).raw("</p>\n");
    if (p.link_href)
        h.raw("<a class=\"btn\" href=\"").text(*p.link_href).raw("\">").text(p.link_text).raw("</a>\n");
    foot(h);
    return {h.take(), content_security_policy()};
}

}  // namespace gk::issuer
