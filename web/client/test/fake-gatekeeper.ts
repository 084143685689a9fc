/**
 * A fetch function that answers like gatekeeper's /api/ route and token endpoint, in memory.
 * Access tokens are "at-N", refresh tokens "rt-N"; the test marks tokens expired at will.
 */
export const ORIGIN = "https://gk.test";

export interface FakeOptions {
  /** ms the token endpoint takes (to make concurrent refreshes overlap). */
  refreshDelayMs?: number;
  /** Make every refresh fail with invalid_grant. */
  refreshFails?: boolean;
  /** Put a login_url in 401 bodies (gatekeeper does so on session routes). */
  loginUrlInBody?: boolean;
}

export class FakeGatekeeper {
  valid = new Set<string>();
  refreshTokens = new Set<string>();
  refreshCalls = 0;
  apiCalls: Array<{ method: string; path: string; auth: string | null; body: string }> = [];
  private n = 0;

  constructor(public opts: FakeOptions = {}) {}

  /** Issue a token pair. */
  issue(): { accessToken: string; refreshToken: string } {
    this.n++;
    const accessToken = `at-${this.n}`;
    const refreshToken = `rt-${this.n}`;
    this.valid.add(accessToken);
    this.refreshTokens.add(refreshToken);
    return { accessToken, refreshToken };
  }

  expireAll(): void {
    this.valid.clear();
  }

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.pathname === "/.gatekeeper/token") return this.token(req);
    const body = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
    const auth = req.headers.get("authorization");
    this.apiCalls.push({ method: req.method, path: url.pathname, auth, body });
    const problem = (status: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ type: "about:blank", title: status === 401 ? "Unauthorized" : "Forbidden", status, detail: "x", ...extra });
    const loginExtra = this.opts.loginUrlInBody
      ? { login_url: "/.gatekeeper/login?rd=" + encodeURIComponent(url.pathname + url.search) } : {};
    const h401 = (www: string, extra: Record<string, unknown> = {}) =>
      new Response(problem(401, { ...loginExtra, ...extra }), {
        status: 401,
        headers: { "Content-Type": "application/problem+json", "WWW-Authenticate": www, "Cache-Control": "no-store" },
      });
    if (!auth) return h401('Bearer realm="api"');
    const m = /^Bearer (\S+)$/.exec(auth);
    if (!m || !this.valid.has(m[1]!)) {
      return h401('Bearer realm="api", error="invalid_token", error_description="token expired"');
    }
    if (url.pathname.startsWith("/api/forbidden")) {
      return new Response(problem(403), {
        status: 403,
        headers: {
          "Content-Type": "application/problem+json",
          "WWW-Authenticate": 'Bearer realm="api", error="insufficient_scope", scope="write"',
        },
      });
    }
    if (url.pathname.startsWith("/api/basic-only")) return h401('Basic realm="x", charset="UTF-8"');
    return Response.json({ ok: true, path: url.pathname, method: req.method, body });
  };

  private async token(req: Request): Promise<Response> {
    this.refreshCalls++;
    const form = new URLSearchParams(await req.text());
    if (this.opts.refreshDelayMs) await new Promise((r) => setTimeout(r, this.opts.refreshDelayMs));
    const rt = form.get("refresh_token");
    if (form.get("grant_type") !== "refresh_token" || this.opts.refreshFails || !rt || !this.refreshTokens.has(rt)) {
      return Response.json({ error: "invalid_grant", error_description: "refresh token unknown" }, { status: 400 });
    }
    this.refreshTokens.delete(rt); // rotation
    const pair = this.issue();
    return Response.json({
      access_token: pair.accessToken, token_type: "Bearer", expires_in: 30,
      refresh_token: pair.refreshToken, scope: "read write",
    }, { headers: { "Cache-Control": "no-store" } });
  }
}
