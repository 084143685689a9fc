/**
 * Tokens live in memory only: in the object that holds them, never in localStorage,
 * sessionStorage or a cookie the page can read. A reload forgets them; the app gets new ones
 * through the issuer (a silent authorization-code round trip, since the gatekeeper session
 * cookie is still there) or through its own session-bound refresh callback.
 */

/** What the client keeps after a token response. */
export interface TokenSet {
  /** The access token sent as `Authorization: Bearer ...`. */
  accessToken: string;
  /** The refresh token (rotated on every use by gatekeeper), if the issuer gave one. */
  refreshToken?: string;
  /** When the access token expires, in milliseconds since the epoch (from `expires_in`). */
  expiresAt?: number;
  /** Granted scopes, space-separated. */
  scope?: string;
  /** `Bearer` for gatekeeper. */
  tokenType?: string;
}

/** RFC 6749 section 5.1 token response (the members the client uses). */
export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
}

/**
 * Turn a token endpoint's JSON into a TokenSet. A response without `refresh_token` keeps the
 * previous one (RFC 6749 section 6: the issuer MAY issue a new one). Throws on a body that is
 * not a token response.
 */
export function tokenSetFromResponse(body: unknown, now: number, previous?: TokenSet | null): TokenSet {
  if (typeof body !== "object" || body === null) throw new TypeError("token response is not a JSON object");
  const r = body as Partial<TokenResponse>;
  if (typeof r.access_token !== "string" || r.access_token.length === 0) {
    throw new TypeError("token response has no access_token");
  }
  if (r.token_type !== undefined && r.token_type.toLowerCase() !== "bearer") {
    throw new TypeError(`unsupported token_type ${JSON.stringify(r.token_type)}`);
  }
  const set: TokenSet = { accessToken: r.access_token, tokenType: "Bearer" };
  const refresh = typeof r.refresh_token === "string" ? r.refresh_token : previous?.refreshToken;
  if (refresh !== undefined) set.refreshToken = refresh;
  if (typeof r.expires_in === "number" && Number.isFinite(r.expires_in)) set.expiresAt = now + r.expires_in * 1000;
  if (typeof r.scope === "string") set.scope = r.scope;
  else if (previous?.scope !== undefined) set.scope = previous.scope;
  return set;
}
