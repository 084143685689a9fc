#include "store/htpasswd_directory.hpp"

#include <utility>

#include "gatekeeper/password/hash.hpp"
#include "gatekeeper/password/htpasswd.hpp"

namespace gk::store {

HtpasswdDirectory::HtpasswdDirectory(std::filesystem::path path) : path_(std::move(path)) {
    (void)load(true);  // the outcome is kept in last_error_ / healthy()
}

std::shared_ptr<const HtpasswdDirectory::Snapshot> HtpasswdDirectory::current() const {
    std::lock_guard lock(snapshot_mu_);
    return snapshot_;
}

std::optional<gate::UserRecord> HtpasswdDirectory::find(std::string_view name) const {
    auto snap = current();
    if (!snap) return std::nullopt;
    auto it = snap->hashes.find(name);
    if (it == snap->hashes.end()) return std::nullopt;
    gate::UserRecord rec;
    rec.name = it->first;
    rec.password_hash = it->second;
    return rec;
}

bool HtpasswdDirectory::healthy() const { return current() != nullptr; }

std::size_t HtpasswdDirectory::size() const {
    auto snap = current();
    return snap ? snap->hashes.size() : 0;
}

std::vector<std::string> HtpasswdDirectory::legacy_users() const {
    std::vector<std::string> out;
    auto snap = current();
    if (!snap) return out;
    for (const auto& [user, hash] : snap->hashes)
        if (password::is_legacy(password::detect(hash))) out.push_back(user);
    return out;  // map order: already sorted
}

std::optional<LoadError> HtpasswdDirectory::load_error() const {
    std::lock_guard lock(reload_mu_);
    return last_error_;
}

Result<bool, LoadError> HtpasswdDirectory::reload_if_changed() { return load(false); }

Result<bool, LoadError> HtpasswdDirectory::load(bool force) {
    std::lock_guard lock(reload_mu_);
    auto record = [&](LoadError e) -> Result<bool, LoadError> {
        last_error_ = e;
        return fail(std::move(e));
    };

    if (!force) {
        auto stamp = stat_file(path_);
        if (!stamp) return record(LoadError{0, stamp.error()});
        auto snap = current();
        if (snap && snap->stamp == stamp.value()) {
            last_error_.reset();  // the live snapshot matches the file again
            return false;
        }
        // Same broken bytes as last time: report again without re-parsing.
        if (last_failed_stamp_ && *last_failed_stamp_ == stamp.value() && last_error_) return fail(*last_error_);
    }

    auto content = read_file(path_);
    if (!content) return record(LoadError{0, content.error()});
    auto parsed = password::parse_htpasswd(content->text);
    if (!parsed) {
        last_failed_stamp_ = content->stamp;
        return record(LoadError{parsed.error().line, path_.string() + ": " + parsed.error().message});
    }

    auto next = std::make_shared<Snapshot>();
    next->stamp = content->stamp;
    for (auto& e : parsed.value()) next->hashes.emplace(std::move(e.user), std::move(e.hash));
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

}  // namespace gk::store
