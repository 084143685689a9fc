#pragma once
// Browser sessions against a route: find gatekeeper's session cookie, look
// the session up by the hash of its id, check its idle and absolute expiry,
// and map its user (from the login user source, so a disabled or deleted user
// loses every session at once) to an identity. Without a valid session, a
// browser navigation is sent to the login page and every other caller gets
// 401 with the login URL in the body.
#include <optional>
#include <string>

#include "gatekeeper/gate/gate.hpp"

namespace gk::gate::detail {

// A top-level navigation of a browser (it can follow a redirect to an HTML
// login page), as opposed to fetch/XHR/API callers, which must get a 401.
bool is_browser_navigation(const Request& req);

// A request made by a page's script (fetch/XHR: Fetch Metadata mode other
// than navigate, or X-Requested-With). A Basic or Digest challenge would make
// the browser hold it and ask for a password in its own dialog.
bool is_script_request(const Request& req);

// The one challenge of a route that only has browser sessions to offer (a
// 401 must carry one, RFC 9110 11.6.1); the login URL is in the body.
std::vector<httpauth::Challenge> session_challenges(const Route& route);

// nullopt: the request carries no session cookie (the caller goes on to say
// "no credentials"). Otherwise the decision for the presented session.
std::optional<Decision> check_session(const Policy& policy, const Route& route, const Request& req,
                                      const Directories& dirs, const SchemeContext& ctx);

// No usable credentials on a route that offers sessions: 303 to the login page
// for a browser navigation, else 401 with the challenges and the login URL.
Decision login_required(const Policy& policy, const Route& route, const Request& req,
                        const SchemeContext& ctx, std::string reason);

}  // namespace gk::gate::detail
