#include "gate/attempt_check.hpp"

namespace gk::gate::detail {

std::optional<Decision> refuse_if_locked(const Policy& policy, const Route& route, const Attempt& who,
                                         const SchemeContext& ctx, std::string_view scheme) {
    const auto g = check_attempt(ctx.attempts, policy.brute_force_for(route), who, ctx.now);
    if (g.kind == AttemptGate::Kind::go) return std::nullopt;
    Decision d;
    d.route = &route;
    d.scheme = std::string(scheme);
    d.reason = g.reason;
    d.presented_user = std::string(who.user);
    if (g.kind == AttemptGate::Kind::locked) {
        d.verdict = Verdict::too_many;
        d.retry_after_seconds = g.retry_after_seconds;
        d.public_detail = "Too many failed attempts. Retry after " + std::to_string(g.retry_after_seconds) +
                          (g.retry_after_seconds == 1 ? " second." : " seconds.");
    } else {
        d.verdict = Verdict::unavailable;
        d.retry_after_seconds = 1;
        d.public_detail = "The authentication service is temporarily unavailable.";
    }
    return d;
}

void count_failure(const Policy& policy, const Route& route, const Attempt& who, const SchemeContext& ctx) {
    record_failure(ctx.attempts, policy.brute_force_for(route), who, ctx.now);
}

void count_success(const Attempt& who, const SchemeContext& ctx) { record_success(ctx.attempts, who); }

}  // namespace gk::gate::detail
