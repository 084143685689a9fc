// Scenario 2 of issue 8: the demo SPA. Log in through authorization code + PKCE, call /api/, let
// the access token expire, fire ten API calls at once: all succeed after exactly one refresh,
// counted in gatekeeper's own access log (POST /.gatekeeper/token); a 403 is shown, not retried;
// log out revokes the refresh token.
//
// Two runs of the same scenario:
//  - "served by gatekeeper demo": /spa/ from the demo itself (30 s tokens). Skipped while the
//    demo's GET /spa/ is not the SPA page (404, or the echo upstream behind the public route).
//  - "through the test host": web/spa and web/client/dist served by tests/browser/lib/spa-host.mjs,
//    everything else proxied to `gatekeeper serve` with the demo's config, 5 s access tokens and
//    a public client registered by the test. Runs always; GK_SPA_HOST=0 turns it off.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { artifactPath, gk, launchBrowser, signIn, sleep, startDemo, startDerivedDemo, USERS } from "./lib/harness.mjs";
import { startSpaHost } from "./lib/spa-host.mjs";

const SPA_CLIENT_ID = "demo-spa";
let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Requests gatekeeper logged (its JSON access log on stdout) for a method and path. */
function logged(proc, method, path) {
  return proc.jsonLines().filter((l) => l.method === method && l.path === path);
}

async function waitLogged(proc, method, path, count, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (logged(proc, method, path).length < count && Date.now() < deadline) await sleep(50);
  return logged(proc, method, path);
}

async function spaScenario(t, { base, proc, label }) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const status = page.locator("#status");

  await page.goto(`${base}/spa/`);
  await page.locator('body[data-ready="true"]').waitFor();
  assert.equal(await status.getAttribute("data-state"), "signed-out");

  // 1. Log in: SPA -> /.gatekeeper/authorize -> login page -> back through authorize -> callback.
  await Promise.all([page.waitForURL(/\/\.gatekeeper\/login\?/), page.getByRole("button", { name: "Log in" }).click()]);
  await signIn(page, "alice", USERS.alice);
  await page.waitForURL(`${base}/spa/`);
  await page.locator('body[data-ready="true"]').waitFor();
  assert.equal(await status.getAttribute("data-state"), "signed-in", await page.locator("#log").innerText());
  assert.match(await status.innerText(), /Signed in as alice/);
  const exchanges = await waitLogged(proc, "POST", "/.gatekeeper/token", 1);
  assert.deepEqual(exchanges.map((l) => l.status), [200], "one code exchange");
  const noTokenInStorage = await page.evaluate(() => {
    const all = [];
    for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) all.push(s.getItem(s.key(i)));
    return all.every((v) => !/eyJ|gkr_/.test(v ?? ""));
  });
  assert.ok(noTokenInStorage, "tokens are kept in memory only");

  // 2. One call with the fresh token.
  await page.getByRole("button", { name: /^Call/ }).click();
  await page.locator("#log li", { hasText: "GET /api/things -> 200 as alice" }).first().waitFor();

  // 3. Let the access token expire (no leeway for gatekeeper's own tokens).
  const expiresAt = await page.evaluate(() => window.gkSpa.expiresAt());
  assert.ok(expiresAt > Date.now(), "the SPA knows when its token expires");
  t.diagnostic(`${label}: waiting ${Math.round((expiresAt - Date.now()) / 1000)} s for the access token to expire`);
  await page.waitForFunction((at) => Date.now() > at + 1000, expiresAt, { timeout: 120_000, polling: 250 });

  // 4. Ten calls at once: all succeed after exactly one refresh, counted on the server.
  const tokenCallsBefore = logged(proc, "POST", "/.gatekeeper/token").length;
  const apiCallsBefore = logged(proc, "GET", "/api/things").length;
  await page.getByRole("button", { name: "Fire 10 calls at once" }).click();
  await page.locator("#summary[data-ok]").waitFor();
  assert.equal(await page.locator("#summary").getAttribute("data-ok"), "10", await page.locator("#log").innerText());
  assert.equal(await page.locator("#summary").getAttribute("data-refreshes"), "1");
  await sleep(300); // the access log is written after the response
  const refreshes = logged(proc, "POST", "/.gatekeeper/token").slice(tokenCallsBefore);
  assert.deepEqual(refreshes.map((l) => l.status), [200], "exactly one refresh reached the server");
  const api = logged(proc, "GET", "/api/things").slice(apiCallsBefore);
  const by = (s) => api.filter((l) => l.status === s).length;
  assert.equal(by(200), 10, JSON.stringify(api));
  assert.ok(by(401) >= 1 && by(401) <= 10, `each call got at most one 401: ${by(401)}`);
  assert.equal(api.length, 10 + by(401), "one retry per 401, nothing more");
  t.diagnostic(`${label}: ten parallel calls -> ${by(401)} x 401, 1 refresh, 10 x 200 (server log)`);
  const logText = await page.locator("#log").innerText();
  assert.match(logText, /401 from \/api\/things: invalid_token/);
  assert.equal((logText.match(/refreshing the access token/g) ?? []).length, 1);

  // 5. A 403 is shown, never retried, and the user stays signed in.
  const postsBefore = logged(proc, "POST", "/api/things").length;
  await page.getByRole("button", { name: /^POST/ }).click();
  await page.locator("#log li", { hasText: "POST /api/things -> 403" }).waitFor();
  await sleep(300);
  assert.deepEqual(logged(proc, "POST", "/api/things").slice(postsBefore).map((l) => l.status), [403]);
  assert.match(await page.locator("#log").innerText(), /403 from \/api\/things: insufficient_scope \(needs scope write\): not retried/);
  assert.equal(await status.getAttribute("data-state"), "signed-in");
  await page.screenshot({ path: artifactPath(`spa-${label}.png`), fullPage: true });

  // 6. Log out: the refresh token is revoked and forgotten.
  const revokesBefore = logged(proc, "POST", "/.gatekeeper/revoke").length;
  await page.getByRole("button", { name: "Log out" }).click();
  await page.locator("#log li", { hasText: "refresh token revoked" }).waitFor();
  assert.equal(await status.getAttribute("data-state"), "signed-out");
  assert.equal(await page.getByRole("button", { name: /^Call/ }).isDisabled(), true);
  const revokes = await waitLogged(proc, "POST", "/.gatekeeper/revoke", revokesBefore + 1);
  assert.equal(revokes.at(-1).status, 200);
}

describe("scenario 2: the SPA served by gatekeeper demo", () => {
  let demo;
  let skip = "";
  before(async () => {
    demo = await startDemo();
    const r = await fetch(`${demo.base}/spa/`, { headers: { Accept: "text/html" } });
    const body = await r.text();
    // Today /spa/ falls through to the public route (the echo upstream's JSON), or is a 404.
    if (r.status !== 200 || !/^text\/html/.test(r.headers.get("content-type") ?? "") || !body.includes('name="gk-client-id"')) {
      skip = `gatekeeper demo does not serve the SPA at /spa/ yet (GET /spa/: ${r.status} ` +
        `${r.headers.get("content-type")}); the same scenario runs below through tests/browser/lib/spa-host.mjs`;
    }
  });
  after(async () => {
    await demo?.stop();
  });

  test("log in with PKCE, expire, ten calls -> one refresh, 403 not retried, log out", async (t) => {
    if (skip) {
      t.skip(skip);
      return;
    }
    await spaScenario(t, { base: demo.base, proc: demo.proc, label: "demo" });
  });
});

describe("scenario 2: the SPA through the test host (web/spa + web/client/dist, gatekeeper serve behind)", { skip: process.env.GK_SPA_HOST === "0" }, () => {
  let gw;
  let host;
  before(async () => {
    gw = await startDerivedDemo({ accessTokenTtl: "5s" });
    host = await startSpaHost({ upstream: gw.base });
    // The demo registered demo-spa for its own origin (and 30 s tokens): this host has another
    // origin and uses the config's 5 s, so the client is registered anew.
    const del = await gk(["client", "del", "--config", gw.config, "--id", SPA_CLIENT_ID]);
    assert.ok(del.code === 0 || /no client/.test(del.err), del.out + del.err);
    const r = await gk(["client", "add", "--config", gw.config, "--id", SPA_CLIENT_ID, "--public",
      "--redirect-uri", `${host.base}/spa/callback`, "--scopes", "read,write", "--grants", "authorization_code,refresh_token"]);
    assert.equal(r.code, 0, r.out + r.err);
  });
  after(async () => {
    await host?.close();
    await gw?.stop();
  });

  test("log in with PKCE, expire, ten calls -> one refresh, 403 not retried, log out", async (t) => {
    await spaScenario(t, { base: host.base, proc: gw.proc, label: "spa-host" });
  });
});
