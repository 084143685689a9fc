#include "server/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "server/decision_response.hpp"
#include "store/pg_audit.hpp"
#include "server/log_time.hpp"

namespace gk::server {

Result<std::unique_ptr<AuditLog>, std::string> AuditLog::open(const std::string& path,
                                                             std::shared_ptr<store::PgAuditWriter> shared) {
    if (path.empty()) return std::unique_ptr<AuditLog>(new AuditLog(-1, path, std::move(shared)));
    std::error_code ec;
    const auto folder = std::filesystem::path(path).parent_path();
    if (!folder.empty()) std::filesystem::create_directories(folder, ec);
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return fail("cannot open the audit log " + path + ": " + std::strerror(errno));
    return std::unique_ptr<AuditLog>(new AuditLog(fd, path, std::move(shared)));
}

AuditLog::~AuditLog() {
    if (fd_ >= 0) ::close(fd_);
}

void AuditLog::record(std::string_view event, const Fields& fields) const {
    std::string line = "{\"time\":\"" + utc_timestamp_ms() + "\",\"event\":\"" + json_escape(event) + "\"";
    for (const auto& [name, value] : fields)
        if (!value.empty()) line += ",\"" + json_escape(name) + "\":\"" + json_escape(value) + "\"";
    line += "}";
    if (shared_) shared_->record(line);
    if (fd_ < 0) return;
    line += "\n";
    // One write: O_APPEND keeps concurrent writers' lines whole.
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const auto n = ::write(fd_, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a full disk must not take the gate down; the access log still has the request
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace gk::server
