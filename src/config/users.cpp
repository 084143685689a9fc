// users: named sources of user names, password hashes (or Digest HA1s) and groups.
#include <filesystem>

#include "config/sections.hpp"
#include "gatekeeper/config/values.hpp"

namespace gk::config::detail {

void read_users(Ctx& ctx, const Field& f, gate::Policy& policy) {
    if (!expect_map(ctx, f)) return;
    for (const auto& entry : entries(ctx, f.value)) {
        gate::UserSource src;
        src.name = entry.key;
        src.line = entry.key_mark.line + 1;
        if (!is_token(src.name))
            ctx.error(entry.key_mark, "user source name '" + src.name + "' is not a plain name",
                      "use letters, digits, '-', '_' or '.'");
        if (!entry.value.IsMap()) {
            ctx.error(entry.mark(), "user source '" + src.name + "' must be a mapping",
                      src.name + ": { htpasswd: users.htpasswd } or " + src.name + ": { sqlite: gatekeeper.db }");
            continue;
        }
        Fields fields(ctx, entry.value, {"htpasswd", "htdigest", "sqlite", "postgres"});
        const Field* htpasswd = fields.get("htpasswd");
        const Field* htdigest = fields.get("htdigest");
        const Field* sqlite = fields.get("sqlite");
        const Field* postgres = fields.get("postgres");
        if ((htpasswd != nullptr) + (htdigest != nullptr) + (sqlite != nullptr) + (postgres != nullptr) !=
            1) {
            ctx.error(
                entry.key_mark,
                "user source '" + src.name +
                    "' needs exactly one of 'htpasswd', 'htdigest', 'sqlite' or 'postgres'",
                "{ htpasswd: users.htpasswd }, { htdigest: users.htdigest }, { sqlite: gatekeeper.db } or "
                "{ postgres: true }");
        } else if (postgres) {
            // Users in the state database: whether state.postgres names one is
            // known once that section is read (load.cpp checks).
            src.kind = gate::UserSource::Kind::postgres;
            const auto on = read_bool(ctx, *postgres);
            if (on && !*on)
                ctx.error(postgres->mark(), "'postgres' can only be true",
                          "postgres: true keeps the users in the state database; for a file use htpasswd or "
                          "sqlite");
            else if (on)
                ctx.postgres_user_sources.push_back(postgres->mark());
        } else if (htpasswd) {
            src.kind = gate::UserSource::Kind::htpasswd;
            if (auto p = read_existing_file(ctx, *htpasswd)) src.path = *p;
        } else if (htdigest) {
            // Apache htdigest "user:realm:MD5(user:realm:password)": Digest routes only.
            src.kind = gate::UserSource::Kind::htdigest;
            if (auto p = read_existing_file(ctx, *htdigest)) src.path = *p;
        } else if (auto s = read_string(ctx, *sqlite)) {
            // The database is created on first use, so only its folder must exist.
            src.kind = gate::UserSource::Kind::sqlite;
            src.path = ctx.resolve(*s);
            const auto folder = std::filesystem::path(src.path).parent_path();
            std::error_code ec;
            if (s->empty()) {
                ctx.error(sqlite->mark(), "'sqlite' must not be empty", "e.g. sqlite: gatekeeper.db");
            } else if (!std::filesystem::is_directory(folder.empty() ? "." : folder, ec)) {
                ctx.error(sqlite->mark(), "folder " + folder.string() + " of the sqlite database does not exist",
                          "create it, or point 'sqlite' somewhere that exists");
            }
        }
        policy.user_sources.push_back(std::move(src));
    }
}

}  // namespace gk::config::detail
