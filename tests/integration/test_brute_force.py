#!/usr/bin/python3
"""Brute-force protection against the running binary: failures counted per client address and per
user name, 429 with Retry-After once a limit is reached (a locked user looks like an unknown one),
exponential back-off, a success that clears only its own client's failures, per-route limits,
X-Forwarded-For believed only from trusted proxies, the login form, and the audit log. (The timing
of wrong passwords for real and unknown users is measured in tests/security/attacks_abuse.py.)
"""
import http.client
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402

import gk_harness as h  # noqa: E402
from test_sessions import Browser, LOGIN  # noqa: E402

T = 10

# 127.0.0.2 is the "front proxy"; 127.0.0.1 is an ordinary client.
CONFIG = """\
server:
  threads: 2
  trusted_proxies: [127.0.0.2/32]
  state_dir: {state}
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
users:
  staff: {{ htpasswd: users.htpasswd }}
sessions:
  users: staff
oauth:
  url: http://127.0.0.1:{port}
  audiences: [api]
brute_force:
  per_user: 3
  per_address: 6
  window: 1m
  lockout: 1s
  max_lockout: 4s
routes:
  - {{ name: app, path: /app/, upstream: py, schemes: [basic, session], realm: Users, users: staff,
      require: authenticated }}
  - {{ name: strict, path: /strict/, upstream: py, schemes: [basic], realm: Strict, users: staff,
      require: authenticated, brute_force: {{ per_user: 1, per_address: 2, lockout: 2s }} }}
"""

USERS = {"alice": "wonderland", "bob": "builder", "carol": "c4r0l", "dave": "d4ve", "erin": "3r1n"}


class BruteForceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-brute-")
        cls.addClassCleanup(cls._tmp.cleanup)
        tmp = cls._tmp.name
        # bcrypt cost 5: cheap for a test.
        h.make_htpasswd(os.path.join(tmp, "users.htpasswd"), USERS)
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        cls.gk = h.GatekeeperServe(
            lambda p: CONFIG.format(port=p, up=cls.up.port, state=os.path.join(tmp, "state")), tmp)
        os.makedirs(os.path.join(tmp, "state"))
        r = h.gk("client", "add", "--config", cls.gk.config_path, "--id", "svc", "--secret-stdin", "--scopes", "read",
                 "--grants", "client_credentials", stdin="svc-secret-0123456789\n")
        if r.returncode != 0:
            raise RuntimeError("client add: " + r.stderr)
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)

    # --- helpers ------------------------------------------------------------------------------

    def basic(self, user, password, path="/app/", client=None, source="127.0.0.2"):
        """GET with Basic credentials; `client` is claimed through X-Forwarded-For from `source`."""
        conn = http.client.HTTPConnection("127.0.0.1", self.gk.port, timeout=T, source_address=(source, 0))
        try:
            headers = {"Authorization": h.basic_header(user, password)}
            if client:
                headers["X-Forwarded-For"] = client
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, body
        finally:
            conn.close()

    def token(self, secret, client):
        """client_credentials for client `svc`, from the trusted proxy on behalf of `client`."""
        conn = http.client.HTTPConnection("127.0.0.1", self.gk.port, timeout=T, source_address=("127.0.0.2", 0))
        try:
            conn.request("POST", "/.gatekeeper/token", body="grant_type=client_credentials",
                         headers={"Authorization": h.basic_header("svc", secret), "X-Forwarded-For": client,
                                  "Content-Type": "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def wait_out(self, headers):
        time.sleep(int(headers["retry-after"]) + 0.2)

    # --- tests --------------------------------------------------------------------------------

    def test_user_locked_after_limit_and_unknown_user_looks_the_same(self):
        answers = {}
        for user in ("alice", "nobody"):
            for _ in range(3):
                st, hd, _ = self.basic(user, "wrong", client="10.1.0.1")
                self.assertEqual(st, 401)
                self.assertIn("www-authenticate", hd)
            # Now even the right password waits, from any address.
            st, hd, body = self.basic(user, USERS.get(user, "x"), client="10.1.0.2")
            self.assertEqual(st, 429, body)
            self.assertNotIn("www-authenticate", hd)
            self.assertGreaterEqual(int(hd["retry-after"]), 1)
            self.assertEqual(hd.get("cache-control"), "no-store")
            answers[user] = (st, hd["retry-after"], body)
        self.assertEqual(answers["alice"], answers["nobody"], "a locked user must look like an unknown one")
        self.wait_out({"retry-after": answers["alice"][1]})
        st, _, _ = self.basic("alice", "wonderland", client="10.1.0.2")
        self.assertEqual(st, 200)

    def test_back_off_doubles(self):
        for _ in range(3):
            self.basic("dave", "wrong", client="10.2.0.1")
        waits = []
        for _ in range(3):
            st, hd, _ = self.basic("dave", "wrong", client="10.2.0.1")
            self.assertEqual(st, 429)
            waits.append(int(hd["retry-after"]))
            self.wait_out(hd)
            st, _, _ = self.basic("dave", "wrong", client="10.2.0.1")  # one more failure after the wait
            self.assertEqual(st, 401)
        self.assertEqual(waits, [1, 2, 4])
        st, hd, _ = self.basic("dave", "d4ve", client="10.2.0.9")
        self.assertEqual((st, hd.get("retry-after")), (429, "4"), "capped at max_lockout")

    def test_success_does_not_clear_another_clients_failures(self):
        self.basic("bob", "wrong", client="10.3.0.1")
        self.basic("bob", "wrong", client="10.3.0.1")
        # bob himself logs in from elsewhere: the stranger's two failures stay.
        self.assertEqual(self.basic("bob", "builder", client="10.3.0.2")[0], 200)
        self.assertEqual(self.basic("bob", "wrong", client="10.3.0.1")[0], 401)
        self.assertEqual(self.basic("bob", "builder", client="10.3.0.2")[0], 429)

    def test_own_success_forgets_own_typos(self):
        self.basic("erin", "typo", client="10.4.0.1")
        self.basic("erin", "typo", client="10.4.0.1")
        self.assertEqual(self.basic("erin", "3r1n", client="10.4.0.1")[0], 200)
        self.basic("erin", "typo", client="10.4.0.1")
        self.basic("erin", "typo", client="10.4.0.1")
        self.assertEqual(self.basic("erin", "3r1n", client="10.4.0.1")[0], 200, "two typos after a login")

    def test_address_locked_across_user_names(self):
        for i in range(6):
            self.assertEqual(self.basic("user%d" % i, "x", client="10.5.0.1")[0], 401)
        self.assertEqual(self.basic("carol", "c4r0l", client="10.5.0.1")[0], 429)
        self.assertEqual(self.basic("carol", "c4r0l", client="10.5.0.2")[0], 200)

    def test_route_limits_override(self):
        st, _, _ = self.basic("strict-a", "x", path="/strict/", client="10.6.0.1")
        self.assertEqual(st, 401)
        st, hd, _ = self.basic("strict-a", "x", path="/strict/", client="10.6.0.2")
        self.assertEqual((st, hd.get("retry-after")), (429, "2"), "per_user 1 with a 2 s lock-out on /strict/")

    def test_x_forwarded_for_only_from_trusted_proxies(self):
        # From 127.0.0.1 (not trusted) the header is ignored: all three failures are 127.0.0.1's,
        # whatever each claims to be, so the fourth name from "another" address is still locked.
        for i, claim in enumerate(["10.7.0.1", "10.7.0.2", "10.7.0.3", "10.7.0.4", "10.7.0.5", "10.7.0.6"]):
            self.basic("xff%d" % i, "x", client=claim, source="127.0.0.1")
        st, _, _ = self.basic("alice", "wonderland", client="10.7.0.99", source="127.0.0.1")
        self.assertEqual(st, 429)
        # Through the trusted proxy, a client address is believed.
        self.assertEqual(self.basic("alice", "wonderland", client="10.7.0.99")[0], 200)
        # The rightmost untrusted hop is the client: a spoofed leftmost entry does not help.
        self.assertEqual(self.basic("alice", "wonderland", client="10.5.0.1, 10.7.0.98")[0], 200)

    def test_client_secret_guessing_locks_the_client_id(self):
        for i in range(3):
            self.assertEqual(self.token("guess-%d-0123456789" % i, "10.11.0.%d" % i)[0], 401)
        # Locked: even the right secret is refused, the same way as a wrong one (no hashing, no hint).
        st, body = self.token("svc-secret-0123456789", "10.11.0.9")
        self.assertEqual(st, 401, body)
        self.assertIn(b"invalid_client", body)
        time.sleep(1.2)
        st, body = self.token("svc-secret-0123456789", "10.11.0.9")
        self.assertEqual(st, 200, body)
        self.assertIn(b"access_token", body)

    def test_login_form_is_limited_too(self):
        b = Browser(self.gk.url("").rstrip("/"))
        self.addCleanup(b.close)
        for _ in range(3):
            r = b.login("ghost", "nope", headers={"X-Forwarded-For": "10.8.0.1"})
            self.assertEqual(r.status_code, 401, r.text[:200])
        r = b.login("ghost", "nope", headers={"X-Forwarded-For": "10.8.0.1"})
        self.assertEqual(r.status_code, 429)
        self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
        self.assertIn("Too many failed sign-in attempts", r.text)
        self.assertEqual(self.basic("ghost", "nope", client="10.8.0.2")[0], 429, "one counter per name for all schemes")

    def audit_lines(self):
        import json
        path = os.path.join(self._tmp.name, "state", "audit.log")
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_audit_log_has_failures_lockouts_logins_and_cli_changes_but_no_secret(self):
        for _ in range(3):
            self.assertEqual(self.basic("auditee", "S3cret-Guess!", client="10.9.0.1")[0], 401)
        self.assertEqual(self.basic("auditee", "S3cret-Guess!", client="10.9.0.1")[0], 429)
        b = Browser(self.gk.url("").rstrip("/"))
        self.addCleanup(b.close)
        self.assertEqual(b.login("audit-form", "F0rm-Secret!").status_code, 401)
        self.assertEqual(b.login("carol", "c4r0l").status_code, 303)
        r = h.gk("user", "add", "--config", self.gk.config_path, "newcomer", stdin="N3w-Pass-word\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        events = self.audit_lines()
        def has(event, user, **kw):
            return any(e.get("event") == event and e.get("user") == user and
                       all(e.get(k) == v for k, v in kw.items()) for e in events)
        self.assertTrue(has("auth.failure", "auditee", client="10.9.0.1", scheme="basic", reason="unknown user"),
                        events[-10:])
        self.assertTrue(has("auth.locked", "auditee", client="10.9.0.1"), events[-10:])
        self.assertTrue(has("login.failure", "audit-form", reason="unknown user"), events[-10:])
        self.assertTrue(has("login.success", "carol"), events[-10:])
        self.assertTrue(has("user.add", "newcomer", by="cli"), events[-10:])
        for e in events:
            self.assertTrue(e.get("time", "").endswith("Z"), e)
        with open(os.path.join(self._tmp.name, "state", "audit.log"), encoding="utf-8") as f:
            text = f.read()
        for secret in ("S3cret-Guess!", "F0rm-Secret!", "N3w-Pass-word", "c4r0l"):
            self.assertNotIn(secret, text)


if __name__ == "__main__":
    unittest.main()
