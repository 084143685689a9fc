#include "cli/cli_audit.hpp"

#include <cstdio>

namespace gk::cli {

void record_cli_event(const std::string& audit_log, std::string_view event, server::AuditLog::Fields fields) {
    if (audit_log.empty()) return;
    auto log = server::AuditLog::open(audit_log);
    if (!log) {
        std::fprintf(stderr, "warning: %s\n", log.error().c_str());
        return;
    }
    fields.emplace_back("by", "cli");
    (*log)->record(event, fields);
}

}  // namespace gk::cli
