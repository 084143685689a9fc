// brute_force: failure limits per client address and per user name, the
// sliding window they count in and the lock-out that follows. At the top
// level for every route; a route's own `brute_force:` overrides single keys.
#include "config/sections.hpp"

namespace gk::config::detail {
namespace {

constexpr auto kMaxWindow = std::chrono::hours(24);

}  // namespace

void read_brute_force(Ctx& ctx, const Field& f, gate::AttemptLimits& limits) {
    if (!expect_map(ctx, f)) return;
    Fields fields(ctx, f.value, {"per_address", "per_user", "window", "lockout", "max_lockout"});
    if (auto* x = fields.get("per_address"))
        if (auto n = read_uint(ctx, *x, 0, 1'000'000)) limits.per_address = static_cast<unsigned>(*n);
    if (auto* x = fields.get("per_user"))
        if (auto n = read_uint(ctx, *x, 0, 1'000'000)) limits.per_user = static_cast<unsigned>(*n);
    if (auto* x = fields.get("window")) {
        if (auto d = read_duration(ctx, *x)) {
            if (*d < std::chrono::seconds(1) || *d > kMaxWindow)
                ctx.error(x->mark(), "'window' must be between 1s and 24h");
            else limits.window = std::chrono::duration_cast<std::chrono::seconds>(*d);
        }
    }
    if (auto* x = fields.get("max_lockout")) {
        if (auto d = read_duration(ctx, *x)) {
            if (*d < std::chrono::seconds(1) || *d > kMaxWindow)
                ctx.error(x->mark(), "'max_lockout' must be between 1s and 24h");
            else limits.max_lockout = std::chrono::duration_cast<std::chrono::seconds>(*d);
        }
    }
    if (auto* x = fields.get("lockout")) {
        if (auto d = read_duration(ctx, *x)) {
            if (*d > limits.max_lockout)
                ctx.error(x->mark(), "'lockout' is longer than 'max_lockout'",
                          "the first lock-out doubles with each further failure up to max_lockout");
            else limits.first_lockout = *d;
        }
    }
}

}  // namespace gk::config::detail
