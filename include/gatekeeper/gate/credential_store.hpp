#pragma once
// The read side of gatekeeper's own credentials (browser sessions and API
// keys), as the gate sees it on every request. Implementations are
// thread-safe and local (an embedded database, process memory); a failure is
// an error value and the gate answers 503 for it (fail closed).
//
// Lookups go by a hash: the store never holds a session id or a key, only
// SHA-256 of it (lower-case hex), so a copy of the database signs nobody in.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::gate {

// Times are Unix seconds (UTC).
struct SessionRecord {
    std::string id_hash;  // hex SHA-256 of the cookie value
    std::string user;
    std::string csrf_token;  // per session: the logout and authorize forms carry it
    std::int64_t created_at = 0;
    std::int64_t last_seen = 0;   // idle timeout counts from here
    std::int64_t expires_at = 0;  // absolute lifetime: created_at + lifetime
};

struct ApiKeyRecord {
    std::string name;      // unique, chosen by the operator
    std::string key_hash;  // hex SHA-256 of the whole key
    std::string hint;      // the key's first characters, for `apikey list`
    std::string user;      // identity the key acts as; empty = the key's name
    std::vector<std::string> scopes;
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;  // 0 = never
    bool revoked = false;
};

class CredentialStore {
public:
    virtual ~CredentialStore() = default;
    // nullopt: no such session / key. Error: the store could not answer.
    [[nodiscard]] virtual Result<std::optional<SessionRecord>, std::string> find_session(
        std::string_view id_hash) const = 0;
    [[nodiscard]] virtual Result<std::optional<ApiKeyRecord>, std::string> find_api_key(
        std::string_view key_hash) const = 0;
};

}  // namespace gk::gate
