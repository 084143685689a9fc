// The refresh_token grant (RFC 6749 6) with rotation (RFC 9700 4.14.2): each
// use marks the token used and issues the next one of the same family, which
// keeps the family's absolute expiry; presenting a used token again revokes
// the whole family (the store does that atomically).
#include "issuer/oauth_internal.hpp"

namespace gk::issuer::detail {

Result<Response, OAuthError> grant_refresh_token(const Form& params, const Client& client, std::int64_t now,
                                                 const Issuer& issuer) {
    const auto presented = param(params, "refresh_token");
    if (!presented) return fail(oauth_error(OAuthErrorCode::invalid_request, "refresh_token is required"));
    const auto invalid_grant =
        oauth_error(OAuthErrorCode::invalid_grant, "refresh token invalid, expired or revoked");
    const std::string old_hash = token_hash(*presented);

    auto found = issuer.store.find_refresh(old_hash);
    if (!found) return fail(store_error());
    // Another client's token is not touched: its owner's next use must still work.
    if (!*found || (*found)->client_id != client.client_id) return fail(invalid_grant);
    const RefreshToken& old = **found;

    std::string scope = old.scope;  // the access token's; the refresh token keeps the grant's (RFC 6749 6)
    if (auto requested = param(params, "scope")) {
        auto parsed = parse_scope(*requested);
        auto granted = parse_scope(old.scope);
        if (!parsed) return fail(oauth_error(OAuthErrorCode::invalid_scope, "malformed scope"));
        if (!granted || !scope_subset(*parsed, *granted)) {
            return fail(oauth_error(OAuthErrorCode::invalid_scope, "scope exceeds the original grant"));
        }
        scope = join_scope(*parsed);
    }

    // Before rotating, so that a directory hiccup (503) does not spend the token.
    auto claims = user_claims(issuer, old.user, client.client_id, scope);
    if (!claims) return fail(claims.error());
    claims->ttl = client.access_token_ttl;

    RefreshToken next;
    const std::string token = new_opaque_token(kRefreshTokenPrefix);
    next.token_hash = token_hash(token);
    next.family_id = old.family_id;
    next.client_id = old.client_id;
    next.user = old.user;
    next.scope = old.scope;
    next.issued_at = now;
    next.expires_at = old.expires_at;  // absolute for the family: rotation never extends it
    auto rotated = issuer.store.rotate_refresh(old_hash, next, now);
    if (!rotated) return fail(store_error());
    switch (rotated->outcome) {
        case RotateOutcome::rotated:
            break;
        case RotateOutcome::reused:
            return fail(
                oauth_error(OAuthErrorCode::invalid_grant, "refresh token reused; the grant is revoked"));
        case RotateOutcome::revoked:
        case RotateOutcome::expired:
        case RotateOutcome::unknown:
            return fail(invalid_grant);
    }

    return issue_tokens(issuer, *claims, now, token);
}

}  // namespace gk::issuer::detail
