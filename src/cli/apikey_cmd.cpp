// gatekeeper apikey create|list|revoke: API keys in the issuer's database.
// The key format is issuer/api_key (unit-tested); the store keeps only its
// SHA-256 and a hint, so `create` is the one time the key is ever shown.
// Exit status, as for `user`:
//   1  refused: name taken, no such key, bad name/user/scope/duration
//   2  the database or config cannot be read or written
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_audit.hpp"
#include "cli/commands.hpp"
#include "cli/issuer_db.hpp"
#include "gatekeeper/schemes/api_key.hpp"
#include "store/names.hpp"
#include "store/sqlite_issuer_store.hpp"

namespace gk::cli {
namespace {

constexpr const char* kCommand = "apikey";

struct CreateArgs {
    std::string name;
    std::string scopes;  // comma-separated
    std::string expires;
    bool expires_given = false;  // --expires "" is an error, not "never"
    std::string user;
};

[[noreturn]] void die(int code, const std::string& message) { cli_die(kCommand, code, message); }

// Key names appear in listings, log lines and (without --user) as the identity
// sent upstream: keep them to one plain word.
Result<Ok, std::string> check_key_name(std::string_view name) {
    if (name.empty()) return fail(std::string("--name: empty key name"));
    if (name.size() > 64) return fail(std::string("--name: key names are at most 64 characters"));
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '@' || c == '-';
        if (!ok) return fail("--name: '" + std::string(name) + "' may only hold letters, digits and . _ @ -");
    }
    return Ok{};
}

// "90d", "12h", "30m", "45s": a whole positive number and a unit. Days are
// what API key lifetimes are counted in, which config::parse_duration (ms to
// hours, bare numbers as ms) does not offer; a bare number is refused here
// rather than guessed at.
Result<std::int64_t, std::string> parse_lifetime(std::string_view text) {
    constexpr std::int64_t kMaxSeconds = 100LL * 366 * 86400;  // a century: past it, say "never" instead
    const auto d = parse_whole_duration(text, kMaxSeconds);
    if (d.too_long)
        return fail("'" + std::string(text) + "' is too long (omit --expires for a key that never expires)");
    if (!d.seconds)
        return fail("'" + std::string(text) + "' is not a lifetime (write 90d, 12h, 30m or 45s)");
    if (*d.seconds == 0) return fail(std::string("a lifetime of zero would create an expired key"));
    return *d.seconds;
}

template <class T>
T or_die(issuer::StoreResult<T> r) {
    if (!r) die(store_exit_code(r.error()), r.error().message);
    return std::move(r).value();
}

void create(const IssuerDbOptions& db, const CreateArgs& a) {
    if (auto ok = check_key_name(a.name); !ok) die(1, ok.error());
    if (!a.user.empty())
        if (auto ok = store::check_user_name(a.user); !ok) die(1, "--user: " + ok.error());
    const auto scopes = checked_scopes(a.scopes, kCommand);
    std::int64_t expires_at = 0;
    const std::int64_t now = unix_now();
    if (a.expires_given) {
        auto ttl = parse_lifetime(a.expires);
        if (!ttl) die(1, "--expires: " + ttl.error());
        expires_at = now + *ttl;
    }
    const auto target = resolve_issuer_db(db, kCommand);
    auto store = open_issuer_store(target, /*create=*/true, kCommand);

    const Secret key = schemes::generate_api_key();
    gate::ApiKeyRecord rec;
    rec.name = a.name;
    rec.key_hash = schemes::api_key_hash(key.reveal());
    rec.hint = schemes::api_key_hint(key.reveal());
    rec.user = a.user;
    rec.scopes = scopes;
    rec.created_at = now;
    rec.expires_at = expires_at;
    auto r = store->create_api_key(rec);
    if (!r) {
        if (r.error().kind == issuer::StoreFailure::Kind::exists)
            die(1, "an API key named '" + a.name +
                       "' already exists (names stay taken after a revoke: choose another name)");
        die(store_exit_code(r.error()), r.error().message);
    }
    record_cli_event({target.audit_log, target.state}, "apikey.create",
                     {{"name", rec.name}, {"hint", rec.hint}, {"user", rec.user.empty() ? rec.name : rec.user}});
    const auto k = key.reveal();
    std::fwrite(k.data(), 1, k.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    std::fprintf(stderr,
                 "API key '%s' created in %s%s%s.\nCopy it now: it is stored only as a hash and will not be "
                 "shown again.\n",
                 a.name.c_str(), target.where().c_str(), expires_at ? ", expires " : "",
                 expires_at ? format_time(expires_at).c_str() : "");
}

void list(const IssuerDbOptions& db) {
    auto store = open_issuer_store(resolve_issuer_db(db, kCommand), /*create=*/false, kCommand);
    auto keys = or_die(store->list_api_keys());
    std::sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
    Table t({"NAME", "HINT", "USER", "SCOPES", "CREATED", "EXPIRES", "REVOKED"});
    for (const auto& k : keys)
        t.add({k.name, k.hint + "...", k.user.empty() ? k.name : k.user, join_or_dash(k.scopes, ","),
               format_time(k.created_at), k.expires_at ? format_time(k.expires_at) : "never",
               k.revoked ? "yes" : "no"});
    std::fputs(t.str().c_str(), stdout);
}

void revoke(const IssuerDbOptions& db, const std::string& name) {
    if (auto ok = check_key_name(name); !ok) die(1, ok.error());
    const auto target = resolve_issuer_db(db, kCommand);
    auto store = open_issuer_store(target, /*create=*/false, kCommand);
    if (!or_die(store->revoke_api_key(name))) die(1, "no API key named '" + name + "'");
    record_cli_event({target.audit_log, target.state}, "apikey.revoke", {{"name", name}});
    std::fprintf(stderr, "API key '%s' revoked\n", name.c_str());
}

}  // namespace

void add_apikey_command(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("apikey", "Create, list or revoke API keys (Authorization: Bearer gk_...)");
    cmd->require_subcommand(1);
    cmd->fallthrough();  // --config/--state may follow the action: `apikey list --state DIR`
    auto db = std::make_shared<IssuerDbOptions>();
    auto* cf = cmd->add_option("-c,--config", db->config, "Config file: use its issuer database");
    auto* st = cmd->add_option("--state", db->state, "Demo state folder (uses DIR/gatekeeper.db)");
    cf->excludes(st);
    cmd->footer(
        "Keys are shown once, by `create`; the database keeps only their SHA-256.\n"
        "Exit status: 1 refused (name taken, no such key, invalid input), 2 database/config unusable.");

    auto a = std::make_shared<CreateArgs>();
    auto* create_cmd = cmd->add_subcommand("create", "Create a key and print it once on standard output");
    create_cmd->add_option("--name", a->name, "Unique name of the key (letters, digits, . _ @ -)")
        ->required();
    create_cmd->add_option("--scopes", a->scopes, "Scopes it grants, comma-separated: read,write")
        ->required();
    auto* expires = create_cmd->add_option("--expires", a->expires,
                                           "Lifetime from now: 90d, 12h, 30m, 45s (default: never)");
    create_cmd->add_option("--user", a->user, "The identity it acts as (default: the key's name)");
    create_cmd->callback([db, a, expires] {
        a->expires_given = expires->count() > 0;
        create(*db, *a);
    });

    auto* list_cmd = cmd->add_subcommand(
        "list", "List keys: name, hint, user, scopes, times, revoked (never the key or hash)");
    list_cmd->callback([db] { list(*db); });

    auto name = std::make_shared<std::string>();
    auto* revoke_cmd = cmd->add_subcommand("revoke", "Revoke a key by name (it is refused from then on)");
    revoke_cmd->add_option("--name", *name, "Name of the key")->required();
    revoke_cmd->callback([db, name] { revoke(*db, *name); });
}

}  // namespace gk::cli
