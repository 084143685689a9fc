#pragma once
// Client certificates on a TLS listener (mutual TLS): the verification
// settings of its SSL_CTX, and what the certificate of one connection says,
// read once after the handshake into a pure gate::ClientCertificate.
#include <openssl/ssl.h>

#include <memory>

#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/request.hpp"

namespace gk::server {

// Ask for (request) or demand (require) client certificates chaining to
// s.ca_file, checking the leaf against the CRLs in s.crl_file. Nothing for
// mode off. Throws std::runtime_error naming the file that cannot be used.
//
// With `require` OpenSSL verifies during the handshake and a missing or
// invalid certificate ends it with an alert. With `request` the handshake
// takes any certificate the client proves it holds (the TLS CertificateVerify
// is still checked) and verification runs after it, so that the route can
// answer 401 and say why instead of a bare alert.
void configure_client_verify(SSL_CTX* ctx, const gate::ClientCertSettings& s);

// The client's certificate after a completed handshake, verified against
// the listener's client CAs and CRLs; null when none was presented.
std::shared_ptr<const gate::ClientCertificate> read_client_certificate(SSL* ssl);

}  // namespace gk::server
