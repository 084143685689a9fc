// The token endpoint (RFC 6749 3.2): client authentication, then one grant.
// Also the client_credentials grant (RFC 6749 4.4), the smallest.
#include "issuer/oauth_internal.hpp"

namespace gk::issuer {
namespace detail {

Result<Response, OAuthError> grant_client_credentials(const Form& params, const Client& client,
                                                      std::int64_t now, const Issuer& issuer) {
    std::vector<std::string> scopes = client.scopes;  // default: everything the client may have
    if (auto requested = param(params, "scope")) {
        auto parsed = parse_scope(*requested);
        if (!parsed) return fail(oauth_error(OAuthErrorCode::invalid_scope, "malformed scope"));
        if (!scope_subset(*parsed, client.scopes)) {
            return fail(oauth_error(OAuthErrorCode::invalid_scope, "scope not allowed for this client"));
        }
        scopes = std::move(*parsed);
    }
    AccessTokenClaims c;
    c.sub = client.client_id;  // RFC 9068 2.2: the client itself
    c.client_id = client.client_id;
    c.scope = join_scope(scopes);
    c.ttl = client.access_token_ttl;
    return issue_tokens(issuer, c, now, std::nullopt);  // no refresh token (RFC 6749 4.4.3)
}

}  // namespace detail

Response token_endpoint(const Form& params, std::optional<std::string_view> authorization, std::int64_t now,
                        const Issuer& issuer) {
    using detail::oauth_error;
    const auto fail_with = [&](const OAuthError& e) { return error_response(e, issuer.settings); };

    auto auth = authenticate_client(params, authorization, issuer.store,
                                    issuer.check_secret);  // checks duplicates first
    if (!auth) return fail_with(auth.error());
    const Client& client = auth->client;
    const bool is_public = auth->method == ClientAuthMethod::none;

    const auto grant = detail::param(params, "grant_type");
    if (!grant) return fail_with(oauth_error(OAuthErrorCode::invalid_request, "grant_type is required"));
    enum class Grant { code, refresh, client_credentials };
    Grant g{};
    if (*grant == "authorization_code") {
        g = Grant::code;
    } else if (*grant == "refresh_token") {
        g = Grant::refresh;
    } else if (*grant == "client_credentials") {
        g = Grant::client_credentials;
    } else {
        return fail_with(oauth_error(OAuthErrorCode::unsupported_grant_type, "grant_type not supported"));
    }
    // A public client cannot keep a secret, so it gets no token of its own.
    if (!detail::has(client.grant_types, *grant) || (is_public && g == Grant::client_credentials)) {
        return fail_with(
            oauth_error(OAuthErrorCode::unauthorized_client, "this client may not use this grant_type"));
    }

    Result<Response, OAuthError> r = fail(OAuthError{});
    switch (g) {
        case Grant::code:
            r = detail::grant_authorization_code(params, client, now, issuer);
            break;
        case Grant::refresh:
            r = detail::grant_refresh_token(params, client, now, issuer);
            break;
        case Grant::client_credentials:
            r = detail::grant_client_credentials(params, client, now, issuer);
            break;
    }
    if (!r) return fail_with(r.error());
    return std::move(*r);
}

}  // namespace gk::issuer
