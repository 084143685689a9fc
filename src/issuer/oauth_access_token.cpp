// Access tokens (RFC 9068): minting, checking our own, and the token response.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "gatekeeper/crypto/crypto.hpp"
#include "gatekeeper/httpauth/base64.hpp"
#include "gatekeeper/jose/jwt.hpp"
#include "issuer/oauth_internal.hpp"

namespace gk::issuer {

Result<MintedAccessToken, jose::JoseError> mint_access_token(const AccessTokenClaims& c, std::int64_t now,
                                                             const KeyRing& keys, const Settings& settings) {
    MintedAccessToken out;
    out.jti = httpauth::base64url_encode(crypto::random_bytes(16));  // 128 bits
    out.exp = now + (c.ttl > 0 ? c.ttl : settings.access_token_ttl.count());
    boost::json::object claims;
    claims["iss"] = settings.issuer;
    claims["sub"] = c.sub;
    if (settings.audiences.size() == 1) {
        claims["aud"] = settings.audiences.front();
    } else if (settings.audiences.empty()) {
        claims["aud"] = settings.issuer;  // the gateway itself is the resource server
    } else {
        boost::json::array aud;
        for (const auto& a : settings.audiences) aud.emplace_back(a);
        claims["aud"] = std::move(aud);
    }
    claims["exp"] = out.exp;
    claims["iat"] = now;
    claims["jti"] = out.jti;
    claims["client_id"] = c.client_id;
    if (!c.scope.empty()) claims["scope"] = c.scope;
    if (c.user_token) {
        boost::json::array groups;
        for (const auto& g : c.groups) groups.emplace_back(g);
        claims["groups"] = std::move(groups);
        if (!c.email.empty()) claims["email"] = c.email;
    }
    auto token = keys.sign(boost::json::serialize(claims), kAccessTokenType);
    if (!token) return fail(token.error());
    out.token = std::move(*token);
    return out;
}

namespace detail {

Result<jose::Claims, jose::JoseError> verify_access_token(std::string_view token, const KeyRing& keys,
                                                          const Settings& settings, std::int64_t now) {
    jose::JwtRules rules;
    rules.typ = std::string(kAccessTokenType);
    rules.claims.issuer = settings.issuer;
    rules.claims.leeway = std::chrono::seconds(0);  // our own clock: an expired token is expired
    rules.claims.required = {"jti"};
    const auto tp = std::chrono::system_clock::time_point(std::chrono::seconds(now));
    return jose::verify_jwt(token, keys.verification_keys(), rules, tp);
}

Result<AccessTokenClaims, OAuthError> user_claims(const Issuer& issuer, const std::string& user,
                                                  const std::string& client_id, const std::string& scope) {
    AccessTokenClaims c;
    c.sub = user;
    c.client_id = client_id;
    c.scope = scope;
    c.user_token = true;
    if (issuer.users == nullptr) return c;
    auto found = issuer.users->find(user);
    if (!found) return fail(store_error());  // could not look: 503, never "no such user"
    const auto& rec = found.value();
    if (!rec)
        return fail(oauth_error(OAuthErrorCode::invalid_grant, "the user of this grant no longer exists"));
    if (rec->disabled)
        return fail(oauth_error(OAuthErrorCode::invalid_grant, "the user of this grant is disabled"));
    c.groups = rec->groups;
    c.email = rec->email;
    return c;
}

Response issue_tokens(const Issuer& issuer, const AccessTokenClaims& claims, std::int64_t now,
                      const std::optional<std::string>& refresh_token) {
    auto at = mint_access_token(claims, now, issuer.keys, issuer.settings);
    if (!at)
        return error_response(store_error(), issuer.settings);  // a key that cannot sign: 503, fail closed
    if (issuer.on_issued) issuer.on_issued(IssuedToken{claims, at->jti, refresh_token.has_value()});
    boost::json::object body;
    body["access_token"] = at->token;
    body["token_type"] = "Bearer";
    body["expires_in"] = at->exp - now;
    if (!claims.scope.empty()) body["scope"] = claims.scope;
    if (refresh_token) body["refresh_token"] = *refresh_token;
    return json_response(200, body);
}

}  // namespace detail
}  // namespace gk::issuer
