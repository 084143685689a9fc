#pragma once
// Where the issuer's database is, for the commands that manage what lives in
// it (`apikey`, `client`), how those commands open it, and the little they
// share: exit codes, scope checks, times and tables.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/issuer/store.hpp"

namespace gk::cli {

// The issuer's SQLite file for a loaded config.
[[nodiscard]] std::filesystem::path issuer_database(const gate::Policy& policy);

// --config FILE or --state DIR, exactly one.
struct IssuerDbOptions {
    std::string config;
    std::string state;
};

// The database, the audit log credential changes are recorded in, and the
// issuer settings that shape a key rotation.
struct IssuerDb {
    std::filesystem::path path;     // the SQLite file, when postgres is empty
    gate::SharedState state;        // state.postgres: the shared database instead of the file
    std::string audit_log;          // "" when the config turns it off
    gate::IssuerSettings settings;  // defaults when --state has no gatekeeper.yaml
    std::string settings_from;      // the config file they came from, or "" for the defaults

    // For messages: the file, or "the shared PostgreSQL database" (never its connection string).
    [[nodiscard]] std::string where() const;
    // Whether anything was stored yet (a shared database always counts as there).
    [[nodiscard]] bool exists() const;
};

// DIR/gatekeeper.db for --state (audit log: the one DIR/gatekeeper.yaml names
// when the demo wrote one, else DIR/audit.log), issuer_database(policy) for
// --config. Prints the config's errors and throws CLI::RuntimeError(2) when it
// cannot be loaded, CLI::RuntimeError(1) when not exactly one option is given.
// `command` prefixes the messages ("apikey", "client").
[[nodiscard]] IssuerDb resolve_issuer_db(const IssuerDbOptions& o, const char* command);

// Opens the store: the config's state.postgres database, else the SQLite
// file. `create`: a missing file is created (its folder must exist);
// otherwise a missing file is an error. Failures: message on stderr,
// CLI::RuntimeError(2).
[[nodiscard]] std::unique_ptr<issuer::IssuerStore> open_issuer_store(const IssuerDb& db, bool create,
                                                                     const char* command);

// "gatekeeper <command>: <message>" on stderr, then CLI::RuntimeError(code).
[[noreturn]] void cli_die(const char* command, int code, const std::string& message);

// 2 when the store could not answer, 1 when it refused (exists, not found, invalid).
[[nodiscard]] int store_exit_code(const issuer::StoreFailure& f) noexcept;

// Comma-separated items; "" is one empty item, "a,,b" has an empty middle
// one (split here rather than by CLI11, which drops empty items and then
// takes the next arguments as values).
[[nodiscard]] std::vector<std::string> split_commas(const std::string& text);

// --scopes a,b: OAuth scope tokens (RFC 6749 3.3: printable ASCII but space,
// '"' and backslash), and no ','; duplicates dropped, order kept. At least
// one. Refusal: exit 1.
[[nodiscard]] std::vector<std::string> checked_scopes(const std::string& scopes, const char* command);

// A whole number of seconds, minutes, hours or days ("45s", "30m", "12h",
// "90d") for --expires and --overlap. No bare numbers: on the command line
// a missing unit is a typo. nullopt with `too_long` set past max_seconds.
struct WholeDuration {
    std::optional<std::int64_t> seconds;
    bool too_long = false;
};
[[nodiscard]] WholeDuration parse_whole_duration(std::string_view text, std::int64_t max_seconds);

[[nodiscard]] std::int64_t unix_now();
// "2025-01-31T12:00:00Z"
[[nodiscard]] std::string format_time(std::int64_t unix_seconds);
// Items joined by `sep`, or "-" for none.
[[nodiscard]] std::string join_or_dash(const std::vector<std::string>& items, const char* sep);

// Left-aligned columns, two spaces apart, header first.
class Table {
public:
    explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    [[nodiscard]] std::string str() const;

private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace gk::cli
