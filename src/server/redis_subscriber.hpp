#pragma once
// A Redis pub/sub subscription driven from an event loop (the control
// thread's): every message on the channel goes to a callback, as it comes.
// Used to tell every instance at once that an access token was revoked, so
// its local caches refuse it within milliseconds rather than at the next
// reload from the database. A lost connection is made again after a back-off
// (100 ms growing to 2 s); on_subscribed runs after every (re)subscription, so
// the caller can catch up on what was published while it was away.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>

#include "gatekeeper/gate/policy.hpp"
#include "server/net.hpp"

namespace gk::server {

class RedisSubscriber : public std::enable_shared_from_this<RedisSubscriber> {
public:
    RedisSubscriber(asio::any_io_executor ex, gate::SharedState settings, std::string channel,
                    std::function<void(std::string_view)> on_message, std::function<void()> on_subscribed);
    void start();
    // Closes the connection and stops reconnecting (the event loop can then run out of work).
    void stop();

private:
    asio::awaitable<void> run();
    asio::awaitable<std::string> subscribe_and_listen();

    asio::any_io_executor ex_;
    gate::SharedState settings_;
    std::string channel_;
    std::function<void(std::string_view)> on_message_;
    std::function<void()> on_subscribed_;
    std::shared_ptr<tcp::socket> sock_;
    asio::steady_timer wait_;
    bool stopped_ = false;
};

}  // namespace gk::server
