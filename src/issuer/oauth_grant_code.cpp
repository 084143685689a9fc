// The authorization_code grant (RFC 6749 4.1.3) with PKCE S256 (RFC 7636 4.5-4.6).
// The request is checked before the code is taken; once taken (deleted) the
// code is spent whatever happens next, so a code works at most once.
#include "gatekeeper/crypto/crypto.hpp"
#include "issuer/oauth_internal.hpp"

namespace gk::issuer::detail {

Result<Response, OAuthError> grant_authorization_code(const Form& params, const Client& client,
                                                      std::int64_t now, const Issuer& issuer) {
    const auto code = param(params, "code");
    const auto redirect_uri = param(params, "redirect_uri");
    const auto verifier = param(params, "code_verifier");
    if (!code) return fail(oauth_error(OAuthErrorCode::invalid_request, "code is required"));
    if (!redirect_uri) return fail(oauth_error(OAuthErrorCode::invalid_request, "redirect_uri is required"));
    if (!verifier)
        return fail(oauth_error(OAuthErrorCode::invalid_request, "code_verifier is required (PKCE)"));
    if (!valid_code_verifier(*verifier)) {
        return fail(oauth_error(OAuthErrorCode::invalid_request,
                                "code_verifier must be 43-128 unreserved characters"));
    }

    auto taken = issuer.store.take_code(token_hash(*code));
    if (!taken) return fail(store_error());
    const auto invalid_grant =
        oauth_error(OAuthErrorCode::invalid_grant, "authorization code invalid, expired or used");
    if (!*taken) return fail(invalid_grant);
    const AuthorizationCode& ac = **taken;
    if (now >= ac.expires_at) return fail(invalid_grant);
    if (ac.client_id != client.client_id)
        return fail(invalid_grant);  // RFC 6749 4.1.3: issued to this client
    if (ac.redirect_uri != *redirect_uri) {
        return fail(oauth_error(OAuthErrorCode::invalid_grant,
                                "redirect_uri differs from the authorization request"));
    }
    if (!crypto::ct_equal(pkce_s256(*verifier), ac.code_challenge)) {
        return fail(
            oauth_error(OAuthErrorCode::invalid_grant, "code_verifier does not match the code_challenge"));
    }

    auto claims = user_claims(issuer, ac.user, client.client_id, ac.scope);
    if (!claims) return fail(claims.error());
    claims->ttl = client.access_token_ttl;

    std::optional<std::string> refresh;
    if (has(client.grant_types, "refresh_token")) {
        RefreshToken rt;
        refresh = new_opaque_token(kRefreshTokenPrefix);
        rt.token_hash = token_hash(*refresh);
        rt.family_id = new_opaque_token("");  // 256 random bits, not a secret but unguessable
        rt.client_id = client.client_id;
        rt.user = ac.user;
        rt.scope = ac.scope;
        rt.issued_at = now;
        rt.expires_at = now + issuer.settings.refresh_token_ttl.count();
        auto saved = issuer.store.save_refresh(rt);
        if (!saved) return fail(store_error());
    }
    return issue_tokens(issuer, *claims, now, refresh);
}

}  // namespace gk::issuer::detail
