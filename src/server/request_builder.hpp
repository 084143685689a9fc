#pragma once
// From a checked, parsed request head to the gate's view of the request: the
// normalized path (matched AND forwarded), the host without port, the client.
#include <string>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/request.hpp"
#include "server/net.hpp"

namespace gk::server {

struct ConnInfo;

// Error text is safe for the client (no echo of the input). The client
// address is the peer's, or, when the peer is a trusted proxy, the first
// untrusted hop of X-Forwarded-For counted from the right.
Result<gate::Request, std::string> build_gate_request(const http::request_header<>& h, const ConnInfo& info,
                                                      const std::vector<gate::Cidr>& trusted_proxies);

// "Example.COM:8080" -> "example.com"; "[::1]:80" -> "::1".
std::string host_without_port(std::string_view host);

}  // namespace gk::server
