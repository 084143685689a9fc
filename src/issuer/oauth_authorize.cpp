// The authorization endpoint (RFC 6749 4.1.1-4.1.2, PKCE RFC 7636, `iss`
// RFC 9207). Until the client and its redirect_uri are established, errors
// are shown to the user and never redirected (RFC 6749 4.1.2.1: an open
// redirector otherwise); after that they go back to the client. The request
// is checked in full before the user is asked to sign in. No consent screen:
// the clients are first-party, registered by the operator.
#include "issuer/oauth_internal.hpp"

namespace gk::issuer {
namespace {

using Kind = AuthorizeResult::Kind;

AuthorizeResult page(int status, std::string message) {
    AuthorizeResult r;
    r.kind = Kind::error_page;
    r.status = status;
    r.message = std::move(message);
    return r;
}

// Exactly one non-empty value, or nullopt.
std::optional<std::string_view> single(const Form& q, std::string_view name) {
    if (q.count(name) != 1) return std::nullopt;
    return detail::param(q, name);
}

bool is_s256_challenge(std::string_view c) {
    // base64url of 32 bytes: 43 characters (RFC 7636 4.2).
    return c.size() == 43 && valid_code_verifier(c);
}

class Redirector {
public:
    Redirector(std::string_view uri, const Form& q, const Settings& s) : uri_(uri), iss_(s.issuer) {
        if (auto st = single(q, "state")) state_ = std::string(*st);
    }
    AuthorizeResult error(std::string_view code, std::string description) const {
        std::vector<FormField> p{{"error", std::string(code)}, {"error_description", std::move(description)}};
        return finish(Kind::redirect_error, std::move(p));
    }
    AuthorizeResult code(std::string code) const {
        return finish(Kind::redirect_code, {{"code", std::move(code)}});
    }

private:
    AuthorizeResult finish(Kind kind, std::vector<FormField> p) const {
        if (state_) p.push_back({"state", *state_});
        p.push_back({"iss", iss_});  // RFC 9207: mix-up defence
        AuthorizeResult r;
        r.kind = kind;
        r.status = 302;
        r.location = httpauth::append_query(uri_, p);
        return r;
    }
    std::string uri_;
    std::string iss_;
    std::optional<std::string> state_;
};

}  // namespace

AuthorizeResult authorize(const Form& query, const std::optional<std::string>& user, std::int64_t now,
                          IssuerStore& store, const Settings& settings) {
    const auto client_id = single(query, "client_id");
    if (!client_id) return page(400, "The request names no client (client_id missing or repeated).");
    const auto redirect_uri = single(query, "redirect_uri");
    if (!redirect_uri) return page(400, "The request has no redirect_uri (missing or repeated).");
    auto found = store.find_client(*client_id);
    if (!found) return page(503, "The server cannot answer now; try again later.");
    if (!*found) return page(400, "Unknown client.");
    const Client& client = **found;
    if (!detail::has(client.redirect_uris, *redirect_uri)) {
        return page(400, "This redirect_uri is not registered for the client.");  // exact match, RFC 9700 2.1
    }

    const Redirector back(*redirect_uri, query, settings);
    if (auto dup = detail::duplicate_parameter(query)) {
        return back.error("invalid_request", "parameter '" + *dup + "' repeated");
    }
    const auto response_type = detail::param(query, "response_type");
    if (!response_type) return back.error("invalid_request", "response_type is required");
    if (*response_type != "code") return back.error("unsupported_response_type", "only response_type=code");
    if (!detail::has(client.grant_types, "authorization_code")) {
        return back.error("unauthorized_client", "this client may not use the authorization code grant");
    }
    const auto challenge = detail::param(query, "code_challenge");
    if (!challenge) return back.error("invalid_request", "code_challenge is required (PKCE)");
    const auto method = detail::param(query, "code_challenge_method");
    if (!method || *method != "S256")
        return back.error("invalid_request", "code_challenge_method must be S256");
    if (!is_s256_challenge(*challenge)) return back.error("invalid_request", "malformed code_challenge");

    std::vector<std::string> scopes = client.scopes;
    if (auto requested = detail::param(query, "scope")) {
        auto parsed = detail::parse_scope(*requested);
        if (!parsed) return back.error("invalid_scope", "malformed scope");
        if (!detail::scope_subset(*parsed, client.scopes)) {
            return back.error("invalid_scope", "scope not allowed for this client");
        }
        scopes = std::move(*parsed);
    }

    if (!user || user->empty()) {
        AuthorizeResult r;
        r.kind = Kind::need_login;
        r.status = 302;
        return r;
    }

    const std::string code = new_opaque_token(kCodePrefix);
    AuthorizationCode ac;
    ac.code_hash = token_hash(code);
    ac.client_id = client.client_id;
    ac.user = *user;
    ac.redirect_uri = std::string(*redirect_uri);
    ac.scope = detail::join_scope(scopes);
    ac.code_challenge = std::string(*challenge);
    ac.expires_at = now + settings.code_ttl.count();
    if (!store.save_code(ac)) return back.error("temporarily_unavailable", "the server cannot answer now");
    return back.code(code);
}

}  // namespace gk::issuer
