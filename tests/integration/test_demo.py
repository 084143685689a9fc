#!/usr/bin/python3
"""The demo tour: `gatekeeper demo` on free ports, driven by requests and curl.

Covers what the demo can show of the contract: 401/403/400 semantics and their headers and
bodies, HTML vs problem+json, HTTPS with the demo's own certificate (TLS 1.2 minimum), identity
headers at the echo upstream, stripping of spoofed identity / hop-by-hop headers / gatekeeper
cookies, health endpoints and forward auth.
"""
import json
import re
import os
import ssl
import socket
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402

import gk_harness as h  # noqa: E402

ALICE = HTTPBasicAuth("alice", "wonderland")
BOB = HTTPBasicAuth("bob", "builder")
T = 10  # seconds per request


class DemoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-demo-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.state = os.path.join(cls._tmp.name, "state")
        cls.http_port, cls.https_port, cls.echo_port = h.free_port(), h.free_port(), h.free_port()
        cls.proc = h.start_process(
            [h.GK_BIN, "demo", "--state", cls.state, "--http-port", str(cls.http_port),
             "--https-port", str(cls.https_port), "--echo-port", str(cls.echo_port)],
            ready_port=[cls.http_port, cls.https_port], timeout=30, logdir=cls._tmp.name)
        cls.addClassCleanup(h.stop, cls.proc)
        cls.base = "http://127.0.0.1:%d" % cls.http_port
        cls.sbase = "https://localhost:%d" % cls.https_port
        cls.cert = os.path.join(cls.state, "cert.pem")

    def get(self, path, **kw):
        kw.setdefault("timeout", T)
        return requests.get(self.base + path, **kw)

    def echo(self, path, **kw):
        r = self.get(path, **kw)
        return self.echo_doc(r, path)

    def echo_doc(self, r, path):
        self.assertEqual(r.status_code, 200, "%s -> %d %s\n%s" % (path, r.status_code, r.text[:300],
                                                                  self.proc.output(1500)))
        # Keep duplicate header names: the echo writes one JSON member per field line.
        pairs_doc = json.loads(r.text, object_pairs_hook=lambda pairs: pairs)
        doc = dict(pairs_doc)
        self.assertIn("headers", doc, r.text[:300])
        doc["header_list"] = list(doc["headers"])
        doc["headers"] = dict(doc["header_list"])
        doc["raw"] = r.text
        return doc

    @staticmethod
    def hall(doc, name):
        """Every value of a header at the echo upstream (one per field line)."""
        return [v for k, v in doc["header_list"] if k.lower() == name.lower()]

    @staticmethod
    def hget(doc, name):
        """Header value from the echo document, case-insensitively; None if absent. Fails on duplicates."""
        vals = [v for k, v in doc["header_list"] if k.lower() == name.lower()]
        assert len(vals) <= 1, "%s appears %d times at the upstream: %r" % (name, len(vals), vals)
        return vals[0] if vals else None

    def curl_code(self, *args):
        r = h.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"] + list(args))
        return r.stdout.strip()

    # ------------------------------------------------------------------ basics

    def test_demo_writes_its_config_and_cert(self):
        cfg = os.path.join(self.state, "gatekeeper.yaml")
        self.assertTrue(os.path.isfile(cfg), os.listdir(self.state))
        self.assertTrue(os.path.isfile(self.cert), os.listdir(self.state))
        r = h.gk("check", "--config", cfg)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok", r.stdout)

    def test_public_root_reaches_echo(self):
        doc = self.echo("/")
        self.assertEqual(doc["method"], "GET")
        self.assertEqual(doc["path"], "/")
        self.assertIn("body_bytes", doc)
        self.assertIsNone(self.hget(doc, "X-Auth-Request-User"))

    def test_health_endpoints(self):
        for p in ("/.gatekeeper/healthz", "/.gatekeeper/readyz"):
            r = self.get(p)
            self.assertEqual(r.status_code, 200, p)

    # ------------------------------------------------------------------ 401 / 403 / 400

    DIGEST = re.compile(r'^Digest realm="%s", qop="auth, auth-int", algorithm=(SHA-256|MD5), '
                        r'nonce="[A-Za-z0-9_-]{48}", opaque="[A-Za-z0-9_-]+", charset=UTF-8, userhash=true$')

    def check_401(self, r, realm, digest=False, bearer=False):
        h.problem_json_ok(self, r, 401)
        lines = h.www_authenticate_lines(r.raw.headers)
        if bearer:
            self.assertEqual(lines[-1], 'Bearer realm="%s"' % realm)
            lines = lines[:-1]
        if digest:
            # DESIGN: Digest (SHA-256, then MD5) before Basic on /admin/ and /app/.
            self.assertEqual(len(lines), 3, lines)
            pattern = re.compile(self.DIGEST.pattern.replace("%s", re.escape(realm)))
            self.assertRegex(lines[0], pattern)
            self.assertIn("algorithm=SHA-256", lines[0])
            self.assertRegex(lines[1], pattern)
            self.assertIn("algorithm=MD5", lines[1])
            lines = lines[2:]
        self.assertEqual(lines, ['Basic realm="%s", charset="UTF-8"' % realm])
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))

    def test_app_without_credentials_is_401_with_challenge(self):
        self.check_401(self.get("/app/"), "gatekeeper demo", digest=True, bearer=True)

    def test_admin_without_credentials_is_401_admin_panel(self):
        self.check_401(self.get("/admin/"), "Admin Panel", digest=True)

    def test_admin_with_curl_digest(self):
        url = self.base + "/admin/"
        self.assertEqual(self.curl_code("--digest", "-u", "alice:wonderland", url), "200")
        self.assertEqual(self.curl_code("--digest", "-u", "alice:wrong", url), "401")
        self.assertEqual(self.curl_code("--digest", "-u", "bob:builder", url), "403")
        self.assertEqual(self.curl_code("--digest", "-u", "bob:builder", self.base + "/app/"), "200")

    def test_api_without_credentials_is_401_bearer_realm_api(self):
        r = self.get("/api/things")
        h.problem_json_ok(self, r, 401)
        # RFC 6750 3.1: no credentials, so no error code.
        self.assertEqual(h.www_authenticate_lines(r.raw.headers), ['Bearer realm="api"'])

    def test_signed_in_users_reach_app(self):
        for auth, user in ((ALICE, "alice"), (BOB, "bob")):
            doc = self.echo("/app/page", auth=auth)
            self.assertEqual(self.hget(doc, "X-Auth-Request-User"), user)

    def test_admin_allows_alice(self):
        doc = self.echo("/admin/", auth=ALICE)
        self.assertEqual(doc["path"], "/admin/")

    def test_admin_forbids_bob_without_challenge(self):
        r = self.get("/admin/", auth=BOB)
        h.problem_json_ok(self, r, 403)
        self.assertNotIn("WWW-Authenticate", r.headers)
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))

    def test_wrong_password_and_unknown_user_look_identical(self):
        a = self.get("/admin/", auth=HTTPBasicAuth("alice", "not-wonderland"))
        b = self.get("/admin/", auth=HTTPBasicAuth("mallory", "wonderland"))
        self.check_401(a, "Admin Panel", digest=True)
        self.check_401(b, "Admin Panel", digest=True)
        self.assertEqual(a.content, b.content)
        self.assertEqual(a.headers.get("Content-Type"), b.headers.get("Content-Type"))
        # Every 401 carries a fresh Digest nonce; apart from it the challenges are the same.
        no_nonce = lambda r: [re.sub(r'nonce="[^"]*"', 'nonce=""', l)  # noqa: E731
                              for l in h.www_authenticate_lines(r.raw.headers)]
        self.assertEqual(no_nonce(a), no_nonce(b))

    def test_browser_navigation_is_sent_to_the_login_page(self):
        r = self.get("/app/x?y=1", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"},
                     allow_redirects=False)
        self.assertEqual(r.status_code, 303)
        self.assertEqual(r.headers["Location"], "/.gatekeeper/login?rd=%2Fapp%2Fx%3Fy%3D1")

    def test_html_body_when_a_fetch_prefers_html(self):
        # Not a navigation (Fetch Metadata says cors): a 401, in HTML as asked.
        r = self.get("/app/", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
                                       "Sec-Fetch-Mode": "cors"})
        self.assertEqual(r.status_code, 401)
        self.assertTrue(r.headers.get("Content-Type", "").startswith("text/html"), r.headers)
        self.assertIn("<html", r.text.lower())
        # A page's script gets no Basic/Digest challenge: it would open the browser's password dialog.
        self.assertEqual(h.www_authenticate_lines(r.raw.headers), ['Bearer realm="gatekeeper demo"'])
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))

    def test_problem_json_when_accept_prefers_json(self):
        r = self.get("/app/", headers={"Accept": "application/json, text/html;q=0.5"})
        h.problem_json_ok(self, r, 401)

    def test_malformed_authorization_is_400(self):
        import base64
        cases = {
            "Basic !!!": "invalid base64",
            "Basic " + base64.b64encode(b"alicewonderland").decode(): "no colon",
            "Basic": "no credentials",
        }
        for value, why in cases.items():
            r = self.get("/admin/", headers={"Authorization": value})
            self.assertEqual(r.status_code, 400, "%s (%r): got %d %s" % (why, value, r.status_code, r.text[:200]))

    def test_two_authorization_headers_is_400(self):
        a = h.basic_header("alice", "wonderland")
        req = ("GET /admin/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\nAuthorization: %s\r\n\r\n"
               % (a, a)).encode()
        resp = h.raw_request(self.http_port, req)
        self.assertEqual(resp.status, 400, resp)

    def test_curl_basic(self):
        url = self.base + "/admin/"
        self.assertEqual(self.curl_code(url), "401")
        self.assertEqual(self.curl_code("-u", "alice:wonderland", url), "200")
        self.assertEqual(self.curl_code("-u", "bob:builder", url), "403")
        self.assertEqual(self.curl_code("-u", "alice:wrong", url), "401")
        self.assertEqual(self.curl_code("-u", "bob:builder", self.base + "/app/"), "200")

    def test_curl_shows_challenge_header(self):
        r = h.run(["curl", "-s", "-D", "-", "-o", "/dev/null", "--max-time", "10", self.base + "/admin/"])
        values = [l.split(":", 1)[1].strip() for l in r.stdout.split("\r\n")
                  if l.lower().startswith("www-authenticate:")]
        self.assertEqual(len(values), 3, r.stdout)
        self.assertTrue(values[0].startswith('Digest realm="Admin Panel"'), r.stdout)
        self.assertEqual(values[2], 'Basic realm="Admin Panel", charset="UTF-8"', r.stdout)

    # ------------------------------------------------------------------ HTTPS

    def curl_https(self, *args):
        return h.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                      "--resolve", "localhost:%d:127.0.0.1" % self.https_port, "--cacert", self.cert] + list(args))

    def test_https_with_demo_cert_curl(self):
        r = self.curl_https(self.sbase + "/")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "200")
        r = self.curl_https("-u", "alice:wonderland", self.sbase + "/admin/")
        self.assertEqual(r.stdout, "200")
        r = self.curl_https(self.sbase + "/admin/")
        self.assertEqual(r.stdout, "401")

    def test_https_requests_and_forwarded_proto(self):
        r = requests.get(self.sbase + "/app/x", auth=ALICE, verify=self.cert, timeout=T)
        doc = self.echo_doc(r, "/app/x")
        self.assertEqual(self.hget(doc, "X-Forwarded-Proto"), "https")
        self.assertEqual(self.hget(doc, "X-Auth-Request-User"), "alice")

    def test_https_negotiates_tls12_or_better(self):
        ctx = ssl.create_default_context(cafile=self.cert)
        with socket.create_connection(("127.0.0.1", self.https_port), timeout=T) as s:
            with ctx.wrap_socket(s, server_hostname="localhost") as tls:
                self.assertIn(tls.version(), ("TLSv1.2", "TLSv1.3"))

    def test_tls11_is_refused(self):
        # SECLEVEL=0 lets the client side offer TLS 1.1 at all, so the refusal is the server's.
        control = self.curl_https("--ciphers", "DEFAULT:@SECLEVEL=0", self.sbase + "/")
        self.assertEqual(control.stdout, "200", control.stderr)
        r = self.curl_https("--tls-max", "1.1", self.sbase + "/")
        self.assertNotEqual(r.returncode, 0, "curl --tls-max 1.1 succeeded: %s" % r.stdout)
        r = self.curl_https("--tlsv1.1", "--tls-max", "1.1", "--ciphers", "DEFAULT:@SECLEVEL=0", self.sbase + "/")
        self.assertNotEqual(r.returncode, 0, "TLS 1.1 handshake succeeded: %s" % r.stdout)

    def test_tls_cert_is_for_localhost(self):
        r = h.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                   "--resolve", "localhost:%d:127.0.0.1" % self.https_port, self.sbase + "/"])
        self.assertNotEqual(r.returncode, 0, "self-signed cert accepted without --cacert")

    # ------------------------------------------------------------------ what the upstream sees

    def test_identity_headers_at_upstream(self):
        doc = self.echo("/admin/whoami", auth=ALICE, headers={"Host": "demo.test:%d" % self.http_port})
        self.assertEqual(self.hget(doc, "X-Auth-Request-User"), "alice")
        self.assertEqual(self.hget(doc, "Remote-User"), "alice")
        self.assertEqual(self.hget(doc, "X-Auth-Request-Groups"), "admins")
        self.assertEqual(self.hget(doc, "Remote-Groups"), "admins")
        self.assertEqual(self.hget(doc, "X-Forwarded-For"), "127.0.0.1")
        self.assertEqual(self.hget(doc, "X-Forwarded-Proto"), "http")
        self.assertEqual(self.hget(doc, "X-Forwarded-Host"), "demo.test:%d" % self.http_port)
        self.assertIsNone(self.hget(doc, "Authorization"), "client credentials forwarded")

    def test_bob_groups_at_upstream(self):
        doc = self.echo("/app/", auth=BOB)
        self.assertEqual(self.hget(doc, "Remote-User"), "bob")
        self.assertEqual(self.hget(doc, "X-Auth-Request-Groups"), "users")

    SPOOF = {
        "X-Auth-Request-User": "mallory",
        "x-auth-request-groups": "admins",
        "X-AUTH-REQUEST-EMAIL": "m@evil",
        "Remote-User": "mallory",
        "remote-groups": "admins",
        "X-Forwarded-User": "mallory",
    }

    def test_spoofed_identity_stripped_on_public_route(self):
        doc = self.echo("/", headers=dict(self.SPOOF))
        for name in self.SPOOF:
            self.assertIsNone(self.hget(doc, name), "%s reached the upstream on a public route" % name)
        self.assertNotIn("mallory", doc["raw"])

    def test_spoofed_identity_replaced_on_authenticated_route(self):
        doc = self.echo("/app/", auth=BOB, headers=dict(self.SPOOF))
        self.assertEqual(self.hget(doc, "X-Auth-Request-User"), "bob")
        self.assertEqual(self.hget(doc, "Remote-User"), "bob")
        self.assertEqual(self.hget(doc, "Remote-Groups"), "users")
        self.assertIsNone(self.hget(doc, "X-Forwarded-User"))
        # The demo may give bob a real address; the spoofed one must be gone.
        self.assertNotEqual(self.hget(doc, "X-Auth-Request-Email"), "m@evil")
        self.assertNotIn("mallory", doc["raw"])
        self.assertNotIn("admins", doc["raw"])

    def test_connection_header_cannot_remove_identity(self):
        doc = self.echo("/app/", auth=ALICE, headers={"Connection": "close, X-Auth-Request-User, Remote-User"})
        self.assertEqual(self.hget(doc, "X-Auth-Request-User"), "alice")
        self.assertEqual(self.hget(doc, "Remote-User"), "alice")
        conn = self.hget(doc, "Connection") or ""
        self.assertNotIn("x-auth-request-user", conn.lower())

    def test_hop_by_hop_headers_not_forwarded(self):
        doc = self.echo("/", headers={
            "Connection": "keep-alive, X-Private-Hop",
            "X-Private-Hop": "secret",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Upgrade": "foo/1",
            "Proxy-Authorization": "Basic Zm9vOmJhcg==",
            "X-End-To-End": "kept",
        })
        for name in ("X-Private-Hop", "Keep-Alive", "TE", "Upgrade", "Proxy-Authorization"):
            self.assertIsNone(self.hget(doc, name), "%s reached the upstream" % name)
        self.assertEqual(self.hget(doc, "X-End-To-End"), "kept")

    def test_gatekeeper_cookies_stripped_others_kept(self):
        doc = self.echo("/", headers={
            "Cookie": "gatekeeper_session=s1; theme=dark; __Host-gatekeeper-sid=s2; gatekeeperx=s3; lang=en"})
        cookie = "; ".join(self.hall(doc, "Cookie"))
        self.assertIn("theme=dark", cookie)
        self.assertIn("lang=en", cookie)
        self.assertNotIn("gatekeeper", cookie)
        self.assertNotIn("s1", cookie)
        self.assertNotIn("s2", cookie)

    def test_authorization_not_forwarded_on_app(self):
        doc = self.echo("/app/", auth=ALICE)
        self.assertIsNone(self.hget(doc, "Authorization"))

    # ------------------------------------------------------------------ path normalization

    def test_normalized_paths_reach_admin_rule(self):
        for p in ("/%61dmin/", "//admin/", "/./admin/", "/public/../admin/", "/%2e%2e/admin/"):
            resp = h.raw_request(self.http_port, ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % p).encode())
            self.assertEqual(resp.status, 401, "%s: %r" % (p, resp))
            self.assertIn('realm="Admin Panel"', resp.get("WWW-Authenticate") or "", p)

    def test_upstream_sees_normalized_path(self):
        doc = self.echo("/app/./a/../%62", auth=ALICE)
        self.assertEqual(doc["path"], "/app/b")

    # ------------------------------------------------------------------ forward auth

    def fa(self, path="/.gatekeeper/auth", **kw):
        return self.get(path, **kw)

    def test_forward_auth_nginx_style(self):
        hdr = {"X-Original-URI": "/admin/x", "X-Original-Method": "GET"}
        r = self.fa(headers=dict(hdr, Authorization=h.basic_header("alice", "wonderland")))
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertEqual(r.headers.get("X-Auth-Request-User"), "alice")
        self.assertEqual(r.headers.get("Remote-User"), "alice")
        self.assertEqual(r.headers.get("X-Auth-Request-Groups"), "admins")
        self.assertEqual(r.headers.get("Remote-Groups"), "admins")
        r = self.fa(headers=dict(hdr, Authorization=h.basic_header("bob", "builder")))
        self.assertEqual(r.status_code, 403)
        self.assertNotIn("WWW-Authenticate", r.headers)
        r = self.fa(headers=hdr)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(h.www_authenticate_lines(r.raw.headers)[-1], 'Basic realm="Admin Panel", charset="UTF-8"')

    def test_forward_auth_traefik_style(self):
        hdr = {"X-Forwarded-Method": "GET", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "app.example", "X-Forwarded-Uri": "/admin/panel?x=1"}
        r = self.fa(headers=dict(hdr, Authorization=h.basic_header("alice", "wonderland")))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers.get("X-Auth-Request-User"), "alice")
        r = self.fa(headers=dict(hdr, Authorization=h.basic_header("bob", "builder")))
        self.assertEqual(r.status_code, 403)
        r = self.fa(headers=hdr)
        self.assertEqual(r.status_code, 401)
        self.assertIn("Admin Panel", r.headers.get("WWW-Authenticate", ""))

    def test_forward_auth_envoy_style(self):
        r = self.fa("/.gatekeeper/auth/admin/x", auth=ALICE)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers.get("Remote-User"), "alice")
        self.assertEqual(r.headers.get("Remote-Groups"), "admins")
        self.assertEqual(self.fa("/.gatekeeper/auth/admin/x", auth=BOB).status_code, 403)
        r = self.fa("/.gatekeeper/auth/admin/x")
        self.assertEqual(r.status_code, 401)
        self.assertIn('Basic realm="Admin Panel"', r.headers.get("WWW-Authenticate", ""))
        self.assertEqual(self.fa("/.gatekeeper/auth/app/", auth=BOB).status_code, 200)

    def test_forward_auth_public_uri_allows(self):
        r = self.fa(headers={"X-Original-URI": "/", "X-Original-Method": "GET"})
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("X-Auth-Request-User", r.headers)

    def test_forward_auth_ignores_spoofed_identity(self):
        r = self.fa(headers={"X-Original-URI": "/admin/", "X-Original-Method": "GET",
                             "X-Auth-Request-User": "alice", "Remote-User": "alice"})
        self.assertEqual(r.status_code, 401)


if __name__ == "__main__":
    unittest.main()
