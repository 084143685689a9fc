#pragma once
// Users from an Apache htpasswd file, re-read when the file changes.
//
// Snapshot and reload rules are WatchedFile's: lookups never wait for a
// reload; a file that fails to parse keeps the last good users, a file that
// is gone or unreadable makes every lookup an error (503) until it is back.
//
// htpasswd has no groups, emails or a disabled flag: records carry none.
// Apache's companion AuthGroupFile ("group: user user") is deliberately not
// supported here; routes that need groups use the SQLite store.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "store/watched_file.hpp"

namespace gk::store {

class HtpasswdDirectory final : public gate::UserDirectory {
public:
    // Loads at once; a failure leaves the directory unhealthy (see load_error())
    // until a later reload_if_changed() succeeds.
    explicit HtpasswdDirectory(std::filesystem::path path);

    // An error while the file cannot be read (see WatchedFile): the gate answers 503.
    [[nodiscard]] gate::UserLookup find(std::string_view name) const override;
    [[nodiscard]] bool healthy() const override;

    // Cheap when nothing changed (one stat). true: a new snapshot is live;
    // false: unchanged. On error the previous snapshot stays live.
    Result<bool, LoadError> reload_if_changed();

    // Users whose hash is in a format an operator should replace ($apr1$,
    // {SHA}): for the start-up warning. Sorted.
    [[nodiscard]] std::vector<std::string> legacy_users() const;
    // The error of the latest load attempt, nullopt if it succeeded.
    [[nodiscard]] std::optional<LoadError> load_error() const;
    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return file_.path(); }

    // An entry of the file's most common hash format: an unknown user is
    // verified against it, so the answer costs what a real user's would.
    [[nodiscard]] std::string dummy_hash() const override;

    struct Snapshot {
        std::map<std::string, std::string, std::less<>> hashes;  // user -> stored hash
        std::string representative;  // empty for an empty file
    };

private:
    WatchedFile<Snapshot> file_;
};

}  // namespace gk::store
