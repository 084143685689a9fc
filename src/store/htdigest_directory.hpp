#pragma once
// Users from an Apache htdigest file ("user:realm:MD5(user:realm:password)"
// per line), re-read when the file changes: the Digest-only sibling of
// HtpasswdDirectory, with the same snapshot, reload and fail-closed rules.
//
// Such a file holds no password hash (Basic cannot use it: config/ refuses
// the combination) and no groups or emails. A record carries one MD5
// DigestSecret per realm the user appears in, so it answers MD5 and MD5-sess
// challenges of those realms and nothing else.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "store/watched_file.hpp"

namespace gk::store {

class HtdigestDirectory final : public gate::UserDirectory {
public:
    // Loads at once; a failure leaves the directory unhealthy (see load_error())
    // until a later reload_if_changed() succeeds.
    explicit HtdigestDirectory(std::filesystem::path path);

    // password_hash is empty, groups are none; one {realm, "MD5", ha1} per realm.
    // An error while the file cannot be read (see WatchedFile): the gate answers 503.
    [[nodiscard]] gate::UserLookup find(std::string_view name) const override;
    [[nodiscard]] bool healthy() const override;
    // MD5 only: H(user ":" realm) of every line is computed when the file is read.
    [[nodiscard]] gate::UserLookup find_by_digest_userhash(std::string_view realm, std::string_view algorithm,
                                                           std::string_view userhash) const override;

    // Cheap when nothing changed (one stat). true: a new snapshot is live;
    // false: unchanged. On error the previous snapshot stays live.
    Result<bool, LoadError> reload_if_changed();

    // The error of the latest load attempt, nullopt if it succeeded.
    [[nodiscard]] std::optional<LoadError> load_error() const;
    [[nodiscard]] std::size_t size() const;  // distinct users
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return file_.path(); }

private:
    struct Users {
        std::map<std::string, std::vector<gate::DigestSecret>, std::less<>> secrets;  // user -> one per realm
        std::map<std::string, std::string, std::less<>> by_userhash;  // realm '\n' H(user:realm) -> user
    };
    [[nodiscard]] static std::optional<gate::UserRecord> record(const Users& users, std::string_view name);

    WatchedFile<Users> file_;
};

}  // namespace gk::store
