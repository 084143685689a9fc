/**
 * @gatekeeper/client: the browser side of gatekeeper's 401.
 *
 * - {@link AuthClient}: fetch with the access token attached, one shared refresh and one retry
 *   on `invalid_token`, a login redirect (or your handler) when that cannot help, 403 untouched.
 * - {@link attachToAxios}: the same rules as axios interceptors.
 * - {@link parseChallenges} / {@link parseCredentials}: the RFC 9110 grammar, not a regex.
 * - PKCE and the issuer calls: {@link beginPkceLogin}, {@link completePkceLogin},
 *   {@link refreshTokenGrant}, {@link sessionRefresh}, {@link revokeToken}.
 */
export {
  AuthClient,
  createAuthClient,
  type AuthClientOptions,
  type AuthEvent,
  type LoginReason,
  type LoginRequired,
  type UnauthorizedContext,
  type UnauthorizedDecision,
} from "./auth-client.js";
export { attachToAxios, type AxiosLikeInstance } from "./axios.js";
export {
  beginPkceLogin,
  buildAuthorizeUrl,
  completePkceLogin,
  exchangeCode,
  OAuthError,
  refreshTokenGrant,
  refreshWithToken,
  revokeToken,
  sessionRefresh,
  type AuthorizeRequest,
  type FetchLike,
  type KeyValueStorage,
  type OAuthClientConfig,
  type Refresher,
} from "./oauth.js";
export { base64UrlEncode, codeChallengeS256, createCodeVerifier, createPkcePair, randomState } from "./pkce.js";
export { tokenSetFromResponse, type TokenResponse, type TokenSet } from "./tokens.js";
export {
  bearerChallenge,
  duplicateParams,
  getParam,
  isScheme,
  MAX_FIELD_LENGTH,
  parseChallenges,
  parseCredentials,
  type BearerChallengeInfo,
  type Challenge,
  type ParseResult,
} from "./www-authenticate.js";
