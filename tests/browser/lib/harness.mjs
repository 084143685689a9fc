// Shared helpers for the browser tests: start the gatekeeper binary (GK_BIN) on free loopback
// ports, an echo upstream, Debian's Chromium through playwright-core; stop only what was
// started, by PID; every wait is bounded.
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "../../..");
export const GK_BIN = process.env.GK_BIN || join(REPO, "build", "gatekeeper");
export const CHROMIUM = process.env.GK_CHROMIUM || "/usr/bin/chromium";
/** Screenshots and other artifacts (under the build tree, never committed). */
export const ARTIFACTS = process.env.GK_BROWSER_ARTIFACTS || join(REPO, "build", "test-artifacts", "browser");
export const HOST = "127.0.0.1";

export const USERS = { alice: "wonderland", bob: "builder" };

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Ports come from below the kernel's ephemeral range (32768 up), so no client
// socket of a concurrent test can hold one, and an O_EXCL reservation file in
// the directory the Python harness uses keeps two tests from picking the same
// one. Reservations older than an hour are stale.
const PORT_LOW = 20000;
const PORT_HIGH = 32000;
const PORT_DIR = join(tmpdir(), "gk-test-ports");
const reserved = [];
process.on("exit", () => {
  for (const path of reserved) rmSync(path, { force: true });
});

function bindable(port, host) {
  return new Promise((res) => {
    const s = net.createServer();
    s.unref();
    s.once("error", () => res(false));
    s.listen(port, host, () => s.close(() => res(true)));
  });
}

function reserve(port) {
  mkdirSync(PORT_DIR, { recursive: true });
  const path = join(PORT_DIR, String(port));
  try {
    if (Date.now() - statSync(path).mtimeMs > 3600_000) rmSync(path, { force: true });
  } catch {
    // no reservation yet
  }
  try {
    closeSync(openSync(path, "wx"));
  } catch {
    return false;
  }
  reserved.push(path);
  return true;
}

/** A port outside the ephemeral range, free now and reserved for this process. */
export async function freePort() {
  for (let i = 0; i < 2000; i++) {
    const port = PORT_LOW + randomInt(PORT_HIGH - PORT_LOW);
    if ((await bindable(port, "0.0.0.0")) && (await bindable(port, HOST)) && reserve(port)) return port;
  }
  throw new Error(`no free port in ${PORT_LOW}..${PORT_HIGH}`);
}

function portOpen(port) {
  return new Promise((res) => {
    const c = net.connect({ host: HOST, port });
    c.setTimeout(300);
    c.once("connect", () => {
      c.destroy();
      res(true);
    });
    c.once("error", () => res(false));
    c.once("timeout", () => {
      c.destroy();
      res(false);
    });
  });
}

/** A started child process: output kept in memory (and tail shown on failures). */
export class Proc {
  constructor(args, opts = {}) {
    this.args = args;
    this.out = "";
    this.err = "";
    this.child = spawn(args[0], args.slice(1), { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    this.pid = this.child.pid;
    this.exited = new Promise((res) => this.child.once("exit", (code, sig) => res(code ?? sig)));
    this.exitCode = undefined;
    this.exited.then((c) => (this.exitCode = c));
    this.child.stdout.on("data", (d) => (this.out += d));
    this.child.stderr.on("data", (d) => (this.err += d));
  }

  tail(n = 3000) {
    return `--- ${this.args.slice(0, 2).join(" ")} (pid ${this.pid}) stdout ---\n${this.out.slice(-n)}\n--- stderr ---\n${this.err.slice(-n)}`;
  }

  /** Lines of stdout that are JSON objects (gatekeeper's access log). */
  jsonLines() {
    const out = [];
    for (const line of this.out.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // a partial line
      }
    }
    return out;
  }

  async waitPorts(ports, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitCode !== undefined) throw new Error(`process exited (${this.exitCode}) before ports ${ports} opened\n${this.tail()}`);
      const open = await Promise.all(ports.map(portOpen));
      if (open.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`ports ${ports} not open after ${timeoutMs} ms\n${this.tail()}`);
      await sleep(50);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`, by PID. */
  async stop(graceMs = 5000) {
    if (this.exitCode !== undefined) return this.exitCode;
    try {
      process.kill(this.pid, "SIGTERM");
    } catch {
      return this.exitCode;
    }
    const timer = sleep(graceMs).then(() => "timeout");
    if ((await Promise.race([this.exited, timer])) === "timeout") {
      try {
        process.kill(this.pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
      await Promise.race([this.exited, sleep(5000)]);
    }
    return this.exitCode;
  }
}

export function requireBinary() {
  try {
    readFileSync(GK_BIN, { flag: "r" }).length;
  } catch {
    throw new Error(`no gatekeeper binary at ${GK_BIN} (set GK_BIN)`);
  }
}

/**
 * `gatekeeper demo` in a fresh state folder on free ports. Returns { base, tlsBase, state,
 * proc, stop }.
 */
export async function startDemo() {
  const dir = mkdtempSync(join(tmpdir(), "gk-browser-"));
  const state = join(dir, "state");
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const proc = new Proc([GK_BIN, "demo", "--state", state, "--http-port", String(httpPort),
    "--https-port", String(httpsPort), "--echo-port", "0", "--spa", join(REPO, "web", "spa")], { cwd: dir });
  await proc.waitPorts([httpPort, httpsPort]);
  return {
    dir, state, proc, httpPort,
    base: `http://${HOST}:${httpPort}`,
    tlsBase: `https://${HOST}:${httpsPort}`,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An upstream that answers every request with JSON of its method, path and headers. */
export async function startEcho() {
  const server = http.createServer((req, res) => {
    const body = JSON.stringify({ method: req.method, path: req.url, headers: req.headers });
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise((r) => server.listen(0, HOST, r));
  return {
    port: server.address().port,
    close: () => new Promise((r) => {
      server.closeAllConnections?.();
      server.close(() => r());
    }),
  };
}

/**
 * The demo with test settings: the demo makes its state (users alice/bob with their Digest
 * secrets, OAuth keys and clients, certificate) and is stopped; then `gatekeeper serve` runs
 * the demo's own config with these changes:
 *   - one plain HTTP listener on a free port, the upstream is an echo server of ours;
 *   - sessions.idle_timeout = idleTimeout; oauth.access_token_ttl = accessTokenTtl;
 *   - two extra routes like /admin/ that offer only Basic (/basic-admin/) or only Digest
 *     (/digest-admin/), so each scheme can be tested in the browser alone.
 */
export async function startDerivedDemo({ idleTimeout = "30m", accessTokenTtl = "10m" } = {}) {
  requireBinary();
  const demo = await startDemo();
  await demo.proc.stop();
  const echo = await startEcho();
  const port = await freePort();
  const cfgPath = join(demo.state, "gatekeeper.yaml");
  let yaml = readFileSync(cfgPath, "utf8");
  const must = (re, to) => {
    if (!re.test(yaml)) throw new Error(`the demo's config changed shape: ${re} not found in\n${yaml}`);
    yaml = yaml.replace(re, to);
  };
  if (!/^  state_dir:/m.test(yaml)) must(/^server:\n/m, "server:\n  state_dir: .\n");
  must(/^listeners:\n(?:  - .*\n)+/m, `listeners:\n  - { address: ${HOST}, port: ${port} }\n`);
  must(/^(upstreams:\n  echo:\n    url: )\S+/m, `$1http://${HOST}:${echo.port}`);
  must(/^sessions:.*\n/m, (m) => `${m}  idle_timeout: ${idleTimeout}\n  lifetime: 12h\n`);
  must(/^oauth:.*\n/m, (m) => `${m}  access_token_ttl: ${accessTokenTtl}\n`);
  must(/^routes:\n/m, `routes:
  - { name: basic-admin, path: /basic-admin/, upstream: echo, schemes: [basic], realm: Admin Panel, users: demo, require: { groups: [admins] } }
  - { name: digest-admin, path: /digest-admin/, upstream: echo, schemes: [digest], realm: Admin Panel, users: demo, require: { groups: [admins] } }
`);
  const testCfg = join(demo.state, "browser-test.yaml");
  writeFileSync(testCfg, yaml);
  const proc = new Proc([GK_BIN, "serve", "--config", testCfg], { cwd: demo.state });
  try {
    await proc.waitPorts([port]);
  } catch (e) {
    await echo.close();
    rmSync(demo.dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir: demo.dir, state: demo.state, proc, port, config: testCfg,
    base: `http://${HOST}:${port}`,
    async stop() {
      await proc.stop();
      await echo.close();
      rmSync(demo.dir, { recursive: true, force: true });
    },
  };
}

/** Run a short gatekeeper CLI command; resolves { code, out, err }. */
export function gk(args, { input, timeoutMs = 30_000 } = {}) {
  return new Promise((res, rej) => {
    const child = spawn(GK_BIN, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new Error(`gatekeeper ${args.join(" ")} timed out`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(t);
      res({ code, out, err });
    });
    child.stdin.end(input ?? "");
  });
}

/** Debian's Chromium, headless, no sandbox (root), no background networking; a fresh profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

export function artifactPath(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Fill the gatekeeper login form by its labels and submit it. */
export async function signIn(page, user, password) {
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForNavigation({ timeout: 15_000 }),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

/** The echo upstream's JSON as the page shows it (Chromium renders JSON as text). */
export async function echoOf(page) {
  const text = await page.locator("body").innerText();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not the echo upstream's JSON at ${page.url()}:\n${text.slice(0, 500)}`);
  }
}
