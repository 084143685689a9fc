#pragma once
// Everything TLS of one HTTPS listener: the front context every connection
// starts with, the certificate set SNI picks from (reloaded on change), and
// the session ticket keys all workers share.
#include <chrono>
#include <memory>
#include <vector>

#include "gatekeeper/gate/policy.hpp"
#include "server/acme_alpn.hpp"
#include "server/net.hpp"
#include "server/tls_cert_set.hpp"
#include "server/tls_ticket_keys.hpp"

namespace gk::server {

class ListenerTls {
public:
    // Loads the configured certificates; throws std::runtime_error naming a file that cannot load.
    // With `acme_alpn`, handshakes offering acme-tls/1 may get a pending TLS-ALPN-01 certificate.
    explicit ListenerTls(const gate::Listener& l, std::shared_ptr<const AcmeAlpnCerts> acme_alpn = nullptr);
    ListenerTls(const ListenerTls&) = delete;
    ListenerTls& operator=(const ListenerTls&) = delete;

    // Stable for the listener's life. It holds no certificate: the server-name
    // callback switches each handshake to the chosen certificate's context.
    [[nodiscard]] ssl::context& context() { return front_; }
    // Entries besides the configured ones (e.g. ACME's) go in through add().
    [[nodiscard]] CertSet& certificates() { return certs_; }

    // What the server-name callback chooses from.
    struct Choices {
        const CertSet* certs;
        const AcmeAlpnCerts* acme_alpn;  // null: no TLS-ALPN-01
    };

private:
    gate::Listener config_;
    TicketKeyRing tickets_;
    CertSet certs_;
    std::shared_ptr<const AcmeAlpnCerts> acme_alpn_;
    Choices choices_;
    ssl::context front_;
};

}  // namespace gk::server
