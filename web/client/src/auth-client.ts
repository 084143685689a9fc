/**
 * The client half of a 401. {@link AuthClient.fetch} is `fetch` with these rules:
 *
 * - attaches `Authorization: Bearer <access token>` to requests it may send it to (same origin
 *   by default) unless the caller set an Authorization header of its own;
 * - a 401 whose Bearer challenge says `error="invalid_token"` (or any Bearer 401 when no token
 *   was sent) triggers one refresh and one retry of that request; concurrent 401s share one
 *   refresh (single flight), and a 401 for a token that another caller already replaced is
 *   retried with the new token without refreshing again;
 * - a failed refresh, a second 401 after the retry, or a 401 a refresh cannot fix: the user
 *   must log in. The app's `onLoginRequired` is called, or the browser is sent to the login URL
 *   named by gatekeeper's problem+json body (`login_url`) with the return URL in `rd`;
 * - a 403 is returned as it is: never retried, never refreshed, tokens kept;
 * - never loops: at most one refresh and one retry per call, and one login redirect per burst.
 */
import { bearerChallenge } from "./www-authenticate.js";
import type { FetchLike, Refresher } from "./oauth.js";
import type { TokenSet } from "./tokens.js";

/** Why the user has to log in. */
export type LoginReason =
  /** a 401 arrived and no token had been sent, and nothing could get one */
  | "no-credentials"
  /** the 401 is not one a refresh fixes (not invalid_token), or there is no way to refresh */
  | "not-refreshable"
  /** the refresh failed (refresh token expired, revoked, reused; session gone; network) */
  | "refresh-failed"
  /** the request was retried with a fresh token and got 401 again */
  | "retry-failed";

export interface LoginRequired {
  reason: LoginReason;
  /** The login URL with the return URL set, when one is known (problem+json or options). */
  loginUrl?: string;
  /** The URL of the request that got the 401. */
  requestUrl: string;
  /** The refresh error, for `refresh-failed`. */
  error?: unknown;
}

/** Everything the client does, for logs and on-page traces. */
export type AuthEvent =
  | { type: "request"; url: string; method: string; withToken: boolean; retry: boolean }
  | { type: "unauthorized"; url: string; error?: string; description?: string }
  | { type: "refresh-start" }
  | { type: "refresh-success"; expiresAt?: number }
  | { type: "refresh-failure"; error: unknown }
  | { type: "retry"; url: string; refreshed: boolean }
  | { type: "forbidden"; url: string; error?: string; scope?: string }
  | ({ type: "login-required"; suppressed: boolean } & LoginRequired);

export interface AuthClientOptions {
  /** The underlying fetch (default: globalThis.fetch). */
  fetch?: FetchLike;
  /** How to get a new access token: `refreshTokenGrant(...)`, `sessionRefresh(...)`, or your own. */
  refresh?: Refresher;
  /** Tokens to start with (e.g. right after the code exchange). */
  tokens?: TokenSet | null;
  /** Which request URLs get the token. Default: the page's origin (every URL outside a browser). */
  attachTo?: (url: URL) => boolean;
  /** Login URL to use when a 401's body names none (e.g. `/.gatekeeper/login`). */
  loginUrl?: string;
  /** Query parameter of the login URL that carries the return URL. Default `rd` (gatekeeper's). */
  returnParam?: string;
  /** The URL to come back to after login. Default: the page's path and query. */
  returnUrl?: () => string | undefined;
  /**
   * The app's own handler. When given, it is called instead of the redirect (once per burst of
   * 401s); the 401 response is still returned to the caller.
   */
  onLoginRequired?: (info: LoginRequired) => void | Promise<void>;
  /** How to send the browser to the login page. Default: location.assign. */
  navigate?: (url: string) => void;
  /**
   * A second automatic login redirect within this many ms of the previous one (across page
   * loads, remembered in sessionStorage) is not made: the app's handler, if any, still runs.
   * Protects against a login that does not stick (cookies blocked). Default 10 s; 0 disables.
   */
  loginRedirectGuardMs?: number;
  /** Trace of everything the client does. */
  onEvent?: (e: AuthEvent) => void;
  /** Clock, ms since the epoch. */
  now?: () => number;
}

const GUARD_KEY = "gatekeeper-client:login-redirect";

interface LocationLike {
  origin: string;
  href: string;
  pathname: string;
  search: string;
  assign(url: string): void;
}

function pageLocation(): LocationLike | undefined {
  const l = (globalThis as { location?: LocationLike }).location;
  return l && typeof l.origin === "string" && l.origin !== "null" ? l : undefined;
}

/** Internal: what {@link AuthClient.handleUnauthorized} decided. */
export type UnauthorizedDecision = { retryWith: string } | { retryWith?: undefined };

/** The facts of one 401, from fetch or from an axios-style response. */
export interface UnauthorizedContext {
  requestUrl: string;
  /** The access token the request carried (null: none). */
  sentToken: string | null;
  /** True when this request is already the retry. */
  retried: boolean;
  wwwAuthenticate: string | null | undefined;
  /** Reads the problem+json body (lazily: only when a login URL is needed). */
  readBody: () => Promise<unknown>;
  /** Base URL for a relative `login_url` (the response URL). */
  responseUrl: string;
}

export class AuthClient {
  private tokenSet: TokenSet | null;
  private inflight: Promise<TokenSet> | null = null;
  /** The access token (or "" for none) for which the last refresh failed. */
  private failedFor: string | null = null;
  /** A login was already asked for since the last successful sign-in: do not ask again. */
  private loginAsked = false;
  private readonly opts: AuthClientOptions;
  /** Count of refreshes started (for tests and traces). */
  refreshCount = 0;

  constructor(options: AuthClientOptions = {}) {
    this.opts = options;
    this.tokenSet = options.tokens ?? null;
    this.fetch = this.fetch.bind(this);
  }

  // ------------------------------------------------------------------ tokens

  /** The tokens held in memory (null when signed out). */
  get tokens(): TokenSet | null {
    return this.tokenSet;
  }

  get accessToken(): string | null {
    return this.tokenSet?.accessToken ?? null;
  }

  /** Replace the tokens (after a code exchange, or your own refresh). */
  setTokens(tokens: TokenSet | null): void {
    this.tokenSet = tokens;
    if (tokens) {
      this.loginAsked = false;
      this.failedFor = null;
    }
  }

  /** Forget the tokens (log out locally; revoke the refresh token first if you have one). */
  clearTokens(): void {
    this.tokenSet = null;
  }

  /**
   * Refresh now. Concurrent calls share one refresh: the first starts it, the others get the
   * same promise. On success the new tokens are in memory; on failure the old ones are dropped.
   */
  refresh(): Promise<TokenSet> {
    if (this.inflight) return this.inflight;
    const refresher = this.opts.refresh;
    if (!refresher) return Promise.reject(new Error("no refresh strategy configured"));
    const before = this.tokenSet;
    this.refreshCount++;
    this.emit({ type: "refresh-start" });
    const p = (async () => {
      try {
        const next = await refresher(before);
        this.setTokens(next);
        this.emit({ type: "refresh-success", ...(next.expiresAt !== undefined ? { expiresAt: next.expiresAt } : {}) });
        return next;
      } catch (error) {
        this.failedFor = before?.accessToken ?? "";
        if (this.tokenSet === before) this.tokenSet = null;
        this.emit({ type: "refresh-failure", error });
        throw error;
      } finally {
        this.inflight = null;
      }
    })();
    this.inflight = p;
    return p;
  }

  // ------------------------------------------------------------------ fetch

  /** `fetch` with the token attached and 401s handled (see the module comment). */
  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const f = this.opts.fetch ?? globalThis.fetch.bind(globalThis);
    const request = new Request(input, init);
    if (request.headers.has("authorization") || !this.mayAttach(request.url)) return f(request);

    const spare = request.clone(); // the body again, for the one retry
    const sent = this.accessToken;
    const res = await this.send(f, request, sent, false);
    if (res.status === 403) {
      this.noteForbidden(request.url, res.headers.get("www-authenticate"));
      return res;
    }
    if (res.status !== 401) return res;

    const decision = await this.handleUnauthorized({
      requestUrl: request.url,
      sentToken: sent,
      retried: false,
      wwwAuthenticate: res.headers.get("www-authenticate"),
      readBody: () => readJson(res),
      responseUrl: res.url || request.url,
    });
    if (decision.retryWith === undefined) return res;

    const again = await this.send(f, spare, decision.retryWith, true);
    if (again.status === 403) this.noteForbidden(request.url, again.headers.get("www-authenticate"));
    if (again.status === 401) {
      await this.handleUnauthorized({
        requestUrl: request.url,
        sentToken: decision.retryWith,
        retried: true,
        wwwAuthenticate: again.headers.get("www-authenticate"),
        readBody: () => readJson(again),
        responseUrl: again.url || request.url,
      });
    }
    return again;
  }

  private async send(f: FetchLike, req: Request, token: string | null, retry: boolean): Promise<Response> {
    if (token !== null) req.headers.set("Authorization", `Bearer ${token}`);
    this.emit({ type: "request", url: req.url, method: req.method, withToken: token !== null, retry });
    return f(req);
  }

  /** Whether a request to `url` gets the token (see `attachTo`). */
  mayAttach(url: string): boolean {
    let u: URL;
    try {
      u = new URL(url, pageLocation()?.href);
    } catch {
      return false;
    }
    if (this.opts.attachTo) return this.opts.attachTo(u);
    const loc = pageLocation();
    return loc ? u.origin === loc.origin : true;
  }

  /** Record a 403 (for the trace); nothing else happens: the user is known and may not do it. */
  noteForbidden(url: string, wwwAuthenticate: string | null | undefined): void {
    const b = bearerChallenge(wwwAuthenticate);
    this.emit({
      type: "forbidden", url,
      ...(b?.error !== undefined ? { error: b.error } : {}),
      ...(b?.scope !== undefined ? { scope: b.scope } : {}),
    });
  }

  /**
   * Decide what a 401 means and act on it: refresh (shared) and hand back the token to retry
   * with, or ask for a login and hand back nothing. Used by {@link fetch} and by the axios
   * adapter; exposed for other HTTP clients.
   */
  async handleUnauthorized(ctx: UnauthorizedContext): Promise<UnauthorizedDecision> {
    const bearer = bearerChallenge(ctx.wwwAuthenticate);
    this.emit({
      type: "unauthorized", url: ctx.requestUrl,
      ...(bearer?.error !== undefined ? { error: bearer.error } : {}),
      ...(bearer?.errorDescription !== undefined ? { description: bearer.errorDescription } : {}),
    });
    if (ctx.retried) {
      this.dropTokensIf(ctx.sentToken);
      await this.loginRequired("retry-failed", ctx);
      return {};
    }
    const refreshable = bearer !== undefined && (bearer.error === "invalid_token" ||
      (ctx.sentToken === null && bearer.error === undefined));
    if (!refreshable || !this.opts.refresh) {
      await this.loginRequired(ctx.sentToken === null ? "no-credentials" : "not-refreshable", ctx);
      return {};
    }
    // Someone else already replaced the token this request carried: retry with theirs.
    const current = this.accessToken;
    if (current !== null && current !== ctx.sentToken) {
      this.emit({ type: "retry", url: ctx.requestUrl, refreshed: false });
      return { retryWith: current };
    }
    // The refresh for this very token already failed: do not try again.
    if (this.failedFor !== null && this.failedFor === (ctx.sentToken ?? "") && !this.inflight) {
      await this.loginRequired("refresh-failed", ctx);
      return {};
    }
    let next: TokenSet;
    try {
      next = await this.refresh();
    } catch (error) {
      await this.loginRequired("refresh-failed", ctx, error);
      return {};
    }
    this.emit({ type: "retry", url: ctx.requestUrl, refreshed: true });
    return { retryWith: next.accessToken };
  }

  private dropTokensIf(token: string | null): void {
    if (token !== null && this.tokenSet?.accessToken === token) this.tokenSet = null;
  }

  // ------------------------------------------------------------------ login

  private async loginRequired(reason: LoginReason, ctx: UnauthorizedContext, error?: unknown): Promise<void> {
    const loginUrl = await this.loginUrlFor(ctx);
    const info: LoginRequired = {
      reason, requestUrl: ctx.requestUrl,
      ...(loginUrl !== undefined ? { loginUrl } : {}),
      ...(error !== undefined ? { error } : {}),
    };
    const suppressed = this.loginAsked;
    this.emit({ type: "login-required", suppressed, ...info });
    if (suppressed) return;
    this.loginAsked = true;
    if (this.opts.onLoginRequired) {
      await this.opts.onLoginRequired(info);
      return;
    }
    if (loginUrl !== undefined) this.redirect(loginUrl);
  }

  private redirect(url: string): void {
    const guard = this.opts.loginRedirectGuardMs ?? 10_000;
    const now = (this.opts.now ?? Date.now)();
    const storage = (globalThis as { sessionStorage?: Storage }).sessionStorage;
    if (guard > 0 && storage) {
      const last = Number(storage.getItem(GUARD_KEY) ?? "0");
      if (now - last < guard) return; // the last login did not stick: do not bounce again
      storage.setItem(GUARD_KEY, String(now));
    }
    if (this.opts.navigate) this.opts.navigate(url);
    else pageLocation()?.assign(url);
  }

  /**
   * The login URL for a 401: `login_url` of gatekeeper's problem+json body (resolved against the
   * response URL), else the `loginUrl` option; with the return parameter set to the page the
   * user is on (gatekeeper's own `rd` names the API URL that failed, not the page).
   */
  async loginUrlFor(ctx: Pick<UnauthorizedContext, "readBody" | "responseUrl">): Promise<string | undefined> {
    let raw: string | undefined;
    try {
      const body = await ctx.readBody();
      const lu = (body as { login_url?: unknown } | null)?.login_url;
      if (typeof lu === "string" && lu.length > 0) raw = lu;
    } catch {
      // not JSON: no login_url there
    }
    raw ??= this.opts.loginUrl;
    if (raw === undefined) return undefined;
    const loc = pageLocation();
    let url: URL;
    try {
      url = new URL(raw, ctx.responseUrl || loc?.href);
    } catch {
      return undefined;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined; // no javascript: URLs
    const ret = this.opts.returnUrl ? this.opts.returnUrl() : loc ? loc.pathname + loc.search : undefined;
    if (ret !== undefined) {
      // Same origin as the login page: a path (what gatekeeper accepts by default); otherwise
      // absolute (the login host must list the page's host in allowed_return_hosts).
      let value = ret;
      if (loc && url.origin !== loc.origin && ret.startsWith("/")) value = loc.origin + ret;
      url.searchParams.set(this.opts.returnParam ?? "rd", value);
    }
    return loc && url.origin === loc.origin ? url.pathname + url.search : url.toString();
  }

  private emit(e: AuthEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // a broken logger must not break requests
    }
  }
}

async function readJson(res: Response): Promise<unknown> {
  const type = res.headers.get("content-type") ?? "";
  if (!/json/i.test(type)) return undefined;
  return res.clone().json();
}

/** Shorthand: a new {@link AuthClient}. */
export function createAuthClient(options: AuthClientOptions = {}): AuthClient {
  return new AuthClient(options);
}
