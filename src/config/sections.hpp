#pragma once
// One reader per top-level key of the config file. Each fills its part of the
// policy and reports every problem it finds into ctx; none stops at the first.
#include "config/context.hpp"
#include "gatekeeper/gate/policy.hpp"

namespace gk::config::detail {

void read_server(Ctx& ctx, const Field& f, gate::Policy& policy);
void read_listeners(Ctx& ctx, const Field& f, gate::Policy& policy);
void read_upstreams(Ctx& ctx, const Field& f, gate::Policy& policy);
void read_users(Ctx& ctx, const Field& f, gate::Policy& policy);
void read_identity_headers(Ctx& ctx, const Field& f, gate::Policy& policy);
void read_digest(Ctx& ctx, const Field& f, gate::Policy& policy);
void read_issuers(Ctx& ctx, const Field& f, gate::Policy& policy);
void read_bearer(Ctx& ctx, const Field& f, gate::Policy& policy);
// Needs users (sessions name a user source) and issuers (oauth adds its own).
void read_oauth(Ctx& ctx, const Field& f, gate::Policy& policy);
void read_sessions(Ctx& ctx, const Field& f, gate::Policy& policy);
void read_mtls(Ctx& ctx, const Field& f, gate::Policy& policy);
// Top level, and per route on top of the top level's values.
void read_brute_force(Ctx& ctx, const Field& f, gate::AttemptLimits& limits);
void read_static(Ctx& ctx, const Field& f, gate::StaticFiles& out);
// acme: automatic certificates (acme_section.cpp).
void read_acme(Ctx& ctx, const Field& f, gate::Policy& policy);
// state: shared with other instances (state_section.cpp).
void read_state(Ctx& ctx, const Field& f, gate::Policy& policy);
// Needs upstreams, users and issuers read first: routes refer to them by name.
void read_routes(Ctx& ctx, const Field& f, gate::Policy& policy);

}  // namespace gk::config::detail
