#pragma once
// Everything a worker needs to answer requests, built once from a Policy and
// shared read-only by all threads.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/gate/policy.hpp"

namespace gk::server {

struct Runtime {
    gate::Policy policy;
    gate::Directories directories;
    // Called about once a second from the control thread (re-read changed user files).
    std::vector<std::function<void()>> periodic;
};

}  // namespace gk::server
