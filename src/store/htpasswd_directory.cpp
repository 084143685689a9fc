#include "store/htpasswd_directory.hpp"

#include <utility>

#include "gatekeeper/password/hash.hpp"
#include "gatekeeper/password/htpasswd.hpp"

namespace gk::store {

namespace {

Result<std::map<std::string, std::string, std::less<>>, LoadError> parse(std::string_view text) {
    auto parsed = password::parse_htpasswd(text);
    if (!parsed) return fail(LoadError{parsed.error().line, parsed.error().message});
    std::map<std::string, std::string, std::less<>> hashes;
    for (auto& e : parsed.value()) hashes.emplace(std::move(e.user), std::move(e.hash));
    return hashes;
}

}  // namespace

HtpasswdDirectory::HtpasswdDirectory(std::filesystem::path path) : file_(std::move(path), parse) {}

gate::UserLookup HtpasswdDirectory::find(std::string_view name) const {
    auto hashes = file_.current();
    if (!hashes) return fail(unreadable_message(file_));
    auto it = hashes->find(name);
    if (it == hashes->end()) return std::optional<gate::UserRecord>{};
    gate::UserRecord rec;
    rec.name = it->first;
    rec.password_hash = it->second;
    return std::optional<gate::UserRecord>{std::move(rec)};
}

bool HtpasswdDirectory::healthy() const { return file_.current() != nullptr; }

std::size_t HtpasswdDirectory::size() const {
    auto hashes = file_.current();
    return hashes ? hashes->size() : 0;
}

std::vector<std::string> HtpasswdDirectory::legacy_users() const {
    std::vector<std::string> out;
    auto hashes = file_.current();
    if (!hashes) return out;
    for (const auto& [user, hash] : *hashes)
        if (password::is_legacy(password::detect(hash))) out.push_back(user);
    return out;  // map order: already sorted
}

std::optional<LoadError> HtpasswdDirectory::load_error() const { return file_.load_error(); }

Result<bool, LoadError> HtpasswdDirectory::reload_if_changed() { return file_.reload(false); }

}  // namespace gk::store
