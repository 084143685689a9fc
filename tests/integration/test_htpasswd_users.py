#!/usr/bin/python3
"""An htpasswd file made by Apache's own `htpasswd` tool, used by `gatekeeper serve`: every hash
format logs in, failures look alike, the file is re-read when it changes, and gatekeeper's own
`user` and `hash` commands write entries that serve accepts.
"""
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10
RELOAD_WAIT = 2.5  # "re-read within ~2 s", plus scheduling slack

CONFIG = """\
server:
  threads: 2
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
users:
  staff: {{ htpasswd: users.htpasswd }}
# This file polls with wrong passwords on purpose; test_brute_force.py tests the limits.
brute_force: {{ per_address: 0, per_user: 0 }}
routes:
  - name: app
    path: /app/
    upstream: py
    schemes: [basic]
    realm: Users
    users: staff
    require: authenticated
"""

# user -> (htpasswd flags, password)
FORMATS = {
    "alice": (["-B", "-C", "5"], "wonderland"),   # bcrypt $2y$
    "bob": (["-m"], "builder"),                  # apr1
    "carol": (["-s"], "c4r0l pass:word"),        # {SHA}; a space and a colon in the password
    "dave": (["-2"], "sha-256-crypt"),           # $5$
    "erin": (["-5"], "sha-512-crypt"),           # $6$
}


def htpasswd_tool(path, flags, user, password):
    args = ["htpasswd", "-b"] + flags + ([] if os.path.exists(path) else ["-c"]) + [path, user, password]
    r = h.run(args)
    if r.returncode != 0:
        raise RuntimeError("htpasswd %s: %s" % (args, r.stderr))


class HtpasswdUsersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-htpasswd-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.file = os.path.join(cls._tmp.name, "users.htpasswd")
        for user, (flags, pw) in FORMATS.items():
            htpasswd_tool(cls.file, flags, user, pw)
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        cls.gk = h.GatekeeperServe(lambda p: CONFIG.format(port=p, up=cls.up.port), cls._tmp.name)
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)

    def get(self, user, password, path="/app/"):
        return requests.get(self.gk.url(path), auth=HTTPBasicAuth(user, password), timeout=T)

    def wait_status(self, user, password, status, limit=RELOAD_WAIT):
        """Poll (bounded) until the login gives `status`; returns (last status, seconds)."""
        t0 = time.monotonic()
        for _ in range(200):
            got = self.get(user, password).status_code
            if got == status or time.monotonic() - t0 > limit:
                return got, time.monotonic() - t0
            time.sleep(0.1)
        return got, time.monotonic() - t0

    def test_every_apache_format_logs_in(self):
        for user, (flags, pw) in FORMATS.items():
            with self.subTest(user=user, flags=flags):
                r = self.get(user, pw)
                self.assertEqual(r.status_code, 200, "%s (%s): %d %s" % (user, flags, r.status_code, r.text[:200]))
                self.assertEqual(self.up.last().get("X-Auth-Request-User"), user)

    def test_wrong_password_and_unknown_user_are_identical_401(self):
        for user, (flags, pw) in FORMATS.items():
            with self.subTest(user=user):
                self.assertEqual(self.get(user, pw + "x").status_code, 401)
        a = self.get("alice", "not-it")
        b = self.get("nobody", "not-it")
        self.assertEqual((a.status_code, b.status_code), (401, 401))
        self.assertEqual(a.content, b.content)
        self.assertEqual(h.www_authenticate_lines(a.raw.headers), ['Basic realm="Users", charset="UTF-8"'])
        self.assertEqual(h.www_authenticate_lines(a.raw.headers), h.www_authenticate_lines(b.raw.headers))

    def test_des_crypt_entry(self):
        # SECURITY.md 4: legacy DES crypt is accepted for compatibility (8-character truncation).
        path = os.path.join(self._tmp.name, "users.htpasswd")
        htpasswd_tool(path, ["-d"], "olddes", "des-pass")
        got, secs = self.wait_status("olddes", "des-pass", 200)
        self.assertEqual(got, 200, "DES crypt user not accepted after %.1fs" % secs)

    def test_user_added_by_htpasswd_while_running(self):
        self.assertEqual(self.get("frank", "frank-pw").status_code, 401)
        htpasswd_tool(self.file, ["-B", "-C", "5"], "frank", "frank-pw")
        got, secs = self.wait_status("frank", "frank-pw", 200)
        self.assertEqual(got, 200, "new htpasswd user not accepted after %.1fs" % secs)

    def test_password_change_and_delete_take_effect(self):
        htpasswd_tool(self.file, ["-B", "-C", "5"], "gina", "first-pw")
        self.assertEqual(self.wait_status("gina", "first-pw", 200)[0], 200)
        htpasswd_tool(self.file, ["-B", "-C", "5"], "gina", "second-pw")
        self.assertEqual(self.wait_status("gina", "second-pw", 200)[0], 200)
        got, secs = self.wait_status("gina", "first-pw", 401)
        self.assertEqual(got, 401, "old password still accepted %.1fs after the change" % secs)
        r = h.run(["htpasswd", "-D", self.file, "gina"])
        self.assertEqual(r.returncode, 0, r.stderr)
        got, secs = self.wait_status("gina", "second-pw", 401)
        self.assertEqual(got, 401, "deleted user still accepted %.1fs after deletion" % secs)

    def test_file_replaced_atomically(self):
        with open(self.file) as f:
            text = f.read()
        r = h.run(["htpasswd", "-nbB", "-C", "5", "hank", "hank-pw"])
        tmp = self.file + ".new"
        with open(tmp, "w") as f:
            f.write(text.rstrip("\n") + "\n" + r.stdout.strip() + "\n")
        os.replace(tmp, self.file)
        got, secs = self.wait_status("hank", "hank-pw", 200)
        self.assertEqual(got, 200, "user from a renamed-in file not accepted after %.1fs" % secs)
        self.assertEqual(self.get("alice", "wonderland").status_code, 200)

    def test_gatekeeper_user_commands(self):
        r = h.gk("user", "add", "--htpasswd", self.file, "ivan", stdin="ivan-pw\n")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("ivan-pw", r.stdout + r.stderr)
        got, secs = self.wait_status("ivan", "ivan-pw", 200)
        self.assertEqual(got, 200, "user added by `gatekeeper user add` refused after %.1fs" % secs)
        with open(self.file) as f:
            line = [l for l in f if l.startswith("ivan:")]
        self.assertEqual(len(line), 1)
        self.assertNotIn("ivan-pw", line[0])

        r = h.gk("user", "list", "--htpasswd", self.file)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("alice", "bob", "carol", "ivan"):
            self.assertIn(name, r.stdout.split())
        self.assertNotIn("$", r.stdout, "user list printed hashes")

        r = h.gk("user", "passwd", "--htpasswd", self.file, "ivan", stdin="ivan-pw2\n")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.wait_status("ivan", "ivan-pw2", 200)[0], 200)
        self.assertEqual(self.wait_status("ivan", "ivan-pw", 401)[0], 401)

        r = h.gk("user", "del", "--htpasswd", self.file, "ivan")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.wait_status("ivan", "ivan-pw2", 401)[0], 401)
        self.assertEqual(self.get("alice", "wonderland").status_code, 200, "other users lost")

    def test_user_add_twice_fails(self):
        r = h.gk("user", "add", "--htpasswd", self.file, "alice", stdin="x\n")
        self.assertNotEqual(r.returncode, 0, "user add overwrote an existing user")
        self.assertEqual(self.get("alice", "wonderland").status_code, 200)

    def test_hash_command_output_is_accepted(self):
        r = h.gk("hash", stdin="judy-pw\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        hashed = r.stdout.strip()
        self.assertTrue(hashed.startswith("$argon2id$"), hashed)
        self.assertNotIn("judy-pw", r.stdout)
        r2 = h.gk("hash", "--user", "kate", stdin="kate-pw\n")
        self.assertEqual(r2.returncode, 0, r2.stderr)
        line = r2.stdout.strip()
        self.assertTrue(line.startswith("kate:$argon2id$"), line)
        with open(self.file, "a") as f:
            f.write("judy:%s\n%s\n" % (hashed, line))
        self.assertEqual(self.wait_status("judy", "judy-pw", 200)[0], 200)
        self.assertEqual(self.wait_status("kate", "kate-pw", 200)[0], 200)
        self.assertEqual(self.get("kate", "judy-pw").status_code, 401)


if __name__ == "__main__":
    unittest.main()
