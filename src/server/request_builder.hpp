#pragma once
// From a checked, parsed request head to the gate's view of the request: the
// normalized path (matched AND forwarded), the host without port, the client.
#include <string>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/request.hpp"
#include "server/net.hpp"

namespace gk::server {

struct ConnInfo;

// Error text is safe for the client (no echo of the input).
Result<gate::Request, std::string> build_gate_request(const http::request_header<>& h, const ConnInfo& info);

// "Example.COM:8080" -> "example.com"; "[::1]:80" -> "::1".
std::string host_without_port(std::string_view host);

}  // namespace gk::server
