#pragma once
// /.gatekeeper/auth: the subrequest of nginx auth_request, Traefik/Caddy
// forward_auth and Envoy ext_authz (HTTP). Rebuilds the ORIGINAL request the
// proxy is asking about, so the same decision function runs on it.
#include <string>
#include <string_view>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/gate/request.hpp"

namespace gk::server {

inline constexpr std::string_view kForwardAuthPath = "/.gatekeeper/auth";

// `inbound` is the subrequest as received (path already normalized);
// `trusted` says whether the peer is a configured trusted proxy: only then are
// X-Original-* / X-Forwarded-* believed. Envoy appends the original path to
// the endpoint path, which is believed from anyone (it is the request itself).
Result<gate::Request, std::string> original_request(const gate::Request& inbound, bool trusted);

}  // namespace gk::server
