#pragma once
// A file parsed into an immutable snapshot and re-parsed when it changes on
// disk: the reload rules shared by the htpasswd and htdigest user sources.
//
// Readers copy a shared_ptr under a tiny lock, so a lookup never waits for a
// parse and never sees a mix of old and new. What a failed re-read does
// depends on why it failed (fail closed, DESIGN.md):
//   - the file is gone, not a regular file, or cannot be opened: the snapshot
//     is dropped, current() is null and lookups fail (503) until the file can
//     be read again. A user store that cannot be read must never pass anyone
//     on a copy the operator may have removed on purpose.
//   - the file reads but does not parse (a half-written edit, a typo), or
//     changed while being read: the last good snapshot stays live, so an edit
//     in progress does not lock everyone out; the same broken bytes are not
//     re-parsed on every tick.
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "gatekeeper/common/result.hpp"
#include "store/file_read.hpp"

namespace gk::store {

struct LoadError {
    int line = 0;            // 0 when the error is not about one line (missing file, I/O)
    std::string message;     // names the file; never contains a hash
};

template <class Data>
class WatchedFile {
public:
    // Parses the file's text; a LoadError's message need not name the file.
    using Parse = std::function<Result<Data, LoadError>(std::string_view text)>;

    // Loads at once; a failure leaves current() null (see load_error()) until
    // a later reload(false) succeeds.
    WatchedFile(std::filesystem::path path, Parse parse) : path_(std::move(path)), parse_(std::move(parse)) {
        (void)reload(true);  // the outcome is kept in last_error_ / current()
    }

    // The live data; null while no load has succeeded.
    [[nodiscard]] std::shared_ptr<const Data> current() const {
        std::lock_guard lock(snapshot_mu_);
        if (!snapshot_) return nullptr;
        return std::shared_ptr<const Data>(snapshot_, &snapshot_->data);
    }

    // Cheap when nothing changed (one stat) unless `force`. true: a new
    // snapshot is live; false: unchanged. On error: see the rules above.
    Result<bool, LoadError> reload(bool force) {
        std::lock_guard lock(reload_mu_);
        auto remember = [&](LoadError e) -> Result<bool, LoadError> {
            last_error_ = e;
            return fail(std::move(e));
        };
        // Gone or unreadable: nothing to serve from until it is back.
        auto unreadable = [&](LoadError e) -> Result<bool, LoadError> {
            std::shared_ptr<const Snapshot> old;
            {
                std::lock_guard slock(snapshot_mu_);
                old = std::exchange(snapshot_, nullptr);
            }
            last_failed_stamp_.reset();
            return remember(std::move(e));
        };
        if (!force) {
            auto stamp = stat_file(path_);
            if (!stamp) return unreadable(LoadError{0, stamp.error()});
            if (auto live = live_stamp(); live && *live == stamp.value()) {
                last_error_.reset();  // the live snapshot matches the file again
                return false;
            }
            // Same broken bytes as last time: report again without re-parsing.
            if (last_failed_stamp_ && *last_failed_stamp_ == stamp.value() && last_error_) return fail(*last_error_);
        }
        auto content = read_file(path_);
        if (!content) {
            if (!is_readable_regular_file(path_)) return unreadable(LoadError{0, content.error()});
            return remember(
                LoadError{0, content.error()});  // changed while read, too large: keep the last good
        }
        auto parsed = parse_(content->text);
        if (!parsed) {
            last_failed_stamp_ = content->stamp;
            return remember(LoadError{parsed.error().line, path_.string() + ": " + parsed.error().message});
        }
        auto next = std::make_shared<const Snapshot>(Snapshot{std::move(parsed).value(), content->stamp});
        std::shared_ptr<const Snapshot> old;
        {
            std::lock_guard slock(snapshot_mu_);
            old = std::exchange(snapshot_, std::move(next));
        }
        // `old` is freed here, outside the lock, unless a reader still holds it.
        last_error_.reset();
        last_failed_stamp_.reset();
        return true;
    }

    // The error of the latest load attempt, nullopt if it succeeded.
    [[nodiscard]] std::optional<LoadError> load_error() const {
        std::lock_guard lock(reload_mu_);
        return last_error_;
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    struct Snapshot {
        Data data;
        FileStamp stamp;
    };
    [[nodiscard]] std::optional<FileStamp> live_stamp() const {
        std::lock_guard lock(snapshot_mu_);
        if (!snapshot_) return std::nullopt;
        return snapshot_->stamp;
    }

    const std::filesystem::path path_;
    const Parse parse_;
    mutable std::mutex reload_mu_;                // one reload at a time; guards last_error_
    std::optional<LoadError> last_error_;
    std::optional<FileStamp> last_failed_stamp_;  // don't re-parse the same broken file every tick
    // A plain mutex around the pointer copy, not std::atomic<std::shared_ptr>:
    // GCC 12's implementation works, but ThreadSanitizer reports it as a race
    // (google/sanitizers#1558), and a TSan-clean build is worth more than the
    // nanoseconds a lock held for one refcount increment costs.
    mutable std::mutex snapshot_mu_;
    std::shared_ptr<const Snapshot> snapshot_;
};

// Why a WatchedFile has no snapshot, for a lookup's error (never holds a hash).
template <class Data>
std::string unreadable_message(const WatchedFile<Data>& file) {
    auto e = file.load_error();
    return e ? e->message : file.path().string() + " cannot be read";
}

}  // namespace gk::store
