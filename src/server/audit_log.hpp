#pragma once
// The audit log: one JSON object per line for what a security reviewer asks
// about later (sign-ins and their failures with the reason, lock-outs,
// sign-outs, credential changes by the CLI), separate from the access log.
// Never a secret: names, addresses and reasons only.
//
// Appends with O_APPEND and one write() per line, so the server and CLI
// commands run beside it can share one file without interleaving lines.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatekeeper/common/result.hpp"

namespace gk::server {

class AuditLog {
public:
    using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

    // Creates the file (0600) and its folder if needed.
    static Result<std::unique_ptr<AuditLog>, std::string> open(const std::string& path);
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    // {"time":"...","event":"<event>", fields...}; empty values are left out.
    void record(std::string_view event, const Fields& fields) const;

    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    AuditLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    int fd_;
    std::string path_;
};

}  // namespace gk::server
