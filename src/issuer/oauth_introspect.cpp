// Token introspection (RFC 7662). Confidential clients only: the endpoint
// must not become an oracle for anyone holding a public client_id (2.1).
// An inactive token gets {"active":false} and nothing else (2.2).
#include <boost/json/array.hpp>

#include "issuer/oauth_internal.hpp"

namespace gk::issuer {
namespace {

Response inactive() {
    boost::json::object o;
    o["active"] = false;
    return detail::json_response(200, o);
}

Response refresh_info(std::string_view token, std::int64_t now, const Issuer& issuer) {
    auto found = issuer.store.find_refresh(token_hash(token));
    if (!found) return error_response(detail::store_error(), issuer.settings);
    if (!*found) return inactive();
    const RefreshToken& t = **found;
    if (t.used || t.revoked || now >= t.expires_at) return inactive();
    boost::json::object o;
    o["active"] = true;
    if (!t.scope.empty()) o["scope"] = t.scope;
    o["client_id"] = t.client_id;
    o["username"] = t.user;
    o["exp"] = t.expires_at;
    o["iat"] = t.issued_at;
    o["token_type"] = "refresh_token";
    return detail::json_response(200, o);
}

Response access_info(std::string_view token, std::int64_t now, const Issuer& issuer,
                     const IsRevoked& is_revoked) {
    auto claims = detail::verify_access_token(token, issuer.keys, issuer.settings, now);
    if (!claims || (is_revoked && is_revoked(claims->jti))) return inactive();
    boost::json::object o;
    o["active"] = true;
    if (!claims->scopes.empty()) o["scope"] = detail::join_scope(claims->scopes);
    const auto client_id = jose::claim_strings(*claims, "client_id");
    if (!client_id.empty()) o["client_id"] = client_id.front();
    // A client_credentials token names the client, not a user (RFC 9068 2.2).
    if (client_id.empty() || claims->sub != client_id.front()) o["username"] = claims->sub;
    o["sub"] = claims->sub;
    o["exp"] = *claims->exp;
    if (claims->iat) o["iat"] = *claims->iat;
    o["iss"] = claims->iss;
    if (claims->aud.size() == 1) {
        o["aud"] = claims->aud.front();
    } else {
        boost::json::array aud;
        for (const auto& a : claims->aud) aud.emplace_back(a);
        o["aud"] = std::move(aud);
    }
    o["jti"] = claims->jti;
    o["token_type"] = "Bearer";
    return detail::json_response(200, o);
}

}  // namespace

Response introspect(const Form& params, std::optional<std::string_view> authorization, std::int64_t now,
                    const Issuer& issuer, const IsRevoked& is_revoked) {
    using detail::oauth_error;
    auto auth = authenticate_client(params, authorization, issuer.store, issuer.check_secret);
    if (!auth) return error_response(auth.error(), issuer.settings);
    if (auth->method == ClientAuthMethod::none) {
        return error_response(
            oauth_error(OAuthErrorCode::unauthorized_client, "public clients may not introspect"),
            issuer.settings);
    }
    const auto token = detail::param(params, "token");
    if (!token)
        return error_response(oauth_error(OAuthErrorCode::invalid_request, "token is required"),
                              issuer.settings);
    if (token->starts_with(kRefreshTokenPrefix)) return refresh_info(*token, now, issuer);
    return access_info(*token, now, issuer, is_revoked);
}

}  // namespace gk::issuer
