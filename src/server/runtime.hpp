#pragma once
// Everything a worker needs to answer requests, built once from a Policy and
// shared read-only by all threads.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/schemes/digest.hpp"

namespace gk::server {

struct Runtime {
    gate::Policy policy;
    gate::Directories directories;
    // Digest: nonces signed with a per-process random key, and one replay
    // memory for all threads (per-thread copies would let a request be
    // replayed on another thread). Set by the server at start.
    std::shared_ptr<const schemes::DigestNonces> digest_nonces;
    std::shared_ptr<schemes::NonceCountStore> digest_counts;
    // Called about once a second from the control thread (re-read changed user files).
    std::vector<std::function<void()>> periodic;
};

}  // namespace gk::server
