#pragma once
// What the key-source adapters share: turning a file's or a response's bytes
// into a key set, reading Cache-Control and a discovery document, and the
// JSON log line. No I/O here.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/jose/jwk.hpp"

namespace gk::server {

// Key files and fetched documents larger than this are refused.
inline constexpr std::size_t kMaxJwksBytes = 1 << 20;

struct LoadedKeys {
    std::shared_ptr<const jose::JwkSet> set;  // never null, never empty
    std::size_t skipped = 0;                  // keys the set carried that cannot verify anything here
    std::size_t refused_private = 0;          // keys refused because they carry private material
};

// A local file: a JWKS, or one PEM key (SubjectPublicKeyInfo, a private key
// of which only the public part is kept, or a certificate) with an empty kid.
// Private parts of asymmetric JWKs are dropped; oct (HMAC) keys are kept: a
// local file is the one place such a secret may come from.
Result<LoadedKeys, std::string> keys_from_file_text(std::string_view text);

// A JWKS served over the network. A key with private material is refused:
// an HMAC secret anyone can download is no secret, and a published private
// key signs anyone's tokens.
Result<LoadedKeys, std::string> keys_from_fetched_jwks(std::string_view json);

// Cache-Control max-age (RFC 9111 section 5.2.2.1), when present and valid.
std::optional<std::chrono::seconds> cache_max_age(std::string_view cache_control);

// OpenID Connect Discovery 1.0 section 3/4.3: the document's issuer must be
// exactly the configured one, and jwks_uri an https URL.
Result<std::string, std::string> jwks_uri_from_discovery(std::string_view json, std::string_view issuer);

// One log line: {"time":...,"event":...,<fields>}. Values are escaped; callers
// never pass key material.
class LogEvent {
public:
    explicit LogEvent(std::string_view event);
    LogEvent& str(std::string_view key, std::string_view value);
    LogEvent& num(std::string_view key, long long value);
    void write(spdlog::logger& log, spdlog::level::level_enum level) const;

private:
    std::string line_;
};

}  // namespace gk::server
