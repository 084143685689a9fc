#pragma once
// The browser-session cookie: its value is a 256-bit random id (base64url,
// 43 characters); the store keeps only its SHA-256. Over HTTPS the cookie is
// `__Host-<prefix>` (Secure, Path=/, no Domain: a sibling subdomain cannot
// plant or read it); plain-HTTP listeners, which only a loopback demo should
// have, use `<prefix>` because browsers refuse Secure cookies there.
#include <cstddef>
#include <string>
#include <string_view>

#include "gatekeeper/common/secret.hpp"

namespace gk::schemes {

inline constexpr std::size_t kSessionIdBytes = 32;
inline constexpr std::size_t kSessionIdChars = 43;  // base64url, unpadded

// A fresh id from the OpenSSL CSPRNG (throws only if the CSPRNG fails: call at the edge).
[[nodiscard]] Secret new_session_id();
// Exact length and base64url alphabet: anything else is never looked up.
[[nodiscard]] bool looks_like_session_id(std::string_view value) noexcept;
// Lower-case hex SHA-256: what the store keeps and looks up by.
[[nodiscard]] std::string session_id_hash(std::string_view id);

// `__Host-<prefix>` over HTTPS, `<prefix>` over plain HTTP.
[[nodiscard]] std::string session_cookie_name(std::string_view prefix, bool secure);
// The login form's CSRF cookie: `__Host-<prefix>-csrf` / `<prefix>-csrf`.
[[nodiscard]] std::string csrf_cookie_name(std::string_view prefix, bool secure);

}  // namespace gk::schemes
