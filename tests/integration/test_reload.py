#!/usr/bin/python3
"""SIGHUP reloads the config: a broken config keeps the running one (and the log says why, with
file:line), a good one takes effect without dropping a request in flight or a connection.
"""
import os
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10

BASE = """\
server:
  threads: 2
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
users:
  staff: {{ htpasswd: users.htpasswd }}
routes:
  - {{ name: app, path: /app/, upstream: py, schemes: [basic], realm: Staff, users: staff, require: authenticated }}
{extra}"""

OLD_EXTRA = "  - { name: old, path: /old/, upstream: py, require: public }\n"
NEW_EXTRA = "  - { name: new, path: /new/, upstream: py, require: public }\n"
BROKEN_EXTRA = "  - { name: bad, path: /bad/, upstream: nowhere, require: public }\n"


class ReloadTest(unittest.TestCase):
    def setUp(self):
        h.require_binary()
        self._tmp = tempfile.TemporaryDirectory(prefix="gk-reload-")
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name
        h.make_htpasswd(os.path.join(self.tmp, "users.htpasswd"), {"alice": "wonderland"})
        self.up = h.Upstream()
        self.addCleanup(self.up.close)
        self.gk = h.GatekeeperServe(lambda p: self.config(p, OLD_EXTRA), self.tmp)
        self.gk.start()
        self.addCleanup(self.gk.stop)

    def config(self, port, extra):
        return BASE.format(port=port, up=self.up.port, extra=extra)

    def rewrite_and_hup(self, extra):
        h.write_config(self.gk.config_path, self.config(self.gk.port, extra))
        os.kill(self.gk.proc.pid, signal.SIGHUP)

    def wait_for(self, fn, limit=5.0):
        """Poll fn() (bounded) until it is true; returns whether it became true."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            if fn():
                return True
            time.sleep(0.1)
        return False

    def status(self, path, **kw):
        return requests.get(self.gk.url(path), timeout=T, **kw).status_code

    def test_restart_only_sections_are_named_and_not_half_applied(self):
        # state: and acme: are read at start only; a reload that changes them says so and keeps
        # the running ones (here: counters stay in memory, no Redis is asked, nothing fails).
        unreachable = h.free_port()
        self.rewrite_and_hup(OLD_EXTRA + "state:\n  redis: { address: 127.0.0.1, port: %d }\n" % unreachable)
        self.assertTrue(self.wait_for(lambda: "reload: config applied" in self.gk.output()), self.gk.output())
        out = self.gk.output()
        self.assertIn("state (redis, postgres) changed; it takes effect at the next start", out)
        self.assertNotIn("acme changed", out)
        self.assertEqual(self.status("/app/", auth=("alice", "wonderland")), 200)
        self.assertEqual(self.status("/app/", auth=("alice", "wrong")), 401)

    def test_broken_config_keeps_the_running_one_and_says_why(self):
        self.assertEqual(self.status("/old/x"), 200)
        self.rewrite_and_hup(BROKEN_EXTRA)
        self.assertTrue(self.wait_for(lambda: "reload failed" in self.gk.output()), self.gk.output())
        self.assertIsNone(self.gk.proc.poll(), "SIGHUP must not end the process")
        out = self.gk.output()
        self.assertIn("keeping the running config", out)
        self.assertRegex(out, r"gatekeeper\.yaml:\d+", "the error names file:line")
        self.assertIn("nowhere", out)
        self.assertEqual(self.status("/old/x"), 200)
        self.assertEqual(self.status("/bad/x"), 404)
        self.assertEqual(self.status("/app/", auth=("alice", "wonderland")), 200)

    def test_good_config_applies_without_dropping_in_flight_requests(self):
        self.assertEqual(self.status("/new/x"), 404)
        # A slow request and a keep-alive connection, both opened before the reload.
        session = requests.Session()
        self.addCleanup(session.close)
        self.assertEqual(session.get(self.gk.url("/old/warm"), timeout=T).status_code, 200)
        slow = {}

        def slow_request():
            try:
                slow["status"] = requests.get(self.gk.url("/old/slow/1.5"), timeout=T).status_code
            except requests.RequestException as e:
                slow["error"] = repr(e)

        t = threading.Thread(target=slow_request)
        t.start()
        time.sleep(0.3)
        self.rewrite_and_hup(NEW_EXTRA)
        self.assertTrue(self.wait_for(lambda: self.status("/new/x") == 200), self.gk.output())
        self.assertEqual(self.status("/old/x"), 404, "the old route is gone")
        t.join(timeout=T)
        self.assertEqual(slow, {"status": 200}, "the request in flight finished on the config it started with")
        # The connection opened before the reload still works and sees the new config.
        self.assertEqual(session.get(self.gk.url("/new/y"), timeout=T).status_code, 200)
        self.assertIn("config applied", self.gk.output())
        self.assertIsNone(self.gk.proc.poll())

    def test_a_second_reload_after_a_failed_one_works(self):
        self.rewrite_and_hup(BROKEN_EXTRA)
        self.assertTrue(self.wait_for(lambda: "reload failed" in self.gk.output()))
        self.rewrite_and_hup(NEW_EXTRA)
        self.assertTrue(self.wait_for(lambda: self.status("/new/x") == 200), self.gk.output())


if __name__ == "__main__":
    unittest.main()
