#include "store/sqlite_users.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "gatekeeper/schemes/digest.hpp"
#include "store/names.hpp"
#include "store/schema.hpp"
#include "store/user_checks.hpp"

namespace gk::store {
namespace {

using Kind = StoreError::Kind;

// Groups come back newline-joined in one row, so a lookup is one statement
// and sees one consistent state even while the CLI writes from another process.
constexpr std::string_view kSelectUsers =
    "SELECT u.name, u.password_hash, u.email, u.disabled,"
    " (SELECT group_concat(g.name, char(10)) FROM user_groups ug JOIN groups g ON g.id = ug.group_id"
    "  WHERE ug.user_id = u.id),"
    // Realms never hold control characters (config refuses them): TAB and LF separate safely.
    " (SELECT group_concat(d.realm || char(9) || d.algorithm || char(9) || d.ha1, char(10))"
    "  FROM digest_secrets d WHERE d.user_id = u.id)"
    " FROM users u";

constexpr std::string_view kNow = "CAST(strftime('%s','now') AS INTEGER)";

gate::UserRecord read_record(const Statement& st) {
    gate::UserRecord rec;
    rec.name = st.column_text(0);
    rec.password_hash = st.column_text(1);
    rec.email = st.column_text(2);
    rec.disabled = st.column_int(3) != 0;
    std::string joined = st.column_text(4);
    std::string_view rest = joined;
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        rec.groups.emplace_back(rest.substr(0, nl));
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
    std::sort(rec.groups.begin(), rec.groups.end());
    const std::string secrets = st.column_text(5);
    rest = secrets;
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        const auto t1 = line.find('\t');
        const auto t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
        if (t2 == std::string_view::npos) continue;  // not written by us: ignored, so Digest fails closed
        rec.digest_secrets.push_back(gate::DigestSecret{std::string(line.substr(0, t1)),
                                                        std::string(line.substr(t1 + 1, t2 - t1 - 1)),
                                                        std::string(line.substr(t2 + 1))});
    }
    return rec;
}

StoreError unavailable(const std::string& msg) { return store_error(Kind::unavailable, msg); }
StoreError invalid(const std::string& msg) { return store_error(Kind::invalid, msg); }
StoreError not_found(std::string_view name) {
    return store_error(Kind::not_found, "no user '" + std::string(name) + "'");
}

}  // namespace

Result<std::unique_ptr<SqliteUsers>, StoreError> SqliteUsers::open(const std::filesystem::path& path,
                                                                   std::chrono::milliseconds retry_after) {
    auto db = SqliteDb::open(path, gatekeeper_schema());
    if (!db) return fail(unavailable(db.error()));
    return std::unique_ptr<SqliteUsers>(new SqliteUsers(std::move(db).value(), path, retry_after));
}

Result<Ok, std::string> SqliteUsers::usable() const {
    if (!failed_) return Ok{};
    const auto now = std::chrono::steady_clock::now();
    if (now - failed_at_ < retry_after_) return fail("user database unavailable: " + last_error_);
    failed_at_ = now;  // one reopen per back-off, even when it fails
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path_, ec)) {
        last_error_ = path_.string() + " is missing or not a regular file";
        return fail("user database unavailable: " + last_error_);
    }
    auto fresh = SqliteDb::open(path_, gatekeeper_schema());
    if (!fresh) {
        last_error_ = fresh.error();
        return fail("user database unavailable: " + last_error_);
    }
    db_ = std::move(fresh).value();
    failed_ = false;
    return Ok{};
}

gate::UserLookup SqliteUsers::settle(gate::UserLookup r) const {
    if (!r) {
        failed_ = true;
        failed_at_ = std::chrono::steady_clock::now();
        last_error_ = r.error();
    }
    return r;
}

bool SqliteUsers::healthy() const {
    std::lock_guard lock(mu_);
    if (auto ok = usable(); !ok) return false;
    auto st = db_.prepare("SELECT 1 FROM users LIMIT 1");
    Result<bool, std::string> row = st ? st->step() : Result<bool, std::string>(fail(st.error()));
    if (row) return true;
    (void)settle(fail(row.error()));
    return false;
}

Result<std::optional<gate::UserRecord>, std::string> SqliteUsers::query_user(std::string_view name) const {
    auto st = db_.prepare(std::string(kSelectUsers) + " WHERE u.name = ?1");
    if (!st) return fail(st.error());
    st->bind(1, name);
    auto row = st->step();
    if (!row) return fail(row.error());
    if (!row.value()) return std::optional<gate::UserRecord>{};
    return std::optional<gate::UserRecord>{read_record(*st)};
}

gate::UserLookup SqliteUsers::find_by_digest_userhash(std::string_view realm, std::string_view algorithm,
                                                      std::string_view userhash) const {
    std::lock_guard lock(mu_);
    if (auto ok = usable(); !ok) return fail(ok.error());
    auto st = db_.prepare(std::string(kSelectUsers) +
                          " WHERE u.id = (SELECT user_id FROM digest_secrets"
                          "  WHERE realm = ?1 AND algorithm = ?2 AND userhash = ?3 LIMIT 1)");
    if (!st) return settle(fail(st.error()));
    st->bind(1, realm).bind(2, algorithm).bind(3, userhash);
    auto row = st->step();
    if (!row) return settle(fail(row.error()));
    if (!row.value()) return std::optional<gate::UserRecord>{};
    return std::optional<gate::UserRecord>{read_record(*st)};
}

gate::UserLookup SqliteUsers::find(std::string_view name) const {
    std::lock_guard lock(mu_);
    if (auto ok = usable(); !ok) return fail(ok.error());
    return settle(query_user(name));
}

Result<std::vector<gate::UserRecord>, StoreError> SqliteUsers::list_users() const {
    std::lock_guard lock(mu_);
    auto st = db_.prepare(std::string(kSelectUsers) + " ORDER BY u.name");
    if (!st) return fail(unavailable(st.error()));
    std::vector<gate::UserRecord> out;
    for (;;) {
        auto row = st->step();
        if (!row) return fail(unavailable(row.error()));
        if (!row.value()) break;
        out.push_back(read_record(*st));
    }
    return out;
}

// The statement is gone when this returns: one left mid-row would make the COMMIT fail.
Result<std::int64_t, StoreError> SqliteUsers::id_of(std::string_view name) const {
    auto id = db_.prepare("SELECT id FROM users WHERE name = ?1");
    if (!id) return fail(unavailable(id.error()));
    auto row = id->bind(1, name).step();
    if (!row) return fail(unavailable(row.error()));
    if (!row.value()) return fail(not_found(name));
    return id->column_int(0);
}

Result<Ok, StoreError> SqliteUsers::write_digest_secrets(std::int64_t user_id, std::string_view name,
                                                        const std::vector<gate::DigestSecret>& secrets) {
    auto clear = db_.prepare("DELETE FROM digest_secrets WHERE user_id = ?1");
    if (!clear) return fail(unavailable(clear.error()));
    if (auto r = clear->bind(1, user_id).run(); !r) return fail(unavailable(r.error()));
    for (const auto& d : secrets) {
        const auto alg = schemes::parse_digest_algorithm(d.algorithm);
        if (!alg) return fail(invalid("unknown Digest algorithm '" + d.algorithm + "'"));
        auto ins = db_.prepare("INSERT OR REPLACE INTO digest_secrets(user_id, realm, algorithm, ha1, userhash)"
                               " VALUES(?1, ?2, ?3, ?4, ?5)");
        if (!ins) return fail(unavailable(ins.error()));
        const std::string userhash = schemes::digest_userhash(*alg, name, d.realm);
        if (auto r = ins->bind(1, user_id).bind(2, d.realm).bind(3, d.algorithm).bind(4, d.ha1).bind(5, userhash).run();
            !r)
            return fail(unavailable(r.error()));
    }
    return Ok{};
}

Result<Ok, StoreError> SqliteUsers::write_groups(std::int64_t user_id, const std::vector<std::string>& groups) {
    auto clear = db_.prepare("DELETE FROM user_groups WHERE user_id = ?1");
    if (!clear) return fail(unavailable(clear.error()));
    if (auto r = clear->bind(1, user_id).run(); !r) return fail(unavailable(r.error()));
    for (const auto& g : groups) {
        auto mk = db_.prepare("INSERT OR IGNORE INTO groups(name) VALUES(?1)");
        if (!mk) return fail(unavailable(mk.error()));
        if (auto r = mk->bind(1, g).run(); !r) return fail(unavailable(r.error()));
        auto link = db_.prepare("INSERT OR IGNORE INTO user_groups(user_id, group_id)"
                                " SELECT ?1, id FROM groups WHERE name = ?2");
        if (!link) return fail(unavailable(link.error()));
        if (auto r = link->bind(1, user_id).bind(2, g).run(); !r) return fail(unavailable(r.error()));
    }
    return Ok{};
}

Result<Ok, StoreError> SqliteUsers::add_user(std::string_view name, std::string_view password_hash,
                                             const std::vector<std::string>& groups, std::string_view email,
                                             const std::vector<gate::DigestSecret>& digest_secrets) {
    if (auto r = check_user_name(name); !r) return fail(invalid(r.error()));
    if (auto r = check_digest_secrets(digest_secrets); !r) return r;
    if (auto r = check_email(email); !r) return fail(invalid(r.error()));
    if (auto r = check_groups(groups); !r) return r;
    if (auto r = check_password_hash(password_hash); !r) return r;

    std::lock_guard lock(mu_);
    auto tx = Transaction::begin(db_);
    if (!tx) return fail(unavailable(tx.error()));
    auto ins = db_.prepare("INSERT INTO users(name, password_hash, email, created_at, updated_at)"
                           " VALUES(?1, ?2, ?3, " + std::string(kNow) + ", " + std::string(kNow) + ")");
    if (!ins) return fail(unavailable(ins.error()));
    if (auto r = ins->bind(1, name).bind(2, password_hash).bind(3, email).run(); !r) {
        if (db_.last_error_code() == SQLITE_CONSTRAINT_UNIQUE)
            return fail(store_error(Kind::exists, "user '" + std::string(name) + "' already exists"));
        return fail(unavailable(r.error()));
    }
    const std::int64_t id = sqlite3_last_insert_rowid(db_.handle());
    if (auto r = write_groups(id, groups); !r) return r;
    if (auto r = write_digest_secrets(id, name, digest_secrets); !r) return r;
    if (auto r = tx->commit(); !r) return fail(unavailable(r.error()));
    return Ok{};
}

// One UPDATE of one user's column; "no row changed" means no such user.
Result<Ok, StoreError> SqliteUsers::update_one(std::string_view sql, std::string_view name, std::string_view value) {
    std::lock_guard lock(mu_);
    auto st = db_.prepare(sql);
    if (!st) return fail(unavailable(st.error()));
    if (auto r = st->bind(1, name).bind(2, value).run(); !r) return fail(unavailable(r.error()));
    if (db_.changes() == 0) return fail(not_found(name));
    return Ok{};
}

// The Digest secrets are derived from the password: they are replaced with it,
// in one transaction, so an old password never keeps working through Digest.
Result<Ok, StoreError> SqliteUsers::set_password(std::string_view name, std::string_view password_hash,
                                                 const std::vector<gate::DigestSecret>& digest_secrets) {
    if (auto r = check_password_hash(password_hash); !r) return r;
    if (auto r = check_digest_secrets(digest_secrets); !r) return r;
    std::lock_guard lock(mu_);
    auto tx = Transaction::begin(db_);
    if (!tx) return fail(unavailable(tx.error()));
    auto id = id_of(name);
    if (!id) return fail(id.error());
    const std::int64_t user_id = id.value();
    auto st = db_.prepare("UPDATE users SET password_hash = ?2, updated_at = " + std::string(kNow) + " WHERE id = ?1");
    if (!st) return fail(unavailable(st.error()));
    if (auto r = st->bind(1, user_id).bind(2, password_hash).run(); !r) return fail(unavailable(r.error()));
    if (auto r = write_digest_secrets(user_id, name, digest_secrets); !r) return r;
    if (auto r = tx->commit(); !r) return fail(unavailable(r.error()));
    return Ok{};
}

Result<Ok, StoreError> SqliteUsers::set_disabled(std::string_view name, bool disabled) {
    return update_one("UPDATE users SET disabled = CAST(?2 AS INTEGER), updated_at = " + std::string(kNow) +
                          " WHERE name = ?1",
                      name, disabled ? "1" : "0");
}

Result<Ok, StoreError> SqliteUsers::delete_user(std::string_view name) {
    std::lock_guard lock(mu_);
    // user_groups rows go with it: ON DELETE CASCADE (foreign_keys=ON at open).
    auto st = db_.prepare("DELETE FROM users WHERE name = ?1");
    if (!st) return fail(unavailable(st.error()));
    if (auto r = st->bind(1, name).run(); !r) return fail(unavailable(r.error()));
    if (db_.changes() == 0) return fail(not_found(name));
    return Ok{};
}

Result<Ok, StoreError> SqliteUsers::set_groups(std::string_view name, const std::vector<std::string>& groups) {
    if (auto r = check_groups(groups); !r) return r;
    std::lock_guard lock(mu_);
    auto tx = Transaction::begin(db_);
    if (!tx) return fail(unavailable(tx.error()));
    auto id = id_of(name);
    if (!id) return fail(id.error());
    const std::int64_t user_id = id.value();
    if (auto r = write_groups(user_id, groups); !r) return r;
    auto touch = db_.prepare("UPDATE users SET updated_at = " + std::string(kNow) + " WHERE name = ?1");
    if (!touch) return fail(unavailable(touch.error()));
    if (auto r = touch->bind(1, name).run(); !r) return fail(unavailable(r.error()));
    if (auto r = tx->commit(); !r) return fail(unavailable(r.error()));
    return Ok{};
}

}  // namespace gk::store
