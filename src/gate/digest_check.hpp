#pragma once
// Digest (RFC 7616) credentials against a route: the whole check, cheap
// enough to run on the I/O thread (a few hashes and one map lookup).
#include "gatekeeper/gate/gate.hpp"

namespace gk::gate::detail {

Decision check_digest(const Policy& policy, const Route& route, const Request& req,
                      const httpauth::Credentials& creds, const Directories& dirs, const SchemeContext& ctx);

// True for well-formed Digest credentials with qop=auth-int.
bool wants_auth_int(const httpauth::Credentials& creds);

// The route's Digest challenges, one per configured algorithm; empty when
// Digest cannot run (no nonce issuer).
std::vector<httpauth::Challenge> digest_challenges(const Route& route, const Policy& policy,
                                                   const SchemeContext& ctx, bool stale);

}  // namespace gk::gate::detail
