#pragma once
// What gatekeeper's own outbound clients share (https_get for JWKS and
// discovery, http_client for gk::client): address checks, TLS peer-name
// checks and error texts.
#include <openssl/ssl.h>

#include <string>
#include <string_view>

#include "server/net.hpp"

namespace gk::server {

bool is_ip_literal(const std::string& host);

// "<step>: timed out" or "<step>: <message>".
std::string io_failure(std::string_view step, const error_code& ec);

// Sets the name the peer certificate must match: the IP for an address,
// else the host name with OpenSSL's own RFC 6125 matching (no partial
// wildcards), so a mismatch is reported as such rather than as a generic
// verify failure. False when OpenSSL refuses.
bool require_peer_name(SSL* ssl, const std::string& host);

}  // namespace gk::server
