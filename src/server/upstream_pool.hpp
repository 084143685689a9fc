#pragma once
// Keep-alive connections to upstreams, one pool per worker thread (no locks).
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gatekeeper/gate/policy.hpp"
#include "server/net.hpp"

namespace gk::server {

struct UpstreamConnection {
    std::optional<plain_stream> plain;
    std::optional<tls_stream> tls;
    beast::flat_buffer buffer;
    // Serialized heads of the current exchange; their capacity is reused.
    std::string request_head;
    std::string response_head;
    std::chrono::steady_clock::time_point idle_since;
    bool reused = false;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

class UpstreamPool {
public:
    // An idle connection to `name`, or nullptr.
    std::unique_ptr<UpstreamConnection> take(const std::string& name);
    void give_back(const std::string& name, std::unique_ptr<UpstreamConnection> c, std::size_t max_idle);
    void clear() { idle_.clear(); }

private:
    std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
};

// Opens a new connection (resolve, connect, TLS handshake with SNI and
// host-name verification). error_code set on failure; timeout ->
// beast::error::timeout.
asio::awaitable<std::pair<error_code, std::unique_ptr<UpstreamConnection>>> connect_upstream(
    const gate::Upstream& up, ssl::context& client_tls);

}  // namespace gk::server
