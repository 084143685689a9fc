#!/usr/bin/python3
"""`gatekeeper apikey` and `gatekeeper client`: API keys and OAuth clients in the issuer's database.

apikey: create prints the key once (format gk_ + 49 base62 characters), list shows the hint and
never the key or its hash, duplicate names are refused, revoke, --expires parsing, --user/--scopes.
client: add (confidential with a secret on stdin, public), list without secrets or hashes, bad
redirect URIs refused, del. Both: --state DIR and --config FILE, clear errors and exit status
(1 refused, 2 database/config unusable, CLI11's own codes for bad usage).
Using a key against the running server is tested elsewhere.
"""
import calendar
import hashlib
import os
import re
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gk_harness as h  # noqa: E402

KEY_RE = re.compile(r"^gk_[0-9A-Za-z]{49}$")
SECRET = "s3cret-client-secret-0123456789"

CONFIG = """\
server:
  threads: 1
  state_dir: ./st
listeners:
  - { address: 127.0.0.1, port: 18080 }
upstreams:
  app: { url: "http://127.0.0.1:13000" }
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


def parse_time(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="gk-apikey-")
        self.addCleanup(self._tmp.cleanup)
        self.state = self._tmp.name

    def gk(self, *args, stdin=None):
        return h.gk(*args, stdin=stdin, timeout=60)

    def ok(self, *args, stdin=None):
        r = self.gk(*args, stdin=stdin)
        self.assertEqual(r.returncode, 0, "%s -> %d\nstdout %s\nstderr %s" % (args, r.returncode, r.stdout, r.stderr))
        return r

    def refused(self, code, *args, words=(), stdin=None):
        r = self.gk(*args, stdin=stdin)
        self.assertEqual(r.returncode, code, "%s -> %d\nstdout %s\nstderr %s" % (args, r.returncode, r.stdout, r.stderr))
        self.assertEqual(r.stdout.strip(), "", "nothing on stdout when refused: %r" % r.stdout)
        self.assertTrue(r.stderr.strip(), "a refusal says why")
        for w in words:
            self.assertIn(w, r.stderr, args)
        return r


class ApiKeyTest(Base):
    def create(self, name, *extra):
        r = self.ok("apikey", "create", "--name", name, "--scopes", "read,write", "--state", self.state, *extra)
        key = r.stdout.strip()
        self.assertEqual(r.stdout, key + "\n", "exactly one line on stdout")
        self.assertRegex(key, KEY_RE)
        self.assertIn("not be shown again", r.stderr)
        self.assertNotIn(key, r.stderr)
        self.assertNotIn(key[3:], r.stderr)
        return key

    def listing(self, *extra):
        return self.ok("apikey", "list", "--state", self.state, *extra).stdout

    def test_create_prints_the_key_once_and_list_shows_only_the_hint(self):
        key = self.create("ci-bot")
        self.assertTrue(os.path.exists(os.path.join(self.state, "gatekeeper.db")))
        out = self.listing()
        self.assertNotIn(key, out)
        self.assertNotIn(key[3:20], out)
        self.assertNotIn(hashlib.sha256(key.encode()).hexdigest(), out)
        self.assertIsNone(re.search(r"[0-9a-f]{32}", out), "no hash-like text in the listing:\n" + out)
        [row] = rows(out)
        self.assertEqual(row["NAME"], "ci-bot")
        self.assertTrue(row["HINT"].startswith(key[:9]), row)
        self.assertLess(len(row["HINT"].rstrip(".")), 16, row)
        self.assertEqual(row["USER"], "ci-bot")            # no --user: the key acts as its name
        self.assertEqual(row["SCOPES"], "read,write")
        self.assertEqual(row["EXPIRES"], "never")
        self.assertEqual(row["REVOKED"], "no")
        self.assertLessEqual(abs(parse_time(row["CREATED"]) - time.time()), 120)
        # The key is not stored anywhere in the database file either.
        with open(os.path.join(self.state, "gatekeeper.db"), "rb") as f:
            data = f.read()
        self.assertNotIn(key.encode(), data)
        self.assertNotIn(key[3:].encode(), data)

    def test_two_keys_differ_and_are_listed_by_name(self):
        a = self.create("b-second")
        b = self.create("a-first", "--user", "alice")
        self.assertNotEqual(a, b)
        listed = rows(self.listing())
        self.assertEqual([r["NAME"] for r in listed], ["a-first", "b-second"])
        self.assertEqual(listed[0]["USER"], "alice")

    def test_duplicate_name_refused(self):
        first = self.create("dup")
        self.refused(1, "apikey", "create", "--name", "dup", "--scopes", "read", "--state", self.state,
                     words=["dup", "already exists"])
        [row] = rows(self.listing())
        self.assertTrue(row["HINT"].startswith(first[:9]))

    def test_revoke(self):
        self.create("old")
        self.create("keep")
        r = self.ok("apikey", "revoke", "--name", "old", "--state", self.state)
        self.assertIn("old", r.stderr)
        by_name = {r["NAME"]: r for r in rows(self.listing())}
        self.assertEqual(by_name["old"]["REVOKED"], "yes")
        self.assertEqual(by_name["keep"]["REVOKED"], "no")
        self.refused(1, "apikey", "revoke", "--name", "nope", "--state", self.state, words=["nope"])
        # The name stays taken: a revoked key's name is not silently reused.
        self.refused(1, "apikey", "create", "--name", "old", "--scopes", "read", "--state", self.state,
                     words=["already exists"])

    def test_expires(self):
        for text, seconds in (("90d", 90 * 86400), ("12h", 12 * 3600), ("30m", 1800), ("45s", 45)):
            with self.subTest(expires=text):
                before = time.time()
                self.create("k" + text, "--expires", text)
                row = {r["NAME"]: r for r in rows(self.listing())}["k" + text]
                exp = parse_time(row["EXPIRES"])
                self.assertLessEqual(abs(exp - (before + seconds)), 60, row)
                self.assertLessEqual(abs(exp - parse_time(row["CREATED"]) - seconds), 1, row)
        for bad in ("90", "90x", "0d", "-1d", "1.5h", "d", "90 d", "1d2h", "99999999999d", ""):
            with self.subTest(bad=bad):
                self.refused(1, "apikey", "create", "--name", "bad", "--scopes", "read", "--expires", bad,
                             "--state", self.state, words=["--expires"])
        self.assertNotIn("bad", self.listing())

    def test_bad_arguments(self):
        s = ("--state", self.state)
        self.refused(1, "apikey", "create", "--name", "a b", "--scopes", "read", *s, words=["--name"])
        self.refused(1, "apikey", "create", "--name", "x" * 65, "--scopes", "read", *s, words=["--name"])
        for scopes in ("read,,write", ",", "", "read,", " read", "a b", "read\\x"):
            with self.subTest(scopes=scopes):
                self.refused(1, "apikey", "create", "--name", "k", "--scopes", scopes, *s, words=["--scopes"])
        self.refused(1, "apikey", "create", "--name", "k", "--scopes", 'a"b', *s, words=["--scopes"])
        self.refused(1, "apikey", "create", "--name", "k", "--scopes", "read", "--user", "a:b", *s, words=["--user"])
        # Where the database is: exactly one of --state / --config, and it must be usable.
        self.refused(1, "apikey", "create", "--name", "k", "--scopes", "read", words=["--config", "--state"])
        r = self.gk("apikey", "list", "--state", self.state, "--config", os.path.join(self.state, "x.yaml"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("excludes", r.stderr)
        self.refused(2, "apikey", "list", *s, words=["no issuer database"])
        self.refused(2, "apikey", "revoke", "--name", "k", *s, words=["no issuer database"])
        missing = os.path.join(self.state, "missing", "deeper")
        self.refused(2, "apikey", "create", "--name", "k", "--scopes", "read", "--state", missing,
                     words=["does not exist"])
        # Usage errors from the parser: nonzero, and they name the option.
        for args, word in ((("apikey", "create", "--scopes", "read", *s), "--name"),
                           (("apikey", "create", "--name", "k", *s), "--scopes"),
                           (("apikey", "revoke", *s), "--name"),
                           (("apikey", "frobnicate", *s), "subcommand"),
                           (("apikey",), "subcommand")):
            with self.subTest(args=args):
                r = self.gk(*args)
                self.assertNotEqual(r.returncode, 0, r)
                self.assertIn(word, r.stderr + r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.state, "gatekeeper.db")), "nothing was created")

    def test_config_file(self):
        cfg = h.write_config(os.path.join(self.state, "gatekeeper.yaml"), CONFIG)
        os.mkdir(os.path.join(self.state, "st"))
        r = self.ok("apikey", "create", "--name", "via-config", "--scopes", "read", "--config", cfg)
        self.assertRegex(r.stdout.strip(), KEY_RE)
        self.assertTrue(os.path.exists(os.path.join(self.state, "st", "gatekeeper.db")))
        listed = rows(self.ok("apikey", "list", "-c", cfg).stdout)
        self.assertEqual([x["NAME"] for x in listed], ["via-config"])
        broken = h.write_config(os.path.join(self.state, "broken.yaml"), CONFIG.replace("server:", "servr:"))
        self.refused(2, "apikey", "list", "--config", broken, words=["broken.yaml"])

    def test_help(self):
        for args in (["apikey"], ["apikey", "create"], ["apikey", "list"], ["apikey", "revoke"]):
            with self.subTest(args=args):
                r = self.gk(*(args + ["--help"]))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("--", r.stdout)


class ClientTest(Base):
    def add(self, cid, *extra, stdin=None):
        return self.ok("client", "add", "--id", cid, "--state", self.state, *extra, stdin=stdin)

    def listing(self):
        return self.ok("client", "list", "--state", self.state).stdout

    def test_add_list_del(self):
        self.add("web", "--secret-stdin", "--redirect-uri", "https://app.example.com/cb",
                 "--redirect-uri", "http://127.0.0.1:8080/cb", "--scopes", "read,write",
                 "--grants", "authorization_code,refresh_token", stdin=SECRET + "\n")
        self.add("spa", "--public", "--name", "Single page app", "--redirect-uri", "http://localhost:3000/cb",
                 "--redirect-uri", "http://[::1]/cb", "--scopes", "read", "--grants", "authorization_code")
        self.add("batch", "--secret-stdin", "--scopes", "read", "--grants", "client_credentials", stdin=SECRET)
        out = self.listing()
        self.assertNotIn(SECRET, out)
        self.assertNotIn("$argon2", out)
        by_id = {r["ID"]: r for r in rows(out)}
        self.assertEqual(sorted(by_id), ["batch", "spa", "web"])
        self.assertEqual(by_id["web"]["TYPE"], "confidential")
        self.assertEqual(by_id["web"]["GRANTS"], "authorization_code,refresh_token")
        self.assertEqual(by_id["web"]["SCOPES"], "read,write")
        self.assertIn("https://app.example.com/cb", out)
        self.assertIn("http://127.0.0.1:8080/cb", out)
        self.assertEqual(by_id["spa"]["TYPE"], "public")
        self.assertIn("Single page app", out)
        self.assertEqual(by_id["batch"]["TYPE"], "confidential")
        with open(os.path.join(self.state, "gatekeeper.db"), "rb") as f:
            data = f.read()
        self.assertNotIn(SECRET.encode(), data)
        self.assertIn(b"$argon2id$", data)

        self.refused(1, "client", "add", "--id", "web", "--public", "--redirect-uri", "https://x.example/cb",
                     "--scopes", "read", "--grants", "authorization_code", "--state", self.state,
                     words=["web", "already exists"])
        r = self.ok("client", "del", "--id", "web", "--state", self.state)
        self.assertIn("web", r.stderr)
        self.assertEqual(sorted(x["ID"] for x in rows(self.listing())), ["batch", "spa"])
        self.refused(1, "client", "del", "--id", "web", "--state", self.state, words=["web"])

    def test_bad_redirect_uris_refused(self):
        bad = ["http://app.example.com/cb",        # plain http off loopback
               "http://127.0.0.2/cb",
               "http://localhost.evil.example/cb",
               "https://app.example.com/cb#frag",   # fragments are not allowed
               "https://user@app.example.com/cb",   # userinfo
               "https://*.example.com/cb",          # wildcards
               "/cb", "app.example.com/cb", "ftp://app.example.com/cb", "javascript:alert(1)",
               "https:///cb", "https://app.example.com/c b", ""]
        for uri in bad:
            with self.subTest(uri=uri):
                self.refused(1, "client", "add", "--id", "c", "--public", "--redirect-uri", uri, "--scopes", "read",
                             "--grants", "authorization_code", "--state", self.state, words=["--redirect-uri"])
        self.assertFalse(os.path.exists(os.path.join(self.state, "gatekeeper.db")), "refused before opening")

    def test_bad_arguments(self):
        s = ("--state", self.state)
        ac = ("--redirect-uri", "https://app.example.com/cb", "--scopes", "read", "--grants", "authorization_code")
        self.refused(1, "client", "add", "--id", "c", *ac, *s, words=["--secret-stdin", "--public"])
        r = self.gk("client", "add", "--id", "c", "--public", "--secret-stdin", *ac, *s)
        self.assertNotEqual(r.returncode, 0)
        self.refused(1, "client", "add", "--id", "a b", "--public", *ac, *s, words=["--id"])
        self.refused(1, "client", "add", "--id", "a:b", "--public", *ac, *s, words=["--id"])
        self.refused(1, "client", "add", "--id", "c", "--public", "--scopes", "read", "--grants", "authorization_code",
                     *s, words=["--redirect-uri"])
        self.refused(1, "client", "add", "--id", "c", "--public", "--redirect-uri", "https://a.example/cb",
                     "--scopes", "read", "--grants", "implicit", *s, words=["implicit"])
        for grants in ("", ",", "authorization_code,,refresh_token"):
            with self.subTest(grants=grants):
                self.refused(1, "client", "add", "--id", "c", "--public", "--redirect-uri", "https://a.example/cb",
                             "--scopes", "read", "--grants", grants, *s, words=["--grants"])
        r = self.gk("client", "add", "--id", "c", "--public", "--redirect-uri", "https://a.example/cb", "extra",
                    "--scopes", "read", "--grants", "authorization_code", *s)
        self.assertNotEqual(r.returncode, 0, "a stray argument after --redirect-uri is an error")
        self.refused(1, "client", "add", "--id", "c", "--public", "--scopes", "read", "--grants",
                     "client_credentials", *s, words=["public"])
        self.refused(1, "client", "add", "--id", "c", "--secret-stdin", "--scopes", "read", "--grants",
                     "refresh_token", *s, words=["refresh_token"], stdin=SECRET)
        self.refused(1, "client", "add", "--id", "c", "--secret-stdin", *ac, *s, words=["secret"], stdin="short\n")
        self.refused(1, "client", "add", "--id", "c", "--secret-stdin", *ac, *s, words=["secret"], stdin="")
        self.refused(2, "client", "list", *s, words=["no issuer database"])
        self.refused(2, "client", "del", "--id", "c", *s, words=["no issuer database"])
        for args, word in ((("client", "add", "--public", *ac, *s), "--id"),
                           (("client", "add", "--id", "c", "--public", "--redirect-uri", "https://a.example/cb",
                             "--grants", "authorization_code", *s), "--scopes"),
                           (("client", "del", *s), "--id"),
                           (("client",), "subcommand")):
            with self.subTest(args=args):
                r = self.gk(*args)
                self.assertNotEqual(r.returncode, 0, r)
                self.assertIn(word, r.stderr + r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.state, "gatekeeper.db")), "nothing was created")
        # A secret never appears in an error message.
        r = self.gk("client", "add", "--id", "c", "--secret-stdin", "--redirect-uri", "http://evil.example/cb",
                    "--scopes", "read", "--grants", "authorization_code", *s, stdin=SECRET)
        self.assertNotIn(SECRET, r.stderr + r.stdout)

    def test_help(self):
        for args in (["client"], ["client", "add"], ["client", "list"], ["client", "del"]):
            with self.subTest(args=args):
                r = self.gk(*(args + ["--help"]))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("--", r.stdout)


if __name__ == "__main__":
    unittest.main()
