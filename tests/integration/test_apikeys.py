#!/usr/bin/python3
"""API keys end to end against `gatekeeper demo`: keys from `gatekeeper apikey create`, sent as
`Authorization: Bearer gk_...` and as the route's X-API-Key header; scopes (read for GET/HEAD,
write otherwise -> 403 insufficient_scope), malformed and tampered keys, revocation and expiry
taking effect on the very next request. The CLI's own behaviour is in test_apikey_cli.py.
"""
import os
import re
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10
KEY_RE = re.compile(r"^gk_[0-9A-Za-z]{20,}$")


class ApiKeyDemoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-apikeys-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.state = os.path.join(cls._tmp.name, "state")
        cls.http_port, cls.https_port = h.free_port(), h.free_port()
        cls.proc = h.start_process(
            [h.GK_BIN, "demo", "--state", cls.state, "--http-port", str(cls.http_port),
             "--https-port", str(cls.https_port), "--echo-port", "0"],
            ready_port=[cls.http_port, cls.https_port], timeout=30, logdir=cls._tmp.name)
        cls.addClassCleanup(h.stop, cls.proc)
        cls.base = "http://127.0.0.1:%d" % cls.http_port
        cls.counter = 0

    # ------------------------------------------------------------------ helpers

    def create(self, scopes="read,write", *extra, name=None):
        """`apikey create`; returns (name, key). The key is printed once, on stdout only."""
        type(self).counter += 1
        name = name or "key-%d-%d" % (os.getpid(), self.counter)
        r = h.gk("apikey", "create", "--name", name, "--scopes", scopes, "--state", self.state, *extra, timeout=60)
        self.assertEqual(r.returncode, 0, "stdout %s\nstderr %s" % (r.stdout, r.stderr))
        key = r.stdout.strip()
        self.assertRegex(key, KEY_RE)
        self.assertNotIn(key, r.stderr)
        return name, key

    def req(self, path, key=None, method="GET", header="bearer", headers=None, **kw):
        hdrs = dict(headers or {})
        if key is not None:
            if header == "bearer":
                hdrs["Authorization"] = "Bearer " + key
            else:
                hdrs["X-API-Key"] = key
        kw.setdefault("timeout", T)
        kw.setdefault("allow_redirects", False)
        return requests.request(method, self.base + path, headers=hdrs, **kw)

    def echo(self, r):
        self.assertEqual(r.status_code, 200, "%d %s\n%s" % (r.status_code, r.text[:300], self.proc.output(1500)))
        doc = r.json()
        return {k.lower(): v for k, v in doc["headers"].items()}

    def challenges(self, r):
        return h.www_authenticate_lines(r.raw.headers)

    def assert_invalid_token(self, r):
        self.assertEqual(r.status_code, 401, r.text[:300])
        lines = self.challenges(r)
        self.assertTrue(any(l.startswith("Bearer") and 'error="invalid_token"' in l for l in lines), lines)
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))

    # ------------------------------------------------------------------ tests

    def test_key_is_printed_once_and_never_listed(self):
        name, key = self.create("read")
        r = h.gk("apikey", "list", "--state", self.state)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(name, r.stdout)
        self.assertNotIn(key, r.stdout + r.stderr)
        self.assertNotIn(key[3:], r.stdout + r.stderr)

    def test_bearer_and_x_api_key_with_scopes(self):
        _, read = self.create("read")
        _, both = self.create("read,write")
        for header in ("bearer", "x-api-key"):
            with self.subTest(header=header):
                hdrs = self.echo(self.req("/api/things?a=1", read, header=header))
                self.assertTrue(hdrs.get("x-auth-request-user", "").startswith("key-"), hdrs)
                self.assertEqual(self.req("/api/things", read, method="HEAD", header=header).status_code, 200)
                for method in ("POST", "PUT", "DELETE"):
                    r = self.req("/api/things", read, method=method, header=header, data=b"x")
                    self.assertEqual(r.status_code, 403, method)
                    lines = self.challenges(r)
                    self.assertEqual(len(lines), 1, lines)
                    self.assertTrue(lines[0].startswith("Bearer"), lines)
                    self.assertIn('error="insufficient_scope"', lines[0])
                    self.assertIn('scope="write"', lines[0])
                self.echo(self.req("/api/things", both, method="POST", header=header, data=b"x"))

    def test_credentials_are_not_forwarded_upstream(self):
        _, key = self.create("read")
        hdrs = self.echo(self.req("/api/x", key))
        self.assertNotIn("authorization", hdrs)
        hdrs = self.echo(self.req("/api/x", key, header="x-api-key"))
        self.assertNotIn(key, str(hdrs), "the API key was for gatekeeper, not for the upstream")

    def test_key_acting_as_a_user_carries_its_groups(self):
        _, key = self.create("read", "--user", "alice")
        hdrs = self.echo(self.req("/api/x", key))
        self.assertEqual(hdrs.get("x-auth-request-user"), "alice")
        self.assertEqual(hdrs.get("x-auth-request-groups"), "admins")
        # /app/ takes keys as Bearer (it has no api_key_header); /admin/ takes no keys at all.
        self.assertEqual(self.echo(self.req("/app/x", key)).get("x-auth-request-user"), "alice")
        self.assertEqual(self.req("/app/x", key, header="x-api-key").status_code, 401)
        r = self.req("/admin/", key)
        self.assertEqual(r.status_code, 401)
        self.assertFalse(any(l.startswith("Bearer") for l in self.challenges(r)))

    def test_x_api_key_twice_or_with_authorization_is_400(self):
        _, key = self.create("read")
        raw = ("GET /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: %s\r\nX-API-Key: %s\r\n"
               "Connection: close\r\n\r\n" % (key, key)).encode()
        self.assertEqual(h.raw_request(self.http_port, raw).status, 400)
        raw = ("GET /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: %s\r\nAuthorization: Bearer %s\r\n"
               "Connection: close\r\n\r\n" % (key, key)).encode()
        self.assertEqual(h.raw_request(self.http_port, raw).status, 400)

    def test_tampered_unknown_and_malformed_keys(self):
        _, key = self.create("read")
        i = len(key) // 2
        tampered = key[:i] + ("A" if key[i] != "A" else "B") + key[i + 1:]
        last = key[:-1] + ("0" if key[-1] != "0" else "1")
        for header in ("bearer", "x-api-key"):
            for bad in (tampered, last, key + "x", key[:-1], "gk_" + "A" * (len(key) - 3), "gk_", key.upper()):
                with self.subTest(header=header, key=bad):
                    r = self.req("/api/x", bad, header=header)
                    self.assertNotEqual(r.status_code, 200)
                    self.assert_invalid_token(r)
        self.echo(self.req("/api/x", key))

    def test_revoked_key_is_refused_on_the_next_request(self):
        name, key = self.create("read")
        self.echo(self.req("/api/x", key))
        self.echo(self.req("/api/x", key, header="x-api-key"))
        r = h.gk("apikey", "revoke", "--name", name, "--state", self.state)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_invalid_token(self.req("/api/x", key))
        self.assert_invalid_token(self.req("/api/x", key, header="x-api-key"))

    def test_expired_key_is_refused(self):
        name, key = self.create("read", "--expires", "2s")
        created = time.monotonic()
        r = self.req("/api/x", key)
        if time.monotonic() - created < 1.0:
            self.echo(r)
        time.sleep(max(0.0, 3.2 - (time.monotonic() - created)))
        self.assert_invalid_token(self.req("/api/x", key))
        self.assert_invalid_token(self.req("/api/x", key, header="x-api-key"))
        # Unknown (well-formed, from another database), revoked and expired keys get one public answer.
        other = os.path.join(self._tmp.name, "other-state")
        os.makedirs(other, exist_ok=True)
        r = h.gk("apikey", "create", "--name", "elsewhere", "--scopes", "read", "--state", other, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        unknown = r.stdout.strip()
        revoked_name, revoked = self.create("read")
        self.assertEqual(h.gk("apikey", "revoke", "--name", revoked_name, "--state", self.state).returncode, 0)
        answers = [self.challenges(self.req("/api/x", k)) for k in (key, unknown, revoked)]
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(answers[0], answers[2])


if __name__ == "__main__":
    unittest.main()
