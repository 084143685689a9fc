#pragma once
// One client connection: read a head, check it, decide, answer or proxy; repeat
// while keep-alive holds. Beast's session shape with a deadline on every read.
#include <memory>
#include <string>

#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/request.hpp"
#include "server/net.hpp"
#include "server/worker.hpp"

namespace gk::server {

struct ConnInfo {
    asio::ip::address peer;
    std::string peer_text;
    bool tls = false;
    bool trusted = false;  // peer is a configured trusted proxy
    // Read once after the TLS handshake; null without one (server/client_cert).
    std::shared_ptr<const gate::ClientCertificate> client_cert;
    // The listener it came in on, as configured at start (listeners change
    // only at a restart); points into the start-time Policy, which the server
    // keeps for as long as it runs.
    const gate::Listener* listener = nullptr;
};

asio::awaitable<void> run_plain_session(Worker& w, tcp::socket socket, ConnInfo info);
asio::awaitable<void> run_tls_session(Worker& w, tcp::socket socket, ssl::context& ctx, ConnInfo info);

}  // namespace gk::server
