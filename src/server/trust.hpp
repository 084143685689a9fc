#pragma once
// Which peers are believed when they speak for someone else (X-Forwarded-*,
// X-Original-*): only the configured trusted proxies.
#include <string>
#include <vector>

#include "gatekeeper/gate/policy.hpp"
#include "server/net.hpp"

namespace gk::server {

bool is_trusted(const std::vector<gate::Cidr>& trusted, const asio::ip::address& peer);

}  // namespace gk::server
