#pragma once
// gatekeeper as an OAuth 2 authorization server (RFC 6749, PKCE RFC 7636,
// access tokens RFC 9068, revocation RFC 7009, introspection RFC 7662,
// metadata RFC 8414, the `iss` authorization-response parameter RFC 9207,
// and the OAuth 2.0 Security BCP RFC 9700), as pure functions: parsed
// parameters, the time and the store in; a response value out. The server
// parses the HTTP request, calls one of these and writes the result.
//
// Clients are first-party (registered by the operator), so there is no
// consent screen: a signed-in user who reaches /authorize with a valid
// request gets a code at once.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatekeeper/common/result.hpp"
#include "gatekeeper/crypto/signature.hpp"
#include "gatekeeper/gate/ports.hpp"
#include "gatekeeper/httpauth/form.hpp"
#include "gatekeeper/issuer/signing_keys.hpp"
#include "gatekeeper/issuer/store.hpp"

namespace gk::issuer {

// OAuth requests are HTML forms and query strings (httpauth/form.hpp).
using httpauth::Form;
using httpauth::FormError;
using httpauth::FormField;

struct Settings {
    std::string issuer;                  // `iss` of every token, exact (e.g. "https://gw.example")
    std::vector<std::string> audiences;  // `aud` of access tokens; empty: the issuer itself
    std::chrono::seconds access_token_ttl{600};
    std::chrono::seconds refresh_token_ttl{30 * 24 * 3600};  // absolute, for the whole family
    std::chrono::seconds code_ttl{60};
    crypto::SigAlg algorithm = crypto::SigAlg::es256;  // for new signing keys
    std::string realm = "gatekeeper";                  // Basic challenge on a failed client_secret_basic
};

// An HTTP response as a value: the server writes it. Token-endpoint style
// responses always carry Content-Type application/json, Cache-Control
// no-store and Pragma no-cache (RFC 6749 5.1).
struct Response {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// RFC 6749 5.2 error codes (plus RFC 7009's unsupported_token_type is not
// needed: both token types are supported). temporarily_unavailable = the store
// could not answer (503, fail closed).
enum class OAuthErrorCode {
    invalid_request,
    invalid_client,
    invalid_grant,
    unauthorized_client,
    unsupported_grant_type,
    invalid_scope,
    temporarily_unavailable,
};
const char* to_string(OAuthErrorCode) noexcept;

struct OAuthError {
    OAuthErrorCode code = OAuthErrorCode::invalid_request;
    std::string description;       // error_description: safe for the client
    bool basic_challenge = false;  // client_secret_basic failed: 401 + WWW-Authenticate: Basic
};
// invalid_client: 401 with `WWW-Authenticate: Basic realm=...` when the client
// tried the Authorization header (RFC 6749 5.2), else 400 (a 401 must carry a
// challenge, RFC 9110 11.6.1); temporarily_unavailable: 503; others 400.
Response error_response(const OAuthError& e, const Settings& s);

// Checks a client secret against its stored hash. The server passes one
// that remembers recent successes (an argon2id run per token request would
// cap the endpoint at a few dozen requests a second); empty = password::verify.
using SecretCheck =
    std::function<bool(std::string_view client_id, std::string_view stored_hash, std::string_view secret)>;

struct AccessTokenClaims {
    std::string sub;  // user, or client_id for client_credentials
    std::string client_id;
    std::string scope;  // space-separated
    std::vector<std::string> groups;
    std::string email;
    bool user_token = false;  // groups/email written (groups even when empty)
    std::int64_t ttl = 0;     // seconds; 0 = Settings::access_token_ttl (a client may have its own)
};

// Told of every access token the token endpoint hands out (for the audit
// log): the claims it carries, its jti, and whether a refresh token came with it.
struct IssuedToken {
    const AccessTokenClaims& claims;
    std::string_view jti;
    bool with_refresh_token = false;
};
using IssuedHook = std::function<void(const IssuedToken&)>;

// What the endpoints work with. The store must outlive the call.
struct Issuer {
    IssuerStore& store;
    const KeyRing& keys;
    const Settings& settings;
    const gate::UserDirectory* users = nullptr;  // when set: `groups`/`email` in user tokens,
                                                 // and a missing or disabled user gets no token
    SecretCheck check_secret = {};
    IssuedHook on_issued = {};
};

// ---- client authentication (RFC 6749 2.3.1) --------------------------------
enum class ClientAuthMethod { client_secret_basic, client_secret_post, none };
struct AuthenticatedClient {
    Client client;
    ClientAuthMethod method = ClientAuthMethod::none;
};
// Basic (id and secret form-urlencoded inside, RFC 6749 2.3.1) or client_id +
// client_secret in the body; both -> invalid_request; a Basic id and a body
// client_id that differ -> invalid_request. An unknown client costs one
// password check against password::dummy_hash(). A public client (empty
// secret_hash) authenticates by client_id alone (method none) and must not
// present a secret. Every failure is invalid_client with the same text.
Result<AuthenticatedClient, OAuthError> authenticate_client(const Form& params,
                                                            std::optional<std::string_view> authorization,
                                                            const IssuerStore& store,
                                                            const SecretCheck& check_secret = {});

// ---- token endpoint (RFC 6749 3.2, 4.1.3, 4.4, 6) --------------------------
// grant_type authorization_code (PKCE S256 required), refresh_token (rotated;
// reuse revokes the family), client_credentials (confidential clients only).
Response token_endpoint(const Form& params, std::optional<std::string_view> authorization, std::int64_t now,
                        const Issuer& issuer);

// ---- authorization endpoint (RFC 6749 4.1.1, RFC 7636, RFC 9207) -----------
struct AuthorizeResult {
    enum class Kind {
        need_login,      // valid request, nobody signed in: send the user to the login page, then back
        error_page,      // client or redirect_uri not established: show `message`, NEVER redirect
        redirect_error,  // `location` = redirect_uri?error=...&state=...&iss=...
        redirect_code,   // `location` = redirect_uri?code=...&state=...&iss=...
    };
    Kind kind = Kind::error_page;
    int status = 400;      // error_page: 400, or 503 when the store failed; redirects: 302
    std::string location;  // redirect_*
    std::string message;   // error_page: plain text for the page
};
AuthorizeResult authorize(const Form& query, const std::optional<std::string>& user, std::int64_t now,
                          IssuerStore& store, const Settings& settings);

// ---- revocation (RFC 7009) -------------------------------------------------
struct RevokedAccessToken {
    std::string jti;
    std::int64_t exp = 0;
};
struct RevokeResult {
    Response response;
    std::optional<RevokedAccessToken> access;  // for the caller's in-memory revocation list
    std::optional<std::string> family_id;      // a refresh-token family that was revoked
};
// Refresh tokens revoke their family; our own unexpired access tokens are
// remembered by jti until exp. Unknown, expired or foreign tokens: 200. A
// token issued to another client: 400 unauthorized_client (RFC 7009 2.1).
RevokeResult revoke(const Form& params, std::optional<std::string_view> authorization, std::int64_t now,
                    const Issuer& issuer);

// ---- introspection (RFC 7662) ----------------------------------------------
using IsRevoked = std::function<bool(std::string_view jti)>;
// Only confidential clients may introspect (public ones: unauthorized_client).
// Anything not valid now -> {"active":false} and nothing else.
Response introspect(const Form& params, std::optional<std::string_view> authorization, std::int64_t now,
                    const Issuer& issuer, const IsRevoked& is_revoked);

// ---- metadata (RFC 8414) ---------------------------------------------------
// Endpoints under base_url (no trailing slash needed); `issuer` from settings.
std::string authorization_server_metadata(std::string_view base_url, const Settings& settings,
                                          const std::vector<std::string>& scopes_supported = {});

// ---- building blocks, public for the server, the CLI and tests -------------
inline constexpr std::string_view kRefreshTokenPrefix = "gkr_";
inline constexpr std::string_view kCodePrefix = "gkc_";
inline constexpr std::string_view kAccessTokenType = "at+jwt";

// prefix + base64url(32 random bytes).
std::string new_opaque_token(std::string_view prefix);
// Lower-case hex SHA-256: how codes and refresh tokens are stored.
std::string token_hash(std::string_view token);
// base64url(SHA-256(verifier)) (RFC 7636 4.2, S256).
std::string pkce_s256(std::string_view verifier);
// 43..128 characters of ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 7636 4.1).
bool valid_code_verifier(std::string_view verifier) noexcept;

struct MintedAccessToken {
    std::string token;
    std::string jti;
    std::int64_t exp = 0;
};
// RFC 9068: header typ at+jwt + kid; iss, sub, aud, exp, iat, jti (128 random
// bits), client_id, scope, and groups/email for user tokens.
Result<MintedAccessToken, jose::JoseError> mint_access_token(const AccessTokenClaims& c, std::int64_t now,
                                                             const KeyRing& keys, const Settings& settings);

}  // namespace gk::issuer
