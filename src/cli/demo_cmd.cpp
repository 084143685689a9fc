// gatekeeper demo: a working gateway in front of an echo app, with no set-up.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands.hpp"
#include "cli/demo_config.hpp"
#include "cli/demo_keys.hpp"
#include "cli/load.hpp"
#include "server/echo_upstream.hpp"
#include "server/self_signed.hpp"
#include "server/server.hpp"
#include "gatekeeper/password/hash.hpp"
#include "store/atomic_file.hpp"
#include "store/sqlite_issuer_store.hpp"
#include "store/user_admin.hpp"
#include "store/user_sources.hpp"

namespace gk::cli {
namespace {

namespace fs = std::filesystem;

// Creates the user, or resets a known demo user whose Digest secrets do not
// cover every Digest realm of this config (a state folder from an older build).
void ensure_demo_user(const store::UserSourceRef& db, const char* name, const char* password, const char* group) {
    auto users = store::admin_list(db);
    if (users)
        for (const auto& u : *users) {
            if (u.name != name) continue;
            std::size_t wanted = 0;
            for (const auto& r : db.digest_realms) wanted += r.algorithms.size();
            if (u.digest_secrets.size() == wanted) return;
            auto r = store::admin_passwd(db, name, Secret(std::string_view(password)));
            if (!r) throw std::runtime_error("cannot update demo user " + std::string(name) + ": " + r.error().message);
            return;
        }
    store::NewUser u{name, {group}, std::string(name) + "@example.com"};
    auto r = store::admin_add(db, u, Secret(std::string_view(password)));
    if (!r) throw std::runtime_error("cannot create demo user " + std::string(name) + ": " + r.error().message);
}

// The demo's OAuth client, registered once (the operator may change it with `gatekeeper client`).
void ensure_demo_client(const gate::Policy& policy, const DemoPorts& ports) {
    auto st = store::SqliteIssuerStore::open(policy.self_issuer.database);
    if (!st) throw std::runtime_error("cannot open " + policy.self_issuer.database + ": " + st.error());
    auto existing = (*st)->find_client("demo-client");
    if (!existing) throw std::runtime_error("cannot read demo client: " + existing.error().message);
    if (existing->has_value()) return;
    issuer::Client c;
    c.client_id = "demo-client";
    c.name = "gatekeeper demo";
    c.secret_hash = password::hash_argon2id("demo-secret");
    c.redirect_uris = {"http://127.0.0.1:" + std::to_string(ports.http) + "/spa/callback",
                       "https://127.0.0.1:" + std::to_string(ports.https) + "/spa/callback"};
    c.scopes = {"read", "write"};
    c.grant_types = {"authorization_code", "refresh_token", "client_credentials"};
    c.created_at = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (auto ok = (*st)->put_client(c); !ok) throw std::runtime_error("cannot register demo client: " + ok.error().message);
}

// The demo's single-page app: a public client (PKCE, no secret) whose access
// tokens last 30 s, so a refresh happens while one watches.
void ensure_spa_client(const gate::Policy& policy, const DemoPorts& ports) {
    auto st = store::SqliteIssuerStore::open(policy.self_issuer.database);
    if (!st) throw std::runtime_error("cannot open " + policy.self_issuer.database + ": " + st.error());
    auto existing = (*st)->find_client("demo-spa");
    if (!existing) throw std::runtime_error("cannot read demo SPA client: " + existing.error().message);
    const std::vector<std::string> uris = {"http://127.0.0.1:" + std::to_string(ports.http) + "/spa/callback",
                                           "https://127.0.0.1:" + std::to_string(ports.https) + "/spa/callback"};
    // Ports change between runs: the redirect URIs follow them.
    if (existing->has_value() && (*existing)->redirect_uris == uris) return;
    issuer::Client c;
    c.client_id = "demo-spa";
    c.name = "gatekeeper demo SPA";
    c.redirect_uris = uris;
    c.scopes = {"read", "write"};
    c.grant_types = {"authorization_code", "refresh_token"};
    c.access_token_ttl = 30;
    c.created_at = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (auto ok = (*st)->put_client(c); !ok) throw std::runtime_error("cannot register demo SPA client: " + ok.error().message);
}

// web/spa and the built web/client/dist: named with --spa, or found beside
// the executable's checkout (build/gatekeeper -> web/spa) or the current folder.
DemoSpa find_spa(const std::string& given) {
    std::vector<fs::path> candidates;
    if (!given.empty()) candidates.emplace_back(given);
    else {
        std::error_code ec;
        const auto exe = fs::read_symlink("/proc/self/exe", ec);
        if (!ec)
            for (auto p = exe.parent_path(); p.has_relative_path(); p = p.parent_path())
                candidates.push_back(p / "web" / "spa");
        candidates.push_back(fs::current_path(ec) / "web" / "spa");
    }
    for (const auto& app : candidates) {
        std::error_code ec;
        if (!fs::is_regular_file(app / "index.html", ec)) continue;
        const auto client = app.parent_path() / "client" / "dist";
        if (!fs::is_directory(client, ec)) {
            std::printf("demo: %s has no built client (%s): no /spa/; build it with `scripts/web_test.sh build`\n",
                        app.c_str(), client.c_str());
            return {};
        }
        return {fs::canonical(app, ec).string(), fs::canonical(client, ec).string()};
    }
    if (!given.empty()) throw std::runtime_error("--spa " + given + ": no index.html there");
    return {};
}

int run_demo(const std::string& state, DemoPorts ports, const std::string& spa_dir) {
    fs::create_directories(state);
    const fs::path dir = fs::absolute(state);
    if (!fs::exists(dir / "cert.pem") || !fs::exists(dir / "key.pem")) {
        std::printf("demo: making a self-signed certificate in %s\n", dir.c_str());
        server::make_self_signed((dir / "cert.pem").string(), (dir / "key.pem").string());
    }
    ensure_demo_signing_key(dir);
    server::EchoUpstream echo(ports.echo);
    ports.echo = echo.port();
    const auto config_path = dir / "gatekeeper.yaml";
    const DemoSpa spa = find_spa(spa_dir);
    auto w = store::write_file_atomically(config_path, demo_config_yaml(ports, spa), fs::perms(0644));
    if (!w) throw std::runtime_error("cannot write " + config_path.string() + ": " + w.error());
    auto runtime = load_runtime_or_exit(config_path.string());
    // The config's Digest routes say which realms need Digest secrets.
    auto db = store::source_from_policy(runtime->policy, "demo");
    if (!db) throw std::runtime_error(db.error());
    ensure_demo_user(*db, "alice", "wonderland", "admins");
    ensure_demo_user(*db, "bob", "builder", "users");
    ensure_demo_client(runtime->policy, ports);
    if (!spa.app_dir.empty()) ensure_spa_client(runtime->policy, ports);

    server::ServerHooks hooks;
    hooks.on_ready = [&] {
        std::printf(
            "\ngatekeeper demo is running (Ctrl-C stops it)\n"
            "  http://127.0.0.1:%u    https://127.0.0.1:%u (self-signed: %s)\n"
            "  echo upstream on 127.0.0.1:%u; config %s\n\n"
            "  routes:  /        public\n"
            "           /app/    any signed-in user (login page for browsers; Digest, Basic, Bearer, API key)\n"
            "           /admin/  group admins, realm \"Admin Panel\" (Digest SHA-256/MD5, Basic)\n"
            "           /api/    Bearer token or API key: scope read for GET/HEAD, write otherwise\n"
            "           /spa/    %s\n"
            "  users:   alice / wonderland (admins)   bob / builder (users)\n"
            "  OAuth:   client demo-client / demo-secret; token endpoint /.gatekeeper/token\n"
            "  login:   http://127.0.0.1:%u/.gatekeeper/login\n\n"
            "  try:     curl -i http://127.0.0.1:%u/admin/\n"
            "           curl -u alice:wonderland http://127.0.0.1:%u/admin/\n"
            "           curl -i -u bob:builder http://127.0.0.1:%u/admin/\n"
            "           TOKEN=$(gatekeeper token mint --state %s --sub alice --scope \"read write\" --ttl 300)\n"
            "           curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:%u/api/\n"
            "           curl -u demo-client:demo-secret -d grant_type=client_credentials \\\n"
            "                http://127.0.0.1:%u/.gatekeeper/token\n\n",
            ports.http, ports.https, (dir / "cert.pem").c_str(), ports.echo, config_path.c_str(),
            spa.app_dir.empty() ? "(not served: web/spa with a built web/client not found)"
                                : "single-page app: PKCE sign-in, 30 s tokens, refresh on 401 (client demo-spa)",
            ports.http, ports.http,
            ports.http, ports.http, dir.c_str(), ports.http, ports.http);
        std::fflush(stdout);
    };
    return server::run_server(runtime, hooks);
}

}  // namespace

void add_demo_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("demo", "Run an embedded demo: gateway, echo upstream and demo users");
    struct Args {
        std::string state = "demo-state";
        DemoPorts ports;
        std::string spa;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--state", a->state, "Folder for the demo's state (created)")->capture_default_str();
    cmd->add_option("--http-port", a->ports.http, "Plain HTTP port on 127.0.0.1")->capture_default_str();
    cmd->add_option("--https-port", a->ports.https, "HTTPS port on 127.0.0.1")->capture_default_str();
    cmd->add_option("--echo-port", a->ports.echo, "Echo upstream port (0 = any free port)")->capture_default_str();
    cmd->add_option("--spa", a->spa, "web/spa folder of the single-page app (default: found beside the build)");
    cmd->callback([a] {
        const int rc = run_demo(a->state, a->ports, a->spa);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace gk::cli
