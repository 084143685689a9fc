#pragma once
// What a session knows of its client connection, fixed at accept (and the
// TLS handshake): kept whole while the connection is parked between requests.
#include <memory>
#include <string>

#include "server/net.hpp"

namespace gk::gate {
struct ClientCertificate;
struct Listener;
}  // namespace gk::gate

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

}  // namespace gk::server
