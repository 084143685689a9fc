#include "server/access_log.hpp"

#include <ctime>

#include "server/decision_response.hpp"
#include "server/log_time.hpp"

namespace gk::server {

std::string utc_timestamp_ms() {
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[40];
    const auto n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(ts + n, sizeof ts - n, ".%03dZ", static_cast<int>(ms));
    return ts;
}

void write_access_log(spdlog::logger& log, const AccessRecord& r) {
    const double latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r.start).count();
    char lat[32];
    std::snprintf(lat, sizeof lat, "%.3f", latency_ms);
    std::string line = "{\"time\":\"" + utc_timestamp_ms() + "\",\"client\":\"" + json_escape(r.client) +
                       "\",\"method\":\"" + json_escape(r.method) + "\",\"path\":\"" + json_escape(r.path) +
                       "\",\"status\":" + std::to_string(r.status) + ",\"route\":\"" + json_escape(r.route) +
                       "\",\"scheme\":\"" + json_escape(r.scheme) + "\",\"user\":\"" + json_escape(r.user) +
                       "\",\"reason\":\"" + json_escape(r.reason) + "\",\"latency_ms\":" + lat +
                       ",\"upstream_status\":" + std::to_string(r.upstream_status) + "}";
    log.info(line);
}

}  // namespace gk::server
