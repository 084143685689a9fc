#pragma once
// The brute-force counters as the schemes use them: ask before checking a
// credential, then tell how it went.
#include <optional>
#include <string>

#include "gatekeeper/gate/gate.hpp"

namespace gk::gate::detail {

// A 429 (locked) or 503 (counters unavailable: fail closed) decision, or
// nullopt when the credential may be checked.
std::optional<Decision> refuse_if_locked(const Policy& policy, const Route& route, const Attempt& who,
                                         const SchemeContext& ctx, std::string_view scheme);
void count_failure(const Policy& policy, const Route& route, const Attempt& who, const SchemeContext& ctx);
void count_success(const Attempt& who, const SchemeContext& ctx);

}  // namespace gk::gate::detail
