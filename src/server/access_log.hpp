#pragma once
// One JSON line per request. Never a credential: no Authorization, no Cookie,
// no query string (it may carry tokens), only the normalized path.
#include <chrono>
#include <string>

#include <spdlog/logger.h>

namespace gk::server {

struct AccessRecord {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::string client;
    std::string method;
    std::string path;
    int status = 0;
    std::string route;
    std::string scheme;
    std::string user;
    std::string reason;
    int upstream_status = 0;
};

void write_access_log(spdlog::logger& log, const AccessRecord& r);

}  // namespace gk::server
