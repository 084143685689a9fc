#pragma once
// OpenSSL contexts with gatekeeper's defaults.
#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "gatekeeper/gate/policy.hpp"
#include "server/net.hpp"

namespace gk::server {

struct SslCtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using UniqueSslCtx = std::unique_ptr<SSL_CTX, SslCtxFree>;

// Server side, for one listener: TLS 1.2 and 1.3 only; ECDHE with AEAD suites
// (AES-GCM, ChaCha20-Poly1305); X25519, P-256, P-384; server preference; no
// compression or renegotiation; ALPN http/1.1; no stateful session cache.
// No certificate: tls_listener.cpp adds those. Every server context of a
// listener (the front one and one per certificate) is made here, so a setting
// added here (e.g. client-certificate checks) applies to all. Throws std::runtime_error.
UniqueSslCtx new_server_ctx(const gate::Listener& l);

// Client side for one upstream: system roots (+ ca_file), TLS 1.2 minimum.
std::unique_ptr<ssl::context> make_upstream_tls(const gate::Upstream& up);

}  // namespace gk::server
