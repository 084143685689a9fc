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

}  // namespace

std::unique_ptr<ssl::context> make_server_tls(const std::string& cert_file, const std::string& key_file,
                                              const gate::ClientCertSettings& client_cert) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_cipher_list(native,
                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
    SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec) throw std::runtime_error("cannot load TLS certificate " + cert_file + ": " + ec.message());
    ctx->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load TLS key " + key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(native) != 1)
        throw std::runtime_error("TLS key " + key_file + " does not match certificate " + cert_file);
    configure_client_verify(native, client_cert);
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
