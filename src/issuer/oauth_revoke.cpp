// Token revocation (RFC 7009). The token's own shape decides its kind (our
// refresh tokens carry the gkr_ prefix, access tokens are JWTs), so the
// optional token_type_hint is not needed and is ignored (RFC 7009 2.1 allows it).
#include "issuer/oauth_internal.hpp"

namespace gk::issuer {

RevokeResult revoke(const Form& params, std::optional<std::string_view> authorization, std::int64_t now,
                    const Issuer& issuer) {
    using detail::oauth_error;
    RevokeResult out;
    const auto fail_with = [&](const OAuthError& e) {
        out.response = error_response(e, issuer.settings);
        return out;
    };
    auto auth = authenticate_client(params, authorization, issuer.store,
                                    issuer.check_secret);  // public clients may revoke their own
    if (!auth) return fail_with(auth.error());
    const auto token = detail::param(params, "token");
    if (!token) return fail_with(oauth_error(OAuthErrorCode::invalid_request, "token is required"));
    const std::string& client_id = auth->client.client_id;
    const auto not_yours =
        oauth_error(OAuthErrorCode::unauthorized_client, "the token was not issued to this client");

    if (token->starts_with(kRefreshTokenPrefix)) {
        auto found = issuer.store.find_refresh(token_hash(*token));
        if (!found) return fail_with(detail::store_error());
        if (*found) {
            if ((*found)->client_id != client_id) return fail_with(not_yours);
            auto revoked = issuer.store.revoke_family((*found)->family_id);
            if (!revoked) return fail_with(detail::store_error());
            out.family_id = (*found)->family_id;
        }
    } else if (auto claims = detail::verify_access_token(*token, issuer.keys, issuer.settings, now)) {
        // Expired or foreign tokens fail verification: nothing to remember.
        const auto cid = jose::claim_strings(*claims, "client_id");
        if (cid.size() != 1 || cid.front() != client_id) return fail_with(not_yours);
        auto stored = issuer.store.revoke_jti(claims->jti, *claims->exp);
        if (!stored) return fail_with(detail::store_error());
        out.access = RevokedAccessToken{claims->jti, *claims->exp};
    }
    out.response = detail::json_response(200, boost::json::object{});
    return out;
}

}  // namespace gk::issuer
