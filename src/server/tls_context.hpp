#pragma once
// OpenSSL contexts with gatekeeper's defaults.
#include <memory>
#include <string>

#include "gatekeeper/gate/policy.hpp"
#include "server/net.hpp"

namespace gk::server {

// Server side: TLS 1.2 minimum, forward-secret AEAD suites, server
// preference, ALPN http/1.1; client certificates as `client_cert` says.
// Throws std::runtime_error naming the file.
std::unique_ptr<ssl::context> make_server_tls(const std::string& cert_file, const std::string& key_file,
                                              const gate::ClientCertSettings& client_cert = {});

// Client side for one upstream: system roots (+ ca_file), TLS 1.2 minimum.
std::unique_ptr<ssl::context> make_upstream_tls(const gate::Upstream& up);

}  // namespace gk::server
