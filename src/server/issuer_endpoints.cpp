#include "server/issuer_endpoints.hpp"

#include <algorithm>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/gate/session_lookup.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/httpauth/cookie.hpp"
#include "gatekeeper/httpauth/form.hpp"
#include "gatekeeper/issuer/login_page.hpp"
#include "gatekeeper/issuer/return_url.hpp"
#include "gatekeeper/password/hash.hpp"
#include "gatekeeper/schemes/session.hpp"

namespace gk::server {
namespace {

constexpr std::string_view kLogin = "/.gatekeeper/login";
constexpr std::string_view kLogout = "/.gatekeeper/logout";
constexpr std::string_view kAuthorize = "/.gatekeeper/authorize";
constexpr std::string_view kToken = "/.gatekeeper/token";
constexpr std::string_view kRevoke = "/.gatekeeper/revoke";
constexpr std::string_view kIntrospect = "/.gatekeeper/introspect";
constexpr std::string_view kJwks = "/.well-known/jwks.json";
constexpr std::string_view kMetadata = "/.well-known/oauth-authorization-server";

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct Ctx {
    IssuerService& svc;
    const Runtime& rt;
    const gate::Request& req;
    unsigned version;
    AccessRecord& log;
    gate::AttemptStore* attempts;  // brute-force counters; null: none
    const AuditLog* audit;         // null: none
};

void audit(const Ctx& c, std::string_view event, std::string_view user, std::string_view reason = {}) {
    if (c.audit) c.audit->record(event, {{"client", c.req.client_address}, {"user", user}, {"reason", reason}});
}

// A 429 for a locked client address or user name, or a 503 when the counters
// cannot answer; nullopt when the attempt may go ahead.
std::optional<gate::AttemptGate> attempt_refused(const Ctx& c, std::string_view user) {
    auto g = gate::check_attempt(c.attempts, c.rt.policy.brute_force, {c.req.client_address, user},
                                 std::chrono::system_clock::now());
    if (g.kind == gate::AttemptGate::Kind::go) return std::nullopt;
    c.log.reason = g.reason;
    return g;
}

void count_attempt(const Ctx& c, std::string_view user, bool ok) {
    const gate::Attempt who{c.req.client_address, user};
    if (ok) gate::record_success(c.attempts, who);
    else gate::record_failure(c.attempts, c.rt.policy.brute_force, who, std::chrono::system_clock::now());
}

void no_store(string_response& res) {
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::pragma, "no-cache");
}

string_response html_page(http::status status, const issuer::HtmlPage& page, unsigned version) {
    string_response res{status, version};
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.set("Content-Security-Policy", page.content_security_policy);
    res.set("X-Frame-Options", "DENY");
    res.set("X-Content-Type-Options", "nosniff");
    // The return URL is in this page's address: do not hand it to anyone.
    res.set("Referrer-Policy", "no-referrer");
    no_store(res);
    res.body() = page.html;
    res.prepare_payload();
    return res;
}

string_response message_page(http::status status, std::string title, std::string message, unsigned version) {
    issuer::MessagePage p;
    p.title = std::move(title);
    p.message = std::move(message);
    return html_page(status, issuer::render_message_page(p), version);
}

string_response redirect(http::status status, std::string_view location, unsigned version) {
    string_response res{status, version};
    res.set(http::field::location, location);
    no_store(res);
    res.prepare_payload();
    return res;
}

string_response from_oauth(const issuer::Response& r, unsigned version) {
    string_response res{static_cast<http::status>(r.status), version};
    for (const auto& [name, value] : r.headers) res.insert(name, value);
    if (res.find(http::field::content_type) == res.end())
        res.set(http::field::content_type, "application/json");
    no_store(res);
    res.body() = r.body;
    res.prepare_payload();
    return res;
}

string_response method_not_allowed(std::string_view allow, unsigned version) {
    auto res = error_response(http::status::method_not_allowed, "This endpoint does not take this method.",
                              "", version);
    res.set(http::field::allow, allow);
    return res;
}

std::string set_cookie(const Ctx& c, const std::string& name, std::string_view value,
                       std::optional<std::chrono::seconds> max_age, httpauth::SameSite same_site) {
    httpauth::SetCookie sc;
    sc.name = name;
    sc.value = std::string(value);
    sc.max_age = max_age;
    sc.secure = c.req.secure;
    sc.same_site = same_site;
    auto line = httpauth::format_set_cookie(sc);
    return line ? *line : std::string();
}

// The login form's CSRF token is an HMAC of a random per-browser cookie
// (double submit, signed): a page on another origin can neither read the
// cookie nor compute the token.
std::string csrf_for(const Ctx& c, std::string_view cookie_value) {
    return httpauth::base64url_encode(
        crypto::hmac(crypto::DigestAlg::sha256, c.svc.csrf_key(), cookie_value));
}

std::optional<std::string> csrf_cookie(const Ctx& c) {
    auto jar = httpauth::parse_cookie_headers(c.req.all("Cookie"));
    auto v = jar.single(schemes::csrf_cookie_name(c.rt.policy.cookie_prefix, c.req.secure));
    if (!v || !v->has_value() || !schemes::looks_like_session_id(**v)) return std::nullopt;
    return std::string(**v);
}

std::vector<std::string> return_hosts(const Ctx& c) {
    auto hosts = c.rt.policy.sessions.allowed_return_hosts;
    std::string own = c.req.authority;
    std::transform(own.begin(), own.end(), own.begin(), [](unsigned char ch) { return std::tolower(ch); });
    hosts.push_back(own);
    return hosts;
}

// A POST from a page of another site is refused before anything else
// (Fetch Metadata; Origin for older browsers).
bool cross_site(const Ctx& c) {
    if (auto site = c.req.get("Sec-Fetch-Site"); site && *site == "cross-site") return true;
    if (auto origin = c.req.get("Origin"); origin && *origin != "null") {
        const std::string own = std::string(c.req.secure ? "https://" : "http://") + c.req.authority;
        return !gate::iequals(*origin, own);
    }
    return false;
}

const gate::UserDirectory* login_users(const Ctx& c) {
    auto it = c.rt.directories.find(c.rt.policy.sessions.user_source);
    return it == c.rt.directories.end() ? nullptr : it->second.get();
}

gate::SessionLookup current_session(const Ctx& c) {
    return gate::lookup_session(c.rt.policy, c.req, &c.svc.credentials(), std::chrono::system_clock::now());
}

string_response login_form(const Ctx& c, http::status status, std::string return_to,
                           std::optional<std::string> error, std::string username) {
    auto cookie = csrf_cookie(c);
    std::string set;
    if (!cookie) {
        cookie = std::string(schemes::new_session_id().reveal());
        set = set_cookie(c, schemes::csrf_cookie_name(c.rt.policy.cookie_prefix, c.req.secure), *cookie,
                         std::nullopt, httpauth::SameSite::strict);
    }
    issuer::LoginPage page;
    page.title = "gatekeeper";
    page.action = std::string(kLogin);
    page.return_to = std::move(return_to);
    page.csrf_token = csrf_for(c, *cookie);
    page.error = std::move(error);
    page.username = std::move(username);
    if (page.return_to.starts_with("http")) {
        const auto scheme_end = page.return_to.find("://");
        const auto host_end = page.return_to.find('/', scheme_end + 3);
        page.form_action_origins.push_back(page.return_to.substr(0, host_end));
    }
    auto res = html_page(status, issuer::render_login_page(page), c.version);
    if (status == http::status::unauthorized)
        res.set(http::field::www_authenticate, "Session realm=\"gatekeeper\"");
    if (!set.empty()) res.insert(http::field::set_cookie, set);
    return res;
}

string_response login_get(const Ctx& c) {
    auto query = httpauth::parse_query(c.req.query);
    std::string rd = "/";
    if (query)
        if (auto v = query->first("rd")) rd = issuer::safe_return_url(*v, return_hosts(c));
    auto s = current_session(c);
    if (s.kind == gate::SessionLookup::Kind::valid) {
        issuer::LoginPage page;
        page.signed_in_as = s.record.user;
        page.csrf_token = s.record.csrf_token;
        page.return_to = rd;
        page.logout_action = std::string(kLogout);
        return html_page(http::status::ok, issuer::render_login_page(page), c.version);
    }
    return login_form(c, http::status::ok, rd, std::nullopt, "");
}

string_response login_post(const Ctx& c) {
    auto form = httpauth::parse_form(c.req.body.value_or(""));
    if (!form)
        return message_page(http::status::bad_request, "Sign-in failed", "The form could not be read.",
                            c.version);
    auto field = [&](std::string_view name) -> std::string {
        auto v = form->single(name);
        return v && v->has_value() ? std::string(**v) : std::string();
    };
    const std::string rd = issuer::safe_return_url(field(issuer::kFieldReturnTo), return_hosts(c));
    const std::string username = field(issuer::kFieldUsername);
    auto cookie = csrf_cookie(c);
    if (cross_site(c) || !cookie || !crypto::ct_equal(csrf_for(c, *cookie), field(issuer::kFieldCsrf))) {
        c.log.reason = "login: CSRF check failed";
        return login_form(c, http::status::forbidden, rd, "The sign-in form expired. Please try again.",
                          username);
    }
    const auto* users = login_users(c);
    auto found = !users             ? gate::UserLookup(fail(std::string("not configured")))
                 : username.empty() ? gate::UserLookup(std::optional<gate::UserRecord>{})
                                    : users->find(username);
    if (!found) {
        c.log.reason = "login: user source unavailable: " + found.error();
        return message_page(http::status::service_unavailable, "Sign-in unavailable",
                            "Signing in is not possible right now. Please try again shortly.", c.version);
    }
    if (auto locked = attempt_refused(c, username)) {
        if (locked->kind == gate::AttemptGate::Kind::unavailable)
            return message_page(http::status::service_unavailable, "Sign-in unavailable",
                                "Signing in is not possible right now. Please try again shortly.", c.version);
        audit(c, "login.locked", username, locked->reason);
        auto res = login_form(c, http::status::too_many_requests, rd,
                              "Too many failed sign-in attempts. Try again in " +
                                  std::to_string(locked->retry_after_seconds) + " seconds.",
                              username);
        res.set(http::field::retry_after, std::to_string(locked->retry_after_seconds));
        return res;
    }
    Secret password(field(issuer::kFieldPassword));
    const auto& rec = found.value();
    // Unknown users cost the same hash work as known ones.
    auto verified = password::verify(rec ? rec->password_hash : users->dummy_hash(), password.reveal());
    const bool ok = rec && !rec->disabled && verified.ok() && verified.value();
    c.log.user = username;
    count_attempt(c, username, ok);
    if (!ok) {
        c.log.reason = !rec            ? "login: unknown user"
                       : rec->disabled ? "login: user disabled"
                                       : "login: wrong password";
        audit(c, "login.failure", username, c.log.reason.substr(7));
        return login_form(c, http::status::unauthorized, rd, "The user name or password is incorrect.",
                          username);
    }
    // A new id at every login (no fixation); a session this browser had ends.
    auto old = current_session(c);
    if (!old.id_hash.empty()) (void)c.svc.store().delete_session(old.id_hash);
    const auto id = schemes::new_session_id();
    const auto now = unix_now();
    gate::SessionRecord s;
    s.id_hash = schemes::session_id_hash(id.reveal());
    s.user = rec->name;
    s.csrf_token = httpauth::base64url_encode(crypto::random_bytes(32));
    s.created_at = now;
    s.last_seen = now;
    s.expires_at = now + c.rt.policy.sessions.lifetime.count();
    if (auto saved = c.svc.store().create_session(s); !saved) {
        c.log.reason = "login: session store: " + saved.error().message;
        return message_page(http::status::service_unavailable, "Sign-in unavailable",
                            "Signing in is not possible right now. Please try again shortly.", c.version);
    }
    c.log.reason = "login: session created";
    audit(c, "login.success", rec->name);
    auto res = redirect(http::status::see_other, rd, c.version);
    res.insert(http::field::set_cookie,
               set_cookie(c, schemes::session_cookie_name(c.rt.policy.cookie_prefix, c.req.secure),
                          id.reveal(), c.rt.policy.sessions.lifetime, httpauth::SameSite::lax));
    res.insert(http::field::set_cookie,
               set_cookie(c, schemes::csrf_cookie_name(c.rt.policy.cookie_prefix, c.req.secure), "",
                          std::chrono::seconds(0), httpauth::SameSite::strict));
    return res;
}

string_response logout_post(const Ctx& c) {
    auto form = httpauth::parse_form(c.req.body.value_or(""));
    if (!form)
        return message_page(http::status::bad_request, "Sign-out failed", "The form could not be read.",
                            c.version);
    auto field = [&](std::string_view name) -> std::string {
        auto v = form->single(name);
        return v && v->has_value() ? std::string(**v) : std::string();
    };
    auto s = current_session(c);
    if (s.kind == gate::SessionLookup::Kind::unavailable)
        return message_page(http::status::service_unavailable, "Sign-out unavailable",
                            "Signing out is not possible right now. Please try again shortly.", c.version);
    if (s.kind == gate::SessionLookup::Kind::valid) {
        if (cross_site(c) || !crypto::ct_equal(s.record.csrf_token, field(issuer::kFieldCsrf))) {
            c.log.reason = "logout: CSRF check failed";
            return message_page(http::status::forbidden, "Sign-out refused",
                                "The sign-out form expired. Reload the page and try again.", c.version);
        }
        c.log.user = s.record.user;
        if (!field(issuer::kFieldEverywhere).empty()) {
            auto n = c.svc.store().delete_user_sessions(s.record.user);
            (void)c.svc.store().revoke_user_families(s.record.user);
            c.log.reason = "logout everywhere: " + std::to_string(n ? *n : 0) + " sessions ended";
            audit(c, "logout.everywhere", s.record.user, c.log.reason);
        } else {
            (void)c.svc.store().delete_session(s.id_hash);
            c.log.reason = "logout";
            audit(c, "logout", s.record.user);
        }
    }
    auto res = redirect(http::status::see_other, c.rt.policy.sessions.login_path, c.version);
    res.insert(http::field::set_cookie,
               set_cookie(c, schemes::session_cookie_name(c.rt.policy.cookie_prefix, c.req.secure), "",
                          std::chrono::seconds(0), httpauth::SameSite::lax));
    return res;
}

string_response authorize_get(const Ctx& c) {
    auto query = httpauth::parse_query(c.req.query);
    if (!query)
        return message_page(http::status::bad_request, "Invalid authorization request",
                            "The query could not be read.", c.version);
    auto s = current_session(c);
    if (s.kind == gate::SessionLookup::Kind::unavailable)
        return message_page(http::status::service_unavailable, "Authorization unavailable",
                            "Please try again shortly.", c.version);
    std::optional<std::string> user;
    if (s.kind == gate::SessionLookup::Kind::valid) user = s.record.user;
    auto r = issuer::authorize(*query, user, unix_now(), c.svc.store(), c.svc.settings());
    using K = issuer::AuthorizeResult::Kind;
    switch (r.kind) {
        case K::need_login:
            return redirect(http::status::see_other, gate::login_location(c.rt.policy, c.req), c.version);
        case K::error_page:
            c.log.reason = "authorize: " + r.message;
            return message_page(static_cast<http::status>(r.status), "Invalid authorization request",
                                r.message, c.version);
        case K::redirect_error:
        case K::redirect_code:
            c.log.user = user.value_or("");
            return redirect(http::status::found, r.location, c.version);
    }
    return message_page(http::status::internal_server_error, "Error", "Unexpected state.", c.version);
}

httpauth::Form form_or_empty(const Ctx& c, bool& bad) {
    auto form = httpauth::parse_form(c.req.body.value_or(""));
    bad = !form;
    return form ? std::move(*form) : httpauth::Form{};
}

string_response oauth_post(const Ctx& c, std::string_view which) {
    auto ring = c.svc.ring();
    if (!ring) {
        issuer::OAuthError e{issuer::OAuthErrorCode::temporarily_unavailable, "no signing key", false};
        return from_oauth(issuer::error_response(e, c.svc.settings()), c.version);
    }
    const auto type = c.req.get("Content-Type").value_or("");
    const bool is_form =
        gate::iequals(trim_ows(type.substr(0, type.find(';'))), "application/x-www-form-urlencoded");
    bool unreadable = false;
    auto form = form_or_empty(c, unreadable);
    if (!is_form || unreadable) {
        issuer::OAuthError e{issuer::OAuthErrorCode::invalid_request,
                             "the body must be application/x-www-form-urlencoded", false};
        return from_oauth(issuer::error_response(e, c.svc.settings()), c.version);
    }
    if (auto locked = attempt_refused(c, {})) {
        issuer::OAuthError e{issuer::OAuthErrorCode::temporarily_unavailable,
                             locked->kind == gate::AttemptGate::Kind::locked ? "too many failed attempts"
                                                                             : "failure counters unavailable",
                             false};
        auto res = from_oauth(issuer::error_response(e, c.svc.settings()), c.version);
        if (locked->kind == gate::AttemptGate::Kind::locked) res.result(http::status::too_many_requests);
        res.set(http::field::retry_after, std::to_string(std::max(1, locked->retry_after_seconds)));
        return res;
    }
    const auto auth = c.req.count("Authorization") == 1 ? c.req.get("Authorization") : std::nullopt;
    auto it = c.rt.directories.find(c.rt.policy.sessions.user_source);
    // A client id whose secret keeps failing is refused without hashing while
    // it is locked: the answer is the same invalid_client as a wrong secret.
    issuer::Issuer is{c.svc.store(), *ring, c.svc.settings(),
                      it == c.rt.directories.end() ? nullptr : it->second.get(),
                      [&c](std::string_view id, std::string_view hash, std::string_view secret) {
                          const std::string who = "client:" + std::string(id);
                          if (attempt_refused(c, who)) return false;
                          const bool ok = c.svc.check_client_secret(id, hash, secret);
                          count_attempt(c, who, ok);
                          if (!ok) audit(c, "client.failure", id, "wrong client secret");
                          return ok;
                      },
                      [&c](const issuer::IssuedToken& t) {
                          if (!c.audit) return;
                          c.audit->record("token.issued",
                                          {{"client", c.req.client_address},
                                           {"client_id", t.claims.client_id},
                                           {"user", t.claims.user_token ? t.claims.sub : std::string_view{}},
                                           {"scope", t.claims.scope},
                                           {"jti", t.jti},
                                           {"refresh_token", t.with_refresh_token ? "issued" : ""}});
                      }};
    const auto now = unix_now();
    if (which == kToken) return from_oauth(issuer::token_endpoint(form, auth, now, is), c.version);
    if (which == kRevoke) {
        auto r = issuer::revoke(form, auth, now, is);
        if (r.access) c.svc.revoke_now(r.access->jti, r.access->exp);
        if (c.audit && (r.access || r.family_id))
            c.audit->record("token.revoked", {{"client", c.req.client_address},
                                              {"jti", r.access ? std::string_view(r.access->jti) : ""},
                                              {"refresh_family", r.family_id.value_or("")}});
        return from_oauth(r.response, c.version);
    }
    auto& revoked = c.svc.revoked();
    return from_oauth(
        issuer::introspect(form, auth, now, is,
                           [&revoked](std::string_view jti) { return revoked.is_revoked(jti); }),
        c.version);
}

}  // namespace

bool takes_form_body(std::string_view path) {
    return path == kLogin || path == kLogout || path == kToken || path == kRevoke || path == kIntrospect;
}

std::optional<string_response> issuer_endpoint(IssuerService* svc, const Runtime& rt,
                                               const gate::Request& req, unsigned version,
                                               AccessRecord& log, gate::AttemptStore* attempts,
                                               const AuditLog* audit) {
    const auto& p = req.path;
    const bool ours = p == kLogin || p == kLogout || p == kAuthorize || p == kToken || p == kRevoke ||
                      p == kIntrospect || p == kJwks || p == kMetadata;
    if (!ours) return std::nullopt;
    log.route = "gatekeeper";
    const bool session_pages = p == kLogin || p == kLogout;
    const bool oauth_pages = !session_pages;
    if (!svc || (session_pages && rt.policy.sessions.user_source.empty()) ||
        (oauth_pages && !svc->oauth_enabled()))
        return error_response(http::status::not_found, "This gatekeeper does not offer this endpoint.",
                              req.get("Accept").value_or(""), version);
    Ctx c{*svc, rt, req, version, log, attempts, audit};
    const bool get = req.method == "GET" || req.method == "HEAD";
    const bool post = req.method == "POST";
    if (p == kLogin)
        return get ? login_get(c) : post ? login_post(c) : method_not_allowed("GET, HEAD, POST", version);
    if (p == kLogout) return post ? logout_post(c) : method_not_allowed("POST", version);
    if (p == kAuthorize) return get ? authorize_get(c) : method_not_allowed("GET, HEAD", version);
    if (p == kJwks || p == kMetadata) {
        if (!get) return method_not_allowed("GET, HEAD", version);
        auto ring = svc->ring();
        string_response res{ring ? http::status::ok : http::status::service_unavailable, version};
        res.set(http::field::content_type, "application/json");
        // Relying parties cache the keys; a new key is published a whole overlap before it signs.
        res.set(http::field::cache_control, "public, max-age=300");
        res.set("Access-Control-Allow-Origin", "*");
        if (p == kJwks)
            res.body() = ring ? ring->jwks_json() : "{\"keys\":[]}";
        else
            res.body() = issuer::authorization_server_metadata(svc->settings().issuer, svc->settings());
        res.prepare_payload();
        return res;
    }
    if (!post) return method_not_allowed("POST", version);
    return oauth_post(c, p);
}

}  // namespace gk::server
