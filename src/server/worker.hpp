#pragma once
// One thread's share of the server: its own io_context, acceptors, upstream
// pool and credential cache. Nothing here is touched by another thread except
// through post().
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>

#include <boost/asio/thread_pool.hpp>
#include <spdlog/logger.h>

#include "gatekeeper/gate/attempts.hpp"
#include "gatekeeper/gate/credential_cache.hpp"
#include "gatekeeper/gate/token_cache.hpp"
#include "server/issuer_service.hpp"
#include "server/key_sources.hpp"
#include "server/net.hpp"
#include "server/runtime.hpp"
#include "server/upstream_pool.hpp"

namespace gk::server {

struct Shared {
    std::shared_ptr<const Runtime> runtime;  // the latest; the control thread's copy
    asio::thread_pool* hash_pool = nullptr;
    std::atomic<int> hash_jobs{0};
    int max_hash_jobs = 256;
    std::shared_ptr<spdlog::logger> access_log;
    std::string cache_key;  // per-process random HMAC key for credential caches
    std::atomic<int> open_connections{0};
    std::shared_ptr<KeySources> key_sources;  // Bearer issuers' keys; null when no issuer is configured
    std::shared_ptr<IssuerService> issuer;    // sessions, API keys, OAuth; null when the policy uses none
    std::shared_ptr<gate::AttemptStore> attempts;  // brute-force counters, shared by every thread
};

struct Connection;

struct Worker {
    explicit Worker(Shared& s);

    asio::io_context ioc{1};
    Shared& shared;
    // This thread's runtime: replaced by post() at a reload, read without locks.
    std::shared_ptr<const Runtime> runtime;
    UpstreamPool pool;
    gate::CredentialCache cache;
    gate::TokenCache tokens;
    bool draining = false;
    std::unordered_set<Connection*> connections;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
};

// Per-connection state the worker can see, so draining can close idle ones.
struct Connection {
    beast::tcp_stream* stream = nullptr;
    bool idle = true;  // between requests
};

}  // namespace gk::server
