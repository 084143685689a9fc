#pragma once
// TLS-ALPN-01 on the HTTPS listeners (RFC 8737): the validation certificates
// pending now, by host, and the handshake hooks that show one only to a
// client offering "acme-tls/1" for that host.
//
// A handshake goes (OpenSSL 3 order): the client-hello callback notes whether
// acme-tls/1 is among the offered protocols; the server-name callback
// (tls_listener.cpp) switches to the challenge's context when it was offered
// and a certificate is pending for the SNI name, else to the normal
// certificate; ALPN is then selected by whichever context was chosen: the
// challenge context selects acme-tls/1 only, the normal ones http/1.1 only.
// The session closes an acme-tls/1 connection right after the handshake
// (section 3: no application data). A client that does not offer acme-tls/1
// never sees a challenge certificate, and one that offers it when nothing is
// pending gets the normal certificate and no acme-tls/1.
#include <openssl/ssl.h>

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "gatekeeper/acme/tls_alpn.hpp"
#include "gatekeeper/common/result.hpp"
#include "server/tls_cert_set.hpp"

namespace gk::server {

// Filled by the ACME service while a tls-alpn-01 authorization is pending
// (put before the CA is told to look, removed once it is valid or failed),
// read by every handshake.
class AcmeAlpnCerts {
public:
    // Builds the context serving `cert` for `host` (replacing one pending for
    // it); the error says which step failed.
    Result<Ok, std::string> put(const std::string& host, const acme::TlsAlpnCertificate& cert);
    void remove(const std::string& host);
    // The context for a handshake naming `sni` (case-insensitive, a trailing
    // dot ignored); null when nothing is pending for it.
    [[nodiscard]] SslCtxPtr find(std::string_view sni) const;

private:
    mutable std::mutex mu_;
    std::map<std::string, SslCtxPtr, std::less<>> pending_;
};

// On a listener's front context: the client-hello callback behind offers_acme_tls().
void note_acme_tls_offers(SSL_CTX* front);
// From the server-name callback on: whether the client offered acme-tls/1.
[[nodiscard]] bool offers_acme_tls(SSL* ssl);
// Switches a handshake to a challenge context (no client certificate asked,
// no session ticket issued). False when OpenSSL refuses.
[[nodiscard]] bool use_challenge_context(SSL* ssl, const SslCtxPtr& ctx);
// After the handshake: acme-tls/1 was selected, so the connection was a validation only.
[[nodiscard]] bool selected_acme_tls(const SSL* ssl);

}  // namespace gk::server
