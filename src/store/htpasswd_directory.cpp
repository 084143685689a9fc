#include "store/htpasswd_directory.hpp"

#include <utility>

#include "gatekeeper/password/hash.hpp"
#include "gatekeeper/password/htpasswd.hpp"

namespace gk::store {

namespace {

// The first hash of the most common format (ties: the format met first).
std::string representative(const std::map<std::string, std::string, std::less<>>& hashes) {
    std::map<password::Format, std::pair<std::size_t, const std::string*>> by_format;
    for (const auto& [user, hash] : hashes) {
        if (!password::cost_reasonable(hash)) continue;
        auto& [n, first] = by_format[password::detect(hash)];
        if (n++ == 0) first = &hash;
    }
    const std::string* best = nullptr;
    std::size_t most = 0;
    for (const auto& [format, entry] : by_format)
        if (format != password::Format::unknown && entry.first > most) {
            most = entry.first;
            best = entry.second;
        }
    return best ? *best : std::string();
}

Result<HtpasswdDirectory::Snapshot, LoadError> parse(std::string_view text) {
    auto parsed = password::parse_htpasswd(text);
    if (!parsed) return fail(LoadError{parsed.error().line, parsed.error().message});
    HtpasswdDirectory::Snapshot snap;
    for (auto& e : parsed.value()) snap.hashes.emplace(std::move(e.user), std::move(e.hash));
    snap.representative = representative(snap.hashes);
    return snap;
}

}  // namespace

HtpasswdDirectory::HtpasswdDirectory(std::filesystem::path path) : file_(std::move(path), parse) {}

gate::UserLookup HtpasswdDirectory::find(std::string_view name) const {
    auto snap = file_.current();
    if (!snap) return fail(unreadable_message(file_));
    auto it = snap->hashes.find(name);
    if (it == snap->hashes.end()) return std::optional<gate::UserRecord>{};
    gate::UserRecord rec;
    rec.name = it->first;
    rec.password_hash = it->second;
    return std::optional<gate::UserRecord>{std::move(rec)};
}

bool HtpasswdDirectory::healthy() const { return file_.current() != nullptr; }

std::size_t HtpasswdDirectory::size() const {
    auto snap = file_.current();
    return snap ? snap->hashes.size() : 0;
}

std::vector<std::string> HtpasswdDirectory::legacy_users() const {
    std::vector<std::string> out;
    auto snap = file_.current();
    if (!snap) return out;
    for (const auto& [user, hash] : snap->hashes)
        if (password::is_legacy(password::detect(hash))) out.push_back(user);
    return out;  // map order: already sorted
}

std::string HtpasswdDirectory::dummy_hash() const {
    auto snap = file_.current();
    return snap && !snap->representative.empty() ? snap->representative : password::dummy_hash();
}

std::optional<LoadError> HtpasswdDirectory::load_error() const { return file_.load_error(); }

Result<bool, LoadError> HtpasswdDirectory::reload_if_changed() { return file_.reload(false); }

}  // namespace gk::store
