#!/usr/bin/python3
"""A real nginx with `auth_request` asking gatekeeper (`/.gatekeeper/auth`) before proxying to a
Python app. The nginx config is nginx_forward_auth.conf.in, the README's recipe.
"""
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402

import gk_harness as h  # noqa: E402

NGINX = "/usr/sbin/nginx"
T = 10
TEMPLATE = os.path.join(h.HERE, "nginx_forward_auth.conf.in")

# gatekeeper answers forward-auth itself: no upstreams.
GK_CONFIG = """\
server:
  threads: 2
  trusted_proxies: [127.0.0.0/8]
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
users:
  staff: {{ htpasswd: users.htpasswd }}
routes:
  - name: admin
    path: /admin/
    schemes: [basic]
    realm: Admin Panel
    users: staff
    require: {{ users: [alice] }}
  - name: app
    path: /app/
    schemes: [basic]
    realm: App
    users: staff
    require: authenticated
  - name: portal
    path: /portal/
    schemes: [session, basic]
    realm: Portal
    users: staff
    require: authenticated
  - name: public
    path: /
    require: public
sessions:
  users: staff
"""


def render_template(text, **values):
    for k, v in values.items():
        text = text.replace("@%s@" % k, str(v))
    return text


class NginxForwardAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        if not os.access(NGINX, os.X_OK):
            raise AssertionError("nginx not installed at %s (Debian package nginx-light)" % NGINX)
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-nginx-")
        cls.addClassCleanup(cls._tmp.cleanup)
        tmp = cls._tmp.name
        os.chmod(tmp, 0o755)  # nginx workers run as an unprivileged user and write temp files here
        cls.app = h.Upstream()
        cls.addClassCleanup(cls.app.close)
        h.make_htpasswd(os.path.join(tmp, "users.htpasswd"), {"alice": "wonderland", "bob": "builder"})
        cls.gk = h.GatekeeperServe(lambda p: GK_CONFIG.format(port=p), tmp)
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)

        cls.nginx_port = h.free_port()
        ngx_dir = os.path.join(tmp, "nginx")
        os.makedirs(ngx_dir)
        os.chmod(ngx_dir, 0o777)
        with open(TEMPLATE) as f:
            conf = render_template(f.read(), NGINX_PORT=cls.nginx_port, GK_PORT=cls.gk.port,
                                   APP_PORT=cls.app.port, TEMP_DIR=ngx_dir)
        assert not re.search(r"@[A-Z_]+@", conf), "unreplaced placeholder in the nginx template"
        cls.conf_path = os.path.join(ngx_dir, "nginx.conf")
        with open(cls.conf_path, "w") as f:
            f.write(conf)
        cls.nginx = h.start_process(
            [NGINX, "-e", "stderr", "-p", ngx_dir, "-c", cls.conf_path,
             "-g", "daemon off; pid %s/nginx.pid;" % ngx_dir],
            ready_port=cls.nginx_port, timeout=15, logdir=tmp)
        cls.addClassCleanup(h.stop_tree, cls.nginx)
        cls.base = "http://127.0.0.1:%d" % cls.nginx_port

    def get(self, path, **kw):
        kw.setdefault("timeout", T)
        return requests.get(self.base + path, **kw)

    def diag(self):
        return "\n" + self.nginx.output(2000) + "\n" + self.gk.output()

    def app_saw(self, path):
        return [r for r in self.app.seen() if r.path == path]

    def test_browser_is_sent_to_login_and_back_through_nginx(self):
        nav = {"Accept": "text/html", "Sec-Fetch-Mode": "navigate"}
        r = self.get("/portal/x?y=1", headers=nav, allow_redirects=False)
        self.assertEqual(r.status_code, 303, self.diag())
        # nginx makes the Location absolute (absolute_redirect), on its own origin.
        self.assertIn(r.headers["Location"], ("/.gatekeeper/login?rd=%2Fportal%2Fx%3Fy%3D1",
                                              self.base + "/.gatekeeper/login?rd=%2Fportal%2Fx%3Fy%3D1"))
        # An API caller on the same route still gets gatekeeper's 401 and challenge.
        r = self.get("/portal/x", headers={"Accept": "application/json"})
        self.assertEqual(r.status_code, 401)
        self.assertIn("Basic", r.headers.get("WWW-Authenticate", ""))
        # The login page, served by gatekeeper under nginx's origin, signs the browser in.
        s = requests.Session()
        page = s.get(self.base + "/.gatekeeper/login?rd=%2Fportal%2Fx%3Fy%3D1", timeout=T)
        self.assertEqual(page.status_code, 200, self.diag())
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
        fields.update({"username": "bob", "password": "builder"})
        r = s.post(self.base + "/.gatekeeper/login", data=fields, headers={"Origin": self.base},
                   allow_redirects=False, timeout=T)
        self.assertEqual(r.status_code, 303, r.text[:300])
        self.assertEqual(r.headers["Location"], "/portal/x?y=1")
        r = s.get(self.base + "/portal/x?y=1", headers=nav, allow_redirects=False, timeout=T)
        self.assertEqual(r.status_code, 200, self.diag())
        seen = [q for q in self.app.seen() if q.path.startswith("/portal/x")]
        self.assertTrue(seen, "the app saw no /portal/x request")
        self.assertEqual(seen[-1].get("X-Auth-Request-User"), "bob")

    def test_template_is_valid_nginx(self):
        r = h.run([NGINX, "-t", "-e", "stderr", "-p", os.path.dirname(self.conf_path), "-c", self.conf_path,
                   "-g", "pid %s/test.pid;" % os.path.dirname(self.conf_path)])
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_browser_gets_basic_challenge(self):
        r = self.get("/admin/no-creds")
        self.assertEqual(r.status_code, 401, self.diag())
        self.assertEqual(h.www_authenticate_lines(r.raw.headers), ['Basic realm="Admin Panel", charset="UTF-8"'])
        self.assertEqual(self.app_saw("/admin/no-creds"), [])

    def test_wrong_password_gets_challenge(self):
        r = self.get("/app/wrong", auth=HTTPBasicAuth("alice", "nope"))
        self.assertEqual(r.status_code, 401, self.diag())
        self.assertEqual(h.www_authenticate_lines(r.raw.headers), ['Basic realm="App", charset="UTF-8"'])
        self.assertEqual(self.app_saw("/app/wrong"), [])

    def test_alice_reaches_admin_with_identity(self):
        r = self.get("/admin/panel?tab=1", auth=HTTPBasicAuth("alice", "wonderland"))
        self.assertEqual(r.status_code, 200, self.diag())
        rec = self.app_saw("/admin/panel?tab=1")
        self.assertEqual(len(rec), 1)
        self.assertEqual(rec[0].get("X-Auth-Request-User"), "alice")
        self.assertEqual(rec[0].get("Remote-User"), "alice")
        self.assertIsNone(rec[0].get("Authorization"))
        self.assertNotIn("WWW-Authenticate", r.headers)

    def test_bob_forbidden_on_admin(self):
        r = self.get("/admin/panel-bob", auth=HTTPBasicAuth("bob", "builder"))
        self.assertEqual(r.status_code, 403, self.diag())
        self.assertNotIn("WWW-Authenticate", r.headers)
        self.assertEqual(self.app_saw("/admin/panel-bob"), [])

    def test_bob_reaches_app(self):
        r = self.get("/app/bob", auth=HTTPBasicAuth("bob", "builder"))
        self.assertEqual(r.status_code, 200, self.diag())
        self.assertEqual(self.app_saw("/app/bob")[0].get("X-Auth-Request-User"), "bob")

    def test_public_path_without_identity(self):
        r = self.get("/hello", headers={"X-Auth-Request-User": "mallory", "Remote-User": "mallory"})
        self.assertEqual(r.status_code, 200, self.diag())
        rec = self.app_saw("/hello")[0]
        self.assertIsNone(rec.get("X-Auth-Request-User"))
        self.assertIsNone(rec.get("Remote-User"))

    def test_raw_uri_tricks_still_hit_admin_rule(self):
        # nginx matches `location /` on its own normalized URI but sends the raw $request_uri as
        # X-Original-URI: gatekeeper must normalize it onto /admin/ too.
        for target in ("/%61dmin/x", "/public/../admin/x", "//admin/x"):
            resp = h.raw_request(self.nginx_port, ("GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                                                   % target).encode())
            self.assertEqual(resp.status, 401, "%s: %r%s" % (target, resp, self.diag()))
        self.assertFalse([p for p in self.app.paths() if "admin/x" in p], self.app.paths())

    def test_method_is_passed(self):
        r = requests.post(self.base + "/app/post", data=b"abc", auth=HTTPBasicAuth("bob", "builder"), timeout=T)
        self.assertEqual(r.status_code, 200, self.diag())
        rec = self.app_saw("/app/post")[0]
        self.assertEqual(rec.method, "POST")
        self.assertEqual(rec.body_bytes, 3)


if __name__ == "__main__":
    unittest.main()
