#pragma once
// A self-signed certificate for the demo's HTTPS listener (P-256, one year,
// SAN localhost/127.0.0.1/::1). Never for production: the README says so.
#include <string>

namespace gk::server {

// Writes cert and key PEM files (key mode 0600). Throws std::runtime_error.
void make_self_signed(const std::string& cert_file, const std::string& key_file);

}  // namespace gk::server
