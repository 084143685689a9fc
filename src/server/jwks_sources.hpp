#pragma once
// The two gate::KeySource adapters behind KeySources: a local file (JWKS or
// PEM) re-read when it changes, and a remote JWKS (URL or OIDC discovery)
// fetched over HTTPS on KeySources' own thread. Internal to server/.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include <spdlog/logger.h>

#include "gatekeeper/gate/key_source.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "server/https_get.hpp"
#include "server/net.hpp"

namespace gk::server {

// "issuer 'corp' (config line 7)": how errors name the configuration.
std::string issuer_label(const gate::BearerIssuer& issuer);

class FileKeySource final : public gate::KeySource {
public:
    // Loads the file now; a missing or unusable file throws std::runtime_error
    // "issuer 'x' (config line N): jwks_file PATH: reason".
    FileKeySource(const gate::BearerIssuer& issuer, std::shared_ptr<spdlog::logger> log);

    [[nodiscard]] std::shared_ptr<const jose::JwkSet> keys() const override;
    void on_unknown_kid(std::string_view) override {}  // a file changes only when someone edits it
    [[nodiscard]] std::string problem() const override;

    // Re-reads the file if its identity, size or mtime changed since the last
    // look. A file that does not load keeps the last good keys (and is not
    // retried until it changes again). Called from one thread at a time.
    void check();

private:
    struct Stamp {
        dev_t dev = 0;
        ino_t ino = 0;
        off_t size = -1;
        long long mtime_ns = 0;
        bool operator==(const Stamp&) const = default;
    };
    // The key set and the file's stamp as read, or why not.
    struct Read;
    Read read_file() const;

    const std::string name_;
    const std::string path_;
    const std::shared_ptr<spdlog::logger> log_;
    Stamp seen_;  // check()'s thread only
    mutable std::mutex mu_;
    std::shared_ptr<const jose::JwkSet> keys_;
    std::string problem_;
};

class RemoteKeySource final : public gate::KeySource, public std::enable_shared_from_this<RemoteKeySource> {
public:
    // Builds the TLS client context (system roots + ca_file); a bad ca_file
    // throws std::runtime_error naming the issuer. Fetches run on `ioc`.
    RemoteKeySource(const gate::BearerIssuer& issuer, asio::io_context& ioc,
                    std::shared_ptr<spdlog::logger> log);

    [[nodiscard]] std::shared_ptr<const jose::JwkSet> keys() const override;
    // Fetches now if none ran for min_refresh_interval, else once that
    // interval is over (at most one fetch per interval, whatever the flood);
    // nothing while failing (the back-off schedule retries).
    void on_unknown_kid(std::string_view kid) override;
    [[nodiscard]] std::string problem() const override;

    void start();  // the first fetch
    // Starts a fetch when one is due (refresh, max-age, back-off or a deferred
    // unknown-kid refetch). Any thread.
    void tick(std::chrono::steady_clock::time_point now);
    // Waits until the first fetch attempt ended or `until`; true if it ended.
    bool wait_first_attempt(std::chrono::steady_clock::time_point until);
    // The owner is going away: start no more fetches (the io_context may die).
    void detach();

    [[nodiscard]] const gate::JwksSource& config() const { return cfg_; }

private:
    struct Outcome;
    struct Fetched {
        std::string body;
        std::string cache_control;
        std::string where;  // the JWKS URL for messages (no query)
    };
    static asio::awaitable<void> run_fetch(std::shared_ptr<RemoteKeySource> self, const char* reason);
    asio::awaitable<Result<Fetched, std::string>> fetch_jwks(std::chrono::steady_clock::time_point deadline);
    void begin_fetch_locked(std::chrono::steady_clock::time_point now, const char* reason);
    void finish(Outcome outcome);
    void log_outcome(const Outcome& outcome, std::chrono::seconds next, std::size_t kept) const;

    const std::string name_;
    const std::string issuer_;
    const gate::JwksSource cfg_;
    asio::io_context& ioc_;
    const std::shared_ptr<spdlog::logger> log_;
    std::unique_ptr<ssl::context> tls_;
    std::string last_body_;  // fetch thread only: the last JWKS that loaded

    mutable std::mutex mu_;
    std::condition_variable first_cv_;
    std::shared_ptr<const jose::JwkSet> keys_;
    std::string problem_;
    bool detached_ = false;
    bool in_flight_ = false;
    bool first_done_ = false;
    bool kid_refetch_due_ = false;  // an unknown kid asked for a fetch the interval deferred
    int failures_ = 0;              // in a row
    std::chrono::steady_clock::time_point last_start_{};
    std::chrono::steady_clock::time_point next_due_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace gk::server
