#pragma once
// Checks on a listener's certificate files at load time, so that a wrong key
// is a config error with file:line rather than a failure at the first handshake.
#include <optional>
#include <string>

namespace gk::config::detail {

// What is wrong with the pair (not PEM, no certificate, no key, key does not
// match the leaf), naming the file; nullopt when the pair is usable.
[[nodiscard]] std::optional<std::string> cert_key_problem(const std::string& cert_file, const std::string& key_file);

}  // namespace gk::config::detail
