#pragma once
// Finding the browser session a request carries, shared by the gate (routes
// that accept sessions) and gatekeeper's own pages (login, logout, authorize).
#include <chrono>
#include <string>

#include "gatekeeper/gate/credential_store.hpp"
#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/request.hpp"

namespace gk::gate {

struct SessionLookup {
    enum class Kind {
        none,     // no session cookie
        invalid,  // a cookie, but no live session (unknown, ended, expired, idle, duplicated, malformed)
        valid,
        unavailable,  // the store could not answer (fail closed: 503)
    };
    Kind kind = Kind::none;
    SessionRecord record;  // for valid
    std::string id_hash;   // for valid and invalid-but-well-formed cookies
    std::string reason;    // for the operator's log
};

// Cookie name by transport (see schemes/session.hpp), then the store, then
// the lifetime and idle checks. Does not look at the user.
SessionLookup lookup_session(const Policy& policy, const Request& req, const CredentialStore* store,
                             std::chrono::system_clock::time_point now);

// The login URL (policy.sessions.login_path) with this request as the return
// URL: a path when the login page is on the same origin, else an absolute URL.
std::string login_location(const Policy& policy, const Request& req);

}  // namespace gk::gate
