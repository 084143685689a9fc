import { afterEach, describe, expect, it } from "vitest";

import { AuthClient, refreshTokenGrant, sessionRefresh, type AuthEvent, type LoginRequired } from "../src/index.js";
import { FakeGatekeeper, ORIGIN, type FakeOptions } from "./fake-gatekeeper.js";

function setup(fake: FakeOptions = {}, extra: Partial<ConstructorParameters<typeof AuthClient>[0]> = {}) {
  const gk = new FakeGatekeeper(fake);
  const pair = gk.issue();
  const events: AuthEvent[] = [];
  const logins: LoginRequired[] = [];
  const client = new AuthClient({
    fetch: gk.fetch,
    tokens: { accessToken: pair.accessToken, refreshToken: pair.refreshToken },
    refresh: refreshTokenGrant({ tokenEndpoint: `${ORIGIN}/.gatekeeper/token`, clientId: "spa", fetch: gk.fetch }),
    onEvent: (e) => events.push(e),
    onLoginRequired: (i) => {
      logins.push(i);
    },
    returnUrl: () => "/spa/page?tab=2",
    ...extra,
  });
  return { gk, client, events, logins };
}

describe("AuthClient.fetch", () => {
  it("attaches the access token and passes the response through", async () => {
    const { gk, client } = setup();
    const res = await client.fetch(`${ORIGIN}/api/things`);
    expect(res.status).toBe(200);
    expect(gk.apiCalls).toEqual([{ method: "GET", path: "/api/things", auth: "Bearer at-1", body: "" }]);
  });

  it("leaves a caller's own Authorization header and other origins alone", async () => {
    const { gk, client } = setup({}, { attachTo: (u) => u.origin === ORIGIN });
    await client.fetch(`${ORIGIN}/api/x`, { headers: { Authorization: "Basic YTpi" } });
    await client.fetch("https://elsewhere.test/api/x");
    expect(gk.apiCalls.map((c) => c.auth)).toEqual(["Basic YTpi", null]);
  });

  it("on invalid_token refreshes once and retries once, with the body again", async () => {
    const { gk, client, events } = setup();
    gk.expireAll();
    const res = await client.fetch(`${ORIGIN}/api/things`, { method: "POST", body: "payload" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ body: "payload" });
    expect(gk.refreshCalls).toBe(1);
    expect(gk.apiCalls.map((c) => [c.auth, c.body])).toEqual([["Bearer at-1", "payload"], ["Bearer at-2", "payload"]]);
    expect(client.tokens).toMatchObject({ accessToken: "at-2", refreshToken: "rt-2" });
    expect(events.map((e) => e.type)).toEqual(
      ["request", "unauthorized", "refresh-start", "refresh-success", "retry", "request"]);
  });

  it("ten parallel requests with an expired token cause exactly one refresh", async () => {
    const { gk, client } = setup({ refreshDelayMs: 30 });
    gk.expireAll();
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => client.fetch(`${ORIGIN}/api/n/${i}`)));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(gk.refreshCalls).toBe(1);
    expect(client.refreshCount).toBe(1);
    expect(gk.apiCalls.filter((c) => c.auth === "Bearer at-2")).toHaveLength(10);
  });

  it("a 401 that arrives after another caller refreshed retries with the new token, no second refresh", async () => {
    const { gk, client } = setup();
    gk.expireAll();
    // First request refreshes; the second was "sent" with the old token before that finished.
    const slow = client.fetch(`${ORIGIN}/api/a`);
    await slow;
    const ctxDecision = await client.handleUnauthorized({
      requestUrl: `${ORIGIN}/api/b`, sentToken: "at-1", retried: false,
      wwwAuthenticate: 'Bearer error="invalid_token"', readBody: async () => undefined, responseUrl: ORIGIN,
    });
    expect(ctxDecision).toEqual({ retryWith: "at-2" });
    expect(gk.refreshCalls).toBe(1);
  });

  it("never retries or refreshes a 403, and keeps the tokens", async () => {
    const { gk, client, events, logins } = setup();
    const res = await client.fetch(`${ORIGIN}/api/forbidden`, { method: "POST" });
    expect(res.status).toBe(403);
    expect(gk.apiCalls).toHaveLength(1);
    expect(gk.refreshCalls).toBe(0);
    expect(logins).toEqual([]);
    expect(client.accessToken).toBe("at-1");
    expect(events).toContainEqual({ type: "forbidden", url: `${ORIGIN}/api/forbidden`, error: "insufficient_scope", scope: "write" });
  });

  it("refresh failure: the app's handler gets gatekeeper's login_url with the page as rd, tokens dropped", async () => {
    const { gk, client, logins } = setup({ refreshFails: true, loginUrlInBody: true });
    gk.expireAll();
    const res = await client.fetch(`${ORIGIN}/api/things?x=1`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401 }); // the body is still readable
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ reason: "refresh-failed", requestUrl: `${ORIGIN}/api/things?x=1` });
    expect(logins[0]!.loginUrl).toBe(`${ORIGIN}/.gatekeeper/login?rd=%2Fspa%2Fpage%3Ftab%3D2`);
    expect(client.tokens).toBeNull();
    expect(gk.apiCalls).toHaveLength(1);
  });

  it("ten parallel requests whose refresh fails: one refresh, one login request", async () => {
    const { gk, client, logins } = setup({ refreshFails: true, refreshDelayMs: 20, loginUrlInBody: true });
    gk.expireAll();
    const all = await Promise.all(Array.from({ length: 10 }, () => client.fetch(`${ORIGIN}/api/x`)));
    expect(all.every((r) => r.status === 401)).toBe(true);
    expect(gk.refreshCalls).toBe(1);
    expect(logins).toHaveLength(1);
    // and a later call does not try again either
    await client.fetch(`${ORIGIN}/api/x`);
    expect(gk.refreshCalls).toBe(1);
  });

  it("a 401 after the retry does not refresh again (never loops)", async () => {
    const { gk, client, logins } = setup();
    gk.expireAll();
    // every token the fake issues is born expired
    const issue = gk.issue.bind(gk);
    gk.issue = () => {
      const p = issue();
      gk.valid.delete(p.accessToken);
      return p;
    };
    const res = await client.fetch(`${ORIGIN}/api/x`);
    expect(res.status).toBe(401);
    expect(gk.refreshCalls).toBe(1);
    expect(gk.apiCalls).toHaveLength(2);
    expect(logins.map((l) => l.reason)).toEqual(["retry-failed"]);
  });

  it("a 401 a refresh cannot fix (no Bearer challenge) goes to login without refreshing", async () => {
    const { gk, client, logins } = setup({}, { loginUrl: "/.gatekeeper/login" });
    const res = await client.fetch(`${ORIGIN}/api/basic-only`);
    expect(res.status).toBe(401);
    expect(gk.refreshCalls).toBe(0);
    expect(logins).toMatchObject([{ reason: "not-refreshable", loginUrl: `${ORIGIN}/.gatekeeper/login?rd=%2Fspa%2Fpage%3Ftab%3D2` }]);
  });

  it("without a refresh strategy an invalid_token 401 asks for login", async () => {
    const { gk, client, logins } = setup({}, { refresh: undefined });
    gk.expireAll();
    await client.fetch(`${ORIGIN}/api/x`);
    expect(logins.map((l) => l.reason)).toEqual(["not-refreshable"]);
    expect(gk.apiCalls).toHaveLength(1);
  });

  it("with no token yet, a session refresh gets one on the first Bearer 401", async () => {
    const gk = new FakeGatekeeper();
    let calls = 0;
    const client = new AuthClient({
      fetch: gk.fetch,
      refresh: sessionRefresh(async () => {
        calls++;
        return gk.issue().accessToken;
      }),
    });
    const res = await client.fetch(`${ORIGIN}/api/x`);
    expect(res.status).toBe(200);
    expect(calls).toBe(1);
    expect(gk.apiCalls.map((c) => c.auth)).toEqual([null, "Bearer at-1"]);
  });

  it("a session refresh that returns null means login", async () => {
    const gk = new FakeGatekeeper({ loginUrlInBody: true });
    const logins: LoginRequired[] = [];
    const client = new AuthClient({
      fetch: gk.fetch, refresh: sessionRefresh(async () => null), returnUrl: () => "/here",
      onLoginRequired: (i) => void logins.push(i),
    });
    await client.fetch(`${ORIGIN}/api/x`);
    expect(logins).toMatchObject([{ reason: "refresh-failed", loginUrl: `${ORIGIN}/.gatekeeper/login?rd=%2Fhere` }]);
  });
});

describe("the default login redirect", () => {
  const g = globalThis as { sessionStorage?: unknown };
  afterEach(() => {
    delete g.sessionStorage;
  });

  function memoryStorage() {
    const m = new Map<string, string>();
    return {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
    };
  }

  it("navigates once, and not again within the guard window even after a new sign-in", async () => {
    g.sessionStorage = memoryStorage();
    let now = 1_000_000;
    const went: string[] = [];
    const { gk, client } = setup({ refreshFails: true, loginUrlInBody: true }, {
      onLoginRequired: undefined, navigate: (u) => void went.push(u), now: () => now,
    });
    gk.expireAll();
    await client.fetch(`${ORIGIN}/api/x`);
    expect(went).toEqual([`${ORIGIN}/.gatekeeper/login?rd=%2Fspa%2Fpage%3Ftab%3D2`]);
    // The "login" did not stick: new tokens that are refused at once.
    client.setTokens({ accessToken: "bogus" });
    now += 5_000;
    await client.fetch(`${ORIGIN}/api/x`);
    expect(went).toHaveLength(1);
    client.setTokens({ accessToken: "bogus2" });
    now += 10_000;
    await client.fetch(`${ORIGIN}/api/x`);
    expect(went).toHaveLength(2);
  });

  it("refuses a login_url that is not http(s)", async () => {
    const went: string[] = [];
    const client = new AuthClient({
      fetch: async () => new Response(JSON.stringify({ login_url: "javascript:alert(1)" }), {
        status: 401, headers: { "Content-Type": "application/problem+json", "WWW-Authenticate": 'Bearer realm="x"' },
      }),
      navigate: (u) => void went.push(u),
    });
    await client.fetch(`${ORIGIN}/api/x`);
    expect(went).toEqual([]);
  });
});

describe("in a page (location present)", () => {
  const g = globalThis as { location?: unknown };
  afterEach(() => {
    delete g.location;
  });

  function fakeLocation(href: string, went: string[]) {
    const u = new URL(href);
    return { origin: u.origin, href: u.href, pathname: u.pathname, search: u.search, assign: (x: string) => void went.push(x) };
  }

  it("same origin: the token goes only to the page's origin, the login URL is a path with the page as rd", async () => {
    const went: string[] = [];
    g.location = fakeLocation(`${ORIGIN}/spa/page?x=1#frag`, went);
    const { gk, client } = setup({ refreshFails: true, loginUrlInBody: true }, { onLoginRequired: undefined, returnUrl: undefined });
    expect(client.mayAttach("/api/x")).toBe(true);
    expect(client.mayAttach("https://other.test/api/x")).toBe(false);
    gk.expireAll();
    await client.fetch(`${ORIGIN}/api/x`);
    expect(went).toEqual(["/.gatekeeper/login?rd=%2Fspa%2Fpage%3Fx%3D1"]);
  });

  it("login page on another origin: absolute login URL and an absolute rd", async () => {
    const went: string[] = [];
    g.location = fakeLocation("https://app.test/home", went);
    const { gk, client } = setup({ refreshFails: true, loginUrlInBody: true },
      { onLoginRequired: undefined, returnUrl: undefined, attachTo: () => true });
    gk.expireAll();
    await client.fetch(`${ORIGIN}/api/x`);
    expect(went).toEqual([`${ORIGIN}/.gatekeeper/login?rd=https%3A%2F%2Fapp.test%2Fhome`]);
  });
});
