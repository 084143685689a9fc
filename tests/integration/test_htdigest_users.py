#!/usr/bin/python3
"""An htdigest file made by Apache's own `htdigest` tool (driven on a pseudo-terminal, the only way
it takes a password), used by `gatekeeper serve` for Digest routes: curl --digest and
python3-requests log in with MD5, wrong passwords fail, each realm has its own password, the file
is re-read when it changes, a broken or vanished file fails closed (503) and a broken re-read keeps the last
good users, Basic is refused by config, and `gatekeeper user` edits the file as htdigest would.
"""
import hashlib
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
from requests.auth import HTTPDigestAuth  # noqa: E402

import gk_harness as h  # noqa: E402
from test_digest import digest_header, parse_challenges  # noqa: E402

T = 10
RELOAD_WAIT = 2.5  # "re-read within ~2 s", plus scheduling slack
APP_REALM = "Apache Users"  # a space: htdigest takes the realm as one argument
ADMIN_REALM = "Admins"

CONFIG = """\
server:
  threads: 2
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
digest:
  algorithms: [SHA-256, MD5]   # gatekeeper offers only MD5 on htdigest-backed routes
users:
  dig: {{ htdigest: users.htdigest }}
# Wrong answers on purpose, many of them; test_brute_force.py tests the limits.
brute_force: {{ per_address: 0, per_user: 0 }}
routes:
  - name: app
    path: /app/
    upstream: py
    schemes: [digest]
    realm: {app_realm}
    users: dig
    require: authenticated
  - name: admin
    path: /admin/
    upstream: py
    schemes: [digest]
    realm: {admin_realm}
    users: dig
    require: {{ users: [alice, carol] }}
"""


def htdigest_tool(path, realm, user, password, create=False, timeout=10.0):
    """Run Apache's `htdigest [-c] FILE REALM USER` on a pty, answering both password prompts.

    Returns (exit code, transcript). The child is waited for (bounded) and killed by PID if stuck.
    """
    args = ["htdigest"] + (["-c"] if create else []) + [path, realm, user]
    pid, fd = pty.fork()
    if pid == 0:  # child: becomes htdigest with the pty as its terminal
        try:
            os.execvp(args[0], args)
        finally:
            os._exit(127)
    transcript = b""
    answered = 0
    status = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                done, st = os.waitpid(pid, os.WNOHANG)
                if done == pid:
                    status = st
                    break
                continue
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # EIO: the child closed the terminal (exited)
                break
            if not chunk:
                break
            transcript += chunk
            # "New password:" then "Re-type new password:": answer each prompt once.
            while transcript.lower().count(b"password:") > answered:
                os.write(fd, password.encode() + b"\n")
                answered += 1
    finally:
        os.close(fd)
    while status is None and time.monotonic() < deadline + 5:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            status = st
        else:
            time.sleep(0.05)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), transcript.decode("utf-8", "replace")


def make_user(path, realm, user, password, create=False):
    rc, text = htdigest_tool(path, realm, user, password, create=create)
    if rc != 0:
        raise AssertionError("htdigest %s '%s' %s exited %d:\n%s" % (path, realm, user, rc, text))
    if password in text:
        raise AssertionError("htdigest echoed the password:\n" + text)


def ha1(user, realm, password):
    return hashlib.md5(("%s:%s:%s" % (user, realm, password)).encode()).hexdigest()


def curl_status(*args):
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"] + list(args),
                       capture_output=True, text=True, timeout=30)
    return r.stdout


def config_for(up):
    return lambda port: CONFIG.format(port=port, up=up.port, app_realm=APP_REALM, admin_realm=ADMIN_REALM)


class HtdigestUsersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-htdigest-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.file = os.path.join(cls._tmp.name, "users.htdigest")
        make_user(cls.file, APP_REALM, "alice", "wonderland", create=True)
        make_user(cls.file, ADMIN_REALM, "alice", "queen-of-hearts")
        make_user(cls.file, APP_REALM, "bob", "b0b pass:word")  # a space and a colon in the password
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        cls.gk = h.GatekeeperServe(config_for(cls.up), cls._tmp.name)
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)

    def get(self, user, password, path="/app/x"):
        return requests.get(self.gk.url(path), auth=HTTPDigestAuth(user, password), timeout=T)

    def wait_status(self, user, password, status, path="/app/x", limit=RELOAD_WAIT):
        """Poll (bounded) until the login gives `status`; returns (last status, seconds)."""
        t0 = time.monotonic()
        for _ in range(200):
            got = self.get(user, password, path).status_code
            if got == status or time.monotonic() - t0 > limit:
                return got, time.monotonic() - t0
            time.sleep(0.1)
        return got, time.monotonic() - t0

    def challenges(self, path="/app/x", headers=None):
        r = requests.get(self.gk.url(path), headers=headers or {}, timeout=T)
        self.assertEqual(r.status_code, 401)
        values = h.www_authenticate_lines(r.raw.headers)
        return parse_challenges(values), values

    # ------------------------------------------------------------------ the file and the challenge

    def test_file_is_what_apache_wrote(self):
        with open(self.file) as f:
            lines = f.read().splitlines()
        self.assertIn("alice:%s:%s" % (APP_REALM, ha1("alice", APP_REALM, "wonderland")), lines)
        self.assertIn("alice:%s:%s" % (ADMIN_REALM, ha1("alice", ADMIN_REALM, "queen-of-hearts")), lines)

    def test_challenge_is_md5_digest_only(self):
        chs, values = self.challenges()
        self.assertEqual(len(values), 1, values)
        self.assertEqual(chs[0]["algorithm"], "MD5")
        self.assertEqual(chs[0]["realm"], APP_REALM)

    # ------------------------------------------------------------------ real clients

    def test_curl_digest(self):
        self.assertEqual(curl_status("--digest", "-u", "alice:wonderland", self.gk.url("/app/curl")), "200")
        rec = [r for r in self.up.seen() if r.path == "/app/curl"]
        self.assertTrue(rec)
        self.assertEqual(rec[-1].get("X-Auth-Request-User"), "alice")
        self.assertIsNone(rec[-1].get("Authorization"), "credentials are for gatekeeper, not the upstream")
        self.assertEqual(curl_status("--digest", "-u", "bob:b0b pass:word", self.gk.url("/app/curl")), "200")
        self.assertEqual(curl_status("--digest", "-u", "alice:wonderlanD", self.gk.url("/app/curl")), "401")
        self.assertEqual(curl_status("--digest", "-u", "nobody:wonderland", self.gk.url("/app/curl")), "401")

    def test_requests_digest_and_session_reuse(self):
        s = requests.Session()
        s.auth = HTTPDigestAuth("alice", "wonderland")
        for i in range(3):  # requests reuses the nonce with a rising nc
            r = s.get(self.gk.url("/app/req%d" % i), timeout=T)
            self.assertEqual(r.status_code, 200, r.text[:200])
        self.assertRegex(r.headers.get("Authentication-Info", ""), r'rspauth="[0-9a-f]{32}"')
        self.assertEqual(self.up.last().get("X-Auth-Request-User"), "alice")
        self.assertEqual(self.get("bob", "b0b pass:word").status_code, 200)

    def test_wrong_password_and_unknown_user_are_identical_401(self):
        a = self.get("alice", "not-it")
        b = self.get("nobody", "not-it")
        self.assertEqual((a.status_code, b.status_code), (401, 401))
        self.assertEqual(a.content, b.content)

    def test_each_realm_has_its_own_password(self):
        self.assertEqual(self.get("alice", "queen-of-hearts", "/admin/x").status_code, 200)
        self.assertEqual(self.get("alice", "wonderland", "/admin/x").status_code, 401,
                         "the App realm's password must not open the Admins realm")
        self.assertEqual(self.get("alice", "queen-of-hearts", "/app/x").status_code, 401)
        self.assertEqual(self.get("bob", "b0b pass:word", "/admin/x").status_code, 401,
                         "bob has no line for the Admins realm")

    def test_userhash_md5(self):
        chs, _ = self.challenges()
        uri = "/app/hashed"
        auth = digest_header(chs[0], "alice", "wonderland", "GET", uri, userhash=True)
        r = requests.get(self.gk.url(uri), headers={"Authorization": auth}, timeout=T)
        self.assertEqual(r.status_code, 200, r.text[:200])
        self.assertEqual(self.up.last().get("X-Auth-Request-User"), "alice")

    def test_basic_is_not_accepted(self):
        r = requests.get(self.gk.url("/app/x"), headers={"Authorization": h.basic_header("alice", "wonderland")},
                         timeout=T)
        self.assertEqual(r.status_code, 401)
        self.assertTrue(all(v.startswith("Digest ") for v in h.www_authenticate_lines(r.raw.headers)))

    # ------------------------------------------------------------------ changes while serving

    def test_user_added_by_htdigest_while_running(self):
        self.assertEqual(self.get("frank", "frank-pw").status_code, 401)
        make_user(self.file, APP_REALM, "frank", "frank-pw")
        got, secs = self.wait_status("frank", "frank-pw", 200)
        self.assertEqual(got, 200, "new htdigest user not accepted after %.1fs" % secs)
        self.assertLessEqual(secs, RELOAD_WAIT)

    def test_password_changed_by_htdigest_takes_effect(self):
        make_user(self.file, APP_REALM, "gina", "first-pw")
        self.assertEqual(self.wait_status("gina", "first-pw", 200)[0], 200)
        make_user(self.file, APP_REALM, "gina", "second-pw")  # htdigest replaces the line
        self.assertEqual(self.wait_status("gina", "second-pw", 200)[0], 200)
        got, secs = self.wait_status("gina", "first-pw", 401)
        self.assertEqual(got, 401, "old password still accepted %.1fs after the change" % secs)

    def test_gatekeeper_user_commands_write_htdigest_lines(self):
        # The source's Digest realms come from the config: one line per realm, as htdigest writes them.
        r = h.gk("user", "add", "carol", "--config", self.gk.config_path, stdin="carol-pw\n")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("carol-pw", r.stdout + r.stderr)
        with open(self.file) as f:
            lines = f.read().splitlines()
        self.assertIn("carol:%s:%s" % (APP_REALM, ha1("carol", APP_REALM, "carol-pw")), lines)
        self.assertIn("carol:%s:%s" % (ADMIN_REALM, ha1("carol", ADMIN_REALM, "carol-pw")), lines)
        self.assertEqual(self.wait_status("carol", "carol-pw", 200)[0], 200)
        self.assertEqual(self.wait_status("carol", "carol-pw", 200, "/admin/c")[0], 200)

        r = h.gk("user", "list", "--config", self.gk.config_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("carol", r.stdout.split())
        self.assertIn("alice", r.stdout.split())
        self.assertNotIn(ha1("carol", APP_REALM, "carol-pw"), r.stdout)

        r = h.gk("user", "add", "carol", "--config", self.gk.config_path, stdin="x\n")
        self.assertEqual(r.returncode, 1, "a second add is refused: " + r.stderr)

        r = h.gk("user", "passwd", "carol", "--config", self.gk.config_path, stdin="carol-new\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.wait_status("carol", "carol-new", 200)[0], 200)
        self.assertEqual(self.wait_status("carol", "carol-pw", 401)[0], 401)

        r = h.gk("user", "del", "carol", "--config", self.gk.config_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.wait_status("carol", "carol-new", 401)[0], 401)
        with open(self.file) as f:
            self.assertNotIn("carol:", f.read())
        # Apache's tool still reads the file gatekeeper wrote.
        make_user(self.file, APP_REALM, "henry", "henry-pw")
        self.assertEqual(self.wait_status("henry", "henry-pw", 200)[0], 200)


class HtdigestFailClosedTest(unittest.TestCase):
    """A server of its own: its file is broken, fixed, and broken again."""

    def setUp(self):
        h.require_binary()
        tmp = tempfile.TemporaryDirectory(prefix="gk-htdigest-broken-")
        self.addCleanup(tmp.cleanup)
        self.file = os.path.join(tmp.name, "users.htdigest")
        with open(self.file, "w") as f:  # an htpasswd line by mistake: config accepts the file, serving cannot
            f.write("alice:$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0\n")
        self.up = h.Upstream()
        self.addCleanup(self.up.close)
        self.gk = h.GatekeeperServe(config_for(self.up), tmp.name)
        self.gk.start()
        self.addCleanup(self.gk.stop)

    def get(self, user, password):
        return requests.get(self.gk.url("/app/x"), auth=HTTPDigestAuth(user, password), timeout=T)

    def wait_status(self, user, password, status, limit=RELOAD_WAIT):
        t0 = time.monotonic()
        got = None
        while time.monotonic() - t0 <= limit:
            got = self.get(user, password).status_code
            if got == status:
                break
            time.sleep(0.1)
        return got, time.monotonic() - t0

    def test_broken_file_fails_closed_and_a_broken_reread_keeps_the_last_good_users(self):
        # Without credentials there is nothing to check yet: the usual challenge. With them: 503.
        self.assertEqual(requests.get(self.gk.url("/app/x"), timeout=T).status_code, 401)
        r = self.get("alice", "wonderland")
        self.assertEqual(r.status_code, 503, "an unreadable user source must not let anyone in")

        make_user(self.file, APP_REALM, "alice", "wonderland", create=True)  # -c: a fresh, valid file
        got, secs = self.wait_status("alice", "wonderland", 200)
        self.assertEqual(got, 200, "fixed file not picked up after %.1fs:\n%s" % (secs, self.gk.output()))

        with open(self.file, "a") as f:
            f.write("this line is not htdigest\n")
        time.sleep(RELOAD_WAIT)
        self.assertEqual(self.get("alice", "wonderland").status_code, 200, "the last good users stay live")
        self.assertRegex(self.gk.proc.stderr_text() + self.gk.proc.stdout_text(), r"not reloaded.*line 2")

        os.remove(self.file)
        got, secs = self.wait_status("alice", "wonderland", 503)
        self.assertEqual(got, 503, "a vanished user file must fail closed, still %s after %.1fs" % (got, secs))

        make_user(self.file, APP_REALM, "bob", "builder", create=True)
        self.assertEqual(self.wait_status("bob", "builder", 200)[0], 200)
        self.assertEqual(self.wait_status("alice", "wonderland", 401)[0], 401, "the new file replaces the old users")


class HtdigestConfigTest(unittest.TestCase):
    def test_basic_with_an_htdigest_source_is_a_config_error(self):
        with tempfile.TemporaryDirectory(prefix="gk-htdigest-cfg-") as d:
            with open(os.path.join(d, "users.htdigest"), "w") as f:
                f.write("alice:R:%s\n" % ha1("alice", "R", "pw"))
            path = os.path.join(d, "gatekeeper.yaml")
            h.write_config(path, "listeners: [{port: 9}]\n"
                                 "users: { dig: { htdigest: users.htdigest } }\n"
                                 "routes:\n"
                                 "  - path: /\n"
                                 "    schemes: [digest, basic]\n"
                                 "    realm: R\n"
                                 "    users: dig\n")
            r = h.gk("check", "--config", path)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            m = re.search(r"^%s:7:\d+: error: (.*)$" % re.escape(path), r.stderr, re.M)
            self.assertIsNotNone(m, r.stderr)
            self.assertIn("htdigest", m.group(1))
            self.assertIn("hint:", m.group(1))

            h.write_config(path, "listeners: [{port: 9}]\n"
                                 "users: { dig: { htdigest: users.htdigest } }\n"
                                 "routes: [{path: /, schemes: [digest], realm: R, users: dig}]\n")
            r = h.gk("check", "--config", path)
            self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
