#include "store/htdigest_directory.hpp"

#include <utility>

#include "gatekeeper/schemes/digest.hpp"

namespace gk::store {
namespace {

std::string userhash_key(std::string_view realm, std::string_view userhash) {
    // A realm in an htdigest file has no control characters, so '\n' cannot be part of it.
    std::string key(realm);
    key.push_back('\n');
    for (char c : userhash) key.push_back(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
    return key;
}

}  // namespace

HtdigestDirectory::HtdigestDirectory(std::filesystem::path path) : path_(std::move(path)) {
    (void)load(true);  // the outcome is kept in last_error_ / healthy()
}

std::shared_ptr<const HtdigestDirectory::Snapshot> HtdigestDirectory::current() const {
    std::lock_guard lock(snapshot_mu_);
    return snapshot_;
}

std::optional<gate::UserRecord> HtdigestDirectory::record(const Snapshot& snap, std::string_view name) {
    auto it = snap.users.find(name);
    if (it == snap.users.end()) return std::nullopt;
    gate::UserRecord rec;
    rec.name = it->first;
    rec.digest_secrets = it->second;
    return rec;
}

std::optional<gate::UserRecord> HtdigestDirectory::find(std::string_view name) const {
    auto snap = current();
    if (!snap) return std::nullopt;
    return record(*snap, name);
}

std::optional<gate::UserRecord> HtdigestDirectory::find_by_digest_userhash(std::string_view realm,
                                                                           std::string_view algorithm,
                                                                           std::string_view userhash) const {
    if (algorithm != "MD5") return std::nullopt;  // the file holds nothing else
    auto snap = current();
    if (!snap) return std::nullopt;
    auto it = snap->by_userhash.find(userhash_key(realm, userhash));
    if (it == snap->by_userhash.end()) return std::nullopt;
    return record(*snap, it->second);
}

bool HtdigestDirectory::healthy() const { return current() != nullptr; }

std::size_t HtdigestDirectory::size() const {
    auto snap = current();
    return snap ? snap->users.size() : 0;
}

std::optional<LoadError> HtdigestDirectory::load_error() const {
    std::lock_guard lock(reload_mu_);
    return last_error_;
}

Result<bool, LoadError> HtdigestDirectory::reload_if_changed() { return load(false); }

Result<bool, LoadError> HtdigestDirectory::load(bool force) {
    std::lock_guard lock(reload_mu_);
    auto remember = [&](LoadError e) -> Result<bool, LoadError> {
        last_error_ = e;
        return fail(std::move(e));
    };

    if (!force) {
        auto stamp = stat_file(path_);
        if (!stamp) return remember(LoadError{0, stamp.error()});
        auto snap = current();
        if (snap && snap->stamp == stamp.value()) {
            last_error_.reset();  // the live snapshot matches the file again
            return false;
        }
        // Same broken bytes as last time: report again without re-parsing.
        if (last_failed_stamp_ && *last_failed_stamp_ == stamp.value() && last_error_)
            return fail(*last_error_);
    }

    auto content = read_file(path_);
    if (!content) return remember(LoadError{0, content.error()});
    auto parsed = schemes::parse_htdigest(content->text);
    if (!parsed) {
        last_failed_stamp_ = content->stamp;
        return remember(LoadError{parsed.error().line, path_.string() + ": " + parsed.error().message});
    }

    auto next = std::make_shared<Snapshot>();
    next->stamp = content->stamp;
    for (auto& e : parsed.value()) {
        next->by_userhash.emplace(
            userhash_key(e.realm, schemes::digest_userhash(schemes::DigestAlgorithm::md5, e.user, e.realm)),
            e.user);
        next->users[e.user].push_back(gate::DigestSecret{std::move(e.realm), "MD5", std::move(e.ha1)});
    }
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
