#include "gate/session_check.hpp"

#include <algorithm>

#include "gatekeeper/gate/session_lookup.hpp"
#include "gatekeeper/httpauth/cookie.hpp"
#include "gatekeeper/httpauth/form.hpp"
#include "gatekeeper/schemes/session.hpp"

namespace gk::gate::detail {
namespace {

constexpr std::string_view kUnauthorizedDetail = "Authentication is required to access this resource.";

Decision unavailable(const Route& route, std::string reason) {
    Decision d;
    d.verdict = Verdict::unavailable;
    d.route = &route;
    d.reason = std::move(reason);
    d.public_detail = "The authentication service is temporarily unavailable.";
    d.scheme = "session";
    return d;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Recording every use would turn each request into a database write: once a
// minute (or a tenth of the idle timeout, if shorter) keeps the idle clock
// accurate enough.
std::int64_t touch_interval(const SessionSettings& s) {
    return std::max<std::int64_t>(1, std::min<std::int64_t>(60, s.idle_timeout.count() / 10));
}

bool offers_sessions(const Route& route) {
    return std::find(route.schemes.begin(), route.schemes.end(), SchemeKind::session) != route.schemes.end();
}

}  // namespace

bool is_browser_navigation(const Request& req) {
    // Fetch Metadata, sent by every current browser, says it exactly.
    if (auto mode = req.get("Sec-Fetch-Mode")) return iequals(*mode, "navigate");
    if (req.get("X-Requested-With")) return false;
    if (req.method != "GET" && req.method != "HEAD") return false;
    // Without Fetch Metadata: a browser asks for HTML first; API clients name JSON first.
    const auto accept = req.get("Accept").value_or("");
    const auto html = accept.find("text/html");
    return html != std::string_view::npos && html < accept.find("json");
}

std::vector<httpauth::Challenge> session_challenges(const Route& route) {
    return {httpauth::Challenge{"Session", std::nullopt, {httpauth::AuthParam{"realm", route.realm, true}}}};
}

bool is_script_request(const Request& req) {
    if (auto mode = req.get("Sec-Fetch-Mode")) return !iequals(*mode, "navigate");
    return req.get("X-Requested-With").has_value();
}

}  // namespace gk::gate::detail

namespace gk::gate {

std::string login_location(const Policy& policy, const Request& req) {
    const auto& login = policy.sessions.login_path;
    // Same origin: a path is enough and needs no host check on the way back.
    std::string back = req.path;
    if (!req.query.empty()) back += "?" + req.query;
    if (!login.starts_with("/"))
        back = std::string(req.secure ? "https://" : "http://") + req.authority + back;
    return login + (login.find('?') == std::string::npos ? "?" : "&") +
           "rd=" + httpauth::percent_encode(back);
}

}  // namespace gk::gate

namespace gk::gate::detail {

SessionLookup lookup_session_impl(const Policy& policy, const Request& req, const CredentialStore* store,
                                  std::chrono::system_clock::time_point now_tp);

std::optional<Decision> check_session(const Policy& policy, const Route& route, const Request& req,
                                      const Directories& dirs, const SchemeContext& ctx) {
    auto found = lookup_session_impl(policy, req, ctx.credentials, ctx.now);
    switch (found.kind) {
        case SessionLookup::Kind::none:
            return std::nullopt;
        case SessionLookup::Kind::invalid:
            return login_required(policy, route, req, ctx, found.reason);
        case SessionLookup::Kind::unavailable:
            return unavailable(route, found.reason);
        case SessionLookup::Kind::valid:
            break;
    }
    const auto& s = found.record;
    auto dir = dirs.find(policy.sessions.user_source);
    if (dir == dirs.end() || !dir->second)
        return unavailable(route, "user source '" + policy.sessions.user_source + "' unavailable");
    const auto looked_up = dir->second->find(s.user);
    if (!looked_up)
        return unavailable(
            route, "user source '" + policy.sessions.user_source + "' unavailable: " + looked_up.error());
    const auto& user = looked_up.value();
    if (!user || user->disabled)
        return login_required(policy, route, req, ctx, "session user '" + s.user + "' is gone or disabled");

    Identity id;
    id.user = user->name;
    id.email = user->email;
    id.groups = user->groups;
    id.scheme = "session";
    auto d = authorize(route, std::move(id));
    if (unix_seconds(ctx.now) - s.last_seen >= touch_interval(policy.sessions))
        d.touch_session = found.id_hash;
    return d;
}

SessionLookup lookup_session_impl(const Policy& policy, const Request& req, const CredentialStore* store,
                                  std::chrono::system_clock::time_point now_tp) {
    SessionLookup out;
    auto invalid = [&](std::string why) {
        out.kind = SessionLookup::Kind::invalid;
        out.reason = std::move(why);
        return out;
    };
    const auto name = schemes::session_cookie_name(policy.cookie_prefix, req.secure);
    const auto jar = httpauth::parse_cookie_headers(req.all("Cookie"));
    auto found = jar.single(name);
    // A second cookie of the same name was planted (e.g. by a sibling
    // subdomain on plain HTTP): which one is ours is unknowable, so neither counts.
    if (!found) return invalid("more than one session cookie");
    if (!found->has_value()) return out;
    const std::string_view value = **found;
    if (!schemes::looks_like_session_id(value)) return invalid("malformed session cookie");
    out.id_hash = schemes::session_id_hash(value);
    if (!store) {
        out.kind = SessionLookup::Kind::unavailable;
        out.reason = "no session store";
        return out;
    }
    auto rec = store->find_session(out.id_hash);
    if (!rec) {
        out.kind = SessionLookup::Kind::unavailable;
        out.reason = "session store: " + rec.error();
        return out;
    }
    if (!rec->has_value()) return invalid("unknown or ended session");
    const auto now = unix_seconds(now_tp);
    if (now >= (*rec)->expires_at) return invalid("session past its lifetime");
    if (now - (*rec)->last_seen >= policy.sessions.idle_timeout.count())
        return invalid("session idle too long");
    out.kind = SessionLookup::Kind::valid;
    out.record = std::move(**rec);
    return out;
}

Decision login_required(const Policy& policy, const Route& route, const Request& req,
                        const SchemeContext& ctx, std::string reason) {
    Decision d;
    d.route = &route;
    d.reason = std::move(reason);
    if (offers_sessions(route)) {
        d.scheme = "session";
        d.login_url = login_location(policy, req);
        if (is_browser_navigation(req)) {
            d.verdict = Verdict::redirect;
            d.location = d.login_url;
            return d;
        }
    }
    d.verdict = Verdict::challenge;
    d.public_detail = std::string(kUnauthorizedDetail);
    d.challenges = challenges_for(route, policy, ctx);
    // A page's script on a session route gets the login URL in the body, not
    // the browser's password dialog; Bearer stays for token-carrying clients.
    if (offers_sessions(route) && is_script_request(req)) {
        std::erase_if(d.challenges, [](const httpauth::Challenge& c) {
            return iequals(c.scheme, "Basic") || iequals(c.scheme, "Digest");
        });
        if (d.challenges.empty()) d.challenges = session_challenges(route);
    }
    return d;
}

}  // namespace gk::gate::detail

namespace gk::gate {

SessionLookup lookup_session(const Policy& policy, const Request& req, const CredentialStore* store,
                             std::chrono::system_clock::time_point now) {
    return detail::lookup_session_impl(policy, req, store, now);
}

}  // namespace gk::gate
