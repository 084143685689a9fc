#pragma once
// HTTPS by default, at the edge: runs gate::check_transport for each request
// before anything else looks at it, and turns its verdict into the 308
// redirect, the 403 for a credential sent in clear text (with its warning and
// audit event), or the ACME HTTP-01 answer. Also Strict-Transport-Security
// for secure responses, and the start-up warnings about plain listeners.
#include <optional>
#include <string>

#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/request.hpp"
#include "server/access_log.hpp"
#include "server/decision_response.hpp"

namespace gk::server {

struct ConnInfo;
struct Worker;

// nullopt: process the request. Otherwise the whole answer to it; `log` says
// why. Nothing of a refused credential reaches a decision, cache, counter or
// upstream: the request ends here.
std::optional<string_response> transport_response(Worker& w, const gate::Policy& policy, const ConnInfo& info,
                                                  const gate::Request& req, unsigned version,
                                                  AccessRecord& log);

// Strict-Transport-Security on a response to a secure request (RFC 6797 7.2:
// never over plain HTTP), unless the response has one already.
void add_hsts(string_response& res, const gate::Policy& policy, bool secure);

// "address:port" as a log names a listener ("[::]:80" for IPv6).
std::string listener_name(const gate::Listener& l);

// One warning per plain listener that accepts credentials in clear text
// (`insecure: true`), and one per `insecure: true` that changes nothing
// (loopback). At every start and reload.
void warn_about_plain_listeners(const gate::Policy& policy);

}  // namespace gk::server
