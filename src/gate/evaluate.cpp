// The decision table of DESIGN.md, for the schemes this build offers.
#include <algorithm>

#include "gate/api_key_check.hpp"
#include "gate/attempt_check.hpp"
#include "gate/bearer_check.hpp"
#include "gate/digest_check.hpp"
#include "gate/mtls_check.hpp"
#include "gate/session_check.hpp"
#include "gatekeeper/gate/gate.hpp"
#include "gatekeeper/httpauth/challenge.hpp"
#include "gatekeeper/password/hash.hpp"
#include "gatekeeper/schemes/api_key.hpp"
#include "gatekeeper/schemes/basic.hpp"
#include "gatekeeper/schemes/bearer.hpp"

namespace gk::gate {
namespace {

constexpr std::string_view kUnauthorizedDetail = "Authentication is required to access this resource.";

bool accepts(const Route& r, SchemeKind k) {
    return std::find(r.schemes.begin(), r.schemes.end(), k) != r.schemes.end();
}

// Challenges need the policy (Digest algorithms) and the context (nonces).
struct Maker {
    const Policy& policy;
    const SchemeContext& ctx;
    Decision operator()(Verdict v, const Route* route, std::string reason, std::string detail = {}) const {
        Decision d;
        d.verdict = v;
        d.route = route;
        d.reason = std::move(reason);
        d.public_detail = std::move(detail);
        if (route && v == Verdict::challenge) d.challenges = challenges_for(*route, policy, ctx);
        // RFC 6750 3.1: a malformed request on a Bearer route says invalid_request.
        if (route && v == Verdict::bad_request && accepts(*route, SchemeKind::bearer))
            d.challenges = detail::bearer_error_challenges(*route, policy, ctx,
                                                           schemes::BearerErrorCode::invalid_request,
                                                           "malformed request");
        return d;
    }
};

bool is_cors_preflight(const Request& req) {
    return req.method == "OPTIONS" && req.get("Access-Control-Request-Method").has_value() &&
           req.get("Origin").has_value();
}

}  // namespace

std::vector<httpauth::Challenge> challenges_for(const Route& route, const Policy& policy, const SchemeContext& ctx,
                                                bool stale) {
    std::vector<httpauth::Challenge> out;
    for (auto k : route.schemes) {
        if (k == SchemeKind::basic) out.push_back(schemes::basic_challenge(route.realm));
        if (k == SchemeKind::digest)
            for (auto& c : detail::digest_challenges(route, policy, ctx, stale)) out.push_back(std::move(c));
        // API keys travel as Bearer credentials: one Bearer challenge serves both.
        if (k == SchemeKind::bearer || (k == SchemeKind::apikey && !accepts(route, SchemeKind::bearer)))
            out.push_back(schemes::bearer_challenge(route.realm));
        if (k == SchemeKind::mtls) out.push_back(detail::mtls_challenge(route));
    }
    // A 401 must carry a challenge (RFC 9110 11.6.1). A route that only has
    // browser sessions (and maybe certificates) names its own scheme; the
    // login URL is in the body.
    const bool only_certificates = std::all_of(out.begin(), out.end(), [](const httpauth::Challenge& c) {
        return httpauth::iequals(c.scheme, "ClientCertificate");
    });
    if (only_certificates && accepts(route, SchemeKind::session))
        for (auto& c : detail::session_challenges(route)) out.push_back(std::move(c));
    return out;
}

bool needs_request_body(const Policy& policy, const Request& req) {
    if (!policy.digest.auth_int || req.count("Authorization") != 1) return false;
    const Route* route = match_route(policy, req);
    if (!route || route->require.kind == RequireKind::public_access || !accepts(*route, SchemeKind::digest))
        return false;
    auto creds = httpauth::parse_credentials(*req.get("Authorization"));
    return creds && httpauth::iequals(creds->scheme, "Digest") && detail::wants_auth_int(*creds);
}

Evaluation evaluate(const Policy& policy, const Request& req, const Directories& dirs, const SchemeContext& ctx) {
    const Maker make{policy, ctx};
    Evaluation ev;
    const Route* route = match_route(policy, req);
    ev.route = route;
    if (!route) {
        ev.decision = make(Verdict::not_found, nullptr, "no route matches", "No route matches this request.");
        return ev;
    }
    if (route->require.kind == RequireKind::public_access) {
        ev.decision = make(Verdict::allow, route, "public route");
        return ev;
    }
    if (route->allow_cors_preflight && is_cors_preflight(req)) {
        ev.decision = make(Verdict::allow, route, "CORS preflight passes unauthenticated");
        return ev;
    }

    // Authorization is a singleton field (RFC 9110 5.3): two of them are ambiguous.
    const auto n_auth = req.count("Authorization");
    if (n_auth > 1) {
        ev.decision = make(Verdict::bad_request, route, "more than one Authorization header",
                           "The request carries more than one Authorization header.");
        return ev;
    }
    // RFC 6750 2.3: a token in the query only where the route allows it, and
    // never together with another credential.
    if (accepts(*route, SchemeKind::bearer)) {
        if (auto qt = schemes::query_access_token(req.query)) {
            std::string why;
            if (!route->bearer_query_token) why = "access_token in the query string is not accepted on this route";
            else if (n_auth > 0) why = "a token in both the Authorization header and the query string";
            else if (qt->duplicate) why = "more than one access_token in the query string";
            else if (qt->malformed) why = "the access_token in the query string is malformed";
            if (!why.empty()) {
                ev.decision = make(Verdict::bad_request, route, why, "The request is malformed: " + why + ".");
                ev.decision->scheme = "bearer";
                return ev;
            }
            ev.decision = detail::check_bearer(policy, *route, req, qt->token, ctx);
            return ev;
        }
    }
    // X-API-Key (where the route names such a header): one key, and no second credential beside it.
    if (accepts(*route, SchemeKind::apikey) && !route->api_key_header.empty()) {
        const auto n_keys = req.count(route->api_key_header);
        if (n_keys > 0) {
            std::string why;
            if (n_keys > 1) why = "more than one " + route->api_key_header + " header";
            else if (n_auth > 0) why = "both an Authorization and an " + route->api_key_header + " header";
            if (!why.empty()) {
                ev.decision = make(Verdict::bad_request, route, why, "The request is malformed: " + why + ".");
                ev.decision->scheme = "apikey";
                return ev;
            }
            ev.decision = detail::check_api_key(policy, *route, req, *req.get(route->api_key_header), dirs, ctx);
            return ev;
        }
    }
    if (n_auth == 0) {
        // The credentials that come without an Authorization header, in the
        // route's order: the connection's client certificate and the session
        // cookie. The first that identifies wins (or could not be checked:
        // 503); otherwise the first refusal answers, since it says why.
        std::optional<Decision> refused;
        for (auto k : route->schemes) {
            std::optional<Decision> d;
            if (k == SchemeKind::mtls && req.client_cert) d = detail::check_mtls(policy, *route, req, ctx);
            if (k == SchemeKind::session) d = detail::check_session(policy, *route, req, dirs, ctx);
            if (!d) continue;
            if (d->verdict != Verdict::challenge && d->verdict != Verdict::redirect) {
                ev.decision = std::move(d);
                return ev;
            }
            if (!refused) refused = std::move(d);
        }
        // A certificate-only route says so: "no credentials" would not tell what to send.
        if (!refused && route->schemes.size() == 1 && route->schemes.front() == SchemeKind::mtls)
            refused = detail::check_mtls(policy, *route, req, ctx);
        ev.decision = refused ? std::move(*refused) : detail::login_required(policy, *route, req, ctx, "no credentials");
        return ev;
    }

    auto creds = httpauth::parse_credentials(*req.get("Authorization"));
    if (!creds) {
        ev.decision = make(Verdict::bad_request, route,
                           std::string("malformed Authorization header: ") + httpauth::to_string(creds.error()),
                           "The Authorization header is malformed.");
        return ev;
    }
    // "Bearermf_9": the space after the scheme went missing (RFC 6750 2.1), not an unknown scheme.
    const bool takes_bearer = accepts(*route, SchemeKind::bearer) || accepts(*route, SchemeKind::apikey);
    if (takes_bearer && creds->scheme.size() > 6 && !creds->token68 && creds->params.empty() &&
        httpauth::iequals(std::string_view(creds->scheme).substr(0, 6), "Bearer")) {
        ev.decision = make(Verdict::bad_request, route, "malformed Bearer credentials: no space after the scheme",
                           "The Bearer credentials are malformed.");
        ev.decision->scheme = "bearer";
        return ev;
    }
    if (httpauth::iequals(creds->scheme, "Bearer") && takes_bearer) {
        auto token = schemes::bearer_token(*creds);
        if (!token) {
            ev.decision = make(Verdict::bad_request, route,
                               std::string("malformed Bearer credentials: ") + schemes::to_string(token.error()),
                               "The Bearer credentials are malformed.");
            ev.decision->scheme = "bearer";
            return ev;
        }
        const bool as_key = accepts(*route, SchemeKind::apikey) &&
                            (schemes::looks_like_api_key(*token) || !accepts(*route, SchemeKind::bearer));
        ev.decision = as_key ? detail::check_api_key(policy, *route, req, *token, dirs, ctx)
                             : detail::check_bearer(policy, *route, req, *token, ctx);
        return ev;
    }
    if (httpauth::iequals(creds->scheme, "Digest") && accepts(*route, SchemeKind::digest)) {
        ev.decision = detail::check_digest(policy, *route, req, *creds, dirs, ctx);
        return ev;
    }
    if (httpauth::iequals(creds->scheme, "Basic")) {
        if (!accepts(*route, SchemeKind::basic)) {
            ev.decision = make(Verdict::challenge, route, "scheme Basic is not accepted on this route",
                               std::string(kUnauthorizedDetail));
            ev.decision->scheme = "basic";
            return ev;
        }
        auto basic = schemes::decode_basic(*creds);
        if (!basic) {
            ev.decision = make(Verdict::bad_request, route,
                               std::string("malformed Basic credentials: ") + schemes::to_string(basic.error()),
                               "The Basic credentials are malformed.");
            ev.decision->scheme = "basic";
            return ev;
        }
        auto dir = dirs.find(route->user_source);
        auto found = dir == dirs.end() || !dir->second ? UserLookup(fail(std::string("not configured")))
                                                       : dir->second->find(basic->user);
        if (!found) {
            ev.decision = make(Verdict::unavailable, route,
                               "user source '" + route->user_source + "' unavailable: " + found.error(),
                               "The authentication service is temporarily unavailable.");
            ev.decision->scheme = "basic";
            return ev;
        }
        // Locked out: refused before the password is even looked at, so the
        // answer tells nothing about it and costs no hashing.
        auto refused = detail::refuse_if_locked(policy, *route, {req.client_address, basic->user}, ctx, "basic");
        // Counters down: a known user's credential may still pass on the
        // caller's cache alone (a verified credential until its bound).
        const bool cache_may_pass = refused && refused->verdict == Verdict::unavailable && found.value();
        if (refused && !cache_may_pass) {
            ev.decision = std::move(*refused);
            return ev;
        }
        PasswordCheck check;
        if (cache_may_pass) check.unless_cached = std::move(*refused);
        check.client_address = req.client_address;
        check.user = basic->user;
        check.password = std::move(basic->password);
        check.record = std::move(found).value();
        // An unknown user is verified against a dummy hash of the same format
        // and cost as the source's users, so timing does not reveal who exists.
        check.stored_hash = check.record ? check.record->password_hash : dir->second->dummy_hash();
        ev.check = std::move(check);
        return ev;
    }
    ev.decision = make(Verdict::challenge, route, "scheme '" + creds->scheme + "' is not accepted on this route",
                       std::string(kUnauthorizedDetail));
    return ev;
}

Decision finish_password_check(const Route& route, const PasswordCheck& check, bool verified, const Policy& policy,
                               const SchemeContext& ctx) {
    const Maker make{policy, ctx};
    const Attempt who{check.client_address, check.user};
    if (check.unless_cached) {
        // The counters are down: nothing is counted, and only a cached verification passes.
        if (!verified || !check.record || check.record->disabled) return *check.unless_cached;
    } else if (!check.record || !verified || check.record->disabled) {
        detail::count_failure(policy, route, who, ctx);
    } else {
        detail::count_success(who, ctx);
    }
    if (!check.record || !verified || check.record->disabled) {
        auto d = make(Verdict::challenge, &route,
                      !check.record ? "unknown user" : !verified ? "wrong password" : "user disabled",
                      std::string(kUnauthorizedDetail));
        d.scheme = check.scheme;
        d.presented_user = check.user;
        return d;
    }
    Identity id;
    id.user = check.record->name;
    id.email = check.record->email;
    id.groups = check.record->groups;
    id.scheme = check.scheme;
    return authorize(route, std::move(id));
}

Decision authorize(const Route& route, Identity identity) {
    Decision d;
    d.route = &route;
    d.scheme = identity.scheme;
    bool allowed = false;
    switch (route.require.kind) {
        case RequireKind::public_access:
        case RequireKind::authenticated:
            allowed = true;
            d.reason = "authenticated";
            break;
        case RequireKind::users:
            allowed = std::find(route.require.values.begin(), route.require.values.end(), identity.user) !=
                      route.require.values.end();
            d.reason = allowed ? "user is listed" : "user '" + identity.user + "' is not among the route's users";
            break;
        case RequireKind::groups:
            for (const auto& g : identity.groups)
                if (std::find(route.require.values.begin(), route.require.values.end(), g) !=
                    route.require.values.end())
                    allowed = true;
            d.reason = allowed ? "member of a required group"
                               : "user '" + identity.user + "' is in none of the required groups";
            break;
    }
    d.verdict = allowed ? Verdict::allow : Verdict::forbid;
    if (!allowed) d.public_detail = "You are not allowed to access this resource.";
    d.identity = std::move(identity);
    return d;
}

}  // namespace gk::gate
