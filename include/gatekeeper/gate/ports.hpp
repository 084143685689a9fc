#pragma once
// What the core needs from outside, as interfaces. Adapters live in store/.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// A source of users (htpasswd file, embedded database). Implementations are
// thread-safe; lookups are in memory or a local file-backed store and fast.
class UserDirectory {
public:
    virtual ~UserDirectory() = default;
    // nullopt: no such user. A store failure is reported through healthy().
    [[nodiscard]] virtual std::optional<UserRecord> find(std::string_view name) const = 0;
    // false when the backing store cannot be read: requests needing it get 503.
    [[nodiscard]] virtual bool healthy() const = 0;
    // A hash to verify an unknown user's password against, so that the answer
    // takes as long as for a real user of this source: the same format and
    // cost as its users' hashes. The default is password::dummy_hash().
    [[nodiscard]] virtual std::string dummy_hash() const;
    // Digest userhash (RFC 7616 3.4.4): the user whose H(name ":" realm), with
    // the hash of `algorithm` ("MD5", "SHA-256", "SHA-512-256"), is `userhash`.
    // Sources that cannot answer say nullopt, and such clients are refused.
    [[nodiscard]] virtual std::optional<UserRecord> find_by_digest_userhash(std::string_view /*realm*/,
                                                                           std::string_view /*algorithm*/,
                                                                           std::string_view /*userhash*/) const {
        return std::nullopt;
    }
};

}  // namespace gk::gate
