#pragma once
// What the gate decided. Only server/decision_to_response turns this into bytes.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gatekeeper/gate/identity.hpp"
#include "gatekeeper/gate/route.hpp"
#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::gate {

enum class Verdict {
    allow,          // pass upstream with identity (or anonymous on a public route)
    challenge,      // 401 + WWW-Authenticate
    forbid,         // 403
    bad_request,    // 400
    not_found,      // 404: no route matches (deny by default)
    too_many,       // 429 + Retry-After
    unavailable,    // 503: a check could not run; fail closed
    redirect,       // 303 to the login page (a browser navigation without a valid session)
};

int status_of(Verdict) noexcept;
const char* to_string(Verdict) noexcept;

struct Decision {
    Verdict verdict = Verdict::not_found;
    const Route* route = nullptr;                  // null when no route matched
    std::optional<Identity> identity;              // set for allow (non-public) and forbid
    std::vector<httpauth::Challenge> challenges;   // for challenge, in route order
    std::string reason;                            // for the operator (logs, explain); never a secret
    std::string public_detail;                     // for the client body; never says why a password failed
    std::string scheme;                            // scheme that was presented, if any
    std::string presented_user;                    // a refused password attempt's user name, for the audit log
    int retry_after_seconds = 0;                   // for too_many
    std::string location;                          // for redirect: the login URL with the return URL
    std::string login_url;                         // for challenge on a session route: where a front end sends the user
    // A valid session whose last_seen is stale: the caller records the use
    // (hex SHA-256 of the session id), off the request's path.
    std::string touch_session;
    // Fields gatekeeper adds to the response the client gets (upstream's or its
    // own), e.g. Digest's Authentication-Info. Names are fixed strings.
    std::vector<std::pair<std::string, std::string>> response_headers;
};

}  // namespace gk::gate
