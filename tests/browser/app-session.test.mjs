// Scenario 1 of issue 8: /app/ in a real browser. Navigate -> login page -> sign in -> back at
// /app/ -> reload stays signed in -> the session idles out -> the next navigation returns to the
// login page and, after login, to the same URL -> log out -> /app/ asks again.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { echoOf, launchBrowser, signIn, sleep, startDerivedDemo, USERS } from "./lib/harness.mjs";

const IDLE_S = 5; // long enough for sign-in + reload on a loaded machine, short enough to wait for
let gw;
let browser;

before(async () => {
  gw = await startDerivedDemo({ idleTimeout: `${IDLE_S}s` });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gw?.stop();
});

const headersOf = (doc) => Object.fromEntries(Object.entries(doc.headers).map(([k, v]) => [k.toLowerCase(), v]));

function loginUrlFor(pathAndQuery) {
  return `${gw.base}/.gatekeeper/login?rd=${encodeURIComponent(pathAndQuery)}`;
}

test("sign in, reload, idle out, sign in again to the same URL, log out", async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);

  await t.test("navigating to /app/ shows the login page", async () => {
    const res = await page.goto(`${gw.base}/app/`);
    assert.equal(page.url(), loginUrlFor("/app/"));
    assert.equal(res.status(), 200);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
  });

  await t.test("signing in returns to /app/ with the identity passed upstream", async () => {
    await signIn(page, "alice", USERS.alice);
    assert.equal(page.url(), `${gw.base}/app/`);
    const h = headersOf(await echoOf(page));
    assert.equal(h["x-auth-request-user"], "alice");
    assert.equal(h.cookie, undefined, "gatekeeper's cookie is not forwarded");
    const cookies = await context.cookies(gw.base);
    const session = cookies.find((c) => c.name === "gatekeeper");
    assert.ok(session, JSON.stringify(cookies));
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Lax");
  });

  await t.test("a reload stays signed in", async () => {
    const res = await page.reload();
    assert.equal(res.status(), 200);
    assert.equal(page.url(), `${gw.base}/app/`);
    assert.equal(headersOf(await echoOf(page))["x-auth-request-user"], "alice");
  });

  await t.test("after the idle timeout the next navigation goes to the login page and back to that URL", async () => {
    await sleep((IDLE_S + 1.5) * 1000);
    const target = "/app/reports?year=2026&q=a%20b";
    await page.goto(`${gw.base}${target}`);
    assert.equal(page.url(), loginUrlFor(target));
    await signIn(page, "alice", USERS.alice);
    assert.equal(page.url(), `${gw.base}${target}`);
    const doc = await echoOf(page);
    assert.equal(doc.path, target);
    assert.equal(headersOf(doc)["x-auth-request-user"], "alice");
  });

  await t.test("logging out ends the session: /app/ asks again", async () => {
    await page.goto(`${gw.base}/.gatekeeper/login`);
    await page.getByRole("heading", { name: "Signed in" }).waitFor();
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "Sign out", exact: true }).click(),
    ]);
    await page.goto(`${gw.base}/app/`);
    assert.equal(page.url(), loginUrlFor("/app/"));
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
  });

  await t.test("fetch() from a page gets the 401 with login_url, never a redirect", async () => {
    await page.goto(`${gw.base}/`);
    // credentials: "omit" -- see the todo test below for why not the default.
    const r = await page.evaluate(async () => {
      const res = await fetch("/app/data", { credentials: "omit", headers: { Accept: "application/json" } });
      return { status: res.status, redirected: res.redirected, body: await res.json() };
    });
    assert.equal(r.status, 401);
    assert.equal(r.redirected, false);
    assert.equal(r.body.login_url, "/.gatekeeper/login?rd=%2Fapp%2Fdata");
  });
});

// A same-origin fetch() sends cookies (credentials "same-origin"), and a 401 that offers Basic or
// Digest then makes Chromium wait for its native password dialog (Fetch standard, HTTP-network-
// or-cache fetch, step "prompt the end user"): headless, the promise never settles. /app/ offers
// Basic and Digest, so gatekeeper leaves them out of the 401 it gives a page's script
// (Sec-Fetch-Mode other than navigate) on a session route; this test holds it to that.
test("a same-origin fetch() to /app/ without a session settles with 401 (no native password prompt)", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // Answer Chromium's password dialog with Cancel (as a user would), and count it.
    const cdp = await context.newCDPSession(page);
    const prompts = [];
    cdp.on("Fetch.requestPaused", (e) => cdp.send("Fetch.continueRequest", { requestId: e.requestId }).catch(() => {}));
    cdp.on("Fetch.authRequired", (e) => {
      prompts.push(`${e.authChallenge.scheme} realm=${e.authChallenge.realm}`);
      cdp.send("Fetch.continueWithAuth", { requestId: e.requestId, authChallengeResponse: { response: "CancelAuth" } })
        .catch(() => {});
    });
    await cdp.send("Fetch.enable", { handleAuthRequests: true, patterns: [{ urlPattern: "*" }] });
    await page.goto(`${gw.base}/`);
    const status = await Promise.race([
      page.evaluate(async () => (await fetch("/app/data", { headers: { Accept: "application/json" } })).status),
      sleep(8000).then(() => "no answer after 8 s"),
    ]);
    assert.equal(status, 401);
    assert.deepEqual(prompts, []);
  } finally {
    await context.close();
  }
});
