#pragma once
// The PostgreSQL schema of the shared issuer state, as an append-only list of
// migrations (never edit a released one: add the next version), and the
// start-up step that applies them.
#include <span>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "store/pg_conn.hpp"

namespace gk::store {

struct PgMigration {
    int version;           // 1, 2, 3 ... applied in order, each exactly once
    std::string_view sql;  // may hold several statements
};

std::span<const PgMigration> pg_issuer_schema();

// Brings the database to the last version of `migrations` in one transaction
// that holds pg_advisory_xact_lock(kPgMigrationLock): instances starting
// together apply each migration once, the later ones wait and find nothing
// to do. Fails on a database newer than `migrations` (a newer gatekeeper
// wrote it). The version the database is at afterwards.
Result<int, PgError> pg_migrate(PgConn& c, std::span<const PgMigration> migrations);

// Arbitrary but fixed: every gatekeeper sharing a database takes this lock.
inline constexpr long long kPgMigrationLock = 0x67'6b'69'73'73'75'65'72;  // "gkissuer"

}  // namespace gk::store
