#include "store/pg_users.hpp"

#include <algorithm>

#include "gatekeeper/httpauth/utf8.hpp"
#include "gatekeeper/schemes/digest.hpp"
#include "store/names.hpp"
#include "store/pg_schema.hpp"
#include "store/user_checks.hpp"

namespace gk::store {
namespace {

using Kind = StoreError::Kind;
using Clock = std::chrono::steady_clock;

// Lists travel newline-joined: group names and Digest secret fields hold no
// control characters (store/names, store/user_checks), so LF and TAB
// separate safely, and string_to_array('') is the empty array.
#define GK_USER_COLUMNS                                                      \
    "name, password_hash, email, disabled, array_to_string(groups, E'\\n')," \
    " array_to_string(digest_secrets, E'\\n')"

constexpr PgStatement kChanges{"gk_users_changes",
                               "SELECT " GK_USER_COLUMNS
                               ", rev, deleted FROM users WHERE rev > $1::bigint ORDER BY rev"};
constexpr PgStatement kList{
    "gk_users_list", "SELECT " GK_USER_COLUMNS " FROM users WHERE NOT deleted ORDER BY name COLLATE \"C\""};
// A deleted user's tombstone is revived; a live user is left alone (no row: exists).
constexpr PgStatement kAdd{
    "gk_users_add",
    "INSERT INTO users(name, password_hash, email, groups, digest_secrets, rev)"
    " VALUES($1, $2, $3, string_to_array($4, E'\\n'), string_to_array($5, E'\\n'), nextval('users_rev'))"
    " ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, email = excluded.email,"
    " disabled = false, groups = excluded.groups, digest_secrets = excluded.digest_secrets,"
    " rev = excluded.rev, deleted = false WHERE users.deleted"};
constexpr PgStatement kSetPassword{
    "gk_users_set_password",
    "UPDATE users SET password_hash = $2, digest_secrets = string_to_array($3, E'\\n'),"
    " rev = nextval('users_rev') WHERE name = $1 AND NOT deleted"};
constexpr PgStatement kSetGroups{
    "gk_users_set_groups",
    "UPDATE users SET groups = string_to_array($2, E'\\n'), rev = nextval('users_rev')"
    " WHERE name = $1 AND NOT deleted"};
constexpr PgStatement kSetDisabled{"gk_users_set_disabled",
                                   "UPDATE users SET disabled = $2::boolean, rev = nextval('users_rev')"
                                   " WHERE name = $1 AND NOT deleted"};
// The tombstone keeps no secret.
constexpr PgStatement kDelete{
    "gk_users_delete",
    "UPDATE users SET deleted = true, password_hash = '', email = '', disabled = false,"
    " groups = '{}', digest_secrets = '{}', rev = nextval('users_rev')"
    " WHERE name = $1 AND NOT deleted"};

#undef GK_USER_COLUMNS

std::vector<std::string> split_lines(const std::string& joined) {
    std::vector<std::string> out;
    std::string_view rest = joined;
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        out.emplace_back(rest.substr(0, nl));
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    }
    return out;
}

gate::UserRecord read_record(const PgResult& r, int row) {
    gate::UserRecord rec;
    rec.name = r.text(row, 0);
    rec.password_hash = r.text(row, 1);
    rec.email = r.text(row, 2);
    rec.disabled = r.boolean(row, 3);
    rec.groups = split_lines(r.text(row, 4));
    std::sort(rec.groups.begin(), rec.groups.end());
    for (const auto& line : split_lines(r.text(row, 5))) {
        const auto t1 = line.find('\t');
        const auto t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
        if (t2 == std::string::npos) continue;  // not written by us: ignored, so Digest fails closed
        rec.digest_secrets.push_back(
            gate::DigestSecret{line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)});
    }
    return rec;
}

std::string join_groups(std::vector<std::string> groups) {
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    std::string out;
    for (const auto& g : groups) out.append(out.empty() ? "" : "\n").append(g);
    return out;
}

std::string join_secrets(const std::vector<gate::DigestSecret>& secrets) {
    std::string out;
    for (const auto& d : secrets) {
        const bool replaced = std::any_of(
            &d + 1, secrets.data() + secrets.size(),
            [&](const gate::DigestSecret& e) { return e.realm == d.realm && e.algorithm == d.algorithm; });
        if (replaced) continue;  // one per realm and algorithm, the last given, as SQLite's INSERT OR REPLACE
        out.append(out.empty() ? "" : "\n")
            .append(d.realm)
            .append("\t")
            .append(d.algorithm)
            .append("\t")
            .append(d.ha1);
    }
    return out;
}

StoreError unavailable(std::string msg) { return store_error(Kind::unavailable, std::move(msg)); }
StoreError not_found(std::string_view name) {
    return store_error(Kind::not_found, "no user '" + std::string(name) + "'");
}

// Class 22 is a value the column refuses (bytes that are not UTF-8, say), 23 a constraint.
StoreError failure(const PgError& e, std::string_view name) {
    if (e.sqlstate == "23505")
        return store_error(Kind::exists, "user '" + std::string(name) + "' already exists");
    if (e.sqlstate.starts_with("22") || e.sqlstate.starts_with("23"))
        return store_error(Kind::invalid,
                           "user '" + std::string(name) + "': a value is not valid for its column");
    return unavailable("user database (PostgreSQL): " + e.message);
}

// Text PostgreSQL can hold; no stored name is anything else.
bool is_text(std::string_view s) { return s.find('\0') == std::string_view::npos && httpauth::is_utf8(s); }

}  // namespace

std::unique_ptr<PgUsers> PgUsers::open(const std::string& conninfo, PgOptions options,
                                       std::chrono::milliseconds stale_after) {
    std::unique_ptr<PgUsers> users(new PgUsers(std::make_unique<PgPool>(conninfo, options), stale_after));
    (void)users->refresh();  // a failure is kept in last_error() and retried by the next refresh
    return users;
}

Result<Ok, PgError> PgUsers::ensure_schema(PgConn& c) const {
    if (migrated_.load()) return Ok{};
    auto v = pg_migrate(c, pg_issuer_schema());
    if (!v) return fail(v.error());
    migrated_.store(true);
    return Ok{};
}

Result<Ok, std::string> PgUsers::refresh() {
    std::lock_guard serial(refresh_mu_);
    auto changes = [&]() -> Result<PgResult, std::string> {
        auto c = pool_->acquire();
        if (!c) return fail(c.error().message);
        if (auto m = ensure_schema(**c); !m) return fail(m.error().message);
        auto r = (*c)->exec(kChanges, {std::to_string(last_rev_)});
        if (!r) return fail(r.error().message);
        return std::move(r).value();
    }();
    std::unique_lock lock(mu_);
    if (!changes) {
        if (!failing_since_) failing_since_ = Clock::now();
        last_error_ = "user database (PostgreSQL): " + changes.error();
        return fail(last_error_);
    }
    // In rev order: a user changed twice since the last refresh ends as its last row says.
    for (int row = 0; row < changes->rows(); ++row) {
        last_rev_ = std::max(last_rev_, changes->int64(row, 6));
        if (changes->boolean(row, 7))
            erase(changes->text(row, 0));
        else
            put(read_record(*changes, row));
    }
    loaded_ = true;
    failing_since_.reset();
    last_error_.clear();
    return Ok{};
}

void PgUsers::erase(const std::string& name) {
    auto it = users_.find(name);
    if (it == users_.end()) return;
    for (const auto& d : it->second.digest_secrets) {
        if (auto alg = schemes::parse_digest_algorithm(d.algorithm))
            by_userhash_.erase({d.realm, d.algorithm, schemes::digest_userhash(*alg, name, d.realm)});
    }
    users_.erase(it);
}

void PgUsers::put(gate::UserRecord rec) {
    erase(rec.name);
    for (const auto& d : rec.digest_secrets) {
        if (auto alg = schemes::parse_digest_algorithm(d.algorithm))
            by_userhash_[{d.realm, d.algorithm, schemes::digest_userhash(*alg, rec.name, d.realm)}] =
                rec.name;
    }
    std::string name = rec.name;
    users_.emplace(std::move(name), std::move(rec));
}

std::string PgUsers::last_error() const {
    std::shared_lock lock(mu_);
    return last_error_;
}

Result<Ok, std::string> PgUsers::usable() const {
    if (!loaded_) return fail("users not loaded yet: " + last_error_);
    if (failing_since_ && Clock::now() - *failing_since_ >= stale_after_)
        return fail("users not refreshed for " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(stale_after_).count()) +
                    " s: " + last_error_);
    return Ok{};
}

bool PgUsers::healthy() const {
    std::shared_lock lock(mu_);
    return usable().ok();
}

gate::UserLookup PgUsers::find(std::string_view name) const {
    std::shared_lock lock(mu_);
    if (auto ok = usable(); !ok) return fail(ok.error());
    auto it = users_.find(name);
    if (it == users_.end()) return std::optional<gate::UserRecord>{};
    return std::optional<gate::UserRecord>{it->second};
}

gate::UserLookup PgUsers::find_by_digest_userhash(std::string_view realm, std::string_view algorithm,
                                                  std::string_view userhash) const {
    std::shared_lock lock(mu_);
    if (auto ok = usable(); !ok) return fail(ok.error());
    auto it = by_userhash_.find({std::string(realm), std::string(algorithm), std::string(userhash)});
    if (it == by_userhash_.end()) return std::optional<gate::UserRecord>{};
    auto user = users_.find(it->second);
    if (user == users_.end()) return std::optional<gate::UserRecord>{};
    return std::optional<gate::UserRecord>{user->second};
}

// Why the table lock: a reader asks for `rev > last` and then never looks
// below what it has seen. Sequence values are handed out when nextval runs,
// not when the transaction commits, so two concurrent writers could commit
// rev N+1 after rev N+2, and a refresh that ran in between would see N+2,
// move past it, and never see N+1. SHARE ROW EXCLUSIVE conflicts with itself
// (and with ROW EXCLUSIVE), so writers take their rev one after another and
// commit in that order, while plain SELECTs (ACCESS SHARE) are not blocked:
// refreshes never wait for writers. The lock is taken before nextval runs,
// as the first statement of the transaction.
Result<int, StoreError> PgUsers::write(const PgStatement& st, std::initializer_list<std::string_view> params,
                                       std::string_view name) const {
    auto c = pool_->acquire();
    if (!c) return fail(unavailable("user database (PostgreSQL): " + c.error().message));
    if (auto m = ensure_schema(**c); !m) return fail(failure(m.error(), name));
    auto tx = PgTransaction::begin(**c);
    if (!tx) return fail(failure(tx.error(), name));
    if (auto r = (*c)->exec_sql("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"); !r)
        return fail(failure(r.error(), name));
    auto r = (*c)->exec(st, params);
    if (!r) return fail(failure(r.error(), name));
    if (auto k = tx->commit(); !k) return fail(failure(k.error(), name));
    return r->affected();
}

Result<Ok, StoreError> PgUsers::add_user(std::string_view name, std::string_view password_hash,
                                         const std::vector<std::string>& groups, std::string_view email,
                                         const std::vector<gate::DigestSecret>& digest_secrets) {
    if (auto r = check_user_name(name); !r) return fail(store_error(Kind::invalid, r.error()));
    if (auto r = check_digest_secrets(digest_secrets); !r) return r;
    if (auto r = check_email(email); !r) return fail(store_error(Kind::invalid, r.error()));
    if (auto r = check_groups(groups); !r) return r;
    if (auto r = check_password_hash(password_hash); !r) return r;
    auto n =
        write(kAdd, {name, password_hash, email, join_groups(groups), join_secrets(digest_secrets)}, name);
    if (!n) return fail(n.error());
    if (n.value() == 0)
        return fail(store_error(Kind::exists, "user '" + std::string(name) + "' already exists"));
    return Ok{};
}

// The Digest secrets are derived from the password: replaced with it in one
// statement, so an old password never keeps working through Digest.
Result<Ok, StoreError> PgUsers::set_password(std::string_view name, std::string_view password_hash,
                                             const std::vector<gate::DigestSecret>& digest_secrets) {
    if (auto r = check_password_hash(password_hash); !r) return r;
    if (auto r = check_digest_secrets(digest_secrets); !r) return r;
    if (!is_text(name)) return fail(not_found(name));
    auto n = write(kSetPassword, {name, password_hash, join_secrets(digest_secrets)}, name);
    if (!n) return fail(n.error());
    if (n.value() == 0) return fail(not_found(name));
    return Ok{};
}

Result<Ok, StoreError> PgUsers::set_groups(std::string_view name, const std::vector<std::string>& groups) {
    if (auto r = check_groups(groups); !r) return r;
    if (!is_text(name)) return fail(not_found(name));
    auto n = write(kSetGroups, {name, join_groups(groups)}, name);
    if (!n) return fail(n.error());
    if (n.value() == 0) return fail(not_found(name));
    return Ok{};
}

Result<Ok, StoreError> PgUsers::set_disabled(std::string_view name, bool disabled) {
    if (!is_text(name)) return fail(not_found(name));
    auto n = write(kSetDisabled, {name, disabled ? "true" : "false"}, name);
    if (!n) return fail(n.error());
    if (n.value() == 0) return fail(not_found(name));
    return Ok{};
}

Result<Ok, StoreError> PgUsers::delete_user(std::string_view name) {
    if (!is_text(name)) return fail(not_found(name));
    auto n = write(kDelete, {name}, name);
    if (!n) return fail(n.error());
    if (n.value() == 0) return fail(not_found(name));
    return Ok{};
}

Result<std::vector<gate::UserRecord>, StoreError> PgUsers::list_users() const {
    auto c = pool_->acquire();
    if (!c) return fail(unavailable("user database (PostgreSQL): " + c.error().message));
    if (auto m = ensure_schema(**c); !m)
        return fail(unavailable("user database (PostgreSQL): " + m.error().message));
    auto r = (*c)->exec(kList, {});
    if (!r) return fail(unavailable("user database (PostgreSQL): " + r.error().message));
    std::vector<gate::UserRecord> out;
    for (int row = 0; row < r->rows(); ++row) out.push_back(read_record(*r, row));
    return out;
}

}  // namespace gk::store
