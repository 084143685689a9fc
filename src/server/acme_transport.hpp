#pragma once
// The ACME core's transport over gatekeeper's outbound HTTP client
// (http_client.hpp): one verified connection per request, the roots from
// acme.ca_file or the system's, a deadline per exchange, a bounded body.
#include <string>

#include "gatekeeper/acme/client.hpp"

namespace gk::server {

// Roots that cannot be loaded fail the first request (a logged, retried failure).
acme::Transport make_acme_transport(const std::string& ca_file);

}  // namespace gk::server
