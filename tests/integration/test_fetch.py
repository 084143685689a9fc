#!/usr/bin/python3
"""`gatekeeper fetch`: the C++ client (gatekeeper/client.hpp) against the real server.

Starts `gatekeeper demo` on free loopback ports and runs `gatekeeper fetch` against it: Digest as
alice on /admin/ (SHA-256 chosen, seen in the access log), a wrong password (exit 3), bob (exit 4),
/api/ with a token from `gatekeeper token mint` (and a refused token: refreshed once, exit 3), the
HTTPS listener with and without --cacert. A stale nonce is provoked with a small Digest server in
this file (the demo's nonces live too long to wait for). Last, Apache httpd with mod_auth_digest,
if apache2 is installed (skipped with a message otherwise). Every process is stopped by PID.
"""
import hashlib
import http.server
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gk_harness as h  # noqa: E402

APACHE = "/usr/sbin/apache2"


def fetch(*args, password=None, timeout=30):
    """Run gatekeeper fetch; the password, if any, goes through --password-stdin."""
    argv = [h.GK_BIN, "fetch", "-v"] + list(args)
    if password is not None:
        argv.insert(3, "--password-stdin")
    return h.run(argv, stdin=(password + "\n") if password is not None else None, timeout=timeout)


class FetchDemoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.start_demo(cls, "gk-fetch-")
        cls.sbase = "https://localhost:%d" % cls.https_port
        cls.cert = os.path.join(cls.state, "cert.pem")

    def server_log(self):
        return self.proc.stdout_text() + self.proc.stderr_text()

    def test_alice_digest_sha256(self):
        r = fetch("-u", "alice", self.base + "/admin/fetch-alice", password="wonderland")
        self.assertEqual(r.returncode, 0, r.stderr + self.proc.output(1500))
        self.assertIn("scheme digest-sha256", r.stderr)
        self.assertIn("after 2 request(s)", r.stderr)
        self.assertNotIn("wonderland", r.stderr + r.stdout)
        # The server's own access log names the scheme that authenticated the request.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            lines = [l for l in self.server_log().splitlines() if "/admin/fetch-alice" in l]
            if any('"scheme":"digest"' in l for l in lines):
                break
            time.sleep(0.1)
        else:
            self.fail("no access log line with scheme digest for /admin/fetch-alice:\n" + self.proc.output(3000))

    def test_include_headers_and_post(self):
        r = fetch("-i", "-u", "alice", "-X", "POST", "-d", "a=1", self.base + "/admin/form", password="wonderland")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("HTTP/1.1 200"), r.stdout[:200])
        self.assertIn('"method"', r.stdout)  # the echo upstream's document

    def test_wrong_password_is_exit_3(self):
        r = fetch("-u", "alice", self.base + "/admin/", password="not-the-password")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("401", r.stderr)
        self.assertNotIn("not-the-password", r.stderr + r.stdout)

    def test_bob_is_exit_4(self):
        r = fetch("-u", "bob", self.base + "/admin/", password="builder")
        self.assertEqual(r.returncode, 4, r.stderr)

    def test_no_credentials_is_exit_3(self):
        r = fetch(self.base + "/admin/")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("scheme none", r.stderr)

    def test_public_needs_nothing(self):
        r = fetch(self.base + "/")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("after 1 request(s)", r.stderr)

    def test_bearer_from_token_mint(self):
        cmd = " ".join(shlex.quote(a) for a in
                       [h.GK_BIN, "token", "mint", "--state", self.state, "--sub", "alice", "--scope", "read"])
        r = fetch("--bearer-from", cmd, self.base + "/api/things")
        self.assertEqual(r.returncode, 0, r.stderr + self.proc.output(1500))
        self.assertIn("scheme bearer", r.stderr)
        self.assertIn("after 1 request(s)", r.stderr)

    def test_refused_token_refreshed_once(self):
        counter = os.path.join(self._tmp.name, "calls")
        cmd = "echo x >> %s; echo not.a.jwt" % shlex.quote(counter)
        r = fetch("--bearer-from", cmd, self.base + "/api/things")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("token refreshed", r.stderr)
        with open(counter) as f:
            self.assertEqual(len(f.read().split()), 2)  # get + one refresh, no loop

    def test_failing_token_command_is_exit_1(self):
        r = fetch("--bearer-from", "exit 7", self.base + "/api/things")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("exit status 7", r.stderr)

    def test_https_with_cacert(self):
        r = fetch("--cacert", self.cert, "-u", "alice", self.sbase + "/admin/", password="wonderland")
        self.assertEqual(r.returncode, 0, r.stderr + self.proc.output(1500))
        self.assertIn("scheme digest-sha256", r.stderr)

    def test_https_ip_address_checked_against_ip_san(self):
        r = fetch("--cacert", self.cert, "https://127.0.0.1:%d/" % self.https_port)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_https_without_cacert_refused(self):
        r = fetch("-u", "alice", self.sbase + "/admin/", password="wonderland")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("certificate", r.stderr)

    def test_https_wrong_name_refused(self):
        # The demo's certificate names localhost (and maybe 127.0.0.1): a name it does not carry must fail.
        r = fetch("--cacert", self.cert, "https://localhost.localdomain:%d/" % self.https_port)
        if "resolve" in r.stderr:
            self.skipTest("localhost.localdomain does not resolve here")
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_password_not_from_argv(self):
        r = h.run([h.GK_BIN, "fetch", "-u", "alice", "--password", "x", self.base + "/admin/"])
        self.assertNotEqual(r.returncode, 0)

    def test_bad_url_is_exit_1(self):
        r = fetch("ftp://127.0.0.1/")
        self.assertEqual(r.returncode, 1, r.stderr)


# ---- a Digest server that calls its first nonce stale -------------------------------------------

REALM = "stale-test"


class _StaleHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    nonces = ["nonce-one", "nonce-two"]
    seen = []

    def log_message(self, fmt, *args):
        pass

    def _challenge(self, nonce, stale):
        self.send_response(401)
        v = 'Digest realm="%s", qop="auth", algorithm=SHA-256, nonce="%s"' % (REALM, nonce)
        if stale:
            v += ", stale=true"
        self.send_header("WWW-Authenticate", v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        auth = self.headers.get("Authorization")
        type(self).seen.append(auth)
        if not auth:
            return self._challenge("nonce-one", False)
        p = {}
        for part in auth[len("Digest "):].split(", "):
            k, v = part.split("=", 1)
            p[k] = v.strip('"')
        H = lambda s: hashlib.sha256(s.encode()).hexdigest()  # noqa: E731
        ha1 = H("alice:%s:secret" % REALM)
        want = H(":".join([ha1, p["nonce"], p["nc"], p["cnonce"], "auth", H("GET:" + p["uri"])]))
        if p.get("response") != want:
            return self._challenge("nonce-one", False)
        if p["nonce"] == "nonce-one":
            return self._challenge("nonce-two", True)  # right password, old nonce
        body = b"ok after stale\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FetchStaleTest(unittest.TestCase):
    def test_stale_nonce_retried_once(self):
        h.require_binary()
        srv = http.server.ThreadingHTTPServer((h.HOST, 0), _StaleHandler)
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        self.addCleanup(srv.server_close)
        self.addCleanup(srv.shutdown)
        r = fetch("-u", "alice", "http://127.0.0.1:%d/x" % srv.server_address[1], password="secret")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "ok after stale\n")
        self.assertIn("stale nonce retried", r.stderr)
        self.assertIn("after 3 request(s)", r.stderr)
        self.assertEqual(len(_StaleHandler.seen), 3)


# ---- Apache httpd with mod_auth_digest ------------------------------------------------------------

APACHE_CONF = """
ServerRoot "/usr/lib/apache2"
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule auth_digest_module /usr/lib/apache2/modules/mod_auth_digest.so
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {dir}/httpd.pid
ErrorLog {dir}/error.log
LogLevel info
User {user}
Group {group}
DocumentRoot {dir}/www
<Directory {dir}/www>
  AuthType Digest
  AuthName "{realm}"
  AuthDigestProvider file
  AuthUserFile {dir}/users.htdigest
  Require user alice
</Directory>
"""


class FetchApacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(APACHE):
            raise unittest.SkipTest("apache2 is not installed (apt-get install -y apache2): Apache test skipped")
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-apache-")
        cls.addClassCleanup(cls._tmp.cleanup)
        d = cls._tmp.name
        os.chmod(d, 0o755)  # the worker runs as www-data
        os.mkdir(os.path.join(d, "www"))
        with open(os.path.join(d, "www", "index.html"), "w") as f:
            f.write("apache says hello\n")
        realm = "apache digest"
        ha1 = hashlib.md5(("alice:%s:apache-pw" % realm).encode()).hexdigest()
        with open(os.path.join(d, "users.htdigest"), "w") as f:
            f.write("alice:%s:%s\n" % (realm, ha1))
        user = "www-data" if os.geteuid() == 0 else "#%d" % os.getuid()
        group = "www-data" if os.geteuid() == 0 else "#%d" % os.getgid()
        cls.port = h.free_port()
        conf = os.path.join(d, "httpd.conf")
        with open(conf, "w") as f:
            f.write(APACHE_CONF.format(port=cls.port, dir=d, realm=realm, user=user, group=group))
        # -X: one process in the foreground, stopped by its PID.
        cls.proc = h.start_process([APACHE, "-X", "-f", conf], ready_port=cls.port, timeout=20, logdir=d)
        cls.addClassCleanup(h.stop, cls.proc)
        cls.url = "http://127.0.0.1:%d/index.html" % cls.port

    def test_alice_md5_digest(self):
        r = fetch("-u", "alice", self.url, password="apache-pw")
        self.assertEqual(r.returncode, 0, r.stderr + self.proc.output(1500))
        self.assertEqual(r.stdout, "apache says hello\n")
        self.assertIn("scheme digest-md5", r.stderr)

    def test_nc_counts_on_apache(self):
        # Two separate runs: each starts at nc=1 with its own nonce; Apache accepts both.
        for _ in range(2):
            r = fetch("-u", "alice", self.url, password="apache-pw")
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_wrong_password(self):
        r = fetch("-u", "alice", self.url, password="nope")
        self.assertEqual(r.returncode, 3, r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
