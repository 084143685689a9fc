#!/usr/bin/python3
"""Digest (RFC 7616) against `gatekeeper serve` with real clients: curl --digest, python3-requests
HTTPDigestAuth, and a raw client that replays, bends and waits out nonces. Users are added with
`gatekeeper user add --config`, which writes the per-realm Digest secrets.
"""
import hashlib
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
from requests.auth import HTTPDigestAuth  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10
NONCE_LIFETIME = 2

CONFIG = """\
server:
  threads: 2
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
users:
  db: {{ sqlite: users.db }}
digest:
  algorithms: [SHA-256, MD5]
  nonce_lifetime: {lifetime}s
routes:
  - name: admin
    path: /admin/
    upstream: py
    schemes: [digest, basic]
    realm: Admin Panel
    users: db
    require: {{ groups: [admins] }}
  - name: public
    path: /
    upstream: py
    require: public
"""


def parse_challenges(values):
    """Digest challenges from WWW-Authenticate field lines -> list of dicts (quoted values unquoted)."""
    out = []
    for v in values:
        if not v.lower().startswith("digest "):
            continue
        params = dict((m.group(1).lower(), m.group(2) if m.group(2) is not None else m.group(3))
                      for m in re.finditer(r'([A-Za-z0-9_-]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', v[7:]))
        out.append(params)
    return out


def H(alg, data):
    name = {"MD5": "md5", "SHA-256": "sha256"}[alg]
    return hashlib.new(name, data.encode()).hexdigest()


def digest_header(ch, user, password, method, uri, nc="00000001", cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                  qop="auth", realm=None, response_override=None, drop=(), body=None, userhash=False):
    alg = ch.get("algorithm", "MD5")
    realm = ch["realm"] if realm is None else realm
    ha1 = H(alg, "%s:%s:%s" % (user, realm, password))
    if body is not None:
        qop = "auth-int"
        ha2 = H(alg, "%s:%s:%s" % (method, uri, hashlib.new({"MD5": "md5", "SHA-256": "sha256"}[alg], body).hexdigest()))
    else:
        ha2 = H(alg, "%s:%s" % (method, uri))
    resp = H(alg, "%s:%s:%s:%s:%s:%s" % (ha1, ch["nonce"], nc, cnonce, qop, ha2))
    if response_override is not None:
        resp = response_override
    name = H(alg, "%s:%s" % (user, realm)) if userhash else user
    fields = [("username", '"%s"' % name), ("userhash", "true" if userhash else "false"), ("realm", '"%s"' % realm), ("uri", '"%s"' % uri),
              ("algorithm", alg), ("nonce", '"%s"' % ch["nonce"]), ("nc", nc), ("cnonce", '"%s"' % cnonce),
              ("qop", qop), ("response", '"%s"' % resp), ("opaque", '"%s"' % ch.get("opaque", ""))]
    return "Digest " + ", ".join("%s=%s" % (k, v) for k, v in fields if k not in drop)


class DigestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        import tempfile
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-digest-")
        cls.dir = cls._tmp.name
        cls.up = h.Upstream()
        cls.gk = h.GatekeeperServe(lambda port: CONFIG.format(port=port, up=cls.up.port, lifetime=NONCE_LIFETIME),
                                   cls.dir)
        for user, pw, group in (("alice", "wonderland", "admins"), ("bob", "builder", "users")):
            r = h.gk("user", "add", user, "-g", group, "--config", cls.gk.config_path, stdin=pw + "\n")
            assert r.returncode == 0, r.stderr
        cls.gk.start()

    @classmethod
    def tearDownClass(cls):
        cls.gk.stop()
        cls.up.close()
        cls._tmp.cleanup()

    def challenge(self, path="/admin/x"):
        r = requests.get(self.gk.url(path), timeout=T)
        self.assertEqual(r.status_code, 401)
        values = [v for k, v in r.raw.headers.items() if k.lower() == "www-authenticate"]
        chs = parse_challenges(values)
        self.assertTrue(chs, values)
        return chs, values

    def send(self, path, authorization, method="GET"):
        return requests.request(method, self.gk.url(path), headers={"Authorization": authorization}, timeout=T)

    # ------------------------------------------------------------------ challenges

    def test_challenges_sha256_then_md5_then_basic(self):
        chs, values = self.challenge()
        self.assertEqual([c["algorithm"] for c in chs], ["SHA-256", "MD5"])
        self.assertTrue(values[-1].startswith("Basic "), values)
        for c in chs:
            self.assertEqual(c["realm"], "Admin Panel")
            self.assertEqual(c["qop"], "auth, auth-int")
            self.assertEqual(c["userhash"], "true")
            self.assertEqual(c["charset"], "UTF-8")
            self.assertTrue(c["nonce"] and c["opaque"])
            self.assertNotIn("stale", c)

    # ------------------------------------------------------------------ real clients

    def curl(self, *args):
        return subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"] + list(args),
                              capture_output=True, text=True, timeout=30)

    def test_curl_digest(self):
        self.assertEqual(self.curl("--digest", "-u", "alice:wonderland", self.gk.url("/admin/curl")).stdout, "200")
        self.assertEqual(self.curl("--digest", "-u", "alice:nope", self.gk.url("/admin/curl")).stdout, "401")
        self.assertEqual(self.curl("--digest", "-u", "bob:builder", self.gk.url("/admin/curl")).stdout, "403")
        rec = [r for r in self.up.seen() if r.path == "/admin/curl"]
        self.assertTrue(rec)
        self.assertEqual(rec[-1].get("X-Auth-Request-User"), "alice")
        self.assertIsNone(rec[-1].get("Authorization"), "credentials are for gatekeeper, not the upstream")

    def test_requests_digest_md5_and_session_reuse(self):
        s = requests.Session()
        s.auth = HTTPDigestAuth("alice", "wonderland")
        for i in range(4):  # requests reuses the nonce with a rising nc
            r = s.get(self.gk.url("/admin/req%d" % i), timeout=T)
            self.assertEqual(r.status_code, 200, r.text[:200])
        info = r.headers.get("Authentication-Info", "")
        self.assertRegex(info, r'rspauth="[0-9a-f]{32}"')
        self.assertIn("nc=00000004", info)
        r = requests.get(self.gk.url("/admin/x"), auth=HTTPDigestAuth("alice", "wrong"), timeout=T)
        self.assertEqual(r.status_code, 401)

    def test_rspauth_proves_the_server_knows_the_secret(self):
        chs, _ = self.challenge()
        ch = chs[0]
        uri = "/admin/rsp"
        r = self.send(uri, digest_header(ch, "alice", "wonderland", "GET", uri))
        self.assertEqual(r.status_code, 200)
        info = r.headers["Authentication-Info"]
        rspauth = re.search(r'rspauth="([0-9a-f]+)"', info).group(1)
        ha1 = H("SHA-256", "alice:Admin Panel:wonderland")
        want = H("SHA-256", "%s:%s:00000001:f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:%s"
                 % (ha1, ch["nonce"], H("SHA-256", ":" + uri)))
        self.assertEqual(rspauth, want)

    # ------------------------------------------------------------------ replay and staleness

    def test_replayed_authorization_is_refused(self):
        chs, _ = self.challenge()
        auth = digest_header(chs[0], "alice", "wonderland", "GET", "/admin/replay")
        self.assertEqual(self.send("/admin/replay", auth).status_code, 200)
        again = self.send("/admin/replay", auth)
        self.assertEqual(again.status_code, 401)
        self.assertIn("stale=true", again.headers.get("WWW-Authenticate", ""))
        nxt = digest_header(chs[0], "alice", "wonderland", "GET", "/admin/replay", nc="00000002")
        self.assertEqual(self.send("/admin/replay", nxt).status_code, 200)

    def test_stale_nonce_gets_stale_true_and_the_client_recovers(self):
        chs, _ = self.challenge()
        time.sleep(NONCE_LIFETIME + 1.2)
        r = self.send("/admin/stale", digest_header(chs[0], "alice", "wonderland", "GET", "/admin/stale"))
        self.assertEqual(r.status_code, 401)
        fresh = parse_challenges([v for k, v in r.raw.headers.items() if k.lower() == "www-authenticate"])
        self.assertEqual(fresh[0].get("stale"), "true")
        self.assertNotEqual(fresh[0]["nonce"], chs[0]["nonce"])
        r2 = self.send("/admin/stale", digest_header(fresh[0], "alice", "wonderland", "GET", "/admin/stale"))
        self.assertEqual(r2.status_code, 200)

    # ------------------------------------------------------------------ auth-int and userhash

    def test_auth_int_covers_the_body(self):
        chs, _ = self.challenge()
        uri = "/admin/upload"
        body = b"name=alice&role=admin"
        auth = digest_header(chs[0], "alice", "wonderland", "POST", uri, body=body)
        r = requests.post(self.gk.url(uri), data=body, headers={"Authorization": auth}, timeout=T)
        self.assertEqual(r.status_code, 200, r.text[:200])
        self.assertEqual(r.json()["body_bytes"], len(body), "the body read for the hash still reaches the upstream")
        auth2 = digest_header(chs[0], "alice", "wonderland", "POST", uri, body=body, nc="00000002")
        r = requests.post(self.gk.url(uri), data=b"name=alice&role=root!", headers={"Authorization": auth2}, timeout=T)
        self.assertEqual(r.status_code, 401, "a body other than the hashed one fails")
        # Chunked upload: the same hash over the de-chunked body.
        auth3 = digest_header(chs[0], "alice", "wonderland", "POST", uri, body=body, nc="00000003")
        r = requests.post(self.gk.url(uri), data=iter([body[:5], body[5:]]), headers={"Authorization": auth3},
                          timeout=T)
        self.assertEqual(r.status_code, 200, r.text[:200])

    def test_auth_int_body_over_the_limit_is_413(self):
        chs, _ = self.challenge()
        big = b"x" * (1024 * 1024 + 1)
        auth = digest_header(chs[0], "alice", "wonderland", "POST", "/admin/big", body=big)
        r = requests.post(self.gk.url("/admin/big"), data=big, headers={"Authorization": auth}, timeout=T)
        self.assertEqual(r.status_code, 413)

    def test_userhash_hides_the_user_name(self):
        chs, _ = self.challenge()
        auth = digest_header(chs[0], "alice", "wonderland", "GET", "/admin/uh", userhash=True)
        self.assertNotIn("alice", auth)
        r = self.send("/admin/uh", auth)
        self.assertEqual(r.status_code, 200, r.text[:200])
        self.assertEqual(r.json()["headers"].get("X-Auth-Request-User"), "alice")
        md5 = [c for c in chs if c["algorithm"] == "MD5"][0]
        r = self.send("/admin/uh", digest_header(md5, "bob", "builder", "GET", "/admin/uh", userhash=True,
                                                 nc="00000002"))  # same nonce as above: the count must rise
        self.assertEqual(r.status_code, 403, "bob is found by his MD5 userhash, and is not an admin")

    def test_curl_with_userhash_offered(self):
        # curl answers userhash=true challenges with hashed names (curl >= 7.57).
        r = subprocess.run(["curl", "-s", "-v", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                            "--digest", "-u", "alice:wonderland", self.gk.url("/admin/curluh")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.stdout, "200", r.stderr[-1500:])

    # ------------------------------------------------------------------ bent requests

    def test_bent_requests_are_refused(self):
        chs, _ = self.challenge()
        ch = chs[0]
        good = lambda **kw: digest_header(ch, "alice", "wonderland", "GET", "/admin/b", **kw)  # noqa: E731
        cases = [
            ("wrong uri", "/admin/b", digest_header(ch, "alice", "wonderland", "GET", "/admin/other"), 400),
            ("wrong realm", "/admin/b", good(realm="Other"), 401),
            ("missing qop", "/admin/b", good(drop=("qop",)), 400),
            ("short response", "/admin/b", good(response_override="abcd"), 400),
            ("md5-length response for SHA-256", "/admin/b", good(response_override="0" * 32), 400),
            ("nc not 8 digits", "/admin/b", good(nc="1"), 400),
            ("forged nonce", "/admin/b", digest_header(dict(ch, nonce="A" * 48), "alice", "wonderland", "GET",
                                                      "/admin/b"), 401),
            ("unknown user", "/admin/b", digest_header(ch, "mallory", "x", "GET", "/admin/b"), 401),
            ("method swapped", "/admin/b", good(), 401),
        ]
        for name, path, auth, want in cases:
            with self.subTest(case=name):
                method = "POST" if name == "method swapped" else "GET"
                r = self.send(path, auth, method=method)
                self.assertEqual(r.status_code, want, "%s: %s" % (name, r.text[:200]))
        self.assertFalse([r for r in self.up.seen() if r.path == "/admin/b"], "a bent request reached the upstream")


if __name__ == "__main__":
    unittest.main(verbosity=2)
