#include "gatekeeper/gate/decision.hpp"

namespace gk::gate {

int status_of(Verdict v) noexcept {
    switch (v) {
        case Verdict::allow: return 200;
        case Verdict::challenge: return 401;
        case Verdict::forbid: return 403;
        case Verdict::bad_request: return 400;
        case Verdict::not_found: return 404;
        case Verdict::too_many: return 429;
        case Verdict::unavailable: return 503;
        case Verdict::redirect: return 303;
    }
    return 500;
}

const char* to_string(Verdict v) noexcept {
    switch (v) {
        case Verdict::allow: return "allow";
        case Verdict::challenge: return "challenge";
        case Verdict::forbid: return "forbid";
        case Verdict::bad_request: return "bad_request";
        case Verdict::not_found: return "not_found";
        case Verdict::too_many: return "too_many";
        case Verdict::unavailable: return "unavailable";
        case Verdict::redirect: return "redirect";
    }
    return "unknown";
}

}  // namespace gk::gate
