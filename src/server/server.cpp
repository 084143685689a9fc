#include "server/server.hpp"
#include "server/redis_attempts.hpp"
#include "server/redis_nonce_counts.hpp"
#include "server/redis_subscriber.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <thread>

#include "gatekeeper/crypto/crypto.hpp"
#include "server/acme_service.hpp"
#include "server/connection_cap.hpp"
#include "server/session.hpp"
#include "store/memory_attempt_store.hpp"
#include "store/pg_audit.hpp"
#include "server/tls_context.hpp"
#include "server/transport_guard.hpp"
#include "server/tls_listener.hpp"
#include "server/tls_ocsp.hpp"
#include "server/trust.hpp"
#include "server/worker.hpp"
#include "server/write_now.hpp"

namespace gk::server {
namespace {

void start_session(Worker& w, tcp::socket sock, ssl::context* tls, const gate::Listener& listener) {
    error_code ignore;
    sock.set_option(tcp::no_delay(true), ignore);
    if (!tls) enable_write_now(sock);
    ConnInfo info;
    auto ep = sock.remote_endpoint(ignore);
    info.peer = ep.address();
    info.peer_text = info.peer.is_v6() && info.peer.to_v6().is_v4_mapped()
                         ? asio::ip::make_address_v4(asio::ip::v4_mapped, info.peer.to_v6()).to_string()
                         : info.peer.to_string();
    info.tls = tls != nullptr;
    info.trusted = is_trusted(w.runtime->policy.trusted_proxies, info.peer);
    info.listener = &listener;
    spawn_session(w, std::move(sock), tls, std::move(info));
}

// The slot is taken once a client is queued, not before: at the cap a
// waiting connection is reclaimed for a real newcomer, never in advance
// (connection_cap.hpp).
asio::awaitable<void> accept_loop(Worker& w, tcp::acceptor& acc, ssl::context* tls, const gate::Listener& listener) {
    for (;;) {
        auto [wec] = co_await acc.async_wait(tcp::acceptor::wait_read, use_nothrow);
        if (wec == asio::error::operation_aborted || !acc.is_open()) co_return;
        if (wec) {
            co_await back_off_after_accept_error(w, wec);
            continue;
        }
        const bool got = co_await take_slot(w, acc);
        if (!got) co_return;
        auto [ec, sock] = co_await acc.async_accept(use_nothrow);
        if (ec) {
            release_slot(w);
            if (ec == asio::error::operation_aborted || !acc.is_open()) co_return;
            co_await back_off_after_accept_error(w, ec);
            continue;
        }
        start_session(w, std::move(sock), tls, listener);
    }
}

std::unique_ptr<tcp::acceptor> open_acceptor(asio::io_context& ioc, const gate::Listener& l) {
    error_code ec;
    auto addr = asio::ip::make_address(l.address, ec);
    if (ec) throw std::runtime_error("listener " + l.address + ": not an IP address");
    tcp::endpoint ep(addr, l.port);
    auto acc = std::make_unique<tcp::acceptor>(ioc);
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
        // One acceptor per thread on the same port: the kernel spreads connections.
        int one = 1;
        if (::setsockopt(acc->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
            ec = error_code(errno, boost::system::system_category());
    }
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + l.address + ":" + std::to_string(l.port) + ": " + ec.message());
    return acc;
}

// The loaded runtime plus what the server adds: TLS client contexts for the
// upstreams, and Digest nonces carried over from `previous` so a reload does
// not turn every outstanding nonce into a 401.
std::shared_ptr<const Runtime> complete_runtime(const Runtime& loaded, const Runtime* previous) {
    auto rt = std::make_shared<Runtime>(loaded);
    for (const auto& u : rt->policy.upstreams) rt->upstream_tls.emplace(u.name, make_upstream_tls(u));
    if (previous) {
        rt->digest_nonces = previous->digest_nonces;
        rt->digest_counts = previous->digest_counts;
    }
    return rt;
}

// What a reload cannot change in a running process: said in the log, applied at the next start.
void warn_about_restart_only_changes(const gate::Policy& old_p, const gate::Policy& new_p) {
    auto listeners = [](const gate::Policy& p) {
        std::string s;
        for (const auto& l : p.listeners) {
            s += l.address + ":" + std::to_string(l.port) + (l.tls ? "s" : "");
            for (const auto& c : l.certificates) s += ";" + c.cert_file + ";" + c.key_file;
            if (l.tls)
                s += ";" + std::to_string(l.session_tickets) + ";" + std::to_string(l.ticket_key_rotation.count()) + ";" +
                     gate::to_string(l.client_cert.mode) + ";" + l.client_cert.ca_file + ";" + l.client_cert.crl_file;
            s += std::string(l.insecure ? ";insecure" : "") + ";" + std::to_string(l.redirect_port) + " ";
        }
        return s;
    };
    auto issuers = [](const gate::Policy& p) {
        std::string s;
        for (const auto& i : p.issuers) s += i.name + "=" + i.issuer + " ";
        return s;
    };
    if (listeners(old_p) != listeners(new_p))
        spdlog::warn("reload: listeners changed; they take effect at the next start");
    if (old_p.threads != new_p.threads) spdlog::warn("reload: server.threads changed; it takes effect at the next start");
    if (issuers(old_p) != issuers(new_p) || old_p.self_issuer.database != new_p.self_issuer.database ||
        old_p.self_issuer.enabled != new_p.self_issuer.enabled || old_p.sessions.user_source != new_p.sessions.user_source)
        spdlog::warn("reload: issuers, oauth or sessions changed; those take effect at the next start");
    if (old_p.digest.nonce_lifetime != new_p.digest.nonce_lifetime || old_p.digest.max_nonces != new_p.digest.max_nonces)
        spdlog::warn("reload: digest nonce settings changed; they take effect at the next start");
    auto state = [](const gate::Policy& p) {
        const auto& s = p.state;
        return s.redis_host + ":" + std::to_string(s.redis_port) + "/" + std::to_string(s.redis_db) + ";" +
               std::to_string(s.redis_timeout.count()) + ";" + s.redis_prefix + ";" + s.postgres + ";" +
               std::to_string(s.postgres_pool) + ";" + std::to_string(s.postgres_timeout.count());
    };
    if (state(old_p) != state(new_p))
        spdlog::warn("reload: state (redis, postgres) changed; it takes effect at the next start");
    auto acme = [](const gate::Policy& p) {
        const auto& a = p.acme;
        std::string s = std::to_string(a.enabled) + ";" + a.directory + ";" + a.email + ";" + a.ca_file + ";" +
                        std::string(acme::challenge_name(a.challenge));
        for (const auto& h : a.hosts) s += ";" + h;
        return s;
    };
    if (acme(old_p) != acme(new_p)) spdlog::warn("reload: acme changed; it takes effect at the next start");
}

// Certificate files are re-read on change and on SIGHUP (tls_cert_set.hpp).
void log_cert_events(const std::vector<CertEvent>& events) {
    for (const auto& e : events) {
        if (e.error) spdlog::error("{}", e.text);
        else spdlog::info("{}", e.text);
    }
}

void log_open_file_limit(const OpenFileLimit& fds, std::size_t max_connections) {
    if (fds.error) spdlog::warn("cannot raise the open file limit: {}", fds.error.message());
    spdlog::info("open file limit {} (hard {}), max_connections {}", fds.soft, fds.hard, max_connections);
    // Room for listeners, upstream connections, logs and the database besides clients.
    if (fds.soft < max_connections + 256)
        spdlog::warn(
            "max_connections {} is close to or above the open file limit {}: accept() will fail with "
            "EMFILE first; raise the hard limit (LimitNOFILE=, ulimit -Hn)",
            max_connections, fds.soft);
}

// How this process names itself in shared audit rows: host and the first listener's port (several
// instances may share a host), and the PID.
std::string instance_name(const gate::Policy& policy) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::string name = host[0] ? host : "unknown";
    if (!policy.listeners.empty()) name += ":" + std::to_string(policy.listeners.front().port);
    return name + " pid " + std::to_string(::getpid());
}

// With state.redis, every instance must accept the others' Digest nonces:
// they sign with one key agreed through Redis (redis_nonce_counts.hpp), not
// the per-process one the loader made. Until it is agreed Digest is not
// available (503), never answered with a key of this process alone.
bool digest_key_from_redis(const gate::Policy& policy) {
    if (!policy.state.redis()) return false;
    for (const auto& r : policy.routes)
        for (auto k : r.schemes)
            if (k == gate::SchemeKind::digest) return true;
    return false;
}

// `report`: log a failure (retries every second would flood the log otherwise).
std::shared_ptr<const schemes::DigestNonces> agree_digest_key(RedisClient& redis, const gate::Policy& policy,
                                                              bool report) {
    const std::string candidate = crypto::to_hex(crypto::random_bytes(schemes::DigestNonces::kMinKeySize));
    std::vector<RedisCommand> set{redis_nonce_counts::agree_key(policy.state.redis_prefix, candidate)};
    auto replies = redis.run(std::move(set));
    auto key = redis_nonce_counts::read_agreed_key(replies.at(0), candidate);
    if (!key) {
        if (report) spdlog::error("Digest is unavailable (503) until the nonce key shared through redis is read: {}", key.error());
        return nullptr;
    }
    spdlog::info("Digest nonces signed with the key shared through redis");
    return std::make_shared<const schemes::DigestNonces>(std::move(key.value()), policy.digest.nonce_lifetime);
}

}  // namespace

int run_server(std::shared_ptr<const Runtime> loaded, const ServerHooks& hooks) {
    std::shared_ptr<const Runtime> runtime = complete_runtime(*loaded, nullptr);
    const auto& policy = runtime->policy;
    log_open_file_limit(raise_open_file_limit(), policy.limits.max_connections);
    warn_about_plain_listeners(policy);
    Shared shared;
    shared.runtime = runtime;
    shared.cache_key = crypto::random_bytes(32);
    shared.access_log = spdlog::get("access");
    if (!shared.access_log) shared.access_log = spdlog::stdout_logger_mt("access");
    shared.access_log->set_pattern("%v");
    // For the worker pool's blocking calls: counters on the login page, revocation announcements.
    std::shared_ptr<RedisClient> redis_client;
    if (policy.state.redis()) {
        redis_client = std::make_shared<RedisClient>(policy.state);
        // Counted across every instance that shares the Redis server.
        shared.attempts = std::make_shared<RedisAttemptStore>(redis_client, policy.state.redis_prefix);
        spdlog::info("brute-force counters in redis {}:{}", policy.state.redis_host, policy.state.redis_port);
    } else {
        shared.attempts = std::make_shared<store::MemoryAttemptStore>();
    }
    bool digest_key_pending = digest_key_from_redis(policy);
    unsigned digest_key_tries = 0;
    std::uint64_t audit_dropped = 0;
    if (digest_key_pending) {
        // `runtime` stays alive: `policy` refers into it.
        auto rt = std::make_shared<Runtime>(*runtime);
        rt->digest_nonces = agree_digest_key(*redis_client, policy, true);
        digest_key_pending = !rt->digest_nonces;
        shared.runtime = rt;
    }
    // With state.postgres (and its audit on), events also go to the shared table.
    std::shared_ptr<store::PgAuditWriter> shared_audit;
    if (!policy.state.postgres.empty() && policy.state.postgres_audit) {
        shared_audit = std::make_shared<store::PgAuditWriter>(policy.state.postgres, store::pg_options(policy.state),
                                                              instance_name(policy), store::PgAuditWriter::Options{});
        spdlog::info("audit events also go to postgres (table audit_events)");
    }
    if (!policy.audit_log.empty() || shared_audit) {
        auto audit = AuditLog::open(policy.audit_log, shared_audit);
        // The gate works without it; the operator hears of it at every start.
        if (!audit) {
            spdlog::error("{}; no audit log file is written (set server.audit_log to a writable file, or off)",
                          audit.error());
            // The shared table still gets every event.
            if (shared_audit) audit = AuditLog::open("", shared_audit);
        }
        if (audit) shared.audit = std::move(audit.value());
    }
    if (needs_issuer_service(policy)) shared.issuer = IssuerService::start(policy, shared.access_log);
    const std::string revocations_channel = policy.state.redis_prefix + "revoked";
    if (shared.issuer && redis_client) {
        // Announced at once to every instance (each also reloads from the database every second).
        shared.issuer->set_announcer([redis_client, revocations_channel](std::string_view jti, std::int64_t exp) {
            std::vector<RedisCommand> publish{{std::string("PUBLISH"), revocations_channel,
                                               std::string(jti) + " " + std::to_string(exp)}};
            if (auto ok = redis_attempts::check(redis_client->run(std::move(publish))); !ok)
                spdlog::warn("revocation not announced to other instances ({}); they refuse the token within "
                             "a second from the database",
                             ok.error());
        });
    }
    if (!policy.issuers.empty())
        shared.key_sources = KeySources::start(policy, shared.access_log, shared.issuer ? shared.issuer->key_source() : nullptr);

    // acme: placeholders are written before the listeners load their files; orders run on its own thread.
    std::unique_ptr<AcmeService> acme;
    std::shared_ptr<AcmeAlpnCerts> acme_alpn;  // tls-alpn-01: validation certificates for the HTTPS listeners
    if (policy.acme.enabled) {
        shared.acme_challenges = std::make_shared<AcmeChallenges>();
        if (policy.acme.challenge == acme::ChallengeType::tls_alpn01) acme_alpn = std::make_shared<AcmeAlpnCerts>();
        acme = AcmeService::start(policy, shared.access_log, shared.acme_challenges, acme_alpn);
    }

    // Outlives the workers (declared before them): sessions refer to the front contexts.
    std::vector<std::unique_ptr<ListenerTls>> listener_tls;
    for (gate::Listener l : policy.listeners) {
        // Every HTTPS listener also serves the ACME hosts' certificates (picked by SNI);
        // the files exist from here on (placeholders first) and are reloaded when ACME replaces them.
        if (l.tls && policy.acme.enabled)
            for (const auto& m : acme::managed_certificates(policy.acme, policy.state_dir))
                l.certificates.push_back({m.cert_file, m.key_file, 0});
        listener_tls.push_back(l.tls ? std::make_unique<ListenerTls>(l, acme_alpn) : nullptr);
    }
    std::vector<const CertSet*> stapled;
    for (std::size_t i = 0; i < listener_tls.size(); ++i)
        if (listener_tls[i] && policy.listeners[i].ocsp_stapling) stapled.push_back(&listener_tls[i]->certificates());
    std::optional<OcspStapler> stapler;
    if (!stapled.empty()) stapler.emplace(std::move(stapled));

    unsigned n = policy.threads ? policy.threads : std::max(1u, std::thread::hardware_concurrency());
    asio::thread_pool hash_pool(std::max(1u, std::thread::hardware_concurrency()));
    shared.hash_pool = &hash_pool;
    // Threads that mostly wait on the network: more than cores.
    // Declared before the pool: a tick running on it refers to this until the pool is joined.
    std::atomic<bool> issuer_ticking{false};
    std::atomic<bool> sources_refreshing{false};
    asio::thread_pool store_pool(shared.issuer && shared.issuer->shared_store() ? 8 : 1);
    shared.store_pool = &store_pool;

    // Signals are caught before the first listener opens: a client (or a test)
    // that sees the port open may send SIGHUP or SIGTERM at once, and the
    // default action of either would end the process. One that comes before
    // its handler waits is queued by the signal_set.
    asio::io_context control;
    asio::signal_set signals(control, SIGINT, SIGTERM);
    asio::signal_set hangups(control, SIGHUP);

    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned i = 0; i < n; ++i) {
        auto w = std::make_unique<Worker>(shared);
        if (policy.state.redis()) w->redis = std::make_shared<RedisConnection>(w->ioc.get_executor(), policy.state);
        for (std::size_t li = 0; li < policy.listeners.size(); ++li) {
            w->acceptors.push_back(open_acceptor(w->ioc, policy.listeners[li]));
            asio::co_spawn(w->ioc,
                           accept_loop(*w, *w->acceptors.back(), listener_tls[li] ? &listener_tls[li]->context() : nullptr,
                                       policy.listeners[li]),
                           asio::detached);
        }
        workers.push_back(std::move(w));
    }
    for (auto& w : workers) shared.workers.push_back(w.get());

    std::vector<std::thread> threads;
    for (auto& w : workers) threads.emplace_back([&ioc = w->ioc] { ioc.run(); });
    if (hooks.on_ready) hooks.on_ready();

    // Other instances' revocations, as they happen (state.redis).
    std::shared_ptr<RedisSubscriber> revocations;
    if (shared.issuer && policy.state.redis()) {
        auto issuer = shared.issuer;
        revocations = std::make_shared<RedisSubscriber>(
            control.get_executor(), policy.state, revocations_channel,
            [issuer](std::string_view message) { issuer->revoked_elsewhere(message); },
            [issuer] { issuer->reload_revocations(); });
        revocations->start();
    }
    asio::steady_timer ticker(control);
    bool stopping = false;
    std::chrono::steady_clock::time_point deadline;

    auto publish = [&](std::shared_ptr<const Runtime> next) {
        shared.runtime = next;
        for (auto& w : workers)
            asio::post(w->ioc, [wp = w.get(), next] {
                wp->runtime = next;
                // Pooled upstream connections may lead to an address the new config no longer names.
                wp->pool.clear();
            });
    };
    std::function<void()> tick = [&] {
        ticker.expires_after(stopping ? std::chrono::milliseconds(50) : std::chrono::milliseconds(1000));
        ticker.async_wait([&](error_code ec) {
            if (ec) return;
            if (!stopping) {
                // User source refreshes (a file re-read, a query to a shared
                // database) off this thread too, one round at a time; the
                // runtime they belong to is kept alive by the job.
                if (!shared.runtime->periodic.empty() && !sources_refreshing.exchange(true))
                    asio::post(store_pool, [&sources_refreshing, rt = shared.runtime] {
                        for (const auto& f : rt->periodic) f();
                        sources_refreshing = false;
                    });
                if (shared.key_sources) shared.key_sources->tick();
                if (shared.issuer && !shared.issuer->shared_store()) {
                    shared.issuer->tick();
                } else if (shared.issuer && !issuer_ticking.exchange(true)) {
                    // A shared database can take its timeout to answer: not on
                    // this thread, which also handles SIGTERM and SIGHUP. One at a time.
                    asio::post(store_pool, [&issuer_ticking, issuer = shared.issuer] {
                        issuer->tick();
                        issuer_ticking = false;
                    });
                }
                if (shared_audit && shared_audit->dropped() != audit_dropped) {
                    audit_dropped = shared_audit->dropped();
                    spdlog::error("{} audit events not stored in postgres so far (it was unreachable and the queue "
                                  "full); the audit log file has them if one is configured",
                                  audit_dropped);
                }
                if (digest_key_pending) {
                    auto nonces = agree_digest_key(*redis_client, policy, ++digest_key_tries % 60 == 0);
                    if (nonces) {
                        auto rt = std::make_shared<Runtime>(*shared.runtime);
                        rt->digest_nonces = std::move(nonces);
                        publish(rt);
                        digest_key_pending = false;
                    }
                }
                for (auto& t : listener_tls)
                    if (t) log_cert_events(t->certificates().reload_changed());
            } else if (shared.open_connections.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
                for (auto& w : workers) w->ioc.stop();
                if (revocations) revocations->stop();
                signals.cancel();
                hangups.cancel();
                return;
            }
            tick();
        });
    };
    tick();
    // SIGHUP: read the config again; a config with errors changes nothing.
    std::function<void()> on_hangup = [&] {
        hangups.async_wait([&](error_code ec, int) {
            if (ec || stopping) return;
            on_hangup();
            for (auto& t : listener_tls)
                if (t) log_cert_events(t->certificates().reload_all());
            if (!hooks.reload) {
                spdlog::warn("SIGHUP: this server has no config file to reload");
                return;
            }
            std::shared_ptr<const Runtime> next;
            try {
                auto r = hooks.reload();
                if (!r) {
                    spdlog::error("reload failed; keeping the running config:\n{}", r.error());
                    return;
                }
                warn_about_restart_only_changes(shared.runtime->policy, (*r)->policy);
                // The listeners in force are the start's: warn about those again.
                warn_about_plain_listeners(policy);
                next = complete_runtime(**r, shared.runtime.get());
            } catch (const std::exception& e) {
                spdlog::error("reload failed; keeping the running config: {}", e.what());
                return;
            }
            publish(next);
            spdlog::info("reload: config applied");
        });
    };
    on_hangup();
    signals.async_wait([&](error_code ec, int) {
        if (ec) return;
        stopping = true;
        deadline = std::chrono::steady_clock::now() + policy.limits.shutdown_grace;
        for (auto& w : workers) {
            asio::post(w->ioc, [wp = w.get()] {
                wp->draining = true;
                for (auto& a : wp->acceptors) {
                    error_code ignore;
                    a->close(ignore);
                }
                // Connections waiting for a head (parked ones too) have nothing in
                // flight: close them now.
                for (auto& c : wp->waiting) {
                    error_code ignore;
                    c.socket->cancel(ignore);
                }
                wp->pool.clear();
            });
        }
    });
    control.run();
    acme.reset();  // acme: interrupts a pending order and joins its thread
    for (auto& t : threads) t.join();
    hash_pool.join();
    store_pool.join();
    return 0;
}

}  // namespace gk::server
