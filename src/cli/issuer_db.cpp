#include "cli/issuer_db.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <system_error>

#include "gatekeeper/config/config.hpp"
#include "store/pg_issuer_store.hpp"
#include "store/sqlite_issuer_store.hpp"

namespace gk::cli {
namespace {

[[noreturn]] void die(const char* command, int code, const std::string& message) {
    cli_die(command, code, message);
}

bool is_scope_char(char c) noexcept { return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\' && c != ','; }

}  // namespace

void cli_die(const char* command, int code, const std::string& message) {
    std::fprintf(stderr, "gatekeeper %s: %s\n", command, message.c_str());
    throw CLI::RuntimeError(code);
}

int store_exit_code(const issuer::StoreFailure& f) noexcept {
    return f.kind == issuer::StoreFailure::Kind::unavailable ? 2 : 1;
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) return out;
        start = comma + 1;
    }
}

std::vector<std::string> checked_scopes(const std::string& scopes, const char* command) {
    std::vector<std::string> out;
    for (const auto& s : split_commas(scopes)) {
        if (s.empty()) die(command, 1, "--scopes: empty scope (write them comma-separated: read,write)");
        if (s.size() > 128) die(command, 1, "--scopes: scope '" + s.substr(0, 32) + "...' is too long");
        if (!std::all_of(s.begin(), s.end(), is_scope_char))
            die(command, 1,
                "--scopes: '" + s +
                    "' is not a scope (printable ASCII without spaces, quotes or backslashes)");
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    return out;
}

WholeDuration parse_whole_duration(std::string_view text, std::int64_t max_seconds) {
    WholeDuration out;
    std::size_t i = 0;
    std::int64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        n = n * 10 + (text[i] - '0');
        if (n > max_seconds) {
            out.too_long = true;
            return out;
        }
        ++i;
    }
    if (i == 0 || i + 1 != text.size()) return out;
    std::int64_t scale = 0;
    switch (text[i]) {
        case 's': scale = 1; break;
        case 'm': scale = 60; break;
        case 'h': scale = 3600; break;
        case 'd': scale = 86400; break;
        default: return out;
    }
    if (n > max_seconds / scale) out.too_long = true;
    else out.seconds = n * scale;
    return out;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string format_time(std::int64_t unix_seconds) {
    const auto t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    char buf[32];
    if (!gmtime_r(&t, &tm) || std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return std::to_string(unix_seconds);
    return buf;
}

std::string join_or_dash(const std::vector<std::string>& items, const char* sep) {
    if (items.empty()) return "-";
    std::string out;
    for (const auto& i : items) out.append(out.empty() ? "" : sep).append(i);
    return out;
}

std::string Table::str() const {
    std::vector<std::size_t> width;
    for (const auto& row : rows_)
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (width.size() <= c) width.push_back(0);
            width[c] = std::max(width[c], row[c].size());
        }
    std::string out;
    for (const auto& row : rows_) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            line.append(row[c]);
            if (c + 1 < row.size()) line.append(width[c] - row[c].size() + 2, ' ');
        }
        out.append(line).append("\n");
    }
    return out;
}

std::filesystem::path issuer_database(const gate::Policy& policy) {
    // oauth: database:, by default <state_dir>/gatekeeper.db (config/load.cpp).
    return std::filesystem::path(policy.self_issuer.database);
}

IssuerDb resolve_issuer_db(const IssuerDbOptions& o, const char* command) {
    if (o.config.empty() == o.state.empty())
        die(command, 1, "name exactly one of --config FILE or --state DIR");
    std::string config_file = o.config;
    if (!o.state.empty()) {
        const std::filesystem::path dir(o.state);
        std::error_code ec;
        if (!std::filesystem::exists(dir / "gatekeeper.yaml", ec))
            return {dir / "gatekeeper.db", {}, (dir / "audit.log").string(), {}, {}};
        config_file = (dir / "gatekeeper.yaml").string();
    }
    auto policy = config::load_policy_file(config_file);
    if (!policy) {
        for (const auto& e : policy.error()) std::fprintf(stderr, "%s\n", config::format(e).c_str());
        die(command, 2, "cannot use config " + config_file);
    }
    const auto db = o.state.empty() ? issuer_database(policy.value()) : std::filesystem::path(o.state) / "gatekeeper.db";
    return {db, policy->state, policy->audit_log, policy->self_issuer, config_file};
}

std::string IssuerDb::where() const {
    return state.postgres.empty() ? path.string() : std::string("the shared PostgreSQL database (state.postgres)");
}

bool IssuerDb::exists() const {
    std::error_code ec;
    return !state.postgres.empty() || std::filesystem::exists(path, ec);
}

std::unique_ptr<issuer::IssuerStore> open_issuer_store(const IssuerDb& target, bool create, const char* command) {
    if (!target.state.postgres.empty()) {
        auto o = store::pg_options(target.state);
        o.pool_size = 1;  // one command, one connection
        auto opened = store::PgIssuerStore::open(target.state.postgres, o);
        if (!opened) die(command, 2, "cannot open " + target.where() + ": " + opened.error());
        return std::move(opened).value();
    }
    const auto& db = target.path;
    std::error_code ec;
    if (!create && !std::filesystem::exists(db, ec))
        die(command, 2,
            "no issuer database at " + db.string() + " (nothing has been added yet, or a wrong path)");
    if (create) {
        const auto dir = db.has_parent_path() ? db.parent_path() : std::filesystem::path(".");
        if (!std::filesystem::is_directory(dir, ec))
            die(command, 2, "folder " + dir.string() + " does not exist (for " + db.string() + ")");
    }
    auto opened = store::SqliteIssuerStore::open(db);
    if (!opened) die(command, 2, "cannot open " + db.string() + ": " + opened.error());
    return std::move(opened).value();
}

}  // namespace gk::cli
