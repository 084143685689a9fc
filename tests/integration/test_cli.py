#!/usr/bin/python3
"""The command line: `check` (valid and invalid configs with file:line:col), `explain` (401, 403,
allow, public, no route, refused path), `--help`, and graceful shutdown of `serve` on SIGTERM.
"""
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402

import gk_harness as h  # noqa: E402

VALID = """\
server:
  threads: 1
listeners:
  - { address: 127.0.0.1, port: 18080 }
upstreams:
  app:
    url: http://127.0.0.1:13000
    response_timeout: 5s
users:
  staff: { htpasswd: users.htpasswd }
routes:
  - name: admin
    path: /admin/
    upstream: app
    schemes: [basic]
    realm: Admin Panel
    users: staff
    require: { users: [alice] }
  - name: public
    path: /public/
    upstream: app
    require: public
"""


def line_of(text, needle):
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError("%r not in config" % needle)


# (id, config text, the line that must be reported, column or None, words the message must contain)
INVALID = [
    ("unknown-top-level-key", VALID.replace("server:", "servr:"), "servr:", 1, ["server"]),
    ("unknown-route-key", VALID.replace("    path: /public/", "    pth: /public/"), "pth: /public/", 5, ["pth"]),
    ("undefined-upstream", VALID.replace("    upstream: app\n    require: public", "    upstream: nope\n    require: public"),
     "upstream: nope", None, ["nope"]),
    ("undefined-user-source", VALID.replace("    users: staff\n", "    users: ghosts\n"), "users: ghosts", None,
     ["ghosts"]),
    ("bad-duration", VALID.replace("response_timeout: 5s", "response_timeout: 5 parsecs"),
     "response_timeout: 5 parsecs", None, []),
    ("bad-port", VALID.replace("port: 18080", "port: 99999"), "port: 99999", None, []),
    ("unknown-scheme", VALID.replace("schemes: [basic]", "schemes: [basik]"), "schemes: [basik]", None, ["basik"]),
    ("bad-require", VALID.replace("require: public", "require: everyone"), "require: everyone", None, []),
    ("yaml-syntax", VALID.replace("    realm: Admin Panel", "    realm: Admin: Panel"), "realm: Admin: Panel", None, []),
]


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="gk-cli-")
        self.addCleanup(self._tmp.cleanup)
        self.dir = self._tmp.name
        h.make_htpasswd(os.path.join(self.dir, "users.htpasswd"), {"alice": "wonderland", "bob": "builder"})

    def write(self, text, name="gatekeeper.yaml"):
        return h.write_config(os.path.join(self.dir, name), text)

    # ------------------------------------------------------------------ help

    def test_help_everywhere(self):
        for args in ([], ["serve"], ["check"], ["explain"], ["demo"], ["hash"], ["user"]):
            with self.subTest(args=args):
                r = h.gk(*(args + ["--help"]))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("--", r.stdout)

    # ------------------------------------------------------------------ check

    def test_check_valid(self):
        path = self.write(VALID)
        r = h.gk("check", "--config", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok", r.stdout)
        self.assertEqual(r.stderr.strip(), "")

    def test_check_invalid_reports_file_line_col(self):
        for cid, text, needle, col, words in INVALID:
            with self.subTest(case=cid):
                path = self.write(text, "bad-%s.yaml" % cid)
                r = h.gk("check", "--config", path)
                self.assertEqual(r.returncode, 2, "%s: exit %d\nstdout %s\nstderr %s"
                                 % (cid, r.returncode, r.stdout, r.stderr))
                pat = re.compile(r"^%s:(\d+):(\d+): error: (.+)$" % re.escape(path), re.M)
                m = pat.search(r.stderr)
                self.assertIsNotNone(m, "%s: no 'file:line:col: error:' line in stderr:\n%s" % (cid, r.stderr))
                expected_line = line_of(text, needle)
                self.assertEqual(int(m.group(1)), expected_line, "%s: %s" % (cid, r.stderr))
                if col is not None:
                    self.assertEqual(int(m.group(2)), col, "%s: %s" % (cid, r.stderr))
                for w in words:
                    self.assertIn(w, m.group(3), "%s: %s" % (cid, r.stderr))
                self.assertNotIn("ok", r.stdout.split())

    def test_check_unknown_key_suggests(self):
        path = self.write(VALID.replace("    realm: Admin Panel", "    relm: Admin Panel"))
        r = h.gk("check", "--config", path)
        self.assertEqual(r.returncode, 2)
        self.assertIn("realm", r.stderr)
        self.assertIn("did you mean", r.stderr.lower())

    def test_check_missing_file(self):
        r = h.gk("check", "--config", os.path.join(self.dir, "nope.yaml"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("nope.yaml", r.stderr)

    # ------------------------------------------------------------------ explain

    def explain(self, *args):
        path = self.write(VALID)
        r = h.gk("explain", "--config", path, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return path, r.stdout

    def field(self, out, name):
        m = re.search(r"^%s:\s+(.*)$" % re.escape(name), out, re.M)
        return m.group(1) if m else None

    def test_explain_401(self):
        path, out = self.explain("GET", "/admin/")
        self.assertEqual(self.field(out, "route"), "'admin' (%s:%d)" % (path, line_of(VALID, "- name: admin")), out)
        self.assertEqual(self.field(out, "decision"), "401 challenge", out)
        self.assertTrue(self.field(out, "reason"), out)
        self.assertEqual(re.findall(r"^WWW-Authenticate: (.*)$", out, re.M), ['Basic realm="Admin Panel", charset="UTF-8"'])

    def test_explain_403_for_bob(self):
        _, out = self.explain("GET", "/admin/x", "-H", "Authorization: " + h.basic_header("bob", "builder"))
        self.assertTrue((self.field(out, "decision") or "").startswith("403"), out)
        self.assertNotIn("WWW-Authenticate", out)
        self.assertNotIn("builder", out)
        self.assertIn("bob", out)

    def test_explain_wrong_password_is_401(self):
        _, out = self.explain("GET", "/admin/x", "-H", "Authorization: " + h.basic_header("alice", "nope"))
        self.assertEqual(self.field(out, "decision"), "401 challenge", out)
        self.assertNotIn("nope", out.replace("none", ""))

    def test_explain_allow_for_alice(self):
        _, out = self.explain("GET", "https://example.com/admin/x",
                              "-H", "Authorization: " + h.basic_header("alice", "wonderland"))
        self.assertTrue((self.field(out, "decision") or "").startswith("200"), out)
        self.assertIn("alice", self.field(out, "identity") or "", out)
        self.assertNotIn("wonderland", out)

    def test_explain_public(self):
        path, out = self.explain("GET", "/public/page")
        self.assertEqual(self.field(out, "route"), "'public' (%s:%d)" % (path, line_of(VALID, "- name: public")), out)
        self.assertTrue((self.field(out, "decision") or "").startswith("200"), out)
        self.assertNotIn("WWW-Authenticate", out)

    def test_explain_no_route(self):
        _, out = self.explain("GET", "/elsewhere")
        self.assertIn("none", self.field(out, "route") or "", out)
        self.assertTrue((self.field(out, "decision") or "").startswith("404"), out)

    def test_explain_normalizes_path(self):
        _, out = self.explain("GET", "/%61dmin/../admin/x")
        self.assertIn("'admin'", self.field(out, "route") or "", out)
        self.assertEqual(self.field(out, "decision"), "401 challenge", out)

    def test_explain_refused_path(self):
        _, out = self.explain("GET", "/admin;x")
        self.assertTrue((self.field(out, "decision") or "").startswith("400"), out)

    # ------------------------------------------------------------------ graceful shutdown

    SHUTDOWN_CONFIG = """\
server:
  threads: 2
  limits:
    shutdown_grace: {grace}s
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}", response_timeout: 20s }}
routes:
  - name: pub
    path: /pub/
    upstream: py
    require: public
"""

    def start_for_shutdown(self, grace):
        up = h.Upstream()
        self.addCleanup(up.close)
        gk = h.GatekeeperServe(lambda p: self.SHUTDOWN_CONFIG.format(port=p, up=up.port, grace=grace), self.dir)
        gk.start()
        self.addCleanup(gk.stop)
        return up, gk

    def in_flight(self, gk, up, path):
        result = {}

        def worker():
            try:
                r = requests.get(gk.url(path), timeout=20)
                result["status"], result["body"] = r.status_code, r.content
            except Exception as e:  # reported by the test
                result["error"] = repr(e)

        t = threading.Thread(target=worker, daemon=True)
        t.start()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(r.path == path for r in up.seen()):
            time.sleep(0.02)
        self.assertTrue(any(r.path == path for r in up.seen()), "request never reached the upstream")
        return t, result

    def test_sigterm_drains_in_flight_request(self):
        up, gk = self.start_for_shutdown(grace=8)
        # An idle keep-alive connection must not hold the process open.
        idle = socket.create_connection(("127.0.0.1", gk.port), timeout=5)
        self.addCleanup(idle.close)
        idle.sendall(b"GET /pub/idle HTTP/1.1\r\nHost: a\r\n\r\n")
        idle.recv(65536)

        t, result = self.in_flight(gk, up, "/pub/slow/2")
        t0 = time.monotonic()
        os.kill(gk.proc.pid, signal.SIGTERM)

        refused = False
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            try:
                s = socket.create_connection(("127.0.0.1", gk.port), timeout=0.5)
                s.close()
                time.sleep(0.05)
            except (ConnectionRefusedError, ConnectionResetError):
                # Reset: the connection sat in the accept queue when the
                # listener closed, and the kernel resets those; either way
                # it was not accepted.
                refused = True
                break
        self.assertTrue(refused, "new connections still accepted 1.5 s after SIGTERM")

        t.join(timeout=15)
        self.assertEqual(result.get("status"), 200, "in-flight request: %r\n%s" % (result, gk.output()))
        try:
            rc = gk.proc.popen.wait(timeout=8)
        except Exception:
            rc = None
        elapsed = time.monotonic() - t0
        self.assertEqual(rc, 0, "exit code %r after SIGTERM (%.1fs)\n%s" % (rc, elapsed, gk.output()))
        self.assertLess(elapsed, 6, "took %.1fs to exit after the in-flight request ended" % elapsed)

    def test_sigterm_grace_is_bounded(self):
        up, gk = self.start_for_shutdown(grace=2)
        t, result = self.in_flight(gk, up, "/pub/slow/8")
        t0 = time.monotonic()
        os.kill(gk.proc.pid, signal.SIGTERM)
        try:
            gk.proc.popen.wait(timeout=6)
        except Exception:
            pass
        elapsed = time.monotonic() - t0
        self.assertIsNotNone(gk.proc.poll(), "still running %.1fs after SIGTERM with a 2 s grace" % elapsed)
        self.assertLess(elapsed, 5)
        t.join(timeout=10)
        self.assertNotEqual(result.get("status"), 200, "a request longer than the grace completed?")


if __name__ == "__main__":
    unittest.main()
