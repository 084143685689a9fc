// Scenario 3 of issue 8: /admin/ with the browser's own HTTP authentication (credentials handed
// to the browser context, answered by Chromium's Basic/Digest code, not by the test): alice gets
// through with Basic and with Digest, bob gets the 403 page, no credentials the 401 page.
// /basic-admin/ and /digest-admin/ are /admin/ offering one scheme each (see startDerivedDemo).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { echoOf, launchBrowser, sleep, startDerivedDemo, USERS } from "./lib/harness.mjs";

let gw;
let browser;

before(async () => {
  gw = await startDerivedDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await gw?.stop();
});

const headersOf = (doc) => Object.fromEntries(Object.entries(doc.headers).map(([k, v]) => [k.toLowerCase(), v]));

/** The access-log lines gatekeeper wrote for `path` (waits briefly: the log is asynchronous). */
async function accessLog(path) {
  for (let i = 0; i < 40; i++) {
    const lines = gw.proc.jsonLines().filter((l) => l.path === path);
    if (lines.some((l) => l.status !== 401)) return lines;
    await sleep(50);
  }
  return gw.proc.jsonLines().filter((l) => l.path === path);
}

async function visit(t, path, credentials) {
  const context = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const res = await page.goto(`${gw.base}${path}`);
  return { page, res };
}

for (const [path, scheme] of [["/basic-admin/only-basic", "basic"], ["/digest-admin/only-digest", "digest"]]) {
  test(`alice signs in with ${scheme} through the browser's own HTTP authentication`, async (t) => {
    const { page, res } = await visit(t, path, { username: "alice", password: USERS.alice });
    assert.equal(res.status(), 200);
    const h = headersOf(await echoOf(page));
    assert.equal(h["x-auth-request-user"], "alice");
    assert.equal(h["x-auth-request-groups"], "admins");
    assert.equal(h.authorization, undefined, "the credentials are not forwarded");
    const log = await accessLog(path);
    assert.deepEqual(log.map((l) => [l.status, l.scheme]), [[401, ""], [200, scheme]], JSON.stringify(log));
  });
}

test("alice on /admin/ (Digest SHA-256, Digest MD5 and Basic offered): Chromium answers the strongest it knows", async (t) => {
  const { page, res } = await visit(t, "/admin/all-schemes", { username: "alice", password: USERS.alice });
  assert.equal(res.status(), 200);
  assert.equal(headersOf(await echoOf(page))["x-auth-request-user"], "alice");
  const log = await accessLog("/admin/all-schemes");
  assert.equal(log.at(-1).status, 200);
  assert.equal(log.at(-1).scheme, "digest", `Chromium should prefer Digest over Basic: ${JSON.stringify(log)}`);
  t.diagnostic(`Chromium used ${log.at(-1).scheme}`);
});

test("bob gets the 403 page, and the browser does not ask again", async (t) => {
  const { page, res } = await visit(t, "/admin/", { username: "bob", password: USERS.bob });
  assert.equal(res.status(), 403);
  assert.match(res.headers()["content-type"], /^text\/html/);
  assert.equal(res.headers()["www-authenticate"], undefined, "403 for Basic/Digest carries no challenge");
  assert.match(await page.locator("body").innerText(), /forbidden|not allowed|permission/i);
  const log = await accessLog("/admin/");
  assert.equal(log.filter((l) => l.status === 403).length, 1, JSON.stringify(log));
});

test("no credentials: the browser asks, the user cancels, the 401 page shows", async (t) => {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // Stand in for the user at Chromium's password dialog: press Cancel (CDP Fetch.authRequired).
  const cdp = await context.newCDPSession(page);
  const prompts = [];
  cdp.on("Fetch.requestPaused", (e) => cdp.send("Fetch.continueRequest", { requestId: e.requestId }).catch(() => {}));
  cdp.on("Fetch.authRequired", (e) => {
    prompts.push(e.authChallenge);
    cdp.send("Fetch.continueWithAuth", { requestId: e.requestId, authChallengeResponse: { response: "CancelAuth" } })
      .catch(() => {});
  });
  await cdp.send("Fetch.enable", { handleAuthRequests: true, patterns: [{ urlPattern: "*" }] });
  const res = await page.goto(`${gw.base}/admin/`);
  assert.equal(prompts.length, 1, "the browser asked once");
  assert.equal(prompts[0].realm, "Admin Panel");
  assert.equal(res.status(), 401);
  assert.match(res.headers()["content-type"], /^text\/html/);
  assert.match(res.headers()["cache-control"], /no-store/);
  const challenges = (await res.headersArray()).filter((h) => h.name.toLowerCase() === "www-authenticate").map((h) => h.value);
  assert.deepEqual(challenges.map((c) => c.split(" ")[0]), ["Digest", "Digest", "Basic"]);
  const text = await page.locator("body").innerText();
  assert.match(text, /sign in|authenticat|unauthori[sz]ed/i);
  t.diagnostic(`401 page says: ${text.replace(/\s+/g, " ").slice(0, 120)}`);
});

test("wrong password: Chromium tries once, then shows the 401 page (no loop)", async (t) => {
  const { res } = await visit(t, "/basic-admin/wrong", { username: "alice", password: "not-the-password" });
  assert.equal(res.status(), 401);
  const log = gw.proc.jsonLines().filter((l) => l.path === "/basic-admin/wrong");
  assert.ok(log.length <= 3, `a bounded number of attempts: ${JSON.stringify(log)}`);
});
