#pragma once
// One client connection: read a head, check it, decide, answer or proxy; repeat
// while keep-alive holds. Beast's session shape with a deadline on every read.
#include <memory>
#include <string>

#include "gatekeeper/gate/policy.hpp"
#include "gatekeeper/gate/request.hpp"
#include "server/conn_info.hpp"
#include "server/net.hpp"
#include "server/worker.hpp"

namespace gk::server {

// Starts a session on `w`'s thread for an accepted connection (TLS when `tls`
// is set) that holds a connection slot; the slot is given back when the
// connection closes, not when it parks (idle_park.hpp).
void spawn_session(Worker& w, tcp::socket socket, ssl::context* tls, ConnInfo info);

}  // namespace gk::server
