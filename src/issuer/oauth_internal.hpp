#pragma once
// Helpers shared by the OAuth endpoint files (not part of the public API).
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatekeeper/issuer/oauth.hpp"
#include "gatekeeper/jose/claims.hpp"

namespace gk::issuer::detail {

inline OAuthError oauth_error(OAuthErrorCode code, std::string description) {
    return OAuthError{code, std::move(description), false};
}
inline OAuthError store_error() {
    return oauth_error(OAuthErrorCode::temporarily_unavailable, "the server cannot answer now; try again");
}

// RFC 6749 3.1/3.2: no parameter more than once (any name).
std::optional<std::string> duplicate_parameter(const Form& f);
// The value of `name`; an empty value counts as absent (RFC 6749 3.1). Call
// after duplicate_parameter().
std::optional<std::string_view> param(const Form& f, std::string_view name);

// RFC 6749 3.3: scope-token *( SP scope-token ), scope-token = 1*NQCHAR.
// nullopt when malformed; duplicates dropped, order kept.
std::optional<std::vector<std::string>> parse_scope(std::string_view scope);
std::string join_scope(const std::vector<std::string>& scopes);
bool scope_subset(const std::vector<std::string>& requested, const std::vector<std::string>& allowed);

bool has(const std::vector<std::string>& list, std::string_view item);

// A 200/4xx JSON response with the RFC 6749 5.1 cache headers.
Response json_response(int status, const boost::json::object& body);

// One of our access tokens, verified now (signature with the ring, typ at+jwt,
// iss, exp with no leeway). Any failure: not ours or not valid.
Result<jose::Claims, jose::JoseError> verify_access_token(std::string_view token, const KeyRing& keys,
                                                          const Settings& settings, std::int64_t now);

// The user's groups and email for a token (nullopt user: no directory set).
// invalid_grant when the directory says no such user or disabled;
// temporarily_unavailable when it cannot answer.
Result<AccessTokenClaims, OAuthError> user_claims(const Issuer& issuer, const std::string& user,
                                                  const std::string& client_id, const std::string& scope);

// The token response (RFC 6749 5.1): access token, and a refresh token if given.
Response issue_tokens(const Issuer& issuer, const AccessTokenClaims& claims, std::int64_t now,
                      const std::optional<std::string>& refresh_token);

// The grants (token endpoint), after client authentication and the
// duplicate-parameter check.
Result<Response, OAuthError> grant_client_credentials(const Form& params, const Client& client,
                                                      std::int64_t now, const Issuer& issuer);
Result<Response, OAuthError> grant_authorization_code(const Form& params, const Client& client,
                                                      std::int64_t now, const Issuer& issuer);
Result<Response, OAuthError> grant_refresh_token(const Form& params, const Client& client, std::int64_t now,
                                                 const Issuer& issuer);

}  // namespace gk::issuer::detail
