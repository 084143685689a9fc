#pragma once
// Credential changes made from the command line go to the same audit log the
// running server writes (one O_APPEND line each), so a reviewer sees who was
// added, which key was rotated or revoked, beside the sign-ins; with
// state.postgres (audit on) also to the shared table audit_events.
#include <string>
#include <string_view>

#include "gatekeeper/gate/policy.hpp"
#include "server/audit_log.hpp"

namespace gk::cli {

// Where a command's events go: the config's audit log file ("" = none) and
// its shared state (state.postgres, when its audit is on).
struct CliAudit {
    std::string file;
    gate::SharedState state;
};

// Records `event` with `fields` and "by":"cli". Nothing configured records
// nothing; a log or database that cannot take it is a warning on stderr,
// never a failed command: the change is already made.
void record_cli_event(const CliAudit& where, std::string_view event, server::AuditLog::Fields fields);

}  // namespace gk::cli
