#pragma once
// The scalar grammars of the config file, usable without YAML (the CLI and
// tests use them directly). Each returns the value or why it is not one.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/policy.hpp"

namespace gk::config {

struct ValueError {
    std::string message;
    std::string hint;
};

// "500ms", "10s", "5m", "1h", or a bare integer meaning milliseconds. No sign,
// no fraction, no spaces; values past what milliseconds can hold are refused.
[[nodiscard]] Result<std::chrono::milliseconds, ValueError> parse_duration(std::string_view text);

// "10.0.0.0/8", "fd00::/8", or a bare address (= /32 or /128). Host bits past
// the prefix are cleared, so "10.1.2.3/8" means 10.0.0.0/8.
[[nodiscard]] Result<gate::Cidr, ValueError> parse_cidr(std::string_view text);

// The bytes of an IPv4 (4) or IPv6 (16) address literal, or empty when `text`
// is neither. IPv6 is written without brackets.
[[nodiscard]] std::vector<std::uint8_t> parse_ip(std::string_view text);

struct UpstreamUrl {
    bool tls = false;
    std::string host;       // lower-case; IPv6 without brackets
    std::uint16_t port = 80;
    std::string base_path;  // "" or "/base" (trailing slashes removed)
};

// http:// or https:// with a host, an optional port and an optional base path;
// no userinfo, query or fragment.
[[nodiscard]] Result<UpstreamUrl, ValueError> parse_upstream_url(std::string_view text);

// RFC 9110 token (method names, header field names).
[[nodiscard]] bool is_token(std::string_view text) noexcept;

// Realms end up inside a quoted-string of a challenge: refuse what would need
// escaping there ('"', '\\') and control characters.
[[nodiscard]] bool is_safe_realm(std::string_view text) noexcept;

// Levenshtein distance, for "did you mean" hints.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` within distance 2, or "" when none is.
[[nodiscard]] std::string closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace gk::config
