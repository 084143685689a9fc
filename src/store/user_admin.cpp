#include "store/user_admin.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>

#include "gatekeeper/password/htpasswd.hpp"
#include "gatekeeper/schemes/digest.hpp"
#include "store/atomic_file.hpp"
#include "store/file_read.hpp"
#include "store/htpasswd_edit.hpp"
#include "store/names.hpp"
#include "store/pg_users.hpp"
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

// The users in the state database. A database that cannot be reached is an
// error here, with the reason (the directory itself would only retry later).
Result<std::unique_ptr<PgUsers>, StoreError> open_pg(const UserSourceRef& src) {
    auto users = PgUsers::open(src.conninfo, src.pg);
    if (!users->healthy()) return fail(store_error(Kind::unavailable, users->last_error()));
    return users;
}

// The database behind a sqlite or postgres source.
Result<std::unique_ptr<UserDatabase>, StoreError> open_database(const UserSourceRef& src, bool create) {
    if (src.kind == UserSourceRef::Kind::postgres) {
        auto pg = open_pg(src);
        if (!pg) return fail(pg.error());
        return std::unique_ptr<UserDatabase>(std::move(pg).value());
    }
    auto db = open_db(src, create);
    if (!db) return fail(db.error());
    return std::unique_ptr<UserDatabase>(std::move(db).value());
}

// Reads the file (htpasswd or htdigest); a missing file is empty text only when `create` is set.
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

// ---- htdigest files ---------------------------------------------------------
// "user:realm:MD5(user:realm:password)" per line, as Apache's htdigest writes
// them. A password is set for every Digest realm of the source (its routes in
// the config); lines of other users and realms, comments, blank lines, order,
// CRLF endings and a BOM are kept as they were.

Result<std::vector<std::string>, StoreError> htdigest_realms(const UserSourceRef& src) {
    if (src.digest_realms.empty())
        return fail(
            store_error(Kind::invalid, src.path.string() +
                                           ": no Digest route uses this htdigest source, so there is no "
                                           "realm to write; name the source with --config (and --source), "
                                           "or use Apache's `htdigest FILE REALM USER`"));
    std::vector<std::string> realms;
    for (const auto& r : src.digest_realms) {
        const bool bad = r.realm.empty() || std::any_of(r.realm.begin(), r.realm.end(), [](char c) {
                             return c == ':' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
                         });
        if (bad)
            return fail(store_error(Kind::invalid, "realm '" + r.realm +
                                                       "' cannot be written to an htdigest file "
                                                       "(empty, or has a ':' or a control character)"));
        if (std::find(realms.begin(), realms.end(), r.realm) == realms.end()) realms.push_back(r.realm);
    }
    return realms;
}

Result<std::vector<schemes::HtdigestEntry>, StoreError> parse_for_edit(std::string_view text) {
    auto parsed = schemes::parse_htdigest(text);
    if (!parsed) return fail(store_error(Kind::unavailable, "cannot edit: " + parsed.error().message));
    return std::move(parsed).value();
}

// `text` with the given 1-based lines replaced (a value) or dropped (nullopt),
// each replacement keeping its line's ending, and `appended` lines at the end.
std::string rewrite_htdigest(std::string_view text, const std::map<int, std::optional<std::string>>& changes,
                             const std::vector<std::string>& appended) {
    const auto nl = text.find('\n');
    const char* eol = nl != std::string_view::npos && nl > 0 && text[nl - 1] == '\r' ? "\r\n" : "\n";
    std::string out;
    if (text.starts_with("\xEF\xBB\xBF")) {  // a BOM belongs to the file, not to line 1
        out.append("\xEF\xBB\xBF");
        text.remove_prefix(3);
    }
    int number = 0;
    while (!text.empty()) {
        ++number;
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
        text.remove_prefix(line.size());
        auto change = changes.find(number);
        if (change == changes.end()) {
            out.append(line);
        } else if (change->second) {
            out.append(*change->second);
            if (line.ends_with("\r\n"))
                out.append("\r\n");
            else if (line.ends_with('\n'))
                out.append("\n");
        }
    }
    if (!appended.empty() && !out.empty() && !out.ends_with('\n')) out.append(eol);
    for (const auto& a : appended) out.append(a).append(eol);
    return out;
}

enum class HtdigestSet { add, passwd };

// Writes the user's line for every realm: `add` refuses a user already in one
// of them, `passwd` a user in none (and adds lines for realms new since).
Result<std::string, StoreError> htdigest_set(std::string_view text, std::string_view user,
                                             const std::vector<std::string>& realms, const Secret& password,
                                             HtdigestSet mode) {
    auto entries = parse_for_edit(text);
    if (!entries) return fail(entries.error());
    auto line_of = [&](std::string_view realm) -> int {
        for (const auto& e : entries.value())
            if (e.user == user && e.realm == realm) return e.line;
        return 0;
    };
    const bool present =
        std::any_of(realms.begin(), realms.end(), [&](const auto& r) { return line_of(r) != 0; });
    if (mode == HtdigestSet::add && present)
        return fail(store_error(Kind::exists, "user '" + std::string(user) + "' already exists"));
    if (mode == HtdigestSet::passwd && !present)
        return fail(store_error(Kind::not_found, "no user '" + std::string(user) + "'"));
    std::map<int, std::optional<std::string>> changes;
    std::vector<std::string> appended;
    for (const auto& realm : realms) {
        std::string entry =
            std::string(user) + ":" + realm + ":" +
            schemes::digest_ha1(schemes::DigestAlgorithm::md5, user, realm, password.reveal());
        if (const int at = line_of(realm))
            changes[at] = std::move(entry);
        else
            appended.push_back(std::move(entry));
    }
    return rewrite_htdigest(text, changes, appended);
}

// Drops every line of the user, whatever its realm.
Result<std::string, StoreError> htdigest_remove(std::string_view text, std::string_view user) {
    auto entries = parse_for_edit(text);
    if (!entries) return fail(entries.error());
    std::map<int, std::optional<std::string>> changes;
    for (const auto& e : entries.value())
        if (e.user == user) changes[e.line] = std::nullopt;
    if (changes.empty()) return fail(store_error(Kind::not_found, "no user '" + std::string(user) + "'"));
    return rewrite_htdigest(text, changes, {});
}

Result<Ok, StoreError> htdigest_write(const UserSourceRef& src, std::string_view name, const Secret& password,
                                      HtdigestSet mode) {
    if (password.empty()) return fail(store_error(Kind::invalid, "empty password"));
    auto realms = htdigest_realms(src);
    if (!realms) return fail(realms.error());
    return edit_htpasswd(src.path, mode == HtdigestSet::add, [&](const std::string& t) {
        return htdigest_set(t, name, realms.value(), password, mode);
    });
}

}  // namespace

Result<Ok, StoreError> admin_add(const UserSourceRef& src, const NewUser& user, const Secret& password,
                                 const password::Argon2Params& params) {
    if (auto r = check_user_name(user.name); !r) return fail(store_error(Kind::invalid, r.error()));
    if (src.kind == UserSourceRef::Kind::htpasswd && (!user.groups.empty() || !user.email.empty()))
        return fail(store_error(Kind::invalid, src.path.string() +
                                                   ": an htpasswd file cannot store groups or an email; "
                                                   "use the database (--db or --state) for those"));
    if (src.kind == UserSourceRef::Kind::htdigest) {
        if (!user.groups.empty() || !user.email.empty())
            return fail(store_error(Kind::invalid, src.path.string() +
                                                       ": an htdigest file cannot store groups or an email; "
                                                       "use the database (--db or --state) for those"));
        return htdigest_write(src, user.name, password, HtdigestSet::add);
    }
    if (auto r = refuse_digest_in_htpasswd(src); !r) return r;
    auto hash = make_hash(password, params);
    if (!hash) return fail(hash.error());
    if (src.kind == UserSourceRef::Kind::htpasswd)
        return edit_htpasswd(src.path, true, [&](const std::string& t) { return htpasswd_add(t, user.name, *hash); });
    auto db = open_database(src, true);
    if (!db) return fail(db.error());
    return db.value()->add_user(user.name, *hash, user.groups, user.email, digest_secrets(src, user.name, password));
}

Result<Ok, StoreError> admin_passwd(const UserSourceRef& src, std::string_view name, const Secret& password,
                                    const password::Argon2Params& params) {
    if (src.kind == UserSourceRef::Kind::htdigest)
        return htdigest_write(src, name, password, HtdigestSet::passwd);
    if (auto r = refuse_digest_in_htpasswd(src); !r) return r;
    auto hash = make_hash(password, params);
    if (!hash) return fail(hash.error());
    if (src.kind == UserSourceRef::Kind::htpasswd)
        return edit_htpasswd(src.path, false, [&](const std::string& t) { return htpasswd_set(t, name, *hash); });
    auto db = open_database(src, false);
    if (!db) return fail(db.error());
    return db.value()->set_password(name, *hash, digest_secrets(src, name, password));
}

Result<Ok, StoreError> admin_delete(const UserSourceRef& src, std::string_view name) {
    if (src.kind == UserSourceRef::Kind::htdigest)
        return edit_htpasswd(src.path, false, [&](const std::string& t) { return htdigest_remove(t, name); });
    if (src.kind == UserSourceRef::Kind::htpasswd)
        return edit_htpasswd(src.path, false, [&](const std::string& t) { return htpasswd_remove(t, name); });
    auto db = open_database(src, false);
    if (!db) return fail(db.error());
    return db.value()->delete_user(name);
}

Result<std::vector<gate::UserRecord>, StoreError> admin_list(const UserSourceRef& src) {
    if (src.kind == UserSourceRef::Kind::sqlite || src.kind == UserSourceRef::Kind::postgres) {
        auto db = open_database(src, false);
        if (!db) return fail(db.error());
        return db.value()->list_users();
    }
    auto text = read_htpasswd(src.path, false);
    if (!text) return fail(text.error());
    if (src.kind == UserSourceRef::Kind::htdigest) {
        auto parsed = schemes::parse_htdigest(text.value());
        if (!parsed)
            return fail(store_error(Kind::unavailable, src.path.string() + ": " + parsed.error().message));
        std::map<std::string, gate::UserRecord> users;  // one record per user, whatever its realms
        for (auto& e : parsed.value()) {
            auto& rec = users[e.user];
            rec.name = e.user;
            rec.digest_secrets.push_back(gate::DigestSecret{std::move(e.realm), "MD5", std::move(e.ha1)});
        }
        std::vector<gate::UserRecord> out;
        for (auto& [name, rec] : users) out.push_back(std::move(rec));
        return out;  // map order: sorted
    }
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
