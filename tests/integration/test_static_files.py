#!/usr/bin/python3
"""Routes that serve files themselves (`static:`), as the demo's /spa/ does.

The folder is read at load: only files that were there are ever answered, so traversal, dot files
and symbolic links out of the folder have nothing to match; GET and HEAD only; ETag and 304; the
configured Content-Security-Policy and nosniff on every answer; a fallback file for client-side
routes; the gate still decides first on a protected static route; SIGHUP re-reads the folder;
config mistakes name file:line. Also `gatekeeper demo --spa DIR` serving /spa/ and registering
the SPA's own OAuth client with 30-second tokens.
"""
import os
import signal
import socket
import sys
import tempfile
import time
import unittest

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gk_harness as h  # noqa: E402

T = 10
CSP = "default-src 'self'"

CONFIG = """\
server:
  threads: 1
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
users:
  local: {{ htpasswd: users.htpasswd }}
routes:
  - name: private-files
    path: /private/
    static: site
    schemes: [basic]
    realm: files
    users: local
    require: authenticated
  - name: site
    path: /site/
    static: {{ root: site, fallback: index.html, csp: "{csp}" }}
    require: public
"""


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def raw_get(port, target):
    """A request target exactly as written (requests would normalize it)."""
    with socket.create_connection((h.HOST, port), timeout=T) as s:
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % target).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


class StaticFilesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-static-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.dir = cls._tmp.name
        site = os.path.join(cls.dir, "site")
        write(os.path.join(site, "index.html"), "<!doctype html><title>home</title>")
        write(os.path.join(site, "app.js"), "console.log('app');\n")
        write(os.path.join(site, "css", "main.css"), "body{}\n")
        write(os.path.join(site, "logo.png"), b"\x89PNG\r\n", "wb")
        write(os.path.join(site, ".env"), "SECRET=dot-file-content\n")
        write(os.path.join(site, ".git", "config"), "[core] dot-folder-content\n")
        write(os.path.join(cls.dir, "outside.txt"), "outside-the-folder\n")
        os.symlink(os.path.join(cls.dir, "outside.txt"), os.path.join(site, "link.txt"))
        os.symlink(cls.dir, os.path.join(site, "up"))
        h.make_htpasswd(os.path.join(cls.dir, "users.htpasswd"), {"ann": "ann-pass-1"})
        cls.gk = h.GatekeeperServe(lambda p: CONFIG.format(port=p, csp=CSP), cls.dir)
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)

    def get(self, path, **kw):
        kw.setdefault("timeout", T)
        return requests.get(self.gk.url(path), **kw)

    def test_files_with_their_types_and_security_headers(self):
        for path, body, ctype in [("/site/", "<!doctype html><title>home</title>", "text/html; charset=utf-8"),
                                  ("/site/index.html", "<!doctype html><title>home</title>", "text/html; charset=utf-8"),
                                  ("/site/app.js", "console.log('app');\n", "text/javascript; charset=utf-8"),
                                  ("/site/css/main.css", "body{}\n", "text/css; charset=utf-8"),
                                  ("/site/logo.png", b"\x89PNG\r\n", "image/png")]:
            r = self.get(path)
            self.assertEqual(r.status_code, 200, path)
            self.assertEqual(r.content, body if isinstance(body, bytes) else body.encode("utf-8"), path)
            self.assertEqual(r.headers["Content-Type"], ctype, path)
            self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff", path)
            self.assertEqual(r.headers["Content-Security-Policy"], CSP, path)
            self.assertEqual(r.headers["Cache-Control"], "no-cache", path)
            self.assertTrue(r.headers["ETag"].startswith('"'), path)

    def test_etag_revalidation_answers_304_without_a_body(self):
        etag = self.get("/site/app.js").headers["ETag"]
        r = self.get("/site/app.js", headers={"If-None-Match": etag})
        self.assertEqual(r.status_code, 304)
        self.assertEqual(r.content, b"")
        self.assertEqual(self.get("/site/app.js", headers={"If-None-Match": '"other"'}).status_code, 200)
        self.assertEqual(self.get("/site/css/main.css", headers={"If-None-Match": etag}).status_code, 200,
                         "another file's ETag is not a match")

    def test_head_has_the_length_and_no_body(self):
        r = requests.head(self.gk.url("/site/app.js"), timeout=T)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers["Content-Length"], str(len("console.log('app');\n")))
        self.assertEqual(r.content, b"")
        # The connection stays usable after a HEAD (no phantom body expected or sent).
        with requests.Session() as s:
            self.assertEqual(s.head(self.gk.url("/site/app.js"), timeout=T).status_code, 200)
            self.assertEqual(s.get(self.gk.url("/site/app.js"), timeout=T).text, "console.log('app');\n")

    def test_only_get_and_head(self):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = requests.request(method, self.gk.url("/site/app.js"), data="x", timeout=T)
            self.assertEqual(r.status_code, 405, method)
            self.assertEqual(r.headers["Allow"], "GET, HEAD", method)

    def test_nothing_outside_the_folder_and_no_dot_files_or_links(self):
        for target in ("/site/../outside.txt", "/site/%2e%2e/outside.txt", "/site/..%2foutside.txt",
                       "/site/link.txt", "/site/up/outside.txt", "/site/.env", "/site/.git/config",
                       "/site/%2eenv", "/site//..//outside.txt", "/site/css/../../outside.txt"):
            status, body = raw_get(self.gk.port, target)
            self.assertNotIn(b"outside-the-folder", body, target)
            self.assertNotIn(b"dot-f", body, target)
            self.assertIn(status, (400, 404) if "." in target.rsplit("/", 1)[-1] else (200, 400, 404), target)

    def test_fallback_serves_client_side_routes_but_not_missing_files(self):
        r = self.get("/site/callback?code=abc&state=xyz")
        self.assertEqual(r.status_code, 200)
        self.assertIn("<title>home</title>", r.text)
        self.assertEqual(self.get("/site/deep/client/route").status_code, 200)
        self.assertEqual(self.get("/site/missing.js").status_code, 404, "a missing asset is a 404, not the page")
        self.assertEqual(self.get("/private/callback").status_code, 401)

    def test_a_protected_static_route_is_decided_by_the_gate_first(self):
        r = self.get("/private/app.js")
        self.assertEqual(r.status_code, 401)
        self.assertIn("Basic", r.headers["WWW-Authenticate"])
        self.assertNotIn("console.log", r.text)
        r = self.get("/private/app.js", auth=("ann", "ann-pass-1"))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.text, "console.log('app');\n")
        self.assertNotIn("Content-Security-Policy", r.headers, "no csp configured on this route")
        self.assertEqual(self.get("/private/missing", auth=("ann", "ann-pass-1")).status_code, 404,
                         "no fallback configured")

    def test_sighup_reads_the_folder_again(self):
        path = os.path.join(self.dir, "site", "new.txt")
        self.assertEqual(self.get("/site/new.txt").status_code, 404)
        write(path, "added later\n")
        self.addCleanup(os.remove, path)
        self.assertEqual(self.get("/site/new.txt").status_code, 404, "read at load, not per request")
        os.kill(self.gk.proc.pid, signal.SIGHUP)
        deadline = time.time() + 5
        while time.time() < deadline and self.get("/site/new.txt").status_code != 200:
            time.sleep(0.1)
        r = self.get("/site/new.txt")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.text, "added later\n")
        self.assertEqual(r.headers["Content-Type"], "text/plain; charset=utf-8")


class StaticConfigErrorsTest(unittest.TestCase):
    def check(self, route_yaml, *words):
        with tempfile.TemporaryDirectory(prefix="gk-static-cfg-") as d:
            os.makedirs(os.path.join(d, "site"))
            write(os.path.join(d, "site", "index.html"), "x")
            path = os.path.join(d, "gatekeeper.yaml")
            write(path, "listeners:\n  - { address: 127.0.0.1, port: 18099 }\n"
                        "upstreams:\n  app: { url: 'http://127.0.0.1:1' }\nroutes:\n" + route_yaml)
            r = h.gk("check", "--config", path)
            self.assertNotEqual(r.returncode, 0, route_yaml)
            text = r.stdout + r.stderr
            self.assertIn("gatekeeper.yaml:", text)
            for w in words:
                self.assertIn(w, text, route_yaml)

    def test_mistakes_are_named_with_file_and_line(self):
        self.check("  - { name: a, path: /a/, static: nowhere, require: public }\n", "does not exist")
        self.check("  - { name: a, path: /a/, static: site, upstream: app, require: public }\n",
                   "both 'upstream' and 'static'")
        self.check("  - { name: a, path: /a/, static: { root: site, fallback: ../x }, require: public }\n",
                   "fallback")
        self.check("  - { name: a, path: /a/, static: { fallback: index.html }, require: public }\n", "root")
        self.check("  - { name: a, path: /a/, static: { root: site, cache: 1 }, require: public }\n", "cache")

    def test_a_fallback_that_is_not_in_the_folder_stops_the_start(self):
        with tempfile.TemporaryDirectory(prefix="gk-static-cfg-") as d:
            os.makedirs(os.path.join(d, "site"))
            port = h.free_port()
            path = os.path.join(d, "gatekeeper.yaml")
            write(path, "listeners:\n  - { address: 127.0.0.1, port: %d }\nroutes:\n"
                        "  - { name: a, path: /a/, static: { root: site, fallback: index.html }, require: public }\n"
                        % port)
            r = h.run([h.GK_BIN, "serve", "--config", path], timeout=20)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("gatekeeper.yaml:", r.stderr + r.stdout)
            self.assertIn("index.html", r.stderr + r.stdout)


class DemoSpaTest(unittest.TestCase):
    """`gatekeeper demo --spa DIR`: /spa/ and /spa/client/ from the folders, the SPA's client."""

    @classmethod
    def setUpClass(cls):
        cls._web = tempfile.TemporaryDirectory(prefix="gk-demo-spa-web-")
        cls.addClassCleanup(cls._web.cleanup)
        web = cls._web.name
        write(os.path.join(web, "spa", "index.html"), "<!doctype html><title>spa</title>")
        write(os.path.join(web, "spa", "app.js"), "import './client/index.js';\n")
        write(os.path.join(web, "client", "dist", "index.js"), "export const client = 1;\n")
        h.start_demo(cls, "gk-demo-spa-", "--spa", os.path.join(web, "spa"))

    def test_spa_files_callback_fallback_and_client(self):
        r = requests.get(self.base + "/spa/", timeout=T)
        self.assertEqual(r.status_code, 200)
        self.assertIn("<title>spa</title>", r.text)
        self.assertIn("script-src 'self'", r.headers["Content-Security-Policy"])
        self.assertIn("frame-ancestors 'none'", r.headers["Content-Security-Policy"])
        self.assertIn("<title>spa</title>", requests.get(self.base + "/spa/callback?code=x&state=y", timeout=T).text)
        r = requests.get(self.base + "/spa/client/index.js", timeout=T)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.text, "export const client = 1;\n")
        self.assertEqual(r.headers["Content-Type"], "text/javascript; charset=utf-8")

    def test_spa_client_is_public_with_30_second_tokens(self):
        r = h.gk("client", "list", "--state", self.state)
        self.assertEqual(r.returncode, 0, r.stderr)
        line = [l for l in r.stdout.splitlines() if l.startswith("demo-spa ")]
        self.assertTrue(line, r.stdout)
        self.assertIn("public", line[0])
        self.assertIn("30s", line[0])
        self.assertIn("/spa/callback", line[0])


if __name__ == "__main__":
    unittest.main()
