#pragma once
// Users from an Apache htpasswd file, re-read when the file changes.
//
// Lookups read an immutable snapshot (a shared_ptr copied under a tiny lock),
// so find() never waits for a reload to parse and never sees a mix of old
// and new. A re-read that fails (parse error, file gone, mid-edit) keeps
// the last good snapshot and reports why.
//
// htpasswd has no groups, emails or a disabled flag: records carry none.
// Apache's companion AuthGroupFile ("group: user user") is deliberately not
// supported here; routes that need groups use the SQLite store.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "store/file_read.hpp"

namespace gk::store {

struct LoadError {
    int line = 0;            // 0 when the error is not about one line (missing file, I/O)
    std::string message;     // names the file; never contains a hash
};

class HtpasswdDirectory final : public gate::UserDirectory {
public:
    // Loads at once; a failure leaves the directory unhealthy (see load_error())
    // until a later reload_if_changed() succeeds.
    explicit HtpasswdDirectory(std::filesystem::path path);

    [[nodiscard]] std::optional<gate::UserRecord> find(std::string_view name) const override;
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
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    struct Snapshot {
        std::map<std::string, std::string, std::less<>> hashes;  // user -> stored hash
        FileStamp stamp;
    };
    Result<bool, LoadError> load(bool force);
    [[nodiscard]] std::shared_ptr<const Snapshot> current() const;

    const std::filesystem::path path_;
    mutable std::mutex reload_mu_;                   // one reload at a time; guards last_error_
    std::optional<LoadError> last_error_;
    std::optional<FileStamp> last_failed_stamp_;  // don't re-parse the same broken file every tick
    // A plain mutex around the pointer copy, not std::atomic<std::shared_ptr>:
    // GCC 12's implementation works, but ThreadSanitizer reports it as a race
    // (google/sanitizers#1558), and a TSan-clean build is worth more than the
    // nanoseconds a lock held for one refcount increment costs.
    mutable std::mutex snapshot_mu_;
    std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace gk::store
