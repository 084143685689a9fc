#!/usr/bin/python3
"""Browser sessions end to end: the login page, the redirect to it and back, the session cookie,
idle expiry, logout (one session and everywhere), CSRF and open-redirect attacks on the login
form, and failed sign-ins. Runs `gatekeeper demo` and `gatekeeper serve` with users in SQLite.
"""
import html.parser
import os
import re
import sqlite3
import sys
import tempfile
import time
import unittest
import urllib.parse
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
import urllib3  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10
LOGIN = "/.gatekeeper/login"
LOGOUT = "/.gatekeeper/logout"
NAV = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document",
       "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FETCH = {"Sec-Fetch-Mode": "cors", "Accept": "application/json"}
# Field names: include/gatekeeper/issuer/login_page.hpp (kFieldUsername etc.).
F_USER, F_PASS, F_CSRF, F_RETURN, F_EVERYWHERE = "username", "password", "csrf_token", "return_to", "everywhere"


# --------------------------------------------------------------------------- helpers

class PageParser(html.parser.HTMLParser):
    """What the tests look at in a page: forms, inputs, labels, scripts and URLs of assets."""

    def __init__(self):
        super().__init__()
        self.forms = []          # [{"action", "method", "inputs": [attrs...]}]
        self.inputs = []         # attrs dicts of every <input>/<button>
        self.label_for = []      # the `for` of every <label>
        self.tags = []
        self.asset_urls = []     # src/href/action/srcset values
        self.inline_handlers = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        for k, v in attrs:
            if k.startswith("on"):
                self.inline_handlers.append((tag, k))
            if k in ("src", "href", "srcset", "action", "formaction", "poster", "data") and v is not None:
                self.asset_urls.append(v)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": (a.get("method") or "get").lower(), "inputs": []})
        elif tag in ("input", "button"):
            self.inputs.append(a)
            if self.forms:
                self.forms[-1]["inputs"].append(a)
        elif tag == "label":
            self.label_for.append(a.get("for"))

    def hidden(self, name):
        for a in self.inputs:
            if a.get("name") == name and a.get("type") == "hidden":
                return a.get("value")
        return None


def parse_page(text):
    p = PageParser()
    p.feed(text)
    p.close()
    return p


def set_cookie_lines(resp):
    """Every Set-Cookie field line of a requests response (not merged)."""
    try:
        return resp.raw.headers.getlist("Set-Cookie")
    except AttributeError:
        v = resp.headers.get("Set-Cookie")
        return [v] if v else []


def parse_set_cookie(line):
    """'n=v; Path=/; HttpOnly' -> (name, value, {"path": "/", "httponly": True})."""
    parts = [p.strip() for p in line.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, eq, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip() if eq else True
    return name.strip(), value.strip(), attrs


def cookies_set(resp):
    """{name: (value, attrs)} of the cookies a response sets."""
    out = {}
    for line in set_cookie_lines(resp):
        n, v, a = parse_set_cookie(line)
        out[n] = (v, a)
    return out


def echo_of(testcase, resp, proc=None):
    """The echo upstream's JSON (headers lower-cased), after asserting a 200."""
    testcase.assertEqual(resp.status_code, 200, "%d %s\n%s" % (
        resp.status_code, resp.text[:300], proc.output(1500) if proc else ""))
    doc = resp.json()
    doc["headers"] = {k.lower(): v for k, v in doc["headers"].items()}
    return doc


def flip_last(text):
    """The same string with its last character changed."""
    return text[:-1] + ("A" if text[-1] != "A" else "B")


def login_redirect_for(path_and_query):
    return LOGIN + "?rd=" + urllib.parse.quote(path_and_query, safe="")


class Browser:
    """A requests.Session that behaves like a browser towards one gatekeeper base URL."""

    def __init__(self, base, verify=True):
        self.base = base
        self.verify = verify  # per request: REQUESTS_CA_BUNDLE would override Session.verify
        self.s = requests.Session()

    def close(self):
        self.s.close()

    def get(self, path, nav=True, headers=None, **kw):
        hdrs = dict(NAV if nav else FETCH)
        hdrs.update(headers or {})
        kw.setdefault("timeout", T)
        kw.setdefault("allow_redirects", False)
        kw.setdefault("verify", self.verify)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return self.s.get(self.base + path, headers=hdrs, **kw)

    def post(self, path, data, headers=None, **kw):
        hdrs = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin", "Origin": self.base}
        hdrs.update(headers or {})
        kw.setdefault("timeout", T)
        kw.setdefault("allow_redirects", False)
        kw.setdefault("verify", self.verify)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return self.s.post(self.base + path, data=data, headers={k: v for k, v in hdrs.items() if v is not None},
                               **kw)

    def form(self, rd=None):
        """GET the login page; returns (response, parsed page)."""
        r = self.get(LOGIN, params={"rd": rd} if rd is not None else None)
        return r, parse_page(r.text)

    def login(self, user, password, rd=None, return_to=None, headers=None):
        """Fetch the form, then POST it as a browser would; returns the POST's response."""
        r, page = self.form(rd)
        assert r.status_code == 200, (r.status_code, r.text[:300])
        data = {F_CSRF: page.hidden(F_CSRF), F_RETURN: page.hidden(F_RETURN) if return_to is None else return_to,
                F_USER: user, F_PASS: password}
        return self.post(LOGIN, data, headers=headers)

    def csrf_of_signed_in_page(self):
        r, page = self.form()
        assert r.status_code == 200, (r.status_code, r.text[:300])
        return page.hidden(F_CSRF)

    def logout(self, everywhere=False, csrf="auto", headers=None):
        token = self.csrf_of_signed_in_page() if csrf == "auto" else csrf
        data = {}
        if token is not None:
            data[F_CSRF] = token
        if everywhere:
            data[F_EVERYWHERE] = "1"
        return self.post(LOGOUT, data, headers=headers)

    def cookie(self, name):
        for c in self.s.cookies:
            if c.name == name:
                return c.value
        return None


class DemoServer:
    """`gatekeeper demo` for a whole TestCase class."""

    @staticmethod
    def start(cls, prefix):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix=prefix)
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.state = os.path.join(cls._tmp.name, "state")
        cls.http_port, cls.https_port = h.free_port(), h.free_port()
        cls.proc = h.start_process(
            [h.GK_BIN, "demo", "--state", cls.state, "--http-port", str(cls.http_port),
             "--https-port", str(cls.https_port), "--echo-port", "0"],
            ready_port=[cls.http_port, cls.https_port], timeout=30, logdir=cls._tmp.name)
        cls.addClassCleanup(h.stop, cls.proc)
        cls.base = "http://127.0.0.1:%d" % cls.http_port
        cls.tls_base = "https://127.0.0.1:%d" % cls.https_port


SERVE_CONFIG = """\
server:
  threads: 2
  state_dir: ./state
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  app: {{ url: "http://127.0.0.1:{upstream}" }}
users:
  people: {{ sqlite: users.db }}
sessions:
  users: people
  idle_timeout: {idle}
  lifetime: {lifetime}
  allowed_return_hosts: [app.example.com, "tools.example.com:8443"]
routes:
  - name: app
    path: /app/
    upstream: app
    schemes: [session, basic]
    realm: app
    users: people
    require: authenticated
  - name: public
    path: /
    upstream: app
    require: public
"""

USERS = {"alice": "wonderland-pw", "bob": "builder-pw", "carol": "carol-pw"}


class ServeServer:
    """`gatekeeper serve` with SQLite users and a Python echo upstream, for a whole class."""

    @staticmethod
    def start(cls, prefix, idle="1h", lifetime="2h"):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix=prefix)
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.upstream = h.Upstream()
        cls.addClassCleanup(cls.upstream.close)
        cls.gk = h.GatekeeperServe(lambda port: SERVE_CONFIG.format(
            port=port, upstream=cls.upstream.port, idle=idle, lifetime=lifetime), cls._tmp.name)
        # serve does not create its state folder (the demo does): make it, as an operator would.
        os.makedirs(os.path.join(cls._tmp.name, "state"))
        for name, pw in USERS.items():
            r = h.gk("user", "add", name, "--config", cls.gk.config_path, stdin=pw + "\n")
            assert r.returncode == 0, r.stdout + r.stderr
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)
        cls.base = cls.gk.url("")
        cls.proc = cls.gk.proc
        cls.users_db = os.path.join(cls._tmp.name, "users.db")


class SessionAsserts:
    def browser(self, base=None, verify=True):
        """A Browser closed when the test ends."""
        b = Browser(base or self.base, verify)
        self.addCleanup(b.close)
        return b

    def assert_login_redirect(self, r, path_and_query):
        self.assertEqual(r.status_code, 303, "%d %s" % (r.status_code, r.text[:300]))
        self.assertEqual(r.headers.get("Location"), login_redirect_for(path_and_query))
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))

    def assert_signed_in(self, browser, path="/app/x", user=None):
        doc = echo_of(self, browser.get(path), self.proc)
        if user:
            self.assertEqual(doc["headers"].get("x-auth-request-user"), user)
        return doc

    def assert_signed_out(self, browser, path="/app/x"):
        self.assert_login_redirect(browser.get(path), path)


# --------------------------------------------------------------------------- 1. the login page

class LoginPageTest(SessionAsserts, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DemoServer.start(cls, "gk-sess-page-")

    def check_page_headers(self, r):
        self.assertTrue(r.headers.get("Content-Type", "").startswith("text/html"), r.headers)
        csp = r.headers.get("Content-Security-Policy", "")
        directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
        self.assertEqual(directives.get("default-src"), "default-src 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertNotIn("*", csp.replace("'", ""), "no wildcard sources: " + csp)
        self.assertEqual(directives.get("frame-ancestors"), "frame-ancestors 'none'", csp)
        self.assertIn("form-action", directives, csp)
        self.assertEqual(r.headers.get("X-Frame-Options", "").upper(), "DENY")
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))
        self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff")

    def check_page_body(self, page, text):
        self.assertNotIn("script", page.tags)
        self.assertNotIn("<script", text.lower())
        self.assertEqual(page.inline_handlers, [], "no inline event handlers")
        for url in page.asset_urls:
            self.assertFalse(re.match(r"^\s*([a-z][a-z0-9+.-]*:|//)", url, re.I), "external or scheme URL %r" % url)
        self.assertNotIn("iframe", page.tags)
        self.assertNotIn("link", page.tags)  # no stylesheet/font/icon fetches
        self.assertNotIn("img", page.tags)

    def test_login_page_is_strict_and_self_contained(self):
        b = self.browser()
        r, page = b.form("/app/")
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.check_page_headers(r)
        self.check_page_body(page, r.text)
        [form] = page.forms
        self.assertEqual(form["method"], "post")
        self.assertEqual(form["action"], LOGIN)
        names = {a.get("name") for a in form["inputs"]}
        for n in (F_USER, F_PASS, F_CSRF, F_RETURN):
            self.assertIn(n, names)
        self.assertEqual(page.hidden(F_RETURN), "/app/")
        self.assertTrue(page.hidden(F_CSRF))
        # Every visible input has a <label for=...> naming its id.
        visible = [a for a in page.inputs if a.get("type") not in ("hidden", "submit") and a.get("name")]
        self.assertGreaterEqual(len(visible), 2)
        for a in visible:
            self.assertTrue(a.get("id"), a)
            self.assertIn(a.get("id"), page.label_for, a)
        pw = [a for a in visible if a.get("name") == F_PASS][0]
        self.assertEqual(pw.get("type"), "password")
        self.assertEqual(pw.get("autocomplete"), "current-password")
        # The CSRF cookie that goes with the form.
        jar = cookies_set(r)
        self.assertIn("gatekeeper-csrf", jar, set_cookie_lines(r))
        _, attrs = jar["gatekeeper-csrf"]
        self.assertIn("httponly", attrs)
        self.assertEqual(str(attrs.get("path")), "/")
        self.assertIn(str(attrs.get("samesite")).lower(), ("strict", "lax"))

    def test_error_page_and_signed_in_page_are_as_strict(self):
        b = self.browser()
        r = b.login("alice", "not-the-password")
        self.assertEqual(r.status_code, 401)
        self.check_page_headers(r)
        self.check_page_body(parse_page(r.text), r.text)
        self.assertEqual(b.login("alice", "wonderland").status_code, 303)
        r, page = b.form()
        self.assertEqual(r.status_code, 200)
        self.check_page_headers(r)
        self.check_page_body(page, r.text)
        self.assertIn("alice", r.text)
        self.assertEqual([f["action"] for f in page.forms], [LOGOUT])

    def test_login_page_over_https(self):
        b = self.browser(self.tls_base, verify=False)
        r, page = b.form("/app/")
        self.assertEqual(r.status_code, 200)
        self.check_page_headers(r)
        jar = cookies_set(r)
        self.assertIn("__Host-gatekeeper-csrf", jar, set_cookie_lines(r))
        _, attrs = jar["__Host-gatekeeper-csrf"]
        self.assertIn("secure", attrs)
        self.assertNotIn("domain", attrs)
        self.assertEqual(str(attrs.get("path")), "/")

    def test_title_names_the_product_once(self):
        r, page = self.browser().form()
        title = re.search(r"<title>(.*?)</title>", r.text, re.S).group(1)
        self.assertNotEqual(title, "Sign in \u00b7 Sign in", "the title repeats itself")
        self.assertNotIn('<p class="sub">Sign in</p>', r.text, "the subtitle repeats the heading")

    def test_head_and_wrong_method(self):
        r = requests.head(self.base + LOGIN, timeout=T)
        self.assertEqual(r.status_code, 200)
        r = requests.put(self.base + LOGIN, data="x", timeout=T)
        self.assertEqual(r.status_code, 405)
        self.assertIn("POST", r.headers.get("Allow", ""))
        self.assertEqual(requests.get(self.base + LOGOUT, timeout=T).status_code, 405)


# --------------------------------------------------------------------------- 2, 3. redirect, login, cookie

class LoginFlowTest(SessionAsserts, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DemoServer.start(cls, "gk-sess-flow-")

    def test_navigation_redirects_and_fetch_gets_401(self):
        b = self.browser()
        self.assert_login_redirect(b.get("/app/x?y=1"), "/app/x?y=1")
        # Old browsers without Fetch Metadata: Accept text/html is enough, X-Requested-With is not.
        r = requests.get(self.base + "/app/x?y=1", headers={"Accept": "text/html"}, allow_redirects=False, timeout=T)
        self.assert_login_redirect(r, "/app/x?y=1")
        for hdrs in (FETCH, {"Accept": "application/json"}, {},
                     {"Accept": "text/html", "X-Requested-With": "XMLHttpRequest"}):
            with self.subTest(headers=hdrs):
                r = requests.get(self.base + "/app/x?y=1", headers=hdrs, allow_redirects=False, timeout=T)
                self.assertEqual(r.status_code, 401, r.text[:300])
                self.assertTrue(h.www_authenticate_lines(r.raw.headers))
                self.assertIn("no-store", r.headers.get("Cache-Control", ""))
                if "text/html" not in hdrs.get("Accept", ""):  # an HTML error page is chosen by Accept
                    doc = h.problem_json_ok(self, r, 401)
                    self.assertEqual(doc.get("login_url"), login_redirect_for("/app/x?y=1"), doc)
        # POST navigations (a form submitted to the app) are not redirected to a GET-only page... but
        # whatever the answer, never a 200.
        r = requests.post(self.base + "/app/x", data="a=1", headers=NAV, allow_redirects=False, timeout=T)
        self.assertIn(r.status_code, (303, 401))

    def test_login_round_trip(self):
        b = self.browser()
        r = b.get("/app/x?y=1")
        self.assert_login_redirect(r, "/app/x?y=1")
        r, page = b.form("/app/x?y=1")
        self.assertEqual(page.hidden(F_RETURN), "/app/x?y=1")
        r = b.post(LOGIN, {F_CSRF: page.hidden(F_CSRF), F_RETURN: page.hidden(F_RETURN),
                           F_USER: "alice", F_PASS: "wonderland"})
        self.assertEqual(r.status_code, 303, r.text[:300])
        self.assertEqual(r.headers.get("Location"), "/app/x?y=1")
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))
        jar = cookies_set(r)
        self.assertIn("gatekeeper", jar, set_cookie_lines(r))
        value, attrs = jar["gatekeeper"]
        self.assertGreaterEqual(len(value), 22, "a session id with enough entropy")
        self.assertIn("httponly", attrs)
        self.assertEqual(str(attrs.get("samesite")).lower(), "lax")
        self.assertEqual(attrs.get("path"), "/")
        self.assertNotIn("domain", attrs)
        self.assertNotIn("secure", attrs, "plain HTTP: a Secure cookie would never come back")
        # The csrf cookie has served its purpose.
        if "gatekeeper-csrf" in jar:
            self.assertEqual(jar["gatekeeper-csrf"][1].get("max-age"), "0")
        # Follow the redirect as the browser would, with a cookie of the app's own beside ours.
        b.s.cookies.set("appcookie", "keep-me", domain="127.0.0.1", path="/")
        r = b.get(r.headers["Location"])
        doc = echo_of(self, r, self.proc)
        self.assertEqual(doc["path"], "/app/x?y=1")
        self.assertEqual(doc["method"], "GET")
        self.assertEqual(doc["headers"].get("x-auth-request-user"), "alice")
        self.assertEqual(doc["headers"].get("remote-user"), "alice")
        self.assertEqual(doc["headers"].get("x-auth-request-groups"), "admins")
        cookie = doc["headers"].get("cookie", "")
        self.assertNotIn("gatekeeper", cookie, "gatekeeper's cookies are not forwarded upstream")
        self.assertNotIn(value, cookie)
        self.assertIn("appcookie=keep-me", cookie)
        # The session also answers fetch-style requests.
        self.assertEqual(echo_of(self, b.get("/app/y", nav=False))["headers"].get("x-auth-request-user"), "alice")
        # A session is not a Basic/Digest login for /admin/ (no session scheme there).
        self.assertEqual(b.get("/admin/", nav=False).status_code, 401)

    def test_login_over_https_uses_host_prefixed_secure_cookie(self):
        b = self.browser(self.tls_base, verify=False)
        r = b.login("bob", "builder", rd="/app/tls")
        self.assertEqual(r.status_code, 303, r.text[:300])
        self.assertEqual(r.headers.get("Location"), "/app/tls")
        jar = cookies_set(r)
        self.assertIn("__Host-gatekeeper", jar, set_cookie_lines(r))
        self.assertNotIn("gatekeeper", jar)
        _, attrs = jar["__Host-gatekeeper"]
        self.assertIn("secure", attrs)
        self.assertIn("httponly", attrs)
        self.assertEqual(str(attrs.get("samesite")).lower(), "lax")
        self.assertEqual(attrs.get("path"), "/")
        self.assertNotIn("domain", attrs)
        doc = echo_of(self, b.get("/app/tls"), self.proc)
        self.assertEqual(doc["headers"].get("x-auth-request-user"), "bob")
        self.assertNotIn("gatekeeper", doc["headers"].get("cookie", ""))
        self.assertEqual(doc["headers"].get("x-forwarded-proto"), "https")
        # Over HTTPS the plain-HTTP cookie name means nothing.
        value = jar["__Host-gatekeeper"][0]
        r = b.get("/app/tls", headers={"Cookie": "gatekeeper=" + value})
        self.assertEqual(r.status_code, 303)

    def test_new_session_id_at_every_login(self):
        first = self.browser()
        self.assertEqual(first.login("alice", "wonderland").status_code, 303)
        old = first.cookie("gatekeeper")
        self.assertTrue(old)
        self.assert_signed_in(first, user="alice")
        # The same browser signs in again (the old cookie still in its jar when the form is posted).
        again = self.browser()
        r, page = again.form()
        again.s.cookies.set("gatekeeper", old, domain="127.0.0.1", path="/")
        r = again.post(LOGIN, {F_CSRF: page.hidden(F_CSRF), F_RETURN: "/app/", F_USER: "alice",
                               F_PASS: "wonderland"})
        self.assertEqual(r.status_code, 303, r.text[:300])
        new = cookies_set(r)["gatekeeper"][0]
        self.assertNotEqual(new, old)
        self.assert_signed_in(again, user="alice")
        # The old id is over on the server, not only replaced in one jar.
        self.assert_signed_out(first)

    def test_planted_session_id_is_not_adopted(self):
        b = self.browser()
        r, page = b.form()
        planted = "A" * 43
        b.s.cookies.set("gatekeeper", planted, domain="127.0.0.1", path="/")
        r = b.post(LOGIN, {F_CSRF: page.hidden(F_CSRF), F_RETURN: "/app/", F_USER: "bob", F_PASS: "builder"})
        self.assertEqual(r.status_code, 303, r.text[:300])
        self.assertNotEqual(cookies_set(r)["gatekeeper"][0], planted)
        r = requests.get(self.base + "/app/x", headers=dict(NAV, Cookie="gatekeeper=" + planted),
                         allow_redirects=False, timeout=T)
        self.assertEqual(r.status_code, 303)

    def test_two_logins_are_two_sessions(self):
        a, b = self.browser(), self.browser()
        self.assertEqual(a.login("bob", "builder").status_code, 303)
        self.assertEqual(b.login("bob", "builder").status_code, 303)
        self.assertNotEqual(a.cookie("gatekeeper"), b.cookie("gatekeeper"))
        self.assert_signed_in(a, user="bob")
        self.assert_signed_in(b, user="bob")

    def test_forged_and_duplicate_session_cookies(self):
        b = self.browser()
        self.assertEqual(b.login("alice", "wonderland").status_code, 303)
        good = b.cookie("gatekeeper")
        flipped = flip_last(good)
        for cookie in ("gatekeeper=" + flipped, "gatekeeper=not a session", "gatekeeper=",
                       "gatekeeper=%s; gatekeeper=%s" % (good, flipped)):
            with self.subTest(cookie=cookie):
                r = requests.get(self.base + "/app/x", headers=dict(FETCH, Cookie=cookie),
                                 allow_redirects=False, timeout=T)
                self.assertEqual(r.status_code, 401, r.text[:200])
        r = requests.get(self.base + "/app/x", headers=dict(FETCH, Cookie="gatekeeper=" + good), timeout=T)
        self.assertEqual(r.status_code, 200)


# --------------------------------------------------------------------------- 4. idle expiry

class IdleExpiryTest(SessionAsserts, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ServeServer.start(cls, "gk-sess-idle-", idle="2s", lifetime="1h")

    def test_idle_session_ends_and_login_brings_back(self):
        b = self.browser()
        r = b.login("alice", USERS["alice"], rd="/app/x?y=1")
        self.assertEqual(r.status_code, 303, r.text[:300] + self.proc.output(1500))
        self.assertEqual(r.headers.get("Location"), "/app/x?y=1")
        self.assert_signed_in(b, "/app/x?y=1", user="alice")
        time.sleep(3.2)
        r = b.get("/app/x?y=1")
        self.assert_login_redirect(r, "/app/x?y=1")
        # Fetch-style callers get 401 with the same login URL.
        doc = h.problem_json_ok(self, b.get("/app/x?y=1", nav=False), 401)
        self.assertEqual(doc.get("login_url"), login_redirect_for("/app/x?y=1"))
        # Follow the redirect to the login page and sign in again: back where we were.
        r, page = b.form("/app/x?y=1")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(page.hidden(F_RETURN), "/app/x?y=1")
        r = b.post(LOGIN, {F_CSRF: page.hidden(F_CSRF), F_RETURN: page.hidden(F_RETURN),
                           F_USER: "alice", F_PASS: USERS["alice"]})
        self.assertEqual(r.status_code, 303, r.text[:300])
        self.assertEqual(r.headers.get("Location"), "/app/x?y=1")
        doc = self.assert_signed_in(b, r.headers["Location"], user="alice")
        self.assertEqual(doc["path"], "/app/x?y=1")

    def test_activity_keeps_the_session_alive(self):
        b = self.browser()
        self.assertEqual(b.login("bob", USERS["bob"]).status_code, 303)
        deadline = time.monotonic() + 4.5
        n = 0
        while time.monotonic() < deadline:
            self.assert_signed_in(b, "/app/busy", user="bob")
            n += 1
            time.sleep(0.4)
        self.assertGreaterEqual(n, 8)


# --------------------------------------------------------------------------- 5. logout

class LogoutTest(SessionAsserts, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ServeServer.start(cls, "gk-sess-logout-")

    def signed_in(self, user):
        b = self.browser()
        r = b.login(user, USERS[user])
        self.assertEqual(r.status_code, 303, r.text[:300] + self.proc.output(1500))
        self.assert_signed_in(b, user=user)
        return b

    def test_logout_with_csrf_ends_the_session(self):
        b = self.signed_in("alice")
        old = b.cookie("gatekeeper")
        r = b.logout()
        self.assertEqual(r.status_code, 303, r.text[:300])
        self.assertEqual(r.headers.get("Location"), LOGIN)
        jar = cookies_set(r)
        self.assertIn("gatekeeper", jar, set_cookie_lines(r))
        value, attrs = jar["gatekeeper"]
        self.assertEqual(value, "")
        self.assertTrue(attrs.get("max-age") == "0" or "expires" in attrs, attrs)
        self.assertIsNone(b.cookie("gatekeeper"))
        self.assert_signed_out(b)
        # The id is ended on the server: replaying the old cookie does not work.
        r = requests.get(self.base + "/app/x", headers=dict(NAV, Cookie="gatekeeper=" + old),
                         allow_redirects=False, timeout=T)
        self.assertEqual(r.status_code, 303)
        # After logout the login page shows the form again.
        r, page = b.form()
        self.assertEqual([f["action"] for f in page.forms], [LOGIN])

    def test_logout_without_or_with_wrong_csrf_is_refused(self):
        b = self.signed_in("alice")
        good = b.csrf_of_signed_in_page()
        self.assertTrue(good)
        bobs = self.signed_in("bob").csrf_of_signed_in_page()
        for label, csrf, extra in (("no token", None, None), ("empty token", "", None),
                                   ("wrong token", flip_last(good), None),
                                   ("another session's token", bobs, None),
                                   ("cross-site Origin", good, {"Origin": "https://evil.example"}),
                                   ("cross-site fetch", good, {"Sec-Fetch-Site": "cross-site", "Origin": None})):
            with self.subTest(label):
                r = b.logout(csrf=csrf, headers=extra)
                self.assertEqual(r.status_code, 403, r.text[:300])
                self.assertNotIn("gatekeeper", cookies_set(r))
                self.assert_signed_in(b, user="alice")

    def test_logout_everywhere(self):
        a1, a2, other = self.signed_in("carol"), self.signed_in("carol"), self.signed_in("bob")
        r = a1.logout(everywhere=True)
        self.assertEqual(r.status_code, 303, r.text[:300])
        self.assert_signed_out(a1)
        self.assert_signed_out(a2)
        self.assert_signed_in(other, user="bob")
        # A single logout of one session leaves the user's others alone.
        b1, b2 = self.signed_in("carol"), self.signed_in("carol")
        self.assertEqual(b1.logout().status_code, 303)
        self.assert_signed_out(b1)
        self.assert_signed_in(b2, user="carol")

    def test_logout_without_session_just_clears(self):
        b = self.browser()
        r = b.logout(csrf="whatever")
        self.assertEqual(r.status_code, 303)
        self.assertEqual(r.headers.get("Location"), LOGIN)


# --------------------------------------------------------------------------- 6. CSRF and open redirects

class LoginAttackTest(SessionAsserts, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ServeServer.start(cls, "gk-sess-attack-")

    def fresh_form(self):
        b = self.browser()
        r, page = b.form()
        self.assertEqual(r.status_code, 200)
        return b, page.hidden(F_CSRF)

    def assert_refused(self, r):
        self.assertEqual(r.status_code, 403, r.text[:300])
        self.assertNotIn("gatekeeper", cookies_set(r), set_cookie_lines(r))
        self.assertIsNone(r.headers.get("Location"))

    def creds(self, token, user="alice"):
        return {F_CSRF: token, F_RETURN: "/app/", F_USER: user, F_PASS: USERS[user]}

    def test_csrf_token_and_cookie_are_required(self):
        # No csrf cookie at all (a cross-site form post from a browser that never saw the page).
        _, token = self.fresh_form()
        r = requests.post(self.base + LOGIN, data=self.creds(token), allow_redirects=False, timeout=T)
        self.assert_refused(r)
        # Cookie present, token missing / empty / wrong / from another browser.
        b, token = self.fresh_form()
        _, other_token = self.fresh_form()
        for label, tok in (("missing", None), ("empty", ""), ("wrong", flip_last(token)),
                           ("another browser's", other_token)):
            with self.subTest(label):
                data = self.creds(tok)
                if tok is None:
                    del data[F_CSRF]
                self.assert_refused(b.post(LOGIN, data))
        # The token is bound to the cookie: a cookie the attacker chose with a token for another one fails.
        b.s.cookies.set("gatekeeper-csrf", "A" * 43, domain="127.0.0.1", path="/")
        self.assert_refused(b.post(LOGIN, self.creds(token)))
        # The refusal page is a fresh form the user can submit.
        b2, token2 = self.fresh_form()
        r = b2.post(LOGIN, self.creds(""))
        self.assert_refused(r)
        page = parse_page(r.text)
        self.assertTrue(page.hidden(F_CSRF))
        r = b2.post(LOGIN, self.creds(page.hidden(F_CSRF)))
        self.assertEqual(r.status_code, 303, r.text[:300])

    def test_cross_site_posts_are_refused(self):
        for label, hdrs in (("evil Origin", {"Origin": "https://evil.example"}),
                            ("same host other scheme", {"Origin": self.base.replace("http://", "https://")}),
                            ("other port", {"Origin": "http://127.0.0.1:1"}),
                            ("Sec-Fetch-Site cross-site", {"Origin": None, "Sec-Fetch-Site": "cross-site"})):
            with self.subTest(label):
                b, token = self.fresh_form()
                self.assert_refused(b.post(LOGIN, self.creds(token), headers=hdrs))
        # Same-origin, and no Origin at all (older browsers), are fine.
        b, token = self.fresh_form()
        r = b.post(LOGIN, self.creds(token), headers={"Origin": None, "Sec-Fetch-Site": None})
        self.assertEqual(r.status_code, 303, r.text[:300])

    def login_location(self, return_to=None, rd=None):
        b = self.browser()
        r, page = b.form(rd)
        data = {F_CSRF: page.hidden(F_CSRF), F_RETURN: page.hidden(F_RETURN) if return_to is None else return_to,
                F_USER: "bob", F_PASS: USERS["bob"]}
        r = b.post(LOGIN, data)
        self.assertEqual(r.status_code, 303, r.text[:300])
        return page.hidden(F_RETURN), r.headers.get("Location")

    EVIL = ["//evil.example", "///evil.example", "https://evil.example", "http://evil.example/app/",
            "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>", "%2F%2Fevil.example", "/%2F%2Fevil.example",
            "/%5Cevil.example", "/%252F%252Fevil.example", "https://app.example.com@evil.example/",
            "https://evil.example\\@app.example.com/", "https://app.example.com.evil.example/",
            "http://tools.example.com:8443.evil.example/", "/app/\r\nSet-Cookie: x=1", "/app/\tx", "",
            "https://tools.example.com/", "  https://evil.example"]

    def test_open_redirects_fall_back_to_root(self):
        for rd in self.EVIL:
            with self.subTest(rd=rd):
                # As the rd of the login page: the hidden field is already vetted...
                hidden, loc = self.login_location(rd=rd)
                self.assertEqual(hidden, "/")
                self.assertEqual(loc, "/")
                # ...and as a return_to posted directly (a hand-made form).
                _, loc = self.login_location(return_to=rd)
                self.assertEqual(loc, "/")

    def test_same_site_paths_and_allowed_hosts_are_kept(self):
        own = self.base  # the gateway's own origin is always allowed
        for rd, expected in (("/app/x?y=1", "/app/x?y=1"), ("/app/a%20b?q=%2F", "/app/a%20b?q=%2F"),
                             ("/", "/"), ("https://app.example.com/dash?x=1", "https://app.example.com/dash?x=1"),
                             ("https://APP.example.com/", "https://app.example.com/"),
                             ("https://tools.example.com:8443/t", "https://tools.example.com:8443/t"),
                             (own + "/app/z", own + "/app/z")):
            with self.subTest(rd=rd):
                hidden, loc = self.login_location(rd=rd)
                self.assertEqual(loc, expected)
                _, loc = self.login_location(return_to=rd)
                self.assertEqual(loc, expected)

    def test_allowed_return_host_is_in_form_action(self):
        b = self.browser()
        r, page = b.form("https://app.example.com/dash")
        self.assertEqual(page.hidden(F_RETURN), "https://app.example.com/dash")
        csp = r.headers.get("Content-Security-Policy", "")
        self.assertIn("https://app.example.com", csp)
        r, page = b.form("https://evil.example/")
        self.assertNotIn("evil", r.headers.get("Content-Security-Policy", ""))

    def test_signed_in_page_vets_rd_too(self):
        b = self.browser()
        self.assertEqual(b.login("bob", USERS["bob"]).status_code, 303)
        r, page = b.form("//evil.example")
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("evil.example", r.text)


# --------------------------------------------------------------------------- 7. failed sign-ins

class LoginFailureTest(SessionAsserts, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ServeServer.start(cls, "gk-sess-fail-")

    def error_text(self, r):
        m = re.search(r'<p id="gk-error"[^>]*>(.*?)</p>', r.text, re.S)
        return m.group(1) if m else None

    def test_wrong_password_and_unknown_user_look_the_same(self):
        answers = []
        for user, pw in (("alice", "wrong"), ("nobody", "wrong"), ("alice", ""), ("", "x"),
                         ("ALICE", USERS["alice"]), ("alice", USERS["alice"] + " ")):
            with self.subTest(user=user, pw=pw):
                b = self.browser()
                r = b.login(user, pw, rd="/app/x")
                self.assertEqual(r.status_code, 401, r.text[:300])
                self.assertTrue(r.headers.get("Content-Type", "").startswith("text/html"))
                self.assertIn("no-store", r.headers.get("Cache-Control", ""))
                self.assertNotIn("gatekeeper", cookies_set(r), set_cookie_lines(r))
                self.assertIsNone(r.headers.get("Location"))
                page = parse_page(r.text)
                self.assertEqual(page.hidden(F_RETURN), "/app/x", "the return URL survives a failed attempt")
                self.assertTrue(page.hidden(F_CSRF))
                if len(pw) >= 5:
                    self.assertNotIn(pw, r.text, "the password is never echoed")
                answers.append(self.error_text(r))
                self.assert_signed_out(b)
        self.assertTrue(answers[0])
        self.assertEqual(len(set(answers)), 1, answers)
        # The form can be retried with the token of the error page.
        b = self.browser()
        r = b.login("alice", "wrong")
        page = parse_page(r.text)
        r = b.post(LOGIN, {F_CSRF: page.hidden(F_CSRF), F_RETURN: page.hidden(F_RETURN),
                           F_USER: "alice", F_PASS: USERS["alice"]})
        self.assertEqual(r.status_code, 303, r.text[:300])

    def test_disabled_user_cannot_sign_in_and_loses_sessions(self):
        # `gatekeeper user` has no disable command (yet): flip the column the SQLite source reads.
        b = self.browser()
        self.assertEqual(b.login("carol", USERS["carol"]).status_code, 303)
        self.assert_signed_in(b, user="carol")
        with sqlite3.connect(self.users_db, timeout=10) as db:
            n = db.execute("UPDATE users SET disabled = 1 WHERE name = 'carol'").rowcount
        self.assertEqual(n, 1)
        try:
            self.assert_signed_out(b)
            r = self.browser().login("carol", USERS["carol"])
            self.assertEqual(r.status_code, 401, r.text[:300])
            self.assertNotIn("gatekeeper", cookies_set(r))
            other = self.browser().login("nobody", "wrong")
            self.assertEqual(self.error_text(r), self.error_text(other), "disabled looks like any failure")
        finally:
            with sqlite3.connect(self.users_db, timeout=10) as db:
                db.execute("UPDATE users SET disabled = 0 WHERE name = 'carol'")
        self.assertEqual(self.browser().login("carol", USERS["carol"]).status_code, 303)

    def test_deleted_user_loses_the_session(self):
        r = h.gk("user", "add", "dave", "--config", self.gk.config_path, stdin="dave-pw\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        b = self.browser()
        self.assertEqual(b.login("dave", "dave-pw").status_code, 303)
        self.assert_signed_in(b, user="dave")
        r = h.gk("user", "del", "dave", "--config", self.gk.config_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_signed_out(b)

    def test_malformed_form_bodies(self):
        b = self.browser()
        b.form()
        for body in (b"%zz=1", b"username=a&username=b&password=x"):
            with self.subTest(body=body):
                r = b.post(LOGIN, body, headers={"Content-Type": "application/x-www-form-urlencoded"})
                self.assertIn(r.status_code, (400, 403), r.text[:200])
                self.assertNotIn("gatekeeper", cookies_set(r))
        r = b.post(LOGIN, b"a=" + b"x" * (70 * 1024), headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status_code, 413)


if __name__ == "__main__":
    unittest.main()
