#pragma once
// The server-rendered login page, its "signed in as" variant with the logout
// form, and a generic message page ("invalid authorization request"). Plain
// HTML forms, no JavaScript, no external assets; one inline <style> allowed by
// its SHA-256 in a strict Content-Security-Policy:
//   default-src 'none'; style-src 'sha256-…'; form-action 'self';
//   frame-ancestors 'none'; base-uri 'none'
// Every caller-provided string is HTML-escaped; URLs (return_to, the message
// page's link) must already be vetted (check_return_url): escaping keeps them
// inside their attribute, it does not make a hostile URL safe to follow.
// The server adds Cache-Control: no-store and the other response headers.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gk::issuer {

// Names of the form fields, shared with the handlers that read them.
inline constexpr std::string_view kFieldUsername = "username";
inline constexpr std::string_view kFieldPassword = "password";
inline constexpr std::string_view kFieldCsrf = "csrf_token";
inline constexpr std::string_view kFieldReturnTo = "return_to";
inline constexpr std::string_view kFieldEverywhere = "everywhere";  // logout: "1" = all sessions

struct LoginPage {
    std::string title;                          // realm or product name ("Admin Panel"); may be empty
    std::string action = "/.gatekeeper/login";  // POST target of the sign-in form
    std::string logout_action = "/.gatekeeper/logout";
    std::string return_to;  // vetted; sent back as a hidden field
    std::string csrf_token;
    std::optional<std::string> error;         // e.g. "Wrong username or password."
    std::string username;                     // refilled after a failed attempt
    std::optional<std::string> signed_in_as;  // set: render the logout form instead
    std::string lang = "en";                  // BCP 47 tag; anything else falls back to "en"
    // Origins ("https://app.example.com") added to form-action: browsers apply
    // form-action to the redirect that follows the POST, so an allowed
    // absolute return_to on another origin must be listed here.
    std::vector<std::string> form_action_origins;
};

struct MessagePage {
    std::string title;                     // e.g. "Invalid authorization request"
    std::string message;                   // plain text
    std::optional<std::string> link_href;  // vetted URL
    std::string link_text = "Continue";
    std::string lang = "en";
};

struct HtmlPage {
    std::string html;                     // text/html; charset=utf-8
    std::string content_security_policy;  // value of the Content-Security-Policy header
};

HtmlPage render_login_page(const LoginPage& page);
HtmlPage render_message_page(const MessagePage& page);

// The exact text between <style> and </style> on every page.
std::string_view page_style() noexcept;
// "sha256-<base64 of SHA-256(page_style())>", computed once.
const std::string& page_style_hash();
// The policy above; extra form-action origins that could break out of the
// directive (anything but letters, digits and ":/.-[]*") are left out.
std::string content_security_policy(const std::vector<std::string>& form_action_origins = {});

}  // namespace gk::issuer
