#pragma once
// One connection to Redis, driven from an Asio event loop: commands from any
// number of coroutines of that loop are pipelined on it and their replies
// handed back in order. Every call is bounded by the configured timeout;
// a timeout or a broken connection fails every pending call and drops the
// connection, and the next call reconnects, after a back-off that grows from
// 100 ms to 2 s while Redis stays away (calls in between fail at once, so a
// dead Redis costs a request nothing but its 503).
//
// Not thread-safe: use it from its executor only (one per worker thread).
// RedisClient below wraps one on its own thread for blocking callers (the
// worker pool), which must never be an event-loop thread.
#include <chrono>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "server/net.hpp"
#include "store/redis_protocol.hpp"

namespace gk::server {

using RedisResult = Result<store::RedisReply, std::string>;
using RedisCommand = std::vector<std::string>;

// A TCP connection (no delay) to the configured Redis server, given up at
// `deadline`: resolving and connecting are both bounded.
asio::awaitable<Result<std::shared_ptr<tcp::socket>, std::string>> connect_to_redis(
    asio::any_io_executor ex, const gate::SharedState& settings, std::chrono::steady_clock::time_point deadline);

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
public:
    RedisConnection(asio::any_io_executor ex, gate::SharedState settings);
    ~RedisConnection();

    // The commands go out in one write; the replies come back in order. A
    // Redis error reply is a value (RedisReply::Type::error), a transport
    // failure or timeout an error for every command.
    asio::awaitable<std::vector<RedisResult>> run(std::vector<RedisCommand> commands);
    asio::awaitable<RedisResult> call(RedisCommand command);

    [[nodiscard]] const gate::SharedState& settings() const { return settings_; }

private:
    struct Pending;
    asio::awaitable<Result<Ok, std::string>> connect(std::chrono::steady_clock::time_point deadline);
    asio::awaitable<void> read_loop(std::shared_ptr<tcp::socket> sock, unsigned generation);
    asio::awaitable<void> write_loop(std::shared_ptr<tcp::socket> sock, unsigned generation);
    void fail_all(const std::string& why);
    [[nodiscard]] std::string where() const;

    asio::any_io_executor ex_;
    gate::SharedState settings_;
    enum class State { down, connecting, up } state_ = State::down;
    std::shared_ptr<tcp::socket> sock_;
    unsigned generation_ = 0;
    std::deque<std::shared_ptr<Pending>> waiting_;
    std::vector<std::shared_ptr<asio::steady_timer>> connect_waiters_;
    std::string out_;
    bool writing_ = false;
    std::unique_ptr<store::RedisReader> reader_ = std::make_unique<store::RedisReader>();
    std::chrono::steady_clock::time_point retry_at_{};
    std::chrono::milliseconds backoff_{100};
    std::string last_error_;
};

// A RedisConnection on its own thread, for callers that may block (the
// worker pool: login and token endpoints). Thread-safe.
class RedisClient {
public:
    explicit RedisClient(gate::SharedState settings);
    ~RedisClient();
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;

    std::vector<RedisResult> run(std::vector<RedisCommand> commands);

private:
    asio::io_context ioc_{1};
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::shared_ptr<RedisConnection> conn_;
    std::chrono::milliseconds timeout_;
    std::thread thread_;
};

}  // namespace gk::server
