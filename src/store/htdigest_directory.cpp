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

HtdigestDirectory::HtdigestDirectory(std::filesystem::path path)
    : file_(std::move(path), [](std::string_view text) -> Result<Users, LoadError> {
          auto parsed = schemes::parse_htdigest(text);
          if (!parsed) return fail(LoadError{parsed.error().line, parsed.error().message});
          Users users;
          for (auto& e : parsed.value()) {
              users.by_userhash.emplace(
                  userhash_key(e.realm, schemes::digest_userhash(schemes::DigestAlgorithm::md5, e.user, e.realm)),
                  e.user);
              users.secrets[e.user].push_back(gate::DigestSecret{std::move(e.realm), "MD5", std::move(e.ha1)});
          }
          return users;
      }) {}

std::optional<gate::UserRecord> HtdigestDirectory::record(const Users& users, std::string_view name) {
    auto it = users.secrets.find(name);
    if (it == users.secrets.end()) return std::nullopt;
    gate::UserRecord rec;
    rec.name = it->first;
    rec.digest_secrets = it->second;
    return rec;
}

gate::UserLookup HtdigestDirectory::find(std::string_view name) const {
    auto users = file_.current();
    if (!users) return fail(unreadable_message(file_));
    return record(*users, name);
}

gate::UserLookup HtdigestDirectory::find_by_digest_userhash(std::string_view realm,
                                                            std::string_view algorithm,
                                                            std::string_view userhash) const {
    auto users = file_.current();
    if (!users) return fail(unreadable_message(file_));
    if (algorithm != "MD5") return std::optional<gate::UserRecord>{};  // the file holds nothing else
    auto it = users->by_userhash.find(userhash_key(realm, userhash));
    if (it == users->by_userhash.end()) return std::optional<gate::UserRecord>{};
    return record(*users, it->second);
}

bool HtdigestDirectory::healthy() const { return file_.current() != nullptr; }

std::size_t HtdigestDirectory::size() const {
    auto users = file_.current();
    return users ? users->secrets.size() : 0;
}

std::optional<LoadError> HtdigestDirectory::load_error() const { return file_.load_error(); }

Result<bool, LoadError> HtdigestDirectory::reload_if_changed() { return file_.reload(false); }

}  // namespace gk::store
