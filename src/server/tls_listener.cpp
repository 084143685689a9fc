#include "server/tls_listener.hpp"

#include <algorithm>
#include <stdexcept>

#include "server/tls_context.hpp"
#include "server/tls_ocsp.hpp"

namespace gk::server {
namespace {

// Called for every ClientHello, with or without SNI (OpenSSL >= 1.1.1).
int choose_certificate(SSL* ssl, int* alert, void* arg) {
    const auto* choices = static_cast<const ListenerTls::Choices*>(arg);
    const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    // TLS-ALPN-01 (acme_alpn.hpp): only for a client that offered acme-tls/1 for a host pending validation.
    if (sni && choices->acme_alpn && offers_acme_tls(ssl)) {
        if (SslCtxPtr challenge = choices->acme_alpn->find(sni)) {
            if (use_challenge_context(ssl, challenge)) return SSL_TLSEXT_ERR_OK;
            *alert = SSL_AD_INTERNAL_ERROR;
            return SSL_TLSEXT_ERR_ALERT_FATAL;
        }
    }
    SslCtxPtr chosen = choices->certs->pick(sni ? sni : "");
    // The SSL takes its own reference to `chosen`: the connection keeps it across a reload.
    if (!chosen || SSL_set_SSL_CTX(ssl, chosen.get()) != chosen.get()) {
        *alert = SSL_AD_INTERNAL_ERROR;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
}

ssl::context make_front(const gate::Listener& l, TicketKeyRing& tickets, ListenerTls::Choices& choices) {
    UniqueSslCtx ctx = new_server_ctx(l);
    use_ticket_keys(ctx.get(), tickets);
    // The ticket lifetime: a key decrypts for up to two periods, a ticket is good for one.
    SSL_CTX_set_timeout(ctx.get(), static_cast<long>(std::min<std::chrono::seconds>(
                                       l.ticket_key_rotation, std::chrono::hours(24 * 7)).count()));
    SSL_CTX_set_tlsext_servername_callback(ctx.get(), choose_certificate);
    SSL_CTX_set_tlsext_servername_arg(ctx.get(), &choices);
    if (choices.acme_alpn) note_acme_tls_offers(ctx.get());
    return ssl::context(ctx.release());
}

}  // namespace

ListenerTls::ListenerTls(const gate::Listener& l, std::shared_ptr<const AcmeAlpnCerts> acme_alpn)
    : config_(l),
      tickets_(l.ticket_key_rotation),
      certs_([this] {
          UniqueSslCtx c = new_server_ctx(config_);
          // Tickets are made and opened through the front context (OpenSSL's session
          // context), but the callback finds the ring through whichever context is current.
          use_ticket_keys(c.get(), tickets_);
          if (config_.ocsp_stapling) enable_ocsp_stapling(c.get());
          return SslCtxPtr(c.release(), SslCtxFree{});
      }),
      acme_alpn_(std::move(acme_alpn)),
      choices_{&certs_, acme_alpn_.get()},
      front_(make_front(config_, tickets_, choices_)) {
    if (config_.certificates.empty()) throw std::runtime_error("TLS listener without a certificate");
    for (const auto& c : config_.certificates) (void)certs_.add(c, true);
}

}  // namespace gk::server
