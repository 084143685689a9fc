#pragma once
// Header surgery on the way to and from the upstream (RFC 9110 7.6.1) and the
// identity headers gatekeeper owns.
#include <string>
#include <string_view>

#include "gatekeeper/gate/identity.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "server/net.hpp"

namespace gk::server {

// Removes the Connection header, every field it names, and the fixed hop-by-hop set.
void strip_hop_by_hop(http::fields& f);

// True for any header that claims an identity or rewrites the target: the
// configured identity header names plus the well-known families
// (X-Auth-Request-*, Remote-*, X-Forwarded-User, X-Original-URL, ...).
bool is_spoofable_header(std::string_view name, const gate::IdentityHeaders& configured);

// Removes all spoofable headers a client sent.
void strip_spoofable(http::fields& f, const gate::IdentityHeaders& configured);

// Removes gatekeeper's own cookies (name starting with `prefix` or `__Host-prefix`)
// from every Cookie header, dropping the header when nothing is left.
void strip_own_cookies(http::fields& f, std::string_view prefix);

// Adds the identity headers for an allowed request.
void set_identity_headers(http::fields& f, const gate::Identity& id, const gate::IdentityHeaders& names);

}  // namespace gk::server
