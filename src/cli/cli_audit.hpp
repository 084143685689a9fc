#pragma once
// Credential changes made from the command line go to the same audit log the
// running server writes (one O_APPEND line each), so a reviewer sees who was
// added, which key was rotated or revoked, beside the sign-ins.
#include <string>
#include <string_view>

#include "server/audit_log.hpp"

namespace gk::cli {

// Records `event` with `fields` and "by":"cli". An empty path (a bare file
// with no config to name a log) records nothing; a log that cannot be opened
// is a warning on stderr, never a failed command: the change is already made.
void record_cli_event(const std::string& audit_log, std::string_view event, server::AuditLog::Fields fields);

}  // namespace gk::cli
