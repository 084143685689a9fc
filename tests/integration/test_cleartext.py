#!/usr/bin/python3
"""HTTPS by default (issue 9): a plain-HTTP listener on a network address redirects to https and
refuses credentials sent over it; `insecure: true` allows them with a warning; a trusted proxy's
X-Forwarded-Proto: https counts as https; HSTS on secure responses only; Secure cookies.

The plain listener binds 0.0.0.0 but every request goes to 127.0.0.1. 127.0.0.1 is a trusted proxy
by default, so requests without X-Forwarded-Proto are plain, and with it https.
"""
import json
import os
import re
import signal
import sys
import tempfile
import time
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
import urllib3  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10
PASSWORD = "correct-horse-battery"
FAKE_KEY = "gk_" + "A" * 43 + "BCDEFG"
FAKE_TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdG9rZW4ifQ.c2lnbmF0dXJlLXZhbHVl"
FAKE_SESSION = "S" * 43
DEFAULT_HSTS = "max-age=31536000; includeSubDomains"


def make_cert(d):
    """A throwaway self-signed certificate for 127.0.0.1."""
    r = h.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
               "-keyout", os.path.join(d, "key.pem"), "-out", os.path.join(d, "cert.pem"), "-days", "2",
               "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
    assert r.returncode == 0, r.stderr


CONFIG = """\
server:
  threads: 2
  state_dir: ./state
  audit_log: audit.log
{server_extra}
listeners:
  - {{ address: 0.0.0.0, port: {plain}{plain_extra} }}
  - {{ address: 127.0.0.1, port: {tls}, tls: {{ cert: cert.pem, key: key.pem }} }}
  - {{ address: 127.0.0.1, port: {loop} }}
upstreams:
  app: {{ url: "http://127.0.0.1:{upstream}" }}
users:
  staff: {{ htpasswd: users.htpasswd }}
sessions:
  users: staff
brute_force:
  per_user: 3
  per_address: 3
  lockout: 10m
routes:
  - name: app
    path: /app/
    upstream: app
    schemes: [session, basic, apikey]
    api_key_header: X-API-Key
    users: staff
    require: authenticated
  - name: public
    path: /
    upstream: app
    require: public
"""


class Server:
    """`gatekeeper serve` with a 0.0.0.0 plain listener, a TLS and a loopback listener, for a class."""

    @staticmethod
    def start(cls, prefix, plain_extra="", server_extra=""):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix=prefix)
        cls.addClassCleanup(cls._tmp.cleanup)
        d = cls.dir = cls._tmp.name
        make_cert(d)
        h.make_htpasswd(os.path.join(d, "users.htpasswd"), {"alice": PASSWORD})
        os.makedirs(os.path.join(d, "state"))
        cls.upstream = h.Upstream()
        cls.addClassCleanup(cls.upstream.close)
        cls.plain_port, cls.tls, cls.loop = h.free_port(), h.free_port(), h.free_port()
        if server_extra and not server_extra.startswith("  "):
            server_extra = "  " + server_extra
        if plain_extra:
            plain_extra = ", " + plain_extra
        h.write_config(os.path.join(d, "gatekeeper.yaml"), CONFIG.format(
            plain=cls.plain_port, tls=cls.tls, loop=cls.loop, upstream=cls.upstream.port,
            plain_extra=plain_extra, server_extra=server_extra))
        cls.proc = h.start_process([h.GK_BIN, "serve", "--config", os.path.join(d, "gatekeeper.yaml")],
                                   ready_port=[cls.plain_port, cls.tls, cls.loop], timeout=30, cwd=d, logdir=d)
        cls.addClassCleanup(h.stop, cls.proc)
        cls.tls_base = "https://127.0.0.1:%d" % cls.tls


class Helpers:
    def plain(self, path, headers=(), method="GET", port=None, host=None, body=b"", version="1.1"):
        """One raw request to the plain listener (or `port`); returns RawResponse."""
        port = port or self.plain_port
        lines = ["%s %s HTTP/%s" % (method, path, version)]
        if host is not False:
            lines.append("Host: %s" % (host if host is not None else "app.example.test:%d" % port))
        lines += ["%s: %s" % kv for kv in headers]
        if body:
            lines.append("Content-Length: %d" % len(body))
        lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        return h.raw_request(port, data, close_wait=0.5)

    def tls_get(self, path, headers=None, **kw):
        kw.setdefault("timeout", T)
        kw.setdefault("allow_redirects", False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return requests.get(self.tls_base + path, headers=headers or {}, verify=False, **kw)

    def output(self):
        return self.proc.stdout_text() + self.proc.stderr_text()

    def audit_events(self, event=None):
        path = os.path.join(self.dir, "audit.log")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            evs = [json.loads(line) for line in f if line.strip()]
        return [e for e in evs if event is None or e.get("event") == event]

    def wait_for(self, pred, what, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return
            time.sleep(0.05)
        self.fail("timed out waiting for " + what + "\n" + self.proc.output(3000))

    def assert_upstream_untouched(self, before):
        time.sleep(0.1)
        self.assertEqual(len(self.upstream.seen()), before, "the upstream saw the request")


# --------------------------------------------------------------------------- the redirect listener

class RedirectListenerTest(Helpers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Server.start(cls, "gk-cleartext-")

    def test_plain_requests_are_redirected_with_308(self):
        before = len(self.upstream.seen())
        for method, body in (("GET", b""), ("POST", b"a=1"), ("HEAD", b"")):
            r = self.plain("/app/x?y=1&z=%20", method=method, body=body)
            self.assertEqual(r.status, 308, r)
            self.assertEqual(r.get("Location"), "https://app.example.test:%d/app/x?y=1&z=%%20" % self.tls)
            self.assertIsNone(r.get("Strict-Transport-Security"), "never HSTS over plain HTTP (RFC 6797 7.2)")
            self.assertIsNone(r.get("Set-Cookie"))
        # gatekeeper's own endpoints too: the login page must not be served over plain HTTP.
        r = self.plain("/.gatekeeper/login")
        self.assertEqual(r.status, 308)
        self.assertEqual(r.get("Location"), "https://app.example.test:%d/.gatekeeper/login" % self.tls)
        self.assert_upstream_untouched(before)

    def test_host_is_validated_never_an_open_redirect(self):
        r = self.plain("/", host="[::1]:80")
        self.assertEqual(r.get("Location"), "https://[::1]:%d/" % self.tls)
        r = self.plain("/", host="192.0.2.1")
        self.assertEqual(r.get("Location"), "https://192.0.2.1:%d/" % self.tls)
        for host in ("evil.com@good", "good/evil", "good\tevil", "", "-bad.example", "good:99999"):
            r = self.plain("/", host=host)
            self.assertEqual(r.status, 400, "Host %r: %r" % (host, r))
            self.assertIsNone(r.get("Location"), host)
        r = self.plain("/", host=False, version="1.0")  # HTTP/1.0 without Host
        self.assertEqual(r.status, 400, r)
        self.assertIsNone(r.get("Location"))
        # CRLF cannot end up in a header: the request head itself is refused.
        r = h.raw_request(self.plain_port, b"GET / HTTP/1.1\r\nHost: good\rSet-Cookie: x=1\r\n\r\n", close_wait=0.5)
        self.assertEqual(r.status, 400)
        self.assertIsNone(r.get("Set-Cookie"))
        # absolute-form: its authority is the host.
        r = self.plain("http://other.example.test/p", host="other.example.test")
        self.assertEqual(r.get("Location"), "https://other.example.test:%d/p" % self.tls)

    def test_acme_challenge_path_is_not_redirected(self):
        r = self.plain("/.well-known/acme-challenge/some-token")
        self.assertEqual(r.status, 404, r)
        self.assertIsNone(r.get("Location"))

    def refused(self, path, headers, credential, secret):
        before = len(self.upstream.seen())
        r = self.plain(path, headers=headers)
        self.assertEqual(r.status, 403, r)
        self.assertIsNone(r.get("Location"), "a redirect would make the client send it again")
        self.assertTrue((r.get("Content-Type") or "").startswith("application/problem+json"), r)
        doc = json.loads(r.body)
        self.assertEqual(doc["status"], 403)
        self.assertEqual(doc["credential"], credential)
        self.assertIn("compromised", doc["detail"])
        self.assertIn("rotate", doc["detail"])
        self.assertNotIn(secret, r.body.decode())
        self.assert_upstream_untouched(before)
        self.wait_for(lambda: any(e.get("credential") == credential for e in self.audit_events("credential.cleartext")),
                      "a credential.cleartext event for " + credential)
        ev = [e for e in self.audit_events("credential.cleartext") if e.get("credential") == credential][-1]
        self.assertEqual(ev["listener"], "0.0.0.0:%d" % self.plain_port)
        self.assertEqual(ev["client"], "127.0.0.1")
        self.wait_for(lambda: "carried %s over plain HTTP" % credential in self.output(), "the warning")
        self.assertNotIn(secret, self.output(), "the credential is never logged")
        with open(os.path.join(self.dir, "audit.log"), encoding="utf-8") as f:
            self.assertNotIn(secret, f.read())

    def test_basic_password_is_refused(self):
        self.refused("/app/x", [("Authorization", h.basic_header("alice", PASSWORD))], "Authorization",
                     h.basic_header("alice", PASSWORD).split()[1])

    def test_bearer_token_is_refused(self):
        self.refused("/app/x", [("Authorization", "Bearer " + FAKE_TOKEN)], "Authorization", FAKE_TOKEN)

    def test_api_key_header_is_refused(self):
        self.refused("/app/x", [("X-API-Key", FAKE_KEY)], "X-API-Key", FAKE_KEY)

    def test_query_token_is_refused(self):
        self.refused("/app/x?access_token=" + FAKE_TOKEN, [], "access_token", FAKE_TOKEN)

    def test_session_cookies_are_refused(self):
        self.refused("/app/x", [("Cookie", "theme=dark; gatekeeper=" + FAKE_SESSION)], "gatekeeper", FAKE_SESSION)
        self.refused("/", [("Cookie", "__Host-gatekeeper=" + FAKE_SESSION + "x")], "__Host-gatekeeper",
                     FAKE_SESSION + "x")

    def test_proxy_authorization_is_refused_even_on_public_paths(self):
        self.refused("/public", [("Proxy-Authorization", "Basic c2VjcmV0OnZhbHVl")], "Proxy-Authorization",
                     "c2VjcmV0OnZhbHVl")

    def test_other_cookies_are_redirected(self):
        r = self.plain("/", headers=[("Cookie", "theme=dark; gatekeeper-csrf=abc")])
        self.assertEqual(r.status, 308)

    def test_refused_passwords_move_no_brute_force_counter(self):
        wrong = h.basic_header("alice", "wrong-password")
        for _ in range(6):  # twice the per_user and per_address limits
            self.assertEqual(self.plain("/app/b", headers=[("Authorization", wrong)]).status, 403)
        r = self.tls_get("/app/b", headers={"Authorization": h.basic_header("alice", PASSWORD)})
        self.assertEqual(r.status_code, 200, "locked out by refused cleartext attempts? %s" % r.text[:200])
        self.assertFalse([e for e in self.audit_events() if e.get("event") in ("auth.failure", "auth.locked")],
                         "a refused cleartext credential is never checked")

    def test_trusted_proxy_https_is_processed(self):
        r = self.plain("/app/p", headers=[("X-Forwarded-Proto", "https"),
                                          ("Authorization", h.basic_header("alice", PASSWORD))])
        self.assertEqual(r.status, 200, r)
        doc = json.loads(r.body)
        self.assertEqual(doc["headers"].get("X-Auth-Request-User"), "alice")
        self.assertEqual(r.get("Strict-Transport-Security"), DEFAULT_HSTS, "https as far as the client knows")
        r = self.plain("/app/p", headers=[("X-Forwarded-Proto", "http")])
        self.assertEqual(r.status, 308)

    def test_hsts_on_every_tls_response(self):
        for path, status in (("/", 200), ("/app/x", 401), ("/.gatekeeper/login", 200),
                             ("/.gatekeeper/nope", 404), ("/.gatekeeper/healthz", 200),
                             ("/.well-known/oauth-authorization-server", 404)):
            r = self.tls_get(path, headers={"Accept": "application/json"})
            self.assertEqual(r.status_code, status, path)
            self.assertEqual(r.headers.get("Strict-Transport-Security"), DEFAULT_HSTS, path)
        r = self.tls_get("/app/x", headers={"Authorization": h.basic_header("alice", PASSWORD)})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers.get("Strict-Transport-Security"), DEFAULT_HSTS, "proxied response")
        r = self.tls_get("/app/chunked/5000", headers={"Authorization": h.basic_header("alice", PASSWORD)})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers.get("Strict-Transport-Security"), DEFAULT_HSTS, "proxied, general path")
        r = self.tls_get("/app/x", headers={"Accept": "text/html", "Sec-Fetch-Mode": "navigate"})
        self.assertEqual(r.status_code, 303, "redirect to the login page")
        self.assertEqual(r.headers.get("Strict-Transport-Security"), DEFAULT_HSTS)

    def test_no_hsts_on_plain_loopback(self):
        r = self.plain("/", port=self.loop)
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.get("Strict-Transport-Security"))
        # Loopback plain listeners (the demo's) take credentials.
        r = self.plain("/app/l", port=self.loop, headers=[("Authorization", h.basic_header("alice", PASSWORD))])
        self.assertEqual(r.status, 200, r)

    def test_login_flow_sets_only_secure_cookies(self):
        s = requests.Session()
        self.addCleanup(s.close)
        lines = []

        def collect(r):
            try:
                lines.extend(r.raw.headers.getlist("Set-Cookie"))
            except AttributeError:
                pass
            return r

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            nav = {"Sec-Fetch-Mode": "navigate", "Accept": "text/html"}
            post = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin", "Origin": self.tls_base}
            r = collect(s.get(self.tls_base + "/.gatekeeper/login?rd=/app/c", headers=nav, verify=False, timeout=T))
            self.assertEqual(r.status_code, 200)
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', r.text)
            self.assertTrue(csrf, r.text[:500])
            token = csrf.group(1) or csrf.group(2)
            r = collect(s.post(self.tls_base + "/.gatekeeper/login", headers=post, verify=False, timeout=T,
                               allow_redirects=False,
                               data={"csrf_token": token, "return_to": "/app/c", "username": "alice",
                                     "password": PASSWORD}))
            self.assertEqual(r.status_code, 303, r.text[:300])
            r = collect(s.get(self.tls_base + "/app/c", headers=nav, verify=False, timeout=T))
            self.assertEqual(r.status_code, 200)
            r = collect(s.get(self.tls_base + "/.gatekeeper/login", headers=nav, verify=False, timeout=T))
            m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', r.text)
            r = collect(s.post(self.tls_base + "/.gatekeeper/logout", headers=post, verify=False, timeout=T,
                               allow_redirects=False, data={"csrf_token": m.group(1) or m.group(2)}))
            self.assertIn(r.status_code, (200, 303), r.text[:300])
        self.assertGreaterEqual(len(lines), 3, lines)
        names = set()
        for line in lines:
            attrs = [a.strip().lower() for a in line.split(";")[1:]]
            self.assertIn("secure", attrs, line)
            names.add(line.split("=", 1)[0])
        self.assertIn("__Host-gatekeeper", names)
        self.assertIn("__Host-gatekeeper-csrf", names)


# --------------------------------------------------------------------------- insecure: true

class InsecureListenerTest(Helpers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Server.start(cls, "gk-insecure-", plain_extra="insecure: true")

    def test_credentials_are_processed_with_a_warning_at_start_and_reload(self):
        warning = "listener 0.0.0.0:%d is insecure" % self.plain_port
        self.wait_for(lambda: warning in self.output(), "the start-up warning")
        r = self.plain("/app/i", headers=[("Authorization", h.basic_header("alice", PASSWORD))])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(json.loads(r.body)["headers"].get("X-Auth-Request-User"), "alice")
        self.assertIsNone(r.get("Strict-Transport-Security"))
        self.assertEqual(self.audit_events("credential.cleartext"), [])
        os.kill(self.proc.pid, signal.SIGHUP)
        self.wait_for(lambda: self.output().count(warning) >= 2 and "reload: config applied" in self.output(),
                      "the warning again at reload")


# --------------------------------------------------------------------------- untrusted proxy, hsts: off

class UntrustedProxyAndHstsOffTest(Helpers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        Server.start(cls, "gk-untrusted-", server_extra="trusted_proxies: [10.0.0.0/8]\n  hsts: off")

    def test_untrusted_forwarded_proto_is_ignored(self):
        r = self.plain("/app/u", headers=[("X-Forwarded-Proto", "https"),
                                          ("Authorization", h.basic_header("alice", PASSWORD))])
        self.assertEqual(r.status, 403, r)
        r = self.plain("/app/u", headers=[("X-Forwarded-Proto", "https")])
        self.assertEqual(r.status, 308, r)

    def test_hsts_off(self):
        for path in ("/", "/app/x"):
            r = self.tls_get(path)
            self.assertIsNone(r.headers.get("Strict-Transport-Security"), path)


if __name__ == "__main__":
    unittest.main()
