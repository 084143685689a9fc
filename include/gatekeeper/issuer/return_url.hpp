#pragma once
// Is a login "return to" URL safe to redirect to after sign-in (no open
// redirect)? Accepted:
// - a path-absolute reference: "/" followed by anything but "/" or "\"
//   ("/app/?x=1#top"), kept as is;
// - an absolute http or https URL whose host (and port) the caller allows,
//   returned with scheme and host lower-cased.
// Everything else is refused, erring on the strict side: any byte outside
// visible ASCII (so no leading whitespace, TAB/CR/LF that browsers strip, NUL,
// non-ASCII look-alikes), any backslash (browsers read it as '/'), userinfo,
// other schemes (javascript:, data:, vbscript:, file:, ...), scheme-relative
// "//host", a malformed %-escape, and a path that once or repeatedly
// percent-decoded begins with "//" or "/\" or holds a control character
// ("/%2F%2Fevil", "/%5Cevil", "/%09/evil").
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::issuer {

enum class ReturnUrlError {
    empty,
    too_long,           // over kMaxReturnUrl bytes
    bad_character,      // CTL, space, DEL or a byte >= 0x80
    backslash,          // '\' anywhere
    scheme_relative,    // "//host..." or "/\host..."
    not_path_absolute,  // neither "/..." nor "scheme:..." ("evil.com", "?x", "#x", "../x")
    bad_scheme,         // a scheme other than http/https, or "https:" not followed by "//"
    userinfo,           // "https://user@host"
    bad_host,           // empty, malformed, percent-encoded or with a bad port
    host_not_allowed,   // well-formed but not in the allowed list
    bad_percent,        // '%' not followed by two hex digits
    encoded_trick,      // decoding yields "//", "/\" at the start or a control character
};
const char* to_string(ReturnUrlError) noexcept;

inline constexpr std::size_t kMaxReturnUrl = 2048;

// allowed_hosts: lower-case "host" or "host:port" entries ("app.example.com",
// "[::1]:8443"). An entry without a port allows the host with no port or the
// scheme's default port (80 for http, 443 for https); an entry with a port
// allows exactly that port. An empty list allows relative paths only.
Result<std::string, ReturnUrlError> check_return_url(std::string_view url,
                                                     const std::vector<std::string>& allowed_hosts);

// check_return_url, or `fallback` when it refuses.
std::string safe_return_url(std::string_view url, const std::vector<std::string>& allowed_hosts,
                            std::string_view fallback = "/");

}  // namespace gk::issuer
