#!/usr/bin/python3
"""`gatekeeper keys list|rotate`: the issuer's own signing keys in its database.

Offline: list on a demo state and on a fresh one; rotate on an empty database makes the first key
(signing at once); the defaults come from the config's oauth section (or ES256/24h); bad --alg,
bad --overlap, and an overlap shorter than access_token_ttl without --force are refused with a
clear message, exit 1 and nothing written; no output ever holds private key material.
Live, against `gatekeeper demo` (which rebuilds its key ring from the database every ~5 s):
rotate --overlap 4s --force publishes the new key in the JWKS within ~6 s, tokens minted right
after still carry the old kid (publish before sign), after the overlap new tokens carry the new
kid and work, a token minted before the rotation works while its key is published, and `keys
list` follows the states. Past now + 2 x overlap the old key is gone and its tokens (10 minutes
of TTL left) are refused: the very reason the short overlap needed --force. (A token the server
had verified before stays accepted while it sits in the verified-token cache, up to 5 min.)

Run: GK_BIN=build/gatekeeper GK_SRC=. /usr/bin/python3 tests/integration/test_keys_cli.py -v
"""
import calendar
import json
import os
import re
import sqlite3
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jwt  # noqa: E402  (python3-jwt)
import requests  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10  # seconds, every HTTP call
TOKEN = "/.gatekeeper/token"
JWKS = "/.well-known/jwks.json"
DEMO_CLIENT, DEMO_SECRET = "demo-client", "demo-secret"
KID_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # RFC 7638 thumbprint, base64url SHA-256
RELOAD = 5  # seconds between the server's key-ring reloads

CONFIG = """\
server:
  threads: 1
  state_dir: ./st
listeners:
  - {{ address: 127.0.0.1, port: 18080 }}
upstreams:
  app: {{ url: "http://127.0.0.1:13000" }}
oauth:
  url: http://127.0.0.1:18080
  database: {database}
  algorithm: EdDSA
  access_token_ttl: 1h
  key_overlap: 2h
routes:
  - name: public
    path: /
    upstream: app
    require: public
"""


def rows(listing):
    """`list` output as dicts keyed by the header's column names (columns split on 2+ spaces)."""
    lines = [l for l in listing.splitlines() if l.strip()]
    if not lines:
        return []
    header = re.split(r"\s{2,}", lines[0].strip())
    return [dict(zip(header, re.split(r"\s{2,}", l.strip()))) for l in lines[1:]]


def by_kid(listing):
    return {r["KID"]: r for r in rows(listing)}


def parse_time(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def private_members(db_path):
    """Every private JWK member value stored in the database (to prove none is ever printed)."""
    con = sqlite3.connect(db_path)
    try:
        out = []
        for (text,) in con.execute("SELECT private_jwk FROM signing_keys"):
            jwk = json.loads(text)
            out += [v for k, v in jwk.items() if k in ("d", "p", "q", "dp", "dq", "qi")]
        return out
    finally:
        con.close()


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()

    def gk(self, *args):
        r = h.gk(*args, timeout=60)
        self.outputs.append(r.stdout + r.stderr)
        return r

    def setUp(self):
        self.outputs = []

    def ok(self, *args):
        r = self.gk(*args)
        self.assertEqual(r.returncode, 0, "%s -> %d\nstdout %s\nstderr %s" % (args, r.returncode, r.stdout, r.stderr))
        return r

    def refused(self, code, *args, words=()):
        r = self.gk(*args)
        self.assertEqual(r.returncode, code, "%s -> %d\nstdout %s\nstderr %s" % (args, r.returncode, r.stdout, r.stderr))
        self.assertEqual(r.stdout.strip(), "", "nothing on stdout when refused: %r" % r.stdout)
        self.assertTrue(r.stderr.strip(), "a refusal says why")
        for w in words:
            self.assertIn(w, r.stderr, args)
        return r

    def rotate(self, where, *extra):
        r = self.ok("keys", "rotate", *where, *extra)
        kid = r.stdout.strip()
        self.assertEqual(r.stdout, kid + "\n", "exactly one line on stdout: the new kid")
        self.assertRegex(kid, KID_RE)
        return kid, r

    def listing(self, where):
        return by_kid(self.ok("keys", "list", *where).stdout)

    def assert_no_key_material(self, db_path):
        secrets = private_members(db_path)
        self.assertTrue(secrets, "the database holds private keys")
        for text in self.outputs:
            self.assertNotIn('"d"', text)
            for s in secrets:
                self.assertNotIn(s, text)
                self.assertNotIn(s[:16], text)


# --------------------------------------------------------------------------- offline

class KeysOfflineTest(Base):
    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory(prefix="gk-keys-")
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.state = ["--state", self.dir]
        self.db = os.path.join(self.dir, "gatekeeper.db")

    def test_rotate_on_an_empty_state_creates_the_first_key_signing_at_once(self):
        before = int(time.time())
        kid, r = self.rotate(self.state)
        self.assertIn("signs from now", r.stderr)
        self.assertNotIn("retires", r.stderr, "nothing to retire")
        self.assertTrue(os.path.exists(self.db))
        keys = self.listing(self.state)
        self.assertEqual(list(keys), [kid])
        row = keys[kid]
        self.assertEqual(row["ALG"], "ES256")              # no gatekeeper.yaml: the defaults
        self.assertEqual(row["STATE"], "signing")
        self.assertEqual(row["RETIRE_AT"], "-")
        self.assertLessEqual(abs(parse_time(row["CREATED"]) - before), 5)
        self.assertEqual(row["SIGNS_FROM"], row["CREATED"])
        self.assert_no_key_material(self.db)

    def test_second_rotation_uses_the_default_overlap_of_24h(self):
        old, _ = self.rotate(self.state)
        new, r = self.rotate(self.state, "--alg", "EdDSA")
        self.assertIn(new, r.stderr)
        self.assertIn("old key %s retires at" % old, r.stderr)
        keys = self.listing(self.state)
        self.assertEqual(set(keys), {old, new})
        self.assertEqual(keys[new]["ALG"], "EdDSA")
        created = parse_time(keys[new]["CREATED"])
        self.assertEqual(parse_time(keys[new]["SIGNS_FROM"]) - created, 86400)
        self.assertEqual(parse_time(keys[old]["RETIRE_AT"]) - created, 2 * 86400)
        self.assertEqual(keys[new]["STATE"], "published, signs from " + keys[new]["SIGNS_FROM"])
        self.assertEqual(keys[old]["STATE"], "signing, retiring at " + keys[old]["RETIRE_AT"])
        self.assertEqual(keys[new]["RETIRE_AT"], "-")
        self.assert_no_key_material(self.db)

    def test_rs256(self):
        kid, _ = self.rotate(self.state, "--alg", "RS256")
        self.assertEqual(self.listing(self.state)[kid]["ALG"], "RS256")
        self.assert_no_key_material(self.db)

    def test_bad_alg_is_refused_and_nothing_is_written(self):
        kid, _ = self.rotate(self.state)
        for alg in ("HS256", "ES384", "none", "es256", "PS256", ""):
            self.refused(1, "keys", "rotate", "--alg", alg, *self.state, words=("--alg", "ES256, EdDSA or RS256"))
        self.assertEqual(list(self.listing(self.state)), [kid])

    def test_bad_overlap_is_refused_and_nothing_is_written(self):
        kid, _ = self.rotate(self.state)
        for text in ("10", "1.5h", "-4s", "4x", "4 s", "s", "", "2w", "999999d", "99999999999999999999s"):
            self.refused(1, "keys", "rotate", "--overlap", text, "--force", *self.state, words=("--overlap",))
        self.assertEqual(list(self.listing(self.state)), [kid])

    def test_overlap_shorter_than_the_access_token_ttl_needs_force(self):
        old, _ = self.rotate(self.state)
        r = self.refused(1, "keys", "rotate", "--overlap", "4s", *self.state,
                         words=("access_token_ttl", "10m", "--force", "stop verifying before they expire"))
        self.assertIn("4s", r.stderr)
        self.assertEqual(list(self.listing(self.state)), [old], "nothing written")
        self.refused(1, "keys", "rotate", "--overlap", "9m", *self.state, words=("access_token_ttl",))
        new, _ = self.rotate(self.state, "--overlap", "10m")   # = the TTL: enough
        # A later second than the first key's signs_from, which the ring's tie-break
        # (latest signs_from, then latest created_at, both in whole seconds) needs.
        time.sleep(1.1)
        newer, _ = self.rotate(self.state, "--overlap", "0s", "--force")
        keys = self.listing(self.state)
        self.assertEqual(keys[newer]["STATE"], "signing")
        self.assertEqual(keys[old]["STATE"], "retiring at " + keys[old]["RETIRE_AT"])
        self.assertEqual(keys[new]["STATE"], "retired")       # retired at once by the 0s rotation

    def test_list_on_a_fresh_demo_state(self):
        """The demo makes its first key when it starts; list shows it, signing."""
        http_port, https_port = h.free_port(), h.free_port()
        proc = h.start_process(
            [h.GK_BIN, "demo", "--state", self.dir, "--http-port", str(http_port),
             "--https-port", str(https_port), "--echo-port", "0"],
            ready_port=[http_port, https_port], timeout=30, logdir=tempfile.mkdtemp(prefix="gk-keys-log-"))
        self.addCleanup(h.stop, proc)
        r = requests.get("http://127.0.0.1:%d%s" % (http_port, JWKS), timeout=T)
        self.assertEqual(r.status_code, 200)
        published = [k["kid"] for k in r.json()["keys"]]
        keys = self.listing(self.state)
        self.assertEqual(list(keys), published)
        [row] = keys.values()
        self.assertEqual(row["ALG"], "ES256")
        self.assertEqual(row["STATE"], "signing")
        self.assertEqual(row["RETIRE_AT"], "-")
        self.assert_no_key_material(self.db)

    def test_list_without_a_database_and_without_a_place(self):
        self.refused(2, "keys", "list", *self.state, words=("no issuer database",))
        self.refused(1, "keys", "list", words=("--config", "--state"))

    def test_config_supplies_algorithm_overlap_and_ttl(self):
        db = os.path.join(self.dir, "issuer.db")
        cfg = h.write_config(os.path.join(self.dir, "gk.yaml"), CONFIG.format(database=db))
        where = ["--config", cfg]
        first, _ = self.rotate(where)
        self.assertTrue(os.path.exists(db), "the config's oauth database")
        self.assertFalse(os.path.exists(self.db))
        r = self.refused(1, "keys", "rotate", "--overlap", "30m", *where, words=("access_token_ttl", "1h", cfg))
        self.assertIn("30m", r.stderr)
        second, _ = self.rotate(where)
        keys = self.listing(where)
        self.assertEqual(keys[first]["ALG"], "EdDSA")
        self.assertEqual(keys[second]["ALG"], "EdDSA")
        created = parse_time(keys[second]["CREATED"])
        self.assertEqual(parse_time(keys[second]["SIGNS_FROM"]) - created, 2 * 3600)  # key_overlap: 2h
        self.assertEqual(parse_time(keys[first]["RETIRE_AT"]) - created, 4 * 3600)
        self.assert_no_key_material(db)


# --------------------------------------------------------------------------- live rotation

class KeysLiveRotationTest(Base):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-keys-live-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.dir = os.path.join(cls._tmp.name, "state")
        cls.http_port, cls.https_port = h.free_port(), h.free_port()
        cls.proc = h.start_process(
            [h.GK_BIN, "demo", "--state", cls.dir, "--http-port", str(cls.http_port),
             "--https-port", str(cls.https_port), "--echo-port", "0"],
            ready_port=[cls.http_port, cls.https_port], timeout=30, logdir=cls._tmp.name)
        cls.addClassCleanup(h.stop, cls.proc)
        cls.base = "http://127.0.0.1:%d" % cls.http_port

    def tearDown(self):
        rc = self.proc.poll()
        if rc is not None:
            self.fail("gatekeeper exited with %s during this test\n%s" % (rc, self.proc.output(3000)))

    def mint(self):
        r = requests.post(self.base + TOKEN, data={"grant_type": "client_credentials"},
                          auth=(DEMO_CLIENT, DEMO_SECRET), timeout=T)
        self.assertEqual(r.status_code, 200, r.text[:300])
        token = r.json()["access_token"]
        return token, jwt.get_unverified_header(token)["kid"]

    def api(self, token):
        return requests.get(self.base + "/api/things", headers={"Authorization": "Bearer " + token}, timeout=T)

    def assert_works(self, token, what):
        r = self.api(token)
        self.assertEqual(r.status_code, 200, "%s: %d %s\n%s" % (what, r.status_code, r.text[:300],
                                                                self.proc.output(2000)))

    def jwks_kids(self):
        r = requests.get(self.base + JWKS, timeout=T)
        self.assertEqual(r.status_code, 200)
        for k in r.json()["keys"]:
            for member in ("d", "p", "q", "dp", "dq", "qi", "k"):
                self.assertNotIn(member, k)
        return sorted(k["kid"] for k in r.json()["keys"])

    def test_rotation_against_the_running_demo(self):
        state = ["--state", self.dir]
        db = os.path.join(self.dir, "gatekeeper.db")

        # A fresh demo: one key, signing, the one in the JWKS and in tokens.
        keys = self.listing(state)
        [old] = list(keys)
        self.assertEqual(keys[old]["STATE"], "signing")
        self.assertEqual(self.jwks_kids(), [old])
        before, kid = self.mint()
        self.assertEqual(kid, old)
        self.assert_works(before, "token minted before the rotation")

        # The demo's access_token_ttl is 10m: a 4 s overlap needs --force.
        self.refused(1, "keys", "rotate", "--overlap", "4s", *state, words=("access_token_ttl", "--force"))
        self.assertEqual(list(self.listing(state)), [old])

        new, r = self.rotate(state, "--overlap", "4s", "--force")
        rotated = time.time()
        self.assertNotEqual(new, old)
        self.assertIn("old key %s retires at" % old, r.stderr)
        keys = self.listing(state)
        self.assertEqual(keys[new]["STATE"], "published, signs from " + keys[new]["SIGNS_FROM"])
        self.assertEqual(keys[old]["STATE"], "signing, retiring at " + keys[old]["RETIRE_AT"])
        signs_from = parse_time(keys[new]["SIGNS_FROM"])
        retire_at = parse_time(keys[old]["RETIRE_AT"])
        self.assertEqual(retire_at - signs_from, 4)

        # Publish before sign: right after the rotation the old key still signs.
        unused, kid = self.mint()   # never shown to the server until the old key has retired
        self.assertEqual(kid, old)
        after, kid = self.mint()
        self.assertLess(time.time(), signs_from, "minted within the overlap")
        self.assertEqual(kid, old, "a token minted right after the rotation carries the old kid")
        self.assert_works(after, "token minted right after the rotation")

        # The server's next reload (every ~5 s) publishes the new key beside the old one.
        while self.jwks_kids() != sorted([old, new]):
            self.assertLess(time.time() - rotated, 7, "the JWKS still lists %s" % self.jwks_kids())
            if time.time() < retire_at - 1:
                self.assert_works(before, "token from before the rotation, during the overlap")
            time.sleep(0.25)
        self.assertLessEqual(time.time() - rotated, 7)

        # After the overlap (plus a reload) new tokens carry the new kid and work. Until the old
        # key retires (retire_at, seen by the server at its next reload) old tokens still work.
        fresh = None
        while True:
            now = time.time()
            self.assertLess(now, signs_from + RELOAD + 3, "new tokens still carry the old kid")
            if now < retire_at - 1:
                self.assert_works(before, "token from before the rotation, before the old key retires")
                self.assert_works(after, "token from right after the rotation, before the old key retires")
            token, kid = self.mint()
            if kid == new:
                fresh = token
                break
            self.assertEqual(kid, old)
            time.sleep(0.25)
        self.assertGreaterEqual(time.time(), signs_from, "the new key signed before its signs_from")
        self.assert_works(fresh, "token signed by the new key")
        keys = self.listing(state)
        self.assertEqual(keys[new]["STATE"], "signing")
        if time.time() < retire_at - 1:
            self.assertEqual(keys[old]["STATE"], "retiring at " + keys[old]["RETIRE_AT"])
            self.assert_works(before, "token from before the rotation, while both keys are published")

        # Past retire_at (and a reload) the old key is gone: its tokens, still within their
        # 10 minutes, are refused. That is what the refusal without --force warned about.
        # (Only for a token the server has not verified before: a verified token stays in
        # each worker's cache, bearer.token_cache_ttl = 5 min by default, whatever its key.)
        while time.time() < retire_at + 0.5:
            time.sleep(0.25)
        keys = self.listing(state)
        self.assertEqual(keys[old]["STATE"], "retired")
        self.assertEqual(keys[new]["STATE"], "signing")
        while self.jwks_kids() != [new]:
            self.assertLess(time.time(), retire_at + RELOAD + 3, "the JWKS still lists %s" % self.jwks_kids())
            time.sleep(0.25)
        r = self.api(unused)
        self.assertEqual(r.status_code, 401, "a token of the retired key: %d %s" % (r.status_code, r.text[:300]))
        self.assert_works(fresh, "token signed by the new key, after the old one retired")
        token, kid = self.mint()
        self.assertEqual(kid, new)
        self.assert_works(token, "token minted after the old key retired")
        self.assert_no_key_material(db)


if __name__ == "__main__":
    unittest.main()
