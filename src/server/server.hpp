#pragma once
// The running gateway: N worker threads, each with its own io_context and
// SO_REUSEPORT acceptors; SIGINT/SIGTERM stop accepting and drain in-flight
// requests within the configured grace; SIGHUP reloads the config.
#include <functional>
#include <memory>
#include <string>

#include "gatekeeper/common/result.hpp"
#include "server/runtime.hpp"

namespace gk::server {

struct ServerHooks {
    std::function<void()> on_ready;  // after every listener is bound
    // SIGHUP: the config read again, or the errors (one per line) that keep
    // the running one in place. Unset: SIGHUP is logged and ignored.
    std::function<Result<std::shared_ptr<const Runtime>, std::string>()> reload;
};

// Blocks until a shutdown signal and the drain finished. Throws
// std::runtime_error at start-up (bind failure, unreadable certificate).
int run_server(std::shared_ptr<const Runtime> runtime, const ServerHooks& hooks = {});

}  // namespace gk::server
