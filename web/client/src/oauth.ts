/**
 * The OAuth 2 calls a browser app makes to gatekeeper's issuer: the authorization-code request
 * with PKCE (RFC 6749 4.1, RFC 7636), the code exchange, the refresh-token grant (RFC 6749 6)
 * and revocation (RFC 7009). Public clients (no secret) are the browser case; a secret can be
 * given for confidential clients running elsewhere (tests, servers).
 */
import { codeChallengeS256, createCodeVerifier, randomState } from "./pkce.js";
import { tokenSetFromResponse, type TokenSet } from "./tokens.js";

export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Where the issuer's endpoints are and who the client is. */
export interface OAuthClientConfig {
  /** `/.gatekeeper/token` on the gateway's origin, or an absolute URL. */
  tokenEndpoint: string;
  clientId: string;
  /** Only for confidential clients (sent as client_secret_basic). Never put one in a browser. */
  clientSecret?: string;
  /** The fetch used for issuer calls (default: globalThis.fetch). Not the authenticated one. */
  fetch?: FetchLike;
  /** Clock for `expiresAt`, in ms (default Date.now). */
  now?: () => number;
}

/** An RFC 6749 5.2 error from the token endpoint, or a transport failure. */
export class OAuthError extends Error {
  constructor(
    /** `invalid_grant`, `invalid_client`, ..., or `network_error` / `invalid_response`. */
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "OAuthError";
  }
}

function basicAuth(id: string, secret: string): string {
  // RFC 6749 2.3.1: form-urlencode both, then Basic.
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  const bytes = new TextEncoder().encode(`${enc(id)}:${enc(secret)}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return "Basic " + btoa(bin);
}

async function postForm(cfg: OAuthClientConfig, url: string, form: Record<string, string>): Promise<Response> {
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
    Accept: "application/json",
  };
  if (cfg.clientSecret !== undefined) headers.Authorization = basicAuth(cfg.clientId, cfg.clientSecret);
  else body.set("client_id", cfg.clientId);
  const f = cfg.fetch ?? globalThis.fetch.bind(globalThis);
  try {
    return await f(url, { method: "POST", headers, body, credentials: "same-origin", cache: "no-store" });
  } catch (e) {
    throw new OAuthError("network_error", `token endpoint unreachable: ${String(e)}`);
  }
}

async function tokenRequest(cfg: OAuthClientConfig, form: Record<string, string>, previous?: TokenSet | null): Promise<TokenSet> {
  const res = await postForm(cfg, cfg.tokenEndpoint, form);
  let body: unknown = undefined;
  try {
    body = await res.json();
  } catch {
    // fall through: reported below
  }
  if (!res.ok) {
    const b = (body ?? {}) as { error?: unknown; error_description?: unknown };
    const code = typeof b.error === "string" ? b.error : "invalid_response";
    const desc = typeof b.error_description === "string" ? `: ${b.error_description}` : "";
    throw new OAuthError(code, `token endpoint answered ${res.status} ${code}${desc}`, res.status);
  }
  try {
    return tokenSetFromResponse(body, (cfg.now ?? Date.now)(), previous);
  } catch (e) {
    throw new OAuthError("invalid_response", String(e), res.status);
  }
}

/** Exchange an authorization code (with its PKCE verifier) for tokens. */
export function exchangeCode(cfg: OAuthClientConfig, p: { code: string; redirectUri: string; codeVerifier: string }): Promise<TokenSet> {
  return tokenRequest(cfg, {
    grant_type: "authorization_code",
    code: p.code,
    redirect_uri: p.redirectUri,
    code_verifier: p.codeVerifier,
  });
}

/** One refresh-token grant. gatekeeper rotates the refresh token: use the returned one. */
export function refreshWithToken(cfg: OAuthClientConfig, refreshToken: string, previous?: TokenSet | null, scope?: string): Promise<TokenSet> {
  const form: Record<string, string> = { grant_type: "refresh_token", refresh_token: refreshToken };
  if (scope !== undefined) form.scope = scope;
  return tokenRequest(cfg, form, previous);
}

/** Revoke a token (RFC 7009). Resolves true on 200 (also for unknown tokens, per the RFC). */
export async function revokeToken(cfg: OAuthClientConfig & { revocationEndpoint: string }, token: string,
  hint?: "refresh_token" | "access_token"): Promise<boolean> {
  const form: Record<string, string> = { token };
  if (hint) form.token_type_hint = hint;
  const res = await postForm(cfg, cfg.revocationEndpoint, form);
  return res.ok;
}

/**
 * How the client gets a new access token: given the tokens it has (maybe none), resolve with
 * new ones or reject. Called at most once at a time (single flight) by {@link AuthClient}.
 */
export type Refresher = (current: TokenSet | null) => Promise<TokenSet>;

/** Refresh through the issuer's token endpoint with the refresh token held in memory. */
export function refreshTokenGrant(cfg: OAuthClientConfig & { scope?: string }): Refresher {
  return async (current) => {
    if (!current?.refreshToken) throw new OAuthError("no_refresh_token", "no refresh token in memory");
    return refreshWithToken(cfg, current.refreshToken, current, cfg.scope);
  };
}

/**
 * Refresh through the application's own session: `callback` asks the app's backend (with the
 * session cookie) for a fresh access token and returns it, a TokenSet, or null when the session
 * is gone (which sends the user to log in).
 */
export function sessionRefresh(callback: () => Promise<TokenSet | string | null | undefined>): Refresher {
  return async () => {
    const r = await callback();
    if (r === null || r === undefined || r === "") throw new OAuthError("session_expired", "the session refresh returned no token");
    return typeof r === "string" ? { accessToken: r, tokenType: "Bearer" } : r;
  };
}

/** What {@link buildAuthorizeUrl} needs. */
export interface AuthorizeRequest {
  /** `/.gatekeeper/authorize` or an absolute URL. Relative URLs are resolved against `base`. */
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
  state: string;
  codeChallenge: string;
  /** Base for a relative endpoint (default: location.href in a browser). */
  base?: string;
}

/** The authorization request URL (response_type=code, code_challenge_method=S256). */
export function buildAuthorizeUrl(r: AuthorizeRequest): string {
  const base = r.base ?? (typeof location !== "undefined" ? location.href : undefined);
  const url = new URL(r.authorizationEndpoint, base);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", r.clientId);
  url.searchParams.set("redirect_uri", r.redirectUri);
  if (r.scope) url.searchParams.set("scope", r.scope);
  url.searchParams.set("state", r.state);
  url.searchParams.set("code_challenge", r.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

/** Minimal Storage (sessionStorage in a browser) for the login round trip. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A PKCE login in progress, kept across the redirect to the issuer and back. */
interface PendingLogin {
  state: string;
  codeVerifier: string;
  redirectUri: string;
  returnTo: string;
  createdAt: number;
}

const PENDING_KEY = "gatekeeper-client:pkce";
const PENDING_MAX_AGE_MS = 10 * 60 * 1000;

function defaultStorage(): KeyValueStorage {
  const s = (globalThis as { sessionStorage?: KeyValueStorage }).sessionStorage;
  if (!s) throw new Error("no sessionStorage: pass `storage`");
  return s;
}

/**
 * Start an authorization-code + PKCE login: make a verifier and a state, keep them (not any
 * token) in sessionStorage for the round trip, and return the URL to send the browser to.
 */
export async function beginPkceLogin(p: Omit<AuthorizeRequest, "state" | "codeChallenge"> & {
  returnTo?: string; storage?: KeyValueStorage; now?: () => number;
}): Promise<string> {
  const codeVerifier = createCodeVerifier();
  const state = randomState();
  const pending: PendingLogin = {
    state, codeVerifier, redirectUri: p.redirectUri,
    returnTo: p.returnTo ?? "", createdAt: (p.now ?? Date.now)(),
  };
  (p.storage ?? defaultStorage()).setItem(PENDING_KEY, JSON.stringify(pending));
  return buildAuthorizeUrl({ ...p, state, codeChallenge: await codeChallengeS256(codeVerifier) });
}

/**
 * Finish a PKCE login on the redirect URI: check `state`, exchange the code, and forget the
 * verifier. `callbackUrl` is the URL the issuer sent the browser to (default: location.href).
 * Resolves with the tokens and the `returnTo` given to {@link beginPkceLogin}.
 */
export async function completePkceLogin(cfg: OAuthClientConfig & {
  callbackUrl?: string; storage?: KeyValueStorage; expectedIssuer?: string;
}): Promise<{ tokens: TokenSet; returnTo: string }> {
  const storage = cfg.storage ?? defaultStorage();
  const raw = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY); // one use, whatever happens next
  const url = new URL(cfg.callbackUrl ?? location.href);
  const q = url.searchParams;
  if (q.get("error")) {
    throw new OAuthError(q.get("error")!, `authorization failed: ${q.get("error")}${q.get("error_description") ? ": " + q.get("error_description") : ""}`);
  }
  if (!raw) throw new OAuthError("no_pending_login", "no login in progress in this tab (or it was already completed)");
  const pending = JSON.parse(raw) as PendingLogin;
  if ((cfg.now ?? Date.now)() - pending.createdAt > PENDING_MAX_AGE_MS) throw new OAuthError("login_expired", "the login took too long; start again");
  const state = q.get("state");
  if (state === null || state !== pending.state) throw new OAuthError("state_mismatch", "the state in the callback is not the one this tab sent");
  if (cfg.expectedIssuer !== undefined && q.get("iss") !== null && q.get("iss") !== cfg.expectedIssuer) {
    throw new OAuthError("issuer_mismatch", `the callback names issuer ${q.get("iss")}`); // RFC 9207
  }
  const code = q.get("code");
  if (!code) throw new OAuthError("invalid_request", "the callback has no code");
  const tokens = await exchangeCode(cfg, { code, redirectUri: pending.redirectUri, codeVerifier: pending.codeVerifier });
  return { tokens, returnTo: pending.returnTo };
}
