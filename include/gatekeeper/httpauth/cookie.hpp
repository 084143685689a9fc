#pragma once
// Cookies: the Cookie request header (RFC 6265 sections 4.2.1 and 5.4) and the
// Set-Cookie response header (section 4.1, with the RFC 6265bis "__Host-" and
// "__Secure-" prefixes and SameSite).
//
// Parsing is lenient, as servers must be with what browsers send: pairs are
// split on ';', surrounding SP/HTAB is trimmed, pairs without '=' are skipped,
// and values are kept as sent (quotes included). It never fails. Names are
// case-sensitive. Lookup is strict: a name present twice is reported as
// ambiguous, because a sibling (sub)domain or a plain-http page can plant a
// second cookie with the same name that the browser sends alongside ours, in
// an order the server cannot rely on.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::httpauth {

enum class CookieError {
    duplicate,            // single(): the name appears more than once
    bad_name,             // Set-Cookie name is empty or not an RFC 9110 token
    bad_value,            // value holds a byte outside cookie-octet
    bad_path,             // Path does not start with '/' or holds CTL or ';'
    bad_domain,           // Domain holds anything but letters, digits, '-' and '.'
    bad_max_age,          // negative Max-Age
    too_large,            // name + value over kMaxCookieSize
    prefix_needs_secure,  // "__Secure-" or "__Host-" without Secure
    host_prefix_path,     // "__Host-" with Path other than "/"
    host_prefix_domain,   // "__Host-" with a Domain
    none_needs_secure,    // SameSite=None without Secure (browsers drop it)
};
const char* to_string(CookieError) noexcept;

// Browsers keep at least 4096 bytes of name + value (RFC 6265 section 6.1).
inline constexpr std::size_t kMaxCookieSize = 4096;

struct Cookie {
    std::string name;
    std::string value;
    friend bool operator==(const Cookie&, const Cookie&) = default;
};

// Every cookie of a request, in header order.
class CookieJar {
public:
    CookieJar() = default;
    explicit CookieJar(std::vector<Cookie> cookies) : cookies_(std::move(cookies)) {}

    [[nodiscard]] const std::vector<Cookie>& cookies() const noexcept { return cookies_; }
    [[nodiscard]] std::size_t size() const noexcept { return cookies_.size(); }
    [[nodiscard]] std::size_t count(std::string_view name) const noexcept;
    // Absent -> nullopt; exactly once -> its value; more than once ->
    // CookieError::duplicate (refuse: the caller cannot tell which is ours).
    [[nodiscard]] Result<std::optional<std::string_view>, CookieError> single(std::string_view name) const;

private:
    std::vector<Cookie> cookies_;
};

// One Cookie field value. Never fails; see the file comment.
CookieJar parse_cookie_header(std::string_view field_value);
// Several Cookie field lines (HTTP/2 and HTTP/3 split the header per cookie,
// RFC 9113 section 8.2.3); the jar holds them all in order.
CookieJar parse_cookie_headers(const std::vector<std::string_view>& field_values);

// cookie-octet (RFC 6265 section 4.1.1): %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
bool is_cookie_octet(char c) noexcept;
bool is_cookie_value(std::string_view v) noexcept;

enum class SameSite { lax, strict, none };

struct SetCookie {
    std::string name;
    std::string value;
    std::string path = "/";
    std::optional<std::string> domain;            // absent = host-only cookie (preferred)
    std::optional<std::chrono::seconds> max_age;  // absent = session cookie; 0 = delete
    bool secure = true;
    bool http_only = true;
    SameSite same_site = SameSite::lax;
};

// The Set-Cookie field value, e.g.
// "__Host-gk_session=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax".
// Prefix rules ("__Host-": Secure, Path=/, no Domain; "__Secure-": Secure) are
// applied when the name starts with the prefix in any case, as browsers do.
Result<std::string, CookieError> format_set_cookie(const SetCookie& c);
// The same cookie with an empty value and Max-Age=0: the browser deletes it.
// Path, Domain and the prefix attributes must match the cookie being removed.
Result<std::string, CookieError> format_delete_cookie(const SetCookie& c);

}  // namespace gk::httpauth
