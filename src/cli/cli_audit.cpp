#include "cli/cli_audit.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "store/pg_audit.hpp"

namespace gk::cli {

void record_cli_event(const CliAudit& where, std::string_view event, server::AuditLog::Fields fields) {
    std::shared_ptr<store::PgAuditWriter> shared;
    if (!where.state.postgres.empty() && where.state.postgres_audit) {
        auto options = store::pg_options(where.state);
        options.pool_size = 1;
        shared = std::make_shared<store::PgAuditWriter>(where.state.postgres, options,
                                                        "cli pid " + std::to_string(::getpid()),
                                                        store::PgAuditWriter::Options{});
    }
    if (where.file.empty() && !shared) return;
    auto log = server::AuditLog::open(where.file, shared);
    if (!log) {
        std::fprintf(stderr, "warning: %s\n", log.error().c_str());
        if (!shared) return;
        log = server::AuditLog::open("", shared);  // the table still gets it
        if (!log) return;
    }
    fields.emplace_back("by", "cli");
    (*log)->record(event, fields);
    if (shared && (!shared->flushed(where.state.postgres_timeout * 2) || shared->dropped() > 0))
        std::fprintf(stderr, "warning: the audit event was not stored in PostgreSQL (table audit_events)\n");
}

}  // namespace gk::cli
