#pragma once
// Everything a worker needs to answer requests, built from a Policy and shared
// read-only by all threads. A reload (SIGHUP) builds a new one and hands it to
// each worker; requests in flight finish on the one they started with.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/schemes/digest.hpp"
#include "server/net.hpp"
#include "server/static_site.hpp"

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
    // TLS client settings per upstream name. Set by the server (at start and
    // at every reload, so a changed CA file or a new upstream takes effect).
    std::map<std::string, std::shared_ptr<ssl::context>, std::less<>> upstream_tls;
    // The files of each `static:` route, by route name, read at load.
    std::map<std::string, std::shared_ptr<const StaticSite>, std::less<>> static_sites;
};

}  // namespace gk::server
