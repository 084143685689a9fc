#include "gate/api_key_check.hpp"

#include "gate/attempt_check.hpp"
#include "gate/bearer_check.hpp"
#include "gate/refusal.hpp"
#include "gatekeeper/schemes/api_key.hpp"

namespace gk::gate::detail {
namespace {

Decision refused(const Policy& policy, const Route& route, const SchemeContext& ctx, std::string_view why,
                 std::string reason) {
    return refusal(route, "apikey", std::move(reason), "The API key is not valid: " + std::string(why) + ".",
                   bearer_error_challenges(route, policy, ctx, schemes::BearerErrorCode::invalid_token, why));
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Decision check_key(const Policy& policy, const Route& route, const Request& req, std::string_view key,
                   const Directories& dirs, const SchemeContext& ctx) {
    if (auto ok = schemes::check_api_key(key); !ok)
        return refused(policy, route, ctx, "malformed key",
                       std::string("api key refused: ") + schemes::to_string(ok.error()));
    if (!ctx.credentials) {
        Decision d;
        d.verdict = Verdict::unavailable;
        d.route = &route;
        d.reason = "no API key store";
        d.public_detail = "The authentication service is temporarily unavailable.";
        d.scheme = "apikey";
        return d;
    }
    auto rec = ctx.credentials->find_api_key(schemes::api_key_hash(key));
    if (!rec) {
        Decision d;
        d.verdict = Verdict::unavailable;
        d.route = &route;
        d.reason = "API key store: " + rec.error();
        d.public_detail = "The authentication service is temporarily unavailable.";
        d.scheme = "apikey";
        return d;
    }
    // Unknown, revoked and expired keys get one answer: which of them it was
    // is for the operator's log only.
    if (!rec->has_value()) return refused(policy, route, ctx, "unknown key", "unknown api key");
    const auto& k = **rec;
    if (k.revoked) return refused(policy, route, ctx, "unknown key", "api key '" + k.name + "' is revoked");
    if (k.expires_at != 0 && unix_seconds(ctx.now) >= k.expires_at)
        return refused(policy, route, ctx, "unknown key", "api key '" + k.name + "' has expired");

    Identity id;
    id.scheme = "apikey";
    id.user = k.user.empty() ? k.name : k.user;
    id.scopes = k.scopes;
    // A key acting as a user carries that user's groups, and dies with the
    // user: a deleted or disabled user's keys stop working at once.
    const std::string& source = !route.user_source.empty() ? route.user_source : policy.sessions.user_source;
    if (!k.user.empty() && !source.empty()) {
        auto dir = dirs.find(source);
        auto found = dir == dirs.end() || !dir->second ? UserLookup(fail(std::string("not configured")))
                                                       : dir->second->find(k.user);
        if (!found) {
            Decision d;
            d.verdict = Verdict::unavailable;
            d.route = &route;
            d.reason = "user source '" + source + "' unavailable: " + found.error();
            d.public_detail = "The authentication service is temporarily unavailable.";
            d.scheme = "apikey";
            return d;
        }
        const auto& u = found.value();
        if (!u || u->disabled)
            return refused(policy, route, ctx, "unknown key",
                           "api key '" + k.name + "': user '" + k.user + "' is gone or disabled");
        id.email = u->email;
        id.groups = u->groups;
    }
    auto d = authorize_scoped(policy, route, req, std::move(id), ctx);
    d.scheme = "apikey";
    return d;
}

}  // namespace

Decision check_api_key(const Policy& policy, const Route& route, const Request& req, std::string_view key,
                       const Directories& dirs, const SchemeContext& ctx) {
    // Keys name nobody until found: guessing counts against the address only.
    const Attempt who{req.client_address, {}};
    if (auto refused = refuse_if_locked(policy, route, who, ctx, "apikey")) return std::move(*refused);
    auto d = check_key(policy, route, req, key, dirs, ctx);
    if (d.verdict == Verdict::challenge) count_failure(policy, route, who, ctx);
    return d;
}

}  // namespace gk::gate::detail
