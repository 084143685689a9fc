// gatekeeper client add|list|del: OAuth clients in the issuer's database.
// A confidential client's secret is read from standard input and stored as
// an argon2id hash; a public client has none (PKCE only). Exit status, as for
// `user`:
//   1  refused: client exists, no such client, bad id/URI/scope/grant/secret
//   2  the database or config cannot be read or written
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/url/parse.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli/cli_audit.hpp"
#include "cli/commands.hpp"
#include "cli/issuer_db.hpp"
#include "gatekeeper/password/hash.hpp"
#include "store/password_input.hpp"
#include "store/sqlite_issuer_store.hpp"

namespace gk::cli {
namespace {

constexpr const char* kCommand = "client";
// Client secrets are machine credentials: a short one is a guessable one.
constexpr std::size_t kMinSecretBytes = 16;
// What oauth.access_token_ttl allows too: a bearer token is a password for its lifetime.
constexpr std::int64_t kMaxTokenTtlSeconds = 24 * 3600;
constexpr std::string_view kGrants[] = {"authorization_code", "refresh_token", "client_credentials"};

struct AddArgs {
    std::string id;
    std::string name;
    bool secret_stdin = false;
    bool is_public = false;
    std::vector<std::string> redirect_uris;
    std::string scopes;  // comma-separated
    std::string grants;  // comma-separated
    std::string access_token_ttl;  // "" = the issuer's
};

[[noreturn]] void die(int code, const std::string& message) { cli_die(kCommand, code, message); }

template <class T>
T or_die(issuer::StoreResult<T> r) {
    if (!r) die(store_exit_code(r.error()), r.error().message);
    return std::move(r).value();
}

// Client ids travel in query strings and in Basic credentials (RFC 6749
// 2.3.1): unreserved URL characters only, so neither needs escaping and ':'
// cannot split them.
void check_client_id(const std::string& id) {
    if (id.empty()) die(1, "--id: empty client id");
    if (id.size() > 128) die(1, "--id: client ids are at most 128 characters");
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '~' || c == '-';
        if (!ok) die(1, "--id: '" + id + "' may only hold letters, digits and . _ ~ -");
    }
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
           });
}

// Redirect URIs are matched exactly (RFC 9700 2.1), so they are registered
// exactly: absolute, https, no fragment (RFC 6749 3.1.2), no userinfo, no
// wildcard. Plain http only for loopback (RFC 8252 7.3: native apps), any port.
// Empty: fine; else why not.
std::string redirect_uri_problem(const std::string& uri) {
    if (uri.find('*') != std::string::npos) return "wildcards are not allowed (redirect URIs match exactly)";
    auto parsed = boost::urls::parse_absolute_uri(uri);
    if (!parsed) return "not an absolute URI";
    const auto u = *parsed;
    const bool https = iequals(u.scheme(), "https");
    const bool http = iequals(u.scheme(), "http");
    if (!https && !http) return "scheme must be https (or http on 127.0.0.1, [::1] or localhost)";
    if (!u.has_authority() || u.encoded_host().empty()) return "no host";
    if (u.has_userinfo()) return "user information (user@host) is not allowed";
    if (u.has_fragment()) return "a fragment (#...) is not allowed (RFC 6749 3.1.2)";
    if (http) {
        const auto host = u.encoded_host();
        const bool loopback = host == "127.0.0.1" || host == "[::1]" || iequals(host, "localhost");
        if (!loopback) return "http is only allowed on loopback (127.0.0.1, [::1], localhost); use https";
    }
    return {};
}

std::vector<std::string> checked_redirect_uris(const std::vector<std::string>& uris) {
    std::vector<std::string> out;
    for (const auto& uri : uris) {
        if (auto problem = redirect_uri_problem(uri); !problem.empty())
            die(1, "--redirect-uri '" + uri + "': " + problem);
        if (std::find(out.begin(), out.end(), uri) == out.end()) out.push_back(uri);
    }
    return out;
}

std::vector<std::string> checked_grants(const std::string& grants) {
    std::vector<std::string> out;
    for (const auto& g : split_commas(grants)) {
        if (g.empty())
            die(1, "--grants: empty grant (write them comma-separated: authorization_code,refresh_token)");
        if (std::find(std::begin(kGrants), std::end(kGrants), g) == std::end(kGrants))
            die(1, "--grants: unknown grant '" + g +
                       "' (authorization_code, refresh_token, client_credentials)");
        if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
    }
    return out;
}

bool has(const std::vector<std::string>& v, std::string_view x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

void add(const IssuerDbOptions& db, const AddArgs& a) {
    check_client_id(a.id);
    if (a.secret_stdin == a.is_public)
        die(1,
            "name one of --secret-stdin (a confidential client; the secret is read from standard input) "
            "or --public (no secret, PKCE only)");
    const auto grants = checked_grants(a.grants);
    const auto scopes = checked_scopes(a.scopes, kCommand);
    const auto uris = checked_redirect_uris(a.redirect_uris);
    if (has(grants, "authorization_code") && uris.empty())
        die(1, "authorization_code needs at least one --redirect-uri");
    if (!has(grants, "authorization_code") && !uris.empty())
        die(1, "--redirect-uri is only used by the authorization_code grant");
    if (has(grants, "refresh_token") && !has(grants, "authorization_code"))
        die(1,
            "refresh_token comes with authorization_code (client_credentials issues no refresh tokens, RFC "
            "6749 4.4.3)");
    if (a.is_public && has(grants, "client_credentials"))
        die(1, "a public client cannot use client_credentials: it has no secret to authenticate with");
    if (!a.name.empty() && (a.name.size() > 200 || std::any_of(a.name.begin(), a.name.end(), [](char c) {
                                return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
                            })))
        die(1, "--name: at most 200 characters, no control characters");

    std::int64_t ttl = 0;
    if (!a.access_token_ttl.empty()) {
        const auto d = parse_whole_duration(a.access_token_ttl, kMaxTokenTtlSeconds);
        if (d.too_long) die(1, "--access-token-ttl: longer than 24h (the issuer's own limit)");
        if (!d.seconds || *d.seconds == 0)
            die(1, "--access-token-ttl: '" + a.access_token_ttl + "' is not a duration (write 30s, 10m or 1h)");
        ttl = *d.seconds;
    }
    const auto target = resolve_issuer_db(db, kCommand);
    // Say "exists" before asking for a secret, not after (put_client itself
    // replaces); and create no database for an add that is refused.
    std::unique_ptr<issuer::IssuerStore> store;
    if (target.exists()) {
        store = open_issuer_store(target, /*create=*/false, kCommand);
        if (or_die(store->find_client(a.id)))
            die(1, "a client '" + a.id + "' already exists (delete it first to change it)");
    }

    issuer::Client c;
    c.client_id = a.id;
    c.name = a.name.empty() ? a.id : a.name;
    c.redirect_uris = uris;
    c.scopes = scopes;
    c.grant_types = grants;
    c.created_at = unix_now();
    c.access_token_ttl = ttl;
    if (a.secret_stdin) {
        auto secret = store::read_new_password(STDIN_FILENO, stderr);
        if (!secret) die(1, "client secret: " + secret.error());
        if (secret->size() < kMinSecretBytes)
            die(1, "client secret: at least " + std::to_string(kMinSecretBytes) +
                       " characters (e.g. `openssl rand -base64 32`)");
        c.secret_hash = password::hash_argon2id(secret->reveal());
    }
    if (!store) store = open_issuer_store(target, /*create=*/true, kCommand);
    or_die(store->put_client(c));
    record_cli_event({target.audit_log, target.state}, "client.add",
                     {{"client_id", c.client_id}, {"type", a.is_public ? "public" : "confidential"}});
    std::fprintf(stderr, "%s client '%s' added to %s\n", a.is_public ? "public" : "confidential",
                 a.id.c_str(), target.where().c_str());
}

void list(const IssuerDbOptions& db) {
    auto store = open_issuer_store(resolve_issuer_db(db, kCommand), /*create=*/false, kCommand);
    auto clients = or_die(store->list_clients());
    std::sort(clients.begin(), clients.end(),
              [](const auto& x, const auto& y) { return x.client_id < y.client_id; });
    Table t({"ID", "TYPE", "NAME", "GRANTS", "SCOPES", "REDIRECT_URIS", "TOKEN_TTL", "CREATED"});
    for (const auto& c : clients)
        t.add({c.client_id, c.secret_hash.empty() ? "public" : "confidential", c.name,
               join_or_dash(c.grant_types, ","), join_or_dash(c.scopes, ","),
               join_or_dash(c.redirect_uris, " "),
               c.access_token_ttl ? std::to_string(c.access_token_ttl) + "s" : "default", format_time(c.created_at)});
    std::fputs(t.str().c_str(), stdout);
}

void del(const IssuerDbOptions& db, const std::string& id) {
    check_client_id(id);
    const auto target = resolve_issuer_db(db, kCommand);
    auto store = open_issuer_store(target, /*create=*/false, kCommand);
    if (!or_die(store->delete_client(id))) die(1, "no client '" + id + "'");
    record_cli_event({target.audit_log, target.state}, "client.del", {{"client_id", id}});
    std::fprintf(stderr, "client '%s' deleted (its pending codes and refresh tokens end with it)\n",
                 id.c_str());
}

}  // namespace

void add_client_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("client", "Add, list or delete OAuth clients of gatekeeper's issuer");
    cmd->require_subcommand(1);
    cmd->fallthrough();  // --config/--state may follow the action: `client list --state DIR`
    auto db = std::make_shared<IssuerDbOptions>();
    auto* cf = cmd->add_option("-c,--config", db->config, "Config file: use its issuer database");
    auto* st = cmd->add_option("--state", db->state, "Demo state folder (uses DIR/gatekeeper.db)");
    cf->excludes(st);
    cmd->footer(
        "Secrets are read from standard input, never from arguments, and stored as argon2id hashes.\n"
        "Exit status: 1 refused (exists, not found, invalid input), 2 database/config unusable.");

    auto a = std::make_shared<AddArgs>();
    auto* add_cmd = cmd->add_subcommand("add", "Register a client");
    add_cmd->add_option("--id", a->id, "client_id (letters, digits, . _ ~ -)")->required();
    add_cmd->add_option("--name", a->name, "Display name (default: the id)");
    auto* sec = add_cmd->add_flag("--secret-stdin", a->secret_stdin,
                                  "Confidential client: read its secret from standard input");
    auto* pub = add_cmd->add_flag("--public", a->is_public,
                                  "Public client (browser or native app): no secret, PKCE only");
    sec->excludes(pub);
    add_cmd
        ->add_option("--redirect-uri", a->redirect_uris,
                     "Exact redirect URI, https (http only on loopback); repeatable")
        ->allow_extra_args(false);  // one URI per --redirect-uri: never swallow the next arguments
    add_cmd->add_option("--scopes", a->scopes, "Scopes it may ask for, comma-separated: read,write")
        ->required();
    add_cmd
        ->add_option("--grants", a->grants,
                     "Grant types, comma-separated: authorization_code,refresh_token,client_credentials")
        ->required();
    add_cmd->add_option("--access-token-ttl", a->access_token_ttl,
                        "Its own access-token lifetime (30s, 10m, 1h); default: oauth.access_token_ttl");
    add_cmd->callback([db, a] { add(*db, *a); });

    auto* list_cmd = cmd->add_subcommand("list", "List clients (never their secrets or hashes)");
    list_cmd->callback([db] { list(*db); });

    auto id = std::make_shared<std::string>();
    auto* del_cmd = cmd->add_subcommand("del", "Delete a client, its pending codes and refresh tokens");
    del_cmd->alias("delete");
    del_cmd->add_option("--id", *id, "client_id")->required();
    del_cmd->callback([db, id] { del(*db, *id); });
}

}  // namespace gk::cli
