#pragma once
// API keys (gatekeeper's own, `gk_...`) against a route: the format and
// checksum first (a typo never reaches the store), then the store by the
// key's hash, expiry and revocation, then scopes and the route's users or
// groups. Answers are those of a Bearer token (RFC 6750), so clients handle
// both alike.
#include <string_view>

#include "gatekeeper/gate/gate.hpp"

namespace gk::gate::detail {

Decision check_api_key(const Policy& policy, const Route& route, const Request& req, std::string_view key,
                       const Directories& dirs, const SchemeContext& ctx);

}  // namespace gk::gate::detail
