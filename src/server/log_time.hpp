#pragma once
// The timestamp of gatekeeper's JSON log lines: UTC, milliseconds, "Z".
#include <string>

namespace gk::server {

// e.g. "2026-11-29T13:50:29.123Z"
std::string utc_timestamp_ms();

}  // namespace gk::server
