#include "store/user_admin.hpp"

#include <algorithm>
#include <exception>

#include "gatekeeper/password/htpasswd.hpp"
#include "gatekeeper/schemes/digest.hpp"
#include "store/atomic_file.hpp"
#include "store/file_read.hpp"
#include "store/htpasswd_edit.hpp"
#include "store/names.hpp"
#include "store/sqlite_users.hpp"

namespace gk::store {
namespace fs = std::filesystem;
namespace {

using Kind = StoreError::Kind;

// Hashing happens before the file is read, so the read-modify-write window
// is milliseconds, not the length of an argon2 run. (Two admins editing one
// htpasswd file at the same instant can still lose one edit: there is no lock.)
Result<std::string, StoreError> make_hash(const Secret& password, const password::Argon2Params& params) {
    if (password.empty()) return fail(store_error(Kind::invalid, "empty password"));
    try {
        return password::hash_argon2id(password.reveal(), params);
    } catch (const std::exception& e) {
        return fail(store_error(Kind::unavailable, std::string("cannot hash password: ") + e.what()));
    }
}

// Only `add` may create the database: `list --db typo.db` should say there
// is no such file, not create an empty one and report no users.
Result<std::unique_ptr<SqliteUsers>, StoreError> open_db(const UserSourceRef& src, bool create) {
    std::error_code ec;
    if (!create && !fs::exists(src.path, ec))
        return fail(store_error(Kind::unavailable, "no database at " + src.path.string()));
    return SqliteUsers::open(src.path);
}

// Reads the file; a missing file is empty text only when `create` is set.
Result<std::string, StoreError> read_htpasswd(const fs::path& path, bool create) {
    std::error_code ec;
    if (create && !fs::exists(fs::symlink_status(path, ec))) return std::string();
    auto content = read_file(path);
    if (!content) return fail(store_error(Kind::unavailable, content.error()));
    return std::move(content->text);
}

Result<Ok, StoreError> write_htpasswd(const fs::path& path, const std::string& text) {
    auto r = write_file_atomically(path, text, existing_perms_or(path, kPrivateFile));
    if (!r) return fail(store_error(Kind::unavailable, r.error()));
    return Ok{};
}

template <class Edit>
Result<Ok, StoreError> edit_htpasswd(const fs::path& path, bool create, Edit edit) {
    auto text = read_htpasswd(path, create);
    if (!text) return fail(text.error());
    Result<std::string, StoreError> next = edit(text.value());
    if (!next) {
        StoreError e = next.error();
        if (e.kind == Kind::unavailable) e.message = path.string() + ": " + e.message;
        return fail(std::move(e));
    }
    return write_htpasswd(path, next.value());
}

}  // namespace

namespace {

// Digest needs H(user:realm:password) per realm and hash family; the
// password is at hand only now, when it is set.
std::vector<gate::DigestSecret> digest_secrets(const UserSourceRef& src, std::string_view name,
                                               const Secret& password) {
    std::vector<gate::DigestSecret> out;
    for (const auto& r : src.digest_realms)
        for (auto alg : r.algorithms)
            out.push_back(gate::DigestSecret{r.realm, schemes::to_string(schemes::base_of(alg)),
                                             schemes::digest_ha1(alg, name, r.realm, password.reveal())});
    return out;
}

Result<Ok, StoreError> refuse_digest_in_htpasswd(const UserSourceRef& src) {
    if (src.kind == UserSourceRef::Kind::htpasswd && !src.digest_realms.empty())
        return fail(store_error(StoreError::Kind::invalid,
                                src.path.string() + ": routes use Digest with this source, but an htpasswd file "
                                                    "cannot hold Digest secrets; use the database"));
    return Ok{};
}

}  // namespace

Result<Ok, StoreError> admin_add(const UserSourceRef& src, const NewUser& user, const Secret& password,
                                 const password::Argon2Params& params) {
    if (auto r = check_user_name(user.name); !r) return fail(store_error(Kind::invalid, r.error()));
    if (src.kind == UserSourceRef::Kind::htpasswd && (!user.groups.empty() || !user.email.empty()))
        return fail(store_error(Kind::invalid, src.path.string() +
                                                   ": an htpasswd file cannot store groups or an email; "
                                                   "use the database (--db or --state) for those"));
    if (auto r = refuse_digest_in_htpasswd(src); !r) return r;
    auto hash = make_hash(password, params);
    if (!hash) return fail(hash.error());
    if (src.kind == UserSourceRef::Kind::htpasswd)
        return edit_htpasswd(src.path, true, [&](const std::string& t) { return htpasswd_add(t, user.name, *hash); });
    auto db = open_db(src, true);
    if (!db) return fail(db.error());
    return db.value()->add_user(user.name, *hash, user.groups, user.email, digest_secrets(src, user.name, password));
}

Result<Ok, StoreError> admin_passwd(const UserSourceRef& src, std::string_view name, const Secret& password,
                                    const password::Argon2Params& params) {
    if (auto r = refuse_digest_in_htpasswd(src); !r) return r;
    auto hash = make_hash(password, params);
    if (!hash) return fail(hash.error());
    if (src.kind == UserSourceRef::Kind::htpasswd)
        return edit_htpasswd(src.path, false, [&](const std::string& t) { return htpasswd_set(t, name, *hash); });
    auto db = open_db(src, false);
    if (!db) return fail(db.error());
    return db.value()->set_password(name, *hash, digest_secrets(src, name, password));
}

Result<Ok, StoreError> admin_delete(const UserSourceRef& src, std::string_view name) {
    if (src.kind == UserSourceRef::Kind::htpasswd)
        return edit_htpasswd(src.path, false, [&](const std::string& t) { return htpasswd_remove(t, name); });
    auto db = open_db(src, false);
    if (!db) return fail(db.error());
    return db.value()->delete_user(name);
}

Result<std::vector<gate::UserRecord>, StoreError> admin_list(const UserSourceRef& src) {
    if (src.kind == UserSourceRef::Kind::sqlite) {
        auto db = open_db(src, false);
        if (!db) return fail(db.error());
        return db.value()->list_users();
    }
    auto text = read_htpasswd(src.path, false);
    if (!text) return fail(text.error());
    auto parsed = password::parse_htpasswd(text.value());
    if (!parsed) return fail(store_error(Kind::unavailable, src.path.string() + ": " + parsed.error().message));
    std::vector<gate::UserRecord> out;
    for (auto& e : parsed.value()) {
        gate::UserRecord rec;
        rec.name = std::move(e.user);
        rec.password_hash = std::move(e.hash);
        out.push_back(std::move(rec));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

std::string format_user_list(const std::vector<gate::UserRecord>& users) {
    std::size_t width = 0;
    for (const auto& u : users) width = std::max(width, u.name.size());
    std::string out;
    for (const auto& u : users) {
        std::string line = u.name;
        std::string groups;
        for (const auto& g : u.groups) groups.append(groups.empty() ? "" : ",").append(g);
        if (!groups.empty() || u.disabled) line.append(width - u.name.size() + 2, ' ').append(groups);
        if (u.disabled) line.append(groups.empty() ? "(disabled)" : " (disabled)");
        out.append(line).append("\n");
    }
    return out;
}

}  // namespace gk::store
