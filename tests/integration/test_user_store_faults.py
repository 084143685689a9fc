#!/usr/bin/python3
"""User stores that break while `gatekeeper serve` runs: fail closed (503) at once, never a pass
or a wrong 401, and recover by themselves (no restart) once the store is readable again.

- SQLite: the database, its -wal and -shm overwritten in place with garbage, then the original
  bytes written back.
- htpasswd: the file removed, or replaced by a directory, then put back.
"""
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10
RECOVER_WAIT = 4.0  # a 1 s reload tick or a 0.5 s reopen back-off, plus scheduling slack

CONFIG = """\
server:
  threads: 2
  state_dir: ./state
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
users:
  people: {{ {kind}: {file} }}
routes:
  - name: app
    path: /app/
    upstream: py
    schemes: [basic]
    realm: app
    users: people
    require: authenticated
"""


class StoreFaultBase:
    KIND = FILE = None

    def setUp(self):
        h.require_binary()
        tmp = tempfile.TemporaryDirectory(prefix="gk-store-faults-")
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        os.makedirs(os.path.join(self.dir, "state"))
        self.path = os.path.join(self.dir, self.FILE)
        self.up = h.Upstream()
        self.addCleanup(self.up.close)
        self.gk = h.GatekeeperServe(lambda p: CONFIG.format(port=p, up=self.up.port, kind=self.KIND, file=self.FILE),
                                    self.dir)
        self.make_users()
        self.gk.start()
        self.addCleanup(self.gk.stop)

    def get(self, user="alice", password="wonderland"):
        return requests.get(self.gk.url("/app/x"), auth=HTTPBasicAuth(user, password), timeout=T).status_code

    def ready(self):
        return requests.get(self.gk.url("/.gatekeeper/readyz"), timeout=T).status_code

    def wait_for(self, status, fn=None, limit=RECOVER_WAIT):
        fn = fn or self.get
        t0 = time.monotonic()
        got = None
        while time.monotonic() - t0 <= limit:
            got = fn()
            if got == status:
                break
            time.sleep(0.1)
        return got, time.monotonic() - t0

    def log(self):
        return self.gk.proc.stdout_text() + self.gk.proc.stderr_text()


class SqliteFaultsTest(StoreFaultBase, unittest.TestCase):
    KIND, FILE = "sqlite", "store.db"

    def make_users(self):
        r = h.gk("user", "add", "alice", "--config", self.gk.config_path, stdin="wonderland\n")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def files(self):
        return [self.path + suffix for suffix in ("", "-wal", "-shm")]

    def overwrite_in_place(self, path, data):
        with open(path, "r+b") as f:  # same inode: what the open connection keeps reading
            f.truncate(0)
            f.write(data)

    def test_garbage_then_original_bytes_is_503_then_recovers(self):
        self.assertEqual(self.get(), 200, self.gk.output())
        saved = {}
        for p in self.files():
            with open(p, "rb") as f:
                saved[p] = f.read()
        for p in self.files():
            self.overwrite_in_place(p, b"\x5a" * 8192)
        # The very first request after the break: 503, not "unknown user" (401).
        self.assertEqual(self.get(), 503, self.gk.output())
        self.assertEqual(self.get("nobody", "x"), 503)
        self.assertEqual(self.ready(), 503)

        for p in self.files():
            self.overwrite_in_place(p, saved[p])
        got, secs = self.wait_for(200)
        self.assertEqual(got, 200, "still %s %.1fs after the database was restored:\n%s" % (got, secs, self.gk.output()))
        self.assertEqual(self.get("alice", "wrong"), 401)
        self.assertEqual(self.ready(), 200)


class HtpasswdFaultsTest(StoreFaultBase, unittest.TestCase):
    KIND, FILE = "htpasswd", "users.htpasswd"

    def make_users(self):
        h.make_htpasswd(self.path, {"alice": "wonderland"})
        with open(self.path, "rb") as f:
            self.good = f.read()

    def put_back(self):
        with open(self.path + ".new", "wb") as f:
            f.write(self.good)
        os.replace(self.path + ".new", self.path)

    def test_removed_or_replaced_by_directory_is_503_until_back(self):
        self.assertEqual(self.get(), 200, self.gk.output())

        os.remove(self.path)
        got, secs = self.wait_for(503)
        self.assertEqual(got, 503, "a removed user file still served after %.1fs" % secs)
        self.assertEqual(self.ready(), 503)
        time.sleep(1.5)  # a few more reload ticks: the warning is not repeated
        self.put_back()
        self.assertEqual(self.wait_for(200)[0], 200, self.gk.output())

        os.remove(self.path)
        os.mkdir(self.path)
        got, secs = self.wait_for(503)
        self.assertEqual(got, 503, "a user file replaced by a directory still served after %.1fs" % secs)
        shutil.rmtree(self.path)
        self.put_back()
        self.assertEqual(self.wait_for(200)[0], 200, self.gk.output())
        self.assertEqual(self.ready(), 200)

        log = self.log()
        self.assertEqual(log.count("cannot be read: its routes answer 503"), 2, log[-3000:])
        self.assertGreaterEqual(log.count("is readable again"), 2, log[-3000:])

    def test_broken_edit_keeps_the_last_good_users(self):
        self.assertEqual(self.get(), 200)
        with open(self.path, "a") as f:
            f.write("this line is not htpasswd\n")
        time.sleep(2.5)
        self.assertEqual(self.get(), 200, "a half-written edit must not lock everyone out")
        self.assertRegex(self.log(), r"not reloaded, keeping the previous users.*line 2")


if __name__ == "__main__":
    unittest.main()
