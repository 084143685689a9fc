import { describe, expect, it } from "vitest";

import {
  beginPkceLogin,
  buildAuthorizeUrl,
  codeChallengeS256,
  completePkceLogin,
  createCodeVerifier,
  OAuthError,
  refreshWithToken,
  revokeToken,
  tokenSetFromResponse,
} from "../src/index.js";

function memoryStorage() {
  const m = new Map<string, string>();
  return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

describe("PKCE", () => {
  it("matches RFC 7636 Appendix B", async () => {
    expect(await codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
      .toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("makes verifiers of unreserved characters, 43..128 long, all different", () => {
    const seen = new Set<string>();
    for (const n of [43, 64, 128]) {
      const v = createCodeVerifier(n);
      expect(v).toMatch(new RegExp(`^[A-Za-z0-9._~-]{${n}}$`));
      seen.add(v);
    }
    expect(seen.size).toBe(3);
    expect(() => createCodeVerifier(42)).toThrow(RangeError);
    expect(() => createCodeVerifier(129)).toThrow(RangeError);
  });

  it("refuses a challenge for something that is not a verifier", async () => {
    await expect(codeChallengeS256("short")).rejects.toThrow(RangeError);
  });
});

describe("authorization code flow", () => {
  it("builds the authorize URL with S256", () => {
    const u = new URL(buildAuthorizeUrl({
      authorizationEndpoint: "/.gatekeeper/authorize", base: "http://127.0.0.1:8080/spa/",
      clientId: "demo-spa", redirectUri: "http://127.0.0.1:8080/spa/callback", scope: "read write",
      state: "st", codeChallenge: "ch",
    }));
    expect(u.origin + u.pathname).toBe("http://127.0.0.1:8080/.gatekeeper/authorize");
    expect(Object.fromEntries(u.searchParams)).toEqual({
      response_type: "code", client_id: "demo-spa", redirect_uri: "http://127.0.0.1:8080/spa/callback",
      scope: "read write", state: "st", code_challenge: "ch", code_challenge_method: "S256",
    });
  });

  it("begin + complete: state checked, verifier sent, then forgotten", async () => {
    const storage = memoryStorage();
    const url = new URL(await beginPkceLogin({
      authorizationEndpoint: "https://gk.test/.gatekeeper/authorize", clientId: "demo-spa",
      redirectUri: "https://gk.test/spa/callback", scope: "read", returnTo: "/spa/#x", storage,
    }));
    const state = url.searchParams.get("state")!;
    const challenge = url.searchParams.get("code_challenge")!;
    let form: URLSearchParams | undefined;
    const fetch = async (_: RequestInfo | URL, init?: RequestInit) => {
      form = new URLSearchParams(String(init!.body));
      return Response.json({ access_token: "at", token_type: "Bearer", expires_in: 30, refresh_token: "rt", scope: "read" });
    };
    const r = await completePkceLogin({
      tokenEndpoint: "https://gk.test/.gatekeeper/token", clientId: "demo-spa", fetch, storage, now: () => Date.now(),
      callbackUrl: `https://gk.test/spa/callback?code=c0de&state=${state}&iss=https%3A%2F%2Fgk.test`,
      expectedIssuer: "https://gk.test",
    });
    expect(r.returnTo).toBe("/spa/#x");
    expect(r.tokens).toMatchObject({ accessToken: "at", refreshToken: "rt", scope: "read" });
    expect(Object.fromEntries(form!)).toMatchObject({
      grant_type: "authorization_code", code: "c0de", redirect_uri: "https://gk.test/spa/callback", client_id: "demo-spa",
    });
    expect(await codeChallengeS256(form!.get("code_verifier")!)).toBe(challenge);
    expect(storage.m.size).toBe(0);
  });

  it("rejects a callback whose state is not ours, and one replayed", async () => {
    const storage = memoryStorage();
    await beginPkceLogin({ authorizationEndpoint: "https://gk.test/a", clientId: "c", redirectUri: "https://gk.test/cb", storage });
    const fetch = async () => Response.json({ access_token: "at" });
    await expect(completePkceLogin({ tokenEndpoint: "https://gk.test/t", clientId: "c", fetch, storage,
      callbackUrl: "https://gk.test/cb?code=x&state=forged" })).rejects.toMatchObject({ code: "state_mismatch" });
    await expect(completePkceLogin({ tokenEndpoint: "https://gk.test/t", clientId: "c", fetch, storage,
      callbackUrl: "https://gk.test/cb?code=x&state=forged" })).rejects.toMatchObject({ code: "no_pending_login" });
  });

  it("reports an error the issuer put in the callback", async () => {
    const storage = memoryStorage();
    await expect(completePkceLogin({ tokenEndpoint: "https://gk.test/t", clientId: "c", storage,
      callbackUrl: "https://gk.test/cb?error=access_denied&state=s" })).rejects.toMatchObject({ code: "access_denied" });
  });
});

describe("token endpoint calls", () => {
  it("refresh: public client sends client_id; confidential uses Basic; errors become OAuthError", async () => {
    const seen: Array<{ auth: string | null; form: Record<string, string> }> = [];
    const fetch = async (_: RequestInfo | URL, init?: RequestInit) => {
      const h = new Headers(init!.headers);
      seen.push({ auth: h.get("authorization"), form: Object.fromEntries(new URLSearchParams(String(init!.body))) });
      if (seen.length === 3) return Response.json({ error: "invalid_grant", error_description: "reused" }, { status: 400 });
      return Response.json({ access_token: "new", expires_in: 10 });
    };
    const t = await refreshWithToken({ tokenEndpoint: "https://gk.test/t", clientId: "spa", fetch, now: () => 1000 }, "rt-1",
      { accessToken: "old", refreshToken: "rt-1", scope: "read" });
    expect(t).toEqual({ accessToken: "new", tokenType: "Bearer", refreshToken: "rt-1", expiresAt: 11_000, scope: "read" });
    await refreshWithToken({ tokenEndpoint: "https://gk.test/t", clientId: "a b", clientSecret: "s:é", fetch }, "rt");
    expect(seen[0]).toEqual({ auth: null, form: { grant_type: "refresh_token", refresh_token: "rt-1", client_id: "spa" } });
    expect(seen[1]!.auth).toBe("Basic " + Buffer.from("a+b:s%3A%C3%A9").toString("base64"));
    const err = await refreshWithToken({ tokenEndpoint: "https://gk.test/t", clientId: "spa", fetch }, "rt").catch((e) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ code: "invalid_grant", status: 400 });
  });

  it("a network failure is an OAuthError too", async () => {
    const fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    await expect(refreshWithToken({ tokenEndpoint: "https://gk.test/t", clientId: "spa", fetch }, "rt"))
      .rejects.toMatchObject({ code: "network_error" });
  });

  it("revoke posts token and hint", async () => {
    let body = "";
    const ok = await revokeToken({ tokenEndpoint: "", revocationEndpoint: "https://gk.test/r", clientId: "spa",
      fetch: async (_, init) => {
        body = String(init!.body);
        return new Response(null, { status: 200 });
      } }, "rt-9", "refresh_token");
    expect(ok).toBe(true);
    expect(body).toBe("token=rt-9&token_type_hint=refresh_token&client_id=spa");
  });

  it("tokenSetFromResponse refuses what is not a Bearer token response", () => {
    expect(() => tokenSetFromResponse({}, 0)).toThrow();
    expect(() => tokenSetFromResponse({ access_token: "a", token_type: "DPoP" }, 0)).toThrow();
    expect(() => tokenSetFromResponse(null, 0)).toThrow();
  });
});
