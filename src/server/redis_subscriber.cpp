#include "server/redis_subscriber.hpp"

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <vector>

#include "server/redis_connection.hpp"
#include "store/redis_protocol.hpp"

// GCC 12 mismatched-new-delete false positive in coroutine frames (GCC bug 109224).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace gk::server {

RedisSubscriber::RedisSubscriber(asio::any_io_executor ex, gate::SharedState settings, std::string channel,
                                 std::function<void(std::string_view)> on_message, std::function<void()> on_subscribed)
    : ex_(ex),
      settings_(std::move(settings)),
      channel_(std::move(channel)),
      on_message_(std::move(on_message)),
      on_subscribed_(std::move(on_subscribed)),
      wait_(ex) {}

void RedisSubscriber::start() { asio::co_spawn(ex_, run(), asio::detached); }

void RedisSubscriber::stop() {
    stopped_ = true;
    wait_.cancel();
    if (sock_) {
        error_code ignore;
        sock_->close(ignore);
    }
}

asio::awaitable<void> RedisSubscriber::run() {
    auto self = shared_from_this();
    auto backoff = std::chrono::milliseconds(100);
    std::string last_problem;
    while (!stopped_) {
        const auto problem = co_await subscribe_and_listen();
        if (stopped_) break;
        if (problem != last_problem)  // once per kind of trouble, not once per retry
            spdlog::warn("redis subscription to {} lost: {}; retrying", channel_, problem);
        last_problem = problem;
        wait_.expires_after(backoff);
        co_await wait_.async_wait(use_nothrow);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
}

// Connects, subscribes and hands messages on until the connection fails;
// returns why it ended.
asio::awaitable<std::string> RedisSubscriber::subscribe_and_listen() {
    // Connecting is bounded like every Redis wait; listening is not (silence is normal).
    auto connected =
        co_await connect_to_redis(ex_, settings_, std::chrono::steady_clock::now() + settings_.redis_timeout);
    if (!connected) co_return connected.error();
    auto sock = std::move(connected).value();
    sock_ = sock;
    if (stopped_) co_return std::string("stopped");
    // Named vectors, no braced lists with literals: GCC 12 miscompiles those in coroutines.
    std::string out;
    if (settings_.redis_db != 0) {
        const std::vector<std::string> select{std::string("SELECT"), std::to_string(settings_.redis_db)};
        out += store::redis_command(select);
    }
    const std::vector<std::string> subscribe{std::string("SUBSCRIBE"), channel_};
    out += store::redis_command(subscribe);
    auto [wec, wn] = co_await asio::async_write(*sock, asio::buffer(out), use_nothrow);
    if (wec) co_return "write: " + wec.message();
    store::RedisReader reader;
    char buf[8192];
    for (;;) {
        auto [ec, n] = co_await sock->async_read_some(asio::buffer(buf), use_nothrow);
        if (ec) co_return ec == asio::error::eof ? std::string("closed by the server") : "read: " + ec.message();
        if (auto fed = reader.feed(buf, n); !fed) co_return fed.error();
        for (;;) {
            auto r = reader.next();
            if (!r) co_return r.error();
            if (!*r) break;
            const auto& reply = **r;
            if (reply.is_error()) co_return "redis: " + reply.str;
            if (reply.type != store::RedisReply::Type::array || reply.elements.size() != 3) continue;  // SELECT's +OK
            const auto& kind = reply.elements[0].str;
            if (kind == "subscribe") {
                if (on_subscribed_) on_subscribed_();
            } else if (kind == "message" && reply.elements[1].str == channel_) {
                on_message_(reply.elements[2].str);
            }
        }
    }
}

}  // namespace gk::server
