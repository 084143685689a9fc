#pragma once
// Bearer (RFC 6750) against a route: find the token, verify it with the keys
// of a trusted issuer (or find it in the verified-token cache), map its claims
// to an identity, check scopes, and answer each failure with the RFC 6750
// status and error code.
#include <optional>
#include <string_view>

#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/schemes/bearer.hpp"

namespace gk::gate::detail {

// The route's challenges with its Bearer one carrying `error` (and for
// insufficient_scope the `scope` it needs).
std::vector<httpauth::Challenge> bearer_error_challenges(const Route& route, const Policy& policy,
                                                         const SchemeContext& ctx, schemes::BearerErrorCode error,
                                                         std::string_view description, std::string_view scope = {});

// Scopes first (RFC 6750 insufficient_scope), then the route's users/groups.
// Shared by JWTs and API keys, which answer alike.
Decision authorize_scoped(const Policy& policy, const Route& route, const Request& req, Identity id,
                          const SchemeContext& ctx);

Decision check_bearer(const Policy& policy, const Route& route, const Request& req, std::string_view token,
                      const SchemeContext& ctx);

}  // namespace gk::gate::detail
