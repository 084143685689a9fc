#pragma once
// The one place where a gate Decision becomes HTTP: status, WWW-Authenticate,
// Cache-Control, Retry-After and a short body chosen by Accept.
#include <string>
#include <string_view>

#include "gatekeeper/gate/decision.hpp"
#include "server/net.hpp"

namespace gk::server {

using string_response = http::response<http::string_body>;

// problem+json (RFC 9457) unless the client prefers text/html.
bool prefers_html(std::string_view accept);

string_response decision_response(const gate::Decision& d, std::string_view accept, unsigned version);

// A plain error for the HTTP layer (400, 408, 413, 431, 502, 504, ...).
string_response error_response(http::status status, std::string_view detail, std::string_view accept,
                               unsigned version);

std::string json_escape(std::string_view s);

}  // namespace gk::server
