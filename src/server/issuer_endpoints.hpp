#pragma once
// gatekeeper's pages and OAuth endpoints: the login page and logout, the
// OAuth authorize/token/revoke/introspect endpoints, the JWKS and the
// authorization-server metadata. Synchronous and possibly slow (password
// hashes, database writes): the server runs them on the blocking pool.
#include <optional>
#include <string_view>

#include "gatekeeper/gate/attempts.hpp"
#include "gatekeeper/gate/request.hpp"
#include "server/access_log.hpp"
#include "server/audit_log.hpp"
#include "server/decision_response.hpp"
#include "server/issuer_service.hpp"
#include "server/runtime.hpp"

namespace gk::server {

// Paths whose POST body (a form) the server reads whole before calling
// issuer_endpoint, up to kMaxFormBody.
bool takes_form_body(std::string_view path);
inline constexpr std::size_t kMaxFormBody = 64 * 1024;

// nullopt: not one of these paths. `svc` may be null (no issuer database in
// this policy): the paths then answer 404.
// `attempts`: the brute-force counters (login passwords, client secrets);
// `audit`: where sign-ins and sign-outs are recorded (null: nowhere).
std::optional<string_response> issuer_endpoint(IssuerService* svc, const Runtime& rt,
                                               const gate::Request& req, unsigned version, AccessRecord& log,
                                               gate::AttemptStore* attempts, const AuditLog* audit);

}  // namespace gk::server
