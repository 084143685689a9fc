#!/usr/bin/python3
"""Users in PostgreSQL (`users: { staff: { postgres: true } }`) shared by two gatekeeper instances.

A real PostgreSQL server and redis-server on loopback (test_cluster's helpers), instances A and B
with one user source kept in the state database, and `gatekeeper user --config <A's config>
--source staff ...` as the only way users change:
- a user added through A's config signs in with Basic on A and on B within 2 s;
- passwd: the new password works and the old one is refused on both within 2 s;
- del: refused (401) on both within 2 s;
- groups: a route that requires a group admits its members only, on both;
- list reads the same users through B's config.
Each instance picks changes up from its once-a-second refresh (no request ever waits on the
database). Every process started here is stopped by its PID.
"""
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402

import gk_harness as h  # noqa: E402
from test_cluster import start_state_servers  # noqa: E402

T = 10
WITHIN = 2.0  # seconds: one refresh period, plus the time to answer

CONFIG = """\
server:
  threads: 1
  state_dir: {state}
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
users:
  staff: {{ postgres: true }}
state:
  redis: {{ address: 127.0.0.1, port: {redis}, prefix: "gk-users-test:" }}
  postgres: {{ conninfo: "{conninfo}", timeout: 2s }}
# The polling below tries passwords that do not work yet: no lock-outs for it.
brute_force:
  per_user: 10000
  per_address: 10000
routes:
  - {{ name: admin, path: /admin/, upstream: py, schemes: [basic], realm: Staff, users: staff,
      require: {{ groups: [admins] }} }}
  - {{ name: app, path: /app/, upstream: py, schemes: [basic], realm: Staff, users: staff,
      require: authenticated }}
"""


class ClusterUsersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-cluster-users-")
        cls.addClassCleanup(cls._tmp.cleanup)
        tmp = cls._tmp.name
        start_state_servers(cls, tmp)
        cls.pg.create_database("gatekeeper")
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        cls.nodes = []
        for name in ("a", "b"):
            d = os.path.join(tmp, name)
            os.makedirs(os.path.join(d, "state"))
            node = h.GatekeeperServe(
                lambda p, d=d: CONFIG.format(port=p, up=cls.up.port, state=os.path.join(d, "state"),
                                             redis=cls.redis.port, conninfo=cls.pg.conninfo("gatekeeper")), d)
            cls.nodes.append(node)
        for node in cls.nodes:
            node.start()
            cls.addClassCleanup(node.stop)

    def user(self, *args, stdin=None, node=0):
        r = h.gk("user", "--config", self.nodes[node].config_path, "--source", "staff", *args, stdin=stdin)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def status(self, node, user, password, path="/app/x"):
        return requests.get(node.url(path), auth=(user, password), timeout=T).status_code

    def on_both_within(self, user, password, want, path="/app/x"):
        """Polls A and B until both answer `want`; fails past WITHIN seconds. Returns the time taken."""
        t0 = time.monotonic()
        got = {}
        while True:
            got = {n.port: self.status(n, user, password, path) for n in self.nodes}
            if all(s == want for s in got.values()):
                return time.monotonic() - t0
            if time.monotonic() - t0 > WITHIN:
                self.fail("%s on %s: wanted %d on both instances within %.1f s, got %s"
                          % (user, path, want, WITHIN, sorted(got.values())))
            time.sleep(0.05)

    def test_an_added_user_signs_in_on_both_instances(self):
        self.assertEqual(self.status(self.nodes[1], "alice", "wonderland"), 401)
        self.user("add", "alice", stdin="wonderland\n")
        took = self.on_both_within("alice", "wonderland", 200)
        print("\n  alice usable on A and B %.2f s after `user add`" % took, file=sys.stderr)
        self.assertEqual(self.status(self.nodes[0], "alice", "wrong"), 401)
        self.assertEqual(self.status(self.nodes[1], "alice", "wrong"), 401)

    def test_passwd_changes_the_password_on_both(self):
        self.user("add", "dave", stdin="first-pass\n")
        self.on_both_within("dave", "first-pass", 200)
        self.user("passwd", "dave", stdin="second-pass\n")
        self.on_both_within("dave", "second-pass", 200)
        self.on_both_within("dave", "first-pass", 401)

    def test_a_deleted_user_is_refused_on_both(self):
        self.user("add", "erin", stdin="3r1n-pass\n")
        self.on_both_within("erin", "3r1n-pass", 200)
        self.user("del", "erin")
        took = self.on_both_within("erin", "3r1n-pass", 401)
        print("\n  erin refused on A and B %.2f s after `user del`" % took, file=sys.stderr)

    def test_groups_are_enforced_on_both(self):
        self.user("add", "bob", "-g", "admins", "-g", "ops", stdin="builder\n")
        self.user("add", "carol", "-g", "ops", stdin="c4r0l\n")
        self.on_both_within("bob", "builder", 200, path="/admin/x")
        self.on_both_within("carol", "c4r0l", 200)
        for node in self.nodes:
            self.assertEqual(self.status(node, "carol", "c4r0l", "/admin/x"), 403)
        # The groups travel to the upstream from either instance.
        for node in self.nodes:
            self.assertEqual(self.status(node, "bob", "builder", "/admin/groups-check"), 200)
            with self.up.lock:
                seen = [r for r in self.up.requests if r.path == "/admin/groups-check"][-1]
            self.assertEqual(seen.get("x-auth-request-user"), "bob")
            self.assertEqual(seen.get("x-auth-request-groups"), "admins,ops")

    def test_list_through_the_other_instances_config(self):
        self.user("add", "frank", "-g", "ops", stdin="fr4nk-pass\n")
        r = self.user("list", node=1)
        names = [line.split()[0] for line in r.stdout.splitlines() if line.strip()]
        self.assertIn("frank", names)
        self.assertEqual(names, sorted(names))
        self.assertIn("ops", [line for line in r.stdout.splitlines() if line.startswith("frank")][0])


if __name__ == "__main__":
    unittest.main()
