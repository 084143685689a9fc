// Serve the demo SPA the way `gatekeeper demo` is meant to (web/spa/ at /spa/ and /spa/callback,
// web/client/dist/ at /spa/client/) and proxy every other path to a gatekeeper, so the SPA runs
// same-origin with /api/ and /.gatekeeper/ before the server serves /spa/ itself.
//
//   node tests/browser/lib/spa-host.mjs --upstream http://127.0.0.1:8080 [--port 8090]
//
// The SPA's OAuth client must list http://127.0.0.1:<port>/spa/callback as a redirect URI.
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, "../../..");
export const SPA_DIR = join(REPO, "web", "spa");
export const CLIENT_DIST = join(REPO, "web", "client", "dist");

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

/** The file behind a /spa/ path, or null. */
export function spaFile(pathname, spaDir = SPA_DIR, clientDist = CLIENT_DIST) {
  if (pathname === "/spa/" || pathname === "/spa/callback" || pathname === "/spa/index.html") return join(spaDir, "index.html");
  if (pathname === "/spa/app.js" || pathname === "/spa/app.css") return join(spaDir, pathname.slice(5));
  const m = /^\/spa\/client\/([A-Za-z0-9_-]+\.js)$/.exec(pathname);
  if (m) return join(clientDist, m[1]);
  return null;
}

export async function startSpaHost({ upstream, port = 0, host = "127.0.0.1", spaDir = SPA_DIR, clientDist = CLIENT_DIST }) {
  if (!existsSync(join(clientDist, "index.js"))) {
    throw new Error(`no built client at ${clientDist}: run \`npm ci && npm run build\` in web/client (scripts/web_test.sh client)`);
  }
  const up = new URL(upstream);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/spa") {
      res.writeHead(308, { Location: "/spa/" });
      res.end();
      return;
    }
    if (url.pathname.startsWith("/spa/")) {
      const file = spaFile(url.pathname, spaDir, clientDist);
      if (!file || !existsSync(file) || (req.method !== "GET" && req.method !== "HEAD")) {
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("not found\n");
        return;
      }
      const body = readFileSync(file);
      res.writeHead(200, {
        "Content-Type": TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream",
        "Content-Length": body.length,
        "Cache-Control": "no-store",
        // What the SPA needs and no more: its own scripts and styles, fetches to its own origin.
        "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
      });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    const p = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (pr) => {
      res.writeHead(pr.statusCode ?? 502, pr.rawHeaders);
      pr.pipe(res);
    });
    p.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "Content-Type": "text/plain" });
      res.end("upstream error\n");
    });
    req.pipe(p);
  });
  await new Promise((r) => server.listen(port, host, r));
  const actual = server.address().port;
  return {
    port: actual,
    base: `http://${host}:${actual}`,
    close: () => new Promise((r) => {
      server.closeAllConnections?.();
      server.close(() => r());
    }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : def;
  };
  const upstream = arg("--upstream", "http://127.0.0.1:8080");
  const h = await startSpaHost({ upstream, port: Number(arg("--port", "8090")) });
  console.log(`SPA at ${h.base}/spa/ (everything else proxied to ${upstream}); Ctrl-C stops`);
}
