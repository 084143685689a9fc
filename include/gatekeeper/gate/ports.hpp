#pragma once
// What the core needs from outside, as interfaces. Adapters live in store/.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::gate {

// H(user:realm:password) for Digest (RFC 7616), one per realm and hash
// family. A bcrypt or argon2 hash cannot answer a Digest challenge, so these
// are stored beside it; each works only for its realm.
struct DigestSecret {
    std::string realm;
    std::string algorithm;  // "MD5", "SHA-256" or "SHA-512-256" (the -sess variants use the same)
    std::string ha1;        // lower-case hex
};

struct UserRecord {
    std::string name;
    std::string password_hash;        // any format password::verify reads
    std::vector<std::string> groups;
    std::string email;
    bool disabled = false;
    std::vector<DigestSecret> digest_secrets;
};

// What a user lookup says: a value (the user, or nullopt: no such user) or
// an error: the source could not answer (database error, file unreadable).
// The gate turns an error into 503 at once and never into "unknown user".
using UserLookup = Result<std::optional<UserRecord>, std::string>;

// A source of users (htpasswd file, embedded database). Implementations are
// thread-safe; lookups are in memory or a local file-backed store and fast.
class UserDirectory {
public:
    virtual ~UserDirectory() = default;
    // nullopt: no such user; an error: the store could not answer (fail closed).
    // A source that failed recovers by itself once it can be read again.
    [[nodiscard]] virtual UserLookup find(std::string_view name) const = 0;
    // For readiness (/.gatekeeper/readyz) and start-up warnings: whether the
    // store can answer now. The gate does not ask it; find()'s error decides.
    [[nodiscard]] virtual bool healthy() const = 0;
    // A hash to verify an unknown user's password against, so that the answer
    // takes as long as for a real user of this source: the same format and
    // cost as its users' hashes. The default is password::dummy_hash().
    [[nodiscard]] virtual std::string dummy_hash() const;
    // Digest userhash (RFC 7616 3.4.4): the user whose H(name ":" realm), with
    // the hash of `algorithm` ("MD5", "SHA-256", "SHA-512-256"), is `userhash`.
    // Sources that cannot answer say nullopt, and such clients are refused.
    [[nodiscard]] virtual UserLookup find_by_digest_userhash(std::string_view /*realm*/,
                                                             std::string_view /*algorithm*/,
                                                             std::string_view /*userhash*/) const {
        return std::optional<UserRecord>{};
    }
};

}  // namespace gk::gate
