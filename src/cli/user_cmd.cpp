// gatekeeper user add|passwd|del|list: manage users in an htpasswd file or
// the embedded database. The work is in store/user_admin (unit-tested); this
// file maps options to it and errors to exit codes:
//   1  refused: user exists, no such user, bad name/group/email, bad input
//   2  the user file, database or config cannot be read or written
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_audit.hpp"
#include "cli/commands.hpp"
#include "gatekeeper/config/config.hpp"
#include "store/names.hpp"
#include "store/password_input.hpp"
#include "store/user_admin.hpp"
#include "store/user_sources.hpp"

namespace gk::cli {
namespace {

struct SourceOptions {
    std::string htpasswd;
    std::string db;
    std::string state;
    std::string config;
    std::string source;  // with --config: which user source (default: the first)
};

struct UserOptions {
    std::string name;
    std::vector<std::string> groups;
    std::string email;
};

[[noreturn]] void die(int code, const std::string& message) {
    std::fprintf(stderr, "gatekeeper user: %s\n", message.c_str());
    throw CLI::RuntimeError(code);
}

int exit_code(const store::StoreError& e) { return e.kind == store::StoreError::Kind::unavailable ? 2 : 1; }

// The user source, and where its config sends audit events (nothing for a
// bare file: there is no config to say where).
store::UserSourceRef resolve_source(const SourceOptions& o, CliAudit* audit = nullptr) {
    const int given = !o.htpasswd.empty() + !o.db.empty() + !o.state.empty() + !o.config.empty();
    if (given != 1) die(1, "name exactly one of --htpasswd FILE, --db FILE, --state DIR or --config FILE");
    if (!o.source.empty() && o.config.empty()) die(1, "--source only applies with --config");
    using Kind = store::UserSourceRef::Kind;
    if (!o.htpasswd.empty()) return {Kind::htpasswd, o.htpasswd, {}};
    if (!o.db.empty()) return {Kind::sqlite, o.db, {}};
    std::string config_file = o.config;
    if (!o.state.empty()) {
        // The demo's own config names the Digest realms whose secrets must be written too.
        const auto demo_config = std::filesystem::path(o.state) / "gatekeeper.yaml";
        if (!std::filesystem::exists(demo_config)) {
            if (audit) audit->file = (std::filesystem::path(o.state) / "audit.log").string();
            return {Kind::sqlite, std::filesystem::path(o.state) / "gatekeeper.db", {}};
        }
        config_file = demo_config.string();
    }
    auto policy = config::load_policy_file(config_file);
    if (!policy) {
        for (const auto& e : policy.error()) std::fprintf(stderr, "%s\n", config::format(e).c_str());
        die(2, "cannot use config " + config_file);
    }
    auto ref = store::source_from_policy(policy.value(), o.source);
    if (!ref) die(2, ref.error());
    if (audit) *audit = {policy->audit_log, policy->state};
    return ref.value();
}

void audit_change(const CliAudit& audit, std::string_view event, std::string_view user,
                  const store::UserSourceRef& ref) {
    record_cli_event(audit, event, {{"user", user}, {"source", store::describe(ref)}});
}

template <class T>
T or_die(Result<T, store::StoreError> r) {
    if (!r) die(exit_code(r.error()), r.error().message);
    return std::move(r).value();
}

Secret new_password() {
    auto pw = store::read_new_password(STDIN_FILENO, stderr);
    if (!pw) die(1, pw.error());
    return std::move(pw).value();
}

}  // namespace

void add_user_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "user", "Add, change, delete or list users (htpasswd or htdigest file, SQLite or PostgreSQL)");
    cmd->require_subcommand(1);
    cmd->fallthrough();  // source options may follow the action: `user add alice --db g.db`
    auto src = std::make_shared<SourceOptions>();
    auto* ht = cmd->add_option("--htpasswd", src->htpasswd, "htpasswd file (no groups or email)");
    auto* db = cmd->add_option("--db", src->db, "SQLite database file (add creates it if missing)");
    auto* st = cmd->add_option("--state", src->state, "Demo state folder (uses DIR/gatekeeper.db)");
    auto* cf = cmd->add_option("-c,--config", src->config, "Config file: use its first user source");
    cmd->add_option("--source", src->source, "With --config: the user source to use, by name");
    ht->excludes(db)->excludes(st)->excludes(cf);
    db->excludes(st)->excludes(cf);
    st->excludes(cf);
    cmd->footer("Passwords are read from standard input (asked twice on a terminal), never from arguments.\n"
                "Exit status: 1 refused (exists, not found, invalid), 2 file/database/config unusable.");

    auto user = std::make_shared<UserOptions>();

    auto* add = cmd->add_subcommand("add", "Add a user; the password is read from standard input");
    add->add_option("name", user->name, "User name")->required();
    add->add_option("-g,--group", user->groups, "Group (repeatable; database only)");
    add->add_option("-e,--email", user->email, "Email address (database only)");
    add->callback([src, user] {
        CliAudit audit;
        auto ref = resolve_source(*src, &audit);
        // Say "bad name" before asking for a password, not after.
        if (auto ok = store::check_user_name(user->name); !ok) die(1, ok.error());
        const Secret pw = new_password();
        or_die(store::admin_add(ref, store::NewUser{user->name, user->groups, user->email}, pw));
        audit_change(audit, "user.add", user->name, ref);
        std::fprintf(stderr, "user '%s' added to %s\n", user->name.c_str(), store::describe(ref).c_str());
    });

    auto* passwd = cmd->add_subcommand("passwd", "Set a user's password, read from standard input");
    passwd->add_option("name", user->name, "User name")->required();
    passwd->callback([src, user] {
        CliAudit audit;
        auto ref = resolve_source(*src, &audit);
        const Secret pw = new_password();
        or_die(store::admin_passwd(ref, user->name, pw));
        audit_change(audit, "user.passwd", user->name, ref);
        std::fprintf(stderr, "password of '%s' changed\n", user->name.c_str());
    });

    auto* del = cmd->add_subcommand("del", "Delete a user");
    del->alias("delete");
    del->add_option("name", user->name, "User name")->required();
    del->callback([src, user] {
        CliAudit audit;
        const auto ref = resolve_source(*src, &audit);
        or_die(store::admin_delete(ref, user->name));
        audit_change(audit, "user.del", user->name, ref);
        std::fprintf(stderr, "user '%s' deleted\n", user->name.c_str());
    });

    auto* list = cmd->add_subcommand("list", "List user names and groups (never hashes)");
    list->callback([src] {
        auto users = or_die(store::admin_list(resolve_source(*src)));
        std::fputs(store::format_user_list(users).c_str(), stdout);
    });
}

}  // namespace gk::cli
