import axios, { type AxiosAdapter, type AxiosResponse } from "axios";
import { describe, expect, it } from "vitest";

import { AuthClient, attachToAxios, refreshTokenGrant, type LoginRequired } from "../src/index.js";
import { FakeGatekeeper, ORIGIN } from "./fake-gatekeeper.js";

/** An axios adapter that sends through the fake gateway's fetch. */
function adapterFor(gk: FakeGatekeeper): AxiosAdapter {
  return async (config) => {
    const url = new URL(config.url!, config.baseURL).toString();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(config.headers.toJSON())) if (typeof v === "string") headers[k] = v;
    const res = await gk.fetch(url, { method: config.method!.toUpperCase(), headers, body: config.data ?? undefined });
    const text = await res.text();
    const response: AxiosResponse = {
      data: text, status: res.status, statusText: res.statusText,
      headers: Object.fromEntries(res.headers.entries()), config, request: { responseURL: url },
    };
    return new Promise((resolve, reject) => {
      const validate = config.validateStatus;
      if (!validate || validate(res.status)) resolve(response);
      else reject(new axios.AxiosError("status " + res.status, "ERR_BAD_REQUEST", config, response.request, response));
    });
  };
}

function setup(opts: ConstructorParameters<typeof FakeGatekeeper>[0] = {}) {
  const gk = new FakeGatekeeper(opts);
  const pair = gk.issue();
  const logins: LoginRequired[] = [];
  const client = new AuthClient({
    fetch: gk.fetch,
    tokens: pair,
    refresh: refreshTokenGrant({ tokenEndpoint: `${ORIGIN}/.gatekeeper/token`, clientId: "spa", fetch: gk.fetch }),
    onLoginRequired: (i) => void logins.push(i),
    returnUrl: () => "/page",
  });
  const api = axios.create({ baseURL: `${ORIGIN}/api/`, adapter: adapterFor(gk) });
  const detach = attachToAxios(api, client);
  return { gk, client, api, logins, detach };
}

describe("attachToAxios", () => {
  it("attaches the token", async () => {
    const { gk, api } = setup();
    const r = await api.get("things");
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ path: "/api/things" });
    expect(gk.apiCalls[0]!.auth).toBe("Bearer at-1");
  });

  it("refreshes once and retries once on invalid_token, for ten parallel calls", async () => {
    const { gk, api } = setup({ refreshDelayMs: 20 });
    gk.expireAll();
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => api.post(`n/${i}`, { i })));
    expect(rs.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(gk.refreshCalls).toBe(1);
    expect(gk.apiCalls.filter((c) => c.auth === "Bearer at-2")).toHaveLength(10);
  });

  it("does not retry a 403", async () => {
    const { gk, api, logins } = setup();
    await expect(api.post("forbidden")).rejects.toMatchObject({ response: { status: 403 } });
    expect(gk.apiCalls).toHaveLength(1);
    expect(gk.refreshCalls).toBe(0);
    expect(logins).toEqual([]);
  });

  it("refresh failure rejects with the 401 and asks for login with the body's login_url", async () => {
    const { gk, api, logins } = setup({ refreshFails: true, loginUrlInBody: true });
    gk.expireAll();
    await expect(api.get("x")).rejects.toMatchObject({ response: { status: 401 } });
    expect(logins).toMatchObject([{ reason: "refresh-failed", loginUrl: `${ORIGIN}/.gatekeeper/login?rd=%2Fpage` }]);
  });

  it("a second 401 after the retry is final", async () => {
    const { gk, api, logins } = setup();
    gk.expireAll();
    const issue = gk.issue.bind(gk);
    gk.issue = () => {
      const p = issue();
      gk.valid.delete(p.accessToken);
      return p;
    };
    await expect(api.get("x")).rejects.toMatchObject({ response: { status: 401 } });
    expect(gk.apiCalls).toHaveLength(2);
    expect(gk.refreshCalls).toBe(1);
    expect(logins.map((l) => l.reason)).toEqual(["retry-failed"]);
  });

  it("leaves a caller's own Authorization alone, and detaches", async () => {
    const { gk, api, detach } = setup();
    // the fake answers 401 to both: what matters is what was sent, and that nothing retried
    await api.get("x", { headers: { Authorization: "Basic YTpi" } }).catch(() => undefined);
    detach();
    await api.get("y").catch(() => undefined);
    expect(gk.apiCalls.map((c) => c.auth)).toEqual(["Basic YTpi", null]);
  });
});
