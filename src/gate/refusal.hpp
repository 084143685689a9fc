#pragma once
// A 401 for a credential a scheme refused: the challenges to send again, why
// (for the operator's log) and what the client may read.
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/gate/decision.hpp"
#include "gatekeeper/gate/route.hpp"
#include "gatekeeper/httpauth/challenge.hpp"

namespace gk::gate::detail {

inline Decision refusal(const Route& route, std::string_view scheme, std::string reason, std::string public_detail,
                        std::vector<httpauth::Challenge> challenges) {
    Decision d;
    d.verdict = Verdict::challenge;
    d.route = &route;
    d.reason = std::move(reason);
    d.public_detail = std::move(public_detail);
    d.scheme = std::string(scheme);
    d.challenges = std::move(challenges);
    return d;
}

}  // namespace gk::gate::detail
