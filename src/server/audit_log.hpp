#pragma once
// The audit log: one JSON object per line for what a security reviewer asks
// about later (sign-ins and their failures with the reason, lock-outs,
// sign-outs, credential changes by the CLI), separate from the access log.
// Never a secret: names, addresses and reasons only.
//
// Appends with O_APPEND and one write() per line, so the server and CLI
// commands run beside it can share one file without interleaving lines.
// With state.postgres, each event also goes to the shared database
// (store/pg_audit.hpp), queued, never waited for.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::store {
class PgAuditWriter;
}

namespace gk::server {

class AuditLog {
public:
    using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

    // Creates the file (0600) and its folder if needed. `path` "": no file
    // (only `shared`); `shared` null: the file only.
    static Result<std::unique_ptr<AuditLog>, std::string> open(const std::string& path,
                                                               std::shared_ptr<store::PgAuditWriter> shared = nullptr);
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    // {"time":"...","event":"<event>", fields...}; empty values are left out.
    void record(std::string_view event, const Fields& fields) const;

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] const store::PgAuditWriter* shared() const noexcept { return shared_.get(); }

private:
    AuditLog(int fd, std::string path, std::shared_ptr<store::PgAuditWriter> shared)
        : fd_(fd), path_(std::move(path)), shared_(std::move(shared)) {}
    int fd_;  // -1: no file
    std::string path_;
    std::shared_ptr<store::PgAuditWriter> shared_;
};

}  // namespace gk::server
