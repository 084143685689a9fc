#pragma once
// Shared by the commands that need a validated policy and its user sources.
#include <memory>
#include <string>

#include "server/runtime.hpp"

namespace gk::cli {

// Loads and validates the config, opens the user sources; prints every error
// (file:line) and exits with status 2 when it cannot.
std::shared_ptr<server::Runtime> load_runtime_or_exit(const std::string& config_file);

}  // namespace gk::cli
