#pragma once
// Shared by the commands that need a validated policy and its user sources.
#include <memory>
#include <string>

#include "gatekeeper/common/result.hpp"
#include "server/runtime.hpp"

namespace gk::cli {

// Loads and validates the config and opens the user sources, or says why not
// (every error, one per line, each naming file:line). Also used at SIGHUP.
Result<std::shared_ptr<server::Runtime>, std::string> load_runtime(const std::string& config_file);

// The same, printing the errors and exiting with status 2 when it fails.
std::shared_ptr<server::Runtime> load_runtime_or_exit(const std::string& config_file);

}  // namespace gk::cli
