#include "server/tls_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

#include "server/client_cert.hpp"

namespace gk::server {
namespace {

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void*) {
    static const unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char* sel = nullptr;
    if (SSL_select_next_proto(&sel, outlen, http11, sizeof http11, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
}

// A resumed session keeps the client's leaf certificate but not the chain it
// sent, and client_cert.cpp checks that chain on every connection: with client
// certificates on, every handshake is a full one, or a certificate issued
// through an intermediate CA would be refused on resumption.
bool resumes(const gate::Listener& l) {
    return l.session_tickets && l.client_cert.mode == gate::ClientCertSettings::Mode::off;
}

}  // namespace

UniqueSslCtx new_server_ctx(const gate::Listener& l) {
    UniqueSslCtx ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) throw std::runtime_error("SSL_CTX_new failed");
    SSL_CTX* c = ctx.get();
    // Graders (testssl, SSL Labs) and Mozilla's "intermediate" profile agree on this set.
    const bool ok =
        SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) == 1 && SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) == 1 &&
        SSL_CTX_set_cipher_list(c,
                                "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") == 1 &&
        SSL_CTX_set_ciphersuites(c, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") == 1 &&
        SSL_CTX_set1_groups_list(c, "X25519:P-256:P-384") == 1;
    if (!ok) throw std::runtime_error("cannot set the TLS protocol versions, suites or groups");
    // PRIORITIZE_CHACHA: server order, except that a client preferring ChaCha (no AES hardware) gets it.
    SSL_CTX_set_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_NO_COMPRESSION | (resumes(l) ? 0 : SSL_OP_NO_TICKET));
    if (!resumes(l)) SSL_CTX_set_num_tickets(c, 0);  // TLS 1.3 would still send stateful ones
    // Resumption is by ticket only (tls_ticket_keys.hpp): no per-session state in the server.
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    // The same id on every context of the listener, so a ticket stays good after SNI switches context.
    static const unsigned char sid_ctx[] = "gatekeeper";
    SSL_CTX_set_session_id_context(c, sid_ctx, sizeof sid_ctx - 1);
    SSL_CTX_set_alpn_select_cb(c, select_alpn, nullptr);
    configure_client_verify(c, l.client_cert);
    return ctx;
}

std::unique_ptr<ssl::context> make_upstream_tls(const gate::Upstream& up) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_default_verify_paths();
    if (!up.ca_file.empty()) {
        boost::system::error_code ec;
        ctx->load_verify_file(up.ca_file, ec);
        if (ec) throw std::runtime_error("cannot load CA file " + up.ca_file + ": " + ec.message());
    }
    return ctx;
}

}  // namespace gk::server
