#pragma once
// One thread's share of the server: its own io_context, acceptors, upstream
// pool and credential cache. Nothing here is touched by another thread except
// through post().
#include <array>
#include <atomic>
#include <functional>
#include <optional>
#include <string_view>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/intrusive/list.hpp>
#include <spdlog/logger.h>

#include "gatekeeper/gate/attempts.hpp"
#include "gatekeeper/gate/credential_cache.hpp"
#include "gatekeeper/gate/token_cache.hpp"
#include "server/audit_log.hpp"
#include "server/idle_park.hpp"
#include "server/issuer_service.hpp"
#include "server/key_sources.hpp"
#include "server/net.hpp"
#include "server/redis_connection.hpp"
#include "server/runtime.hpp"
#include "server/upstream_pool.hpp"
#include "server/waiting_connection.hpp"

namespace gk::server {

struct Worker;
class AcmeChallenges;  // acme (acme_challenges.hpp)

struct Shared {
    std::shared_ptr<const Runtime> runtime;  // the latest; the control thread's copy
    asio::thread_pool* hash_pool = nullptr;
    // Blocking calls to a shared database (libpq), so they never wait on an
    // event loop nor take a hashing thread.
    asio::thread_pool* store_pool = nullptr;
    std::atomic<int> hash_jobs{0};
    int max_hash_jobs = 256;
    std::shared_ptr<spdlog::logger> access_log;
    std::string cache_key;  // per-process random HMAC key for credential caches
    std::atomic<int> open_connections{0};     // and slots taken for a pending accept (connection_cap.hpp)
    std::shared_ptr<KeySources> key_sources;  // Bearer issuers' keys; null when no issuer is configured
    std::shared_ptr<IssuerService> issuer;    // sessions, API keys, OAuth; null when the policy uses none
    std::shared_ptr<gate::AttemptStore> attempts;  // brute-force counters, shared by every thread
    std::shared_ptr<const AuditLog> audit;          // null: no audit log
    std::vector<Worker*> workers;             // all of them, set before any runs; for asio::post only
    std::shared_ptr<AcmeChallenges> acme_challenges;  // acme: HTTP-01 answers; null without acme
};

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
    WaitingConnections waiting;                       // draining closes these; the cap reclaims the front one
    ParkedConnections parked{ioc};                    // idle keep-alive connections without a session
    std::array<char, 16 * 1024> discard{};            // what lingering closes read and drop
    std::vector<asio::steady_timer*> paused_accepts;  // accept loops waiting for a free slot
    std::chrono::steady_clock::time_point last_limit_warning{};  // cap or accept-error warnings, rate-limited
    std::size_t reclaim_peer = 0;  // the next other worker asked to reclaim when this one has none waiting
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    // state.redis: this thread's connection (brute-force counters); null without Redis.
    std::shared_ptr<RedisConnection> redis;
};

}  // namespace gk::server
