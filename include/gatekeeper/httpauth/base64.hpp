#pragma once
// Strict base64 (RFC 4648 section 4, padding required) and base64url (section 5,
// no padding): non-alphabet characters, whitespace and non-zero trailing bits
// are errors, so one encoded form maps to one value.
#include <optional>
#include <string>
#include <string_view>

namespace gk::httpauth {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace gk::httpauth
