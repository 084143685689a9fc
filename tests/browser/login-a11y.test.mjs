// Scenario 4 of issue 8: the login page's accessibility basics (language, title, one h1, every
// field labelled, focus order, keyboard submission, the error announced and tied to the fields,
// text contrast in both colour schemes) and screenshots in light and dark mode, kept as test
// artifacts under build/test-artifacts/browser/ (GK_BROWSER_ARTIFACTS overrides).
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { after, before, test } from "node:test";

import { artifactPath, launchBrowser, requireBinary, startDemo } from "./lib/harness.mjs";

let demo;
let browser;

before(async () => {
  requireBinary();
  demo = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

async function loginPage(t, colorScheme = "light") {
  const context = await browser.newContext({ colorScheme, viewport: { width: 800, height: 720 } });
  t.after(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const res = await page.goto(`${demo.base}/.gatekeeper/login?rd=%2Fapp%2F`);
  assert.equal(res.status(), 200);
  return page;
}

const activeId = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return a ? a.id || `${a.tagName.toLowerCase()}:${a.textContent.trim()}` : null;
});

test("document basics: lang, title, one h1, a labelled form", async (t) => {
  const page = await loginPage(t);
  const facts = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    h1: [...document.querySelectorAll("h1")].map((h) => h.textContent.trim()),
    unlabelled: [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
      .filter((el) => el.labels.length === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
      .map((el) => el.name),
    viewport: document.querySelector('meta[name="viewport"]')?.content ?? "",
  }));
  assert.equal(facts.lang, "en");
  assert.match(facts.title, /sign in/i);
  assert.deepEqual(facts.h1, ["Sign in"]);
  assert.deepEqual(facts.unlabelled, []);
  assert.match(facts.viewport, /width=device-width/);
  // The accessible names a screen reader announces.
  await page.getByRole("textbox", { name: "Username" }).waitFor();
  await page.getByLabel("Password").waitFor();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  assert.equal(await page.getByLabel("Username").getAttribute("autocomplete"), "username");
  assert.equal(await page.getByLabel("Password").getAttribute("autocomplete"), "current-password");
});

test("focus order: username (autofocus), password, the button; Enter submits", async (t) => {
  const page = await loginPage(t);
  assert.equal(await activeId(page), "gk-username");
  await page.keyboard.type("alice");
  await page.keyboard.press("Tab");
  assert.equal(await activeId(page), "gk-password");
  await page.keyboard.press("Tab");
  assert.equal(await activeId(page), "button:Sign in");
  // Focus is visible (an outline from :focus-visible) on the button reached by keyboard.
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.type("wonderland");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  assert.equal(new URL(page.url()).pathname, "/app/");
});

test("a wrong password is announced and tied to the fields; focus goes back to the password", async (t) => {
  const page = await loginPage(t);
  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password").fill("not-the-password");
  const [res] = await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Sign in" }).click()]);
  assert.equal(res.status(), 401);
  const alert = page.getByRole("alert");
  assert.match(await alert.innerText(), /incorrect/i);
  const errId = await alert.getAttribute("id");
  for (const label of ["Username", "Password"]) {
    const field = page.getByLabel(label);
    assert.equal(await field.getAttribute("aria-invalid"), "true", label);
    assert.ok((await field.getAttribute("aria-describedby")).split(/\s+/).includes(errId), label);
  }
  assert.equal(await page.getByLabel("Username").inputValue(), "alice", "the user name is kept");
  assert.equal(await page.getByLabel("Password").inputValue(), "", "the password is not echoed back");
  assert.equal(await activeId(page), "gk-password");
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    const c = await contrasts(page);
    assert.ok(c[".err"] >= 4.5, `${scheme}: the error text has contrast ${c[".err"]}`);
    await page.screenshot({ path: artifactPath(`login-error-${scheme}.png`), fullPage: true });
  }
});

// WCAG 2 relative luminance and contrast ratio, computed in the page from computed styles.
async function contrasts(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const out = {};
    for (const sel of ["h1", ".sub", "label", "input#gk-username", "button", ".err"]) {
      const el = document.querySelector(sel);
      if (!el) continue;
      const fg = parse(getComputedStyle(el).color);
      const bg = background(el);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      out[sel] = Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
    }
    out.bodyBackground = getComputedStyle(document.body).backgroundColor;
    return out;
  });
}

test("light and dark mode: readable contrast (WCAG AA 4.5:1) and screenshots kept as artifacts", async (t) => {
  const seen = {};
  for (const scheme of ["light", "dark"]) {
    const page = await loginPage(t, scheme);
    const c = await contrasts(page);
    t.diagnostic(`${scheme}: ${JSON.stringify(c)}`);
    for (const [sel, ratio] of Object.entries(c)) {
      if (sel === "bodyBackground") continue;
      assert.ok(ratio >= 4.5, `${scheme} ${sel}: contrast ${ratio} < 4.5`);
    }
    seen[scheme] = c.bodyBackground;
    const path = artifactPath(`login-${scheme}.png`);
    await page.screenshot({ path, fullPage: true });
    assert.ok(statSync(path).size > 1000, path);
    t.diagnostic(`screenshot: ${path}`);
  }
  assert.notEqual(seen.light, seen.dark, "the page follows prefers-color-scheme");
});
