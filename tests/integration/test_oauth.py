#!/usr/bin/python3
"""gatekeeper as an OAuth 2 authorization server, end to end against the real binary:
metadata (RFC 8414) and JWKS, client_credentials, authorization code with PKCE through the
login page, refresh-token rotation and reuse detection, revocation (RFC 7009), introspection
(RFC 7662) and access-token expiry. Most classes run `gatekeeper demo`; the expiry class runs
`gatekeeper serve` with its own config (access_token_ttl: 2s), users and client.

Run: GK_BIN=build/gatekeeper GK_SRC=. /usr/bin/python3 tests/integration/test_oauth.py -v
"""
import base64
import hashlib
import html.parser
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jwt  # noqa: E402  (python3-jwt)
import requests  # noqa: E402
import urllib3  # noqa: E402

import gk_harness as h  # noqa: E402

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

T = 10  # seconds, every HTTP call
LOGIN = "/.gatekeeper/login"
AUTHORIZE = "/.gatekeeper/authorize"
TOKEN = "/.gatekeeper/token"
REVOKE = "/.gatekeeper/revoke"
INTROSPECT = "/.gatekeeper/introspect"
JWKS = "/.well-known/jwks.json"
METADATA = "/.well-known/oauth-authorization-server"

DEMO_CLIENT, DEMO_SECRET = "demo-client", "demo-secret"
PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


# --------------------------------------------------------------------------- helpers

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_pkce():
    """(code_verifier, S256 code_challenge) as RFC 7636 4.1-4.2."""
    verifier = secrets.token_urlsafe(48)  # 64 unreserved characters
    return verifier, b64url(hashlib.sha256(verifier.encode()).digest())


def oauth_error(testcase, resp, code, statuses=(400,)):
    """Assert an RFC 6749 5.2 error response and return its JSON."""
    testcase.assertIn(resp.status_code, statuses, "%d %s" % (resp.status_code, resp.text[:300]))
    testcase.assertTrue(resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers)
    doc = resp.json()
    testcase.assertEqual(doc.get("error"), code, doc)
    testcase.assertIn("no-store", resp.headers.get("Cache-Control", ""))
    return doc


def challenges(resp):
    return h.www_authenticate_lines(resp.raw.headers)


def echo_headers(testcase, resp, proc=None):
    """Lower-cased request headers the echo upstream saw, after asserting a 200."""
    testcase.assertEqual(resp.status_code, 200, "%d %s %s\n%s" % (
        resp.status_code, resp.text[:300], challenges(resp), proc.output(1500) if proc else ""))
    return {k.lower(): v for k, v in resp.json()["headers"].items()}


def jwt_parts(token):
    """(header, claims) of a JWT, unverified."""
    head, payload, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (json.loads(base64.urlsafe_b64decode(pad(head))), json.loads(base64.urlsafe_b64decode(pad(payload))))


def verify_with_jwks(token, jwks_doc, issuer, audience):
    """Verify `token` with python-jwt against a JWKS document; returns the claims."""
    header = jwt.get_unverified_header(token)
    keys = [k for k in jwks_doc["keys"] if k.get("kid") == header.get("kid")]
    if len(keys) != 1:
        raise AssertionError("kid %r not exactly once in the JWKS %r" % (header.get("kid"), jwks_doc))
    key = jwt.PyJWK.from_dict(keys[0])
    return jwt.decode(token, key.key, algorithms=[keys[0]["alg"]], audience=audience, issuer=issuer,
                      options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]})


class FormParser(html.parser.HTMLParser):
    """The forms of a page: [{"action", "method", "inputs": [attrs]}]."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": (a.get("method") or "get").lower(),
                               "inputs": []})
        elif tag in ("input", "button") and self.forms:
            self.forms[-1]["inputs"].append(a)


def login_form(page_html):
    """The sign-in form of a login page: (action, hidden fields, username field, password field)."""
    p = FormParser()
    p.feed(page_html)
    p.close()
    for form in p.forms:
        pw = [i for i in form["inputs"] if i.get("type") == "password"]
        if form["method"] != "post" or len(pw) != 1:
            continue
        user = [i for i in form["inputs"] if i.get("type") in ("text", "email", None) and i.get("name")]
        hidden = {i["name"]: i.get("value") or "" for i in form["inputs"]
                  if i.get("type") == "hidden" and i.get("name")}
        return form["action"], hidden, user[0]["name"], pw[0]["name"]
    raise AssertionError("no sign-in form in the page:\n" + page_html[:2000])


class Client:
    """HTTP against one gatekeeper: a browser (requests.Session with cookies) and OAuth calls."""

    def __init__(self, base, client_id, secret, redirect_uri):
        self.base = base
        self.client_id = client_id
        self.secret = secret
        self.redirect_uri = redirect_uri

    # -- plain calls

    def get(self, path, token=None, session=None, **kw):
        headers = dict(kw.pop("headers", {}))
        if token:
            headers["Authorization"] = "Bearer " + token
        kw.setdefault("timeout", T)
        return (session or requests).get(self.base + path, headers=headers, **kw)

    def api(self, token, method="GET", path="/api/things", **kw):
        kw.setdefault("timeout", T)
        return requests.request(method, self.base + path, headers={"Authorization": "Bearer " + token}, **kw)

    def post(self, path, data, basic=True, session=None, **kw):
        """POST a form; basic=True authenticates with client_secret_basic, "post" with
        client_secret_post, False not at all."""
        if basic == "post":
            data = list(data.items() if isinstance(data, dict) else data)
            data += [("client_id", self.client_id), ("client_secret", self.secret)]
        if basic is True:
            kw["auth"] = (self.client_id, self.secret)
        kw.setdefault("timeout", T)
        return (session or requests).post(self.base + path, data=data, **kw)

    def token(self, data, basic=True, **kw):
        return self.post(TOKEN, data, basic, **kw)

    def client_credentials(self, scope=None, basic=True):
        data = {"grant_type": "client_credentials"}
        if scope:
            data["scope"] = scope
        r = self.token(data, basic)
        if r.status_code != 200:
            raise AssertionError("client_credentials: %d %s" % (r.status_code, r.text[:300]))
        return r.json()

    def refresh(self, refresh_token, session=None):
        return self.token({"grant_type": "refresh_token", "refresh_token": refresh_token}, session=session)

    def revoke(self, token, basic=True):
        return self.post(REVOKE, {"token": token}, basic)

    def introspect(self, token, basic=True):
        return self.post(INTROSPECT, {"token": token}, basic)

    # -- the browser

    def login(self, browser, user, password, rd=None):
        """GET the login page (with ?rd=), fill in its form, POST it; returns the POST's response."""
        page = self.get(LOGIN + ("?rd=" + urllib.parse.quote(rd, safe="") if rd else ""), session=browser)
        if page.status_code != 200:
            raise AssertionError("login page: %d %s" % (page.status_code, page.text[:300]))
        action, hidden, user_field, pw_field = login_form(page.text)
        data = dict(hidden)
        data[user_field] = user
        data[pw_field] = password
        return browser.post(urllib.parse.urljoin(page.url, action), data=data, allow_redirects=False, timeout=T)

    def signed_in_browser(self, user, password):
        """A requests.Session signed in as `user` (the caller closes it)."""
        browser = requests.Session()
        r = self.login(browser, user, password)
        if r.status_code != 303:
            raise AssertionError("login as %s: %d %s" % (user, r.status_code, r.text[:500]))
        return browser

    def authorize_path(self, challenge, state="st-" + "x" * 8, scope="read write", redirect_uri=None, **extra):
        q = {"response_type": "code", "client_id": self.client_id,
             "redirect_uri": redirect_uri or self.redirect_uri, "scope": scope, "state": state,
             "code_challenge": challenge, "code_challenge_method": "S256"}
        q.update(extra)
        return AUTHORIZE + "?" + urllib.parse.urlencode(q)

    def code_from(self, resp, redirect_uri=None):
        """The authorization response (302 to redirect_uri): {"code", "state", "iss"} (single values)."""
        if resp.status_code != 302:
            raise AssertionError("authorize: expected 302, got %d %s %s" % (
                resp.status_code, resp.headers.get("Location"), resp.text[:300]))
        loc = resp.headers["Location"]
        base, _, query = loc.partition("?")
        if base != (redirect_uri or self.redirect_uri):
            raise AssertionError("redirected to %r, not the redirect_uri" % loc)
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        return {k: v[0] for k, v in params.items() if len(v) == 1}

    def new_code(self, browser, scope="read write"):
        """(code, verifier) from a signed-in browser."""
        verifier, challenge = new_pkce()
        r = self.get(self.authorize_path(challenge, scope=scope), session=browser, allow_redirects=False)
        params = self.code_from(r)
        if "code" not in params:
            raise AssertionError("no code in %r" % r.headers.get("Location"))
        return params["code"], verifier

    def exchange(self, code, verifier, redirect_uri=None):
        return self.token({"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                           "redirect_uri": redirect_uri or self.redirect_uri})

    def user_tokens(self, browser, scope="read write"):
        code, verifier = self.new_code(browser, scope)
        r = self.exchange(code, verifier)
        if r.status_code != 200:
            raise AssertionError("code exchange: %d %s" % (r.status_code, r.text[:300]))
        return r.json()


class DemoServer:
    """`gatekeeper demo` on free ports for a whole TestCase class."""

    @staticmethod
    def start(cls, prefix):
        h.start_demo(cls, prefix)
        cls.issuer = "https://127.0.0.1:%d" % cls.https_port  # oauth.url of the demo config
        cls.audience = cls.issuer                               # no oauth.audiences: the url
        cls.c = Client(cls.base, DEMO_CLIENT, DEMO_SECRET, cls.base + "/spa/callback")


class ServerAlive:
    """After each test: the server did not die. The first test that finds it dead says so, with
    its output (later tests of the class then fail on refused connections)."""

    def tearDown(self):
        rc = self.proc.poll()
        if rc is not None and not getattr(type(self), "_death_reported", False):
            type(self)._death_reported = True
            self.fail("gatekeeper exited with %s during this test\n%s" % (rc, self.proc.output(3000)))


# --------------------------------------------------------------------------- 1. metadata and JWKS

class MetadataTest(ServerAlive, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DemoServer.start(cls, "gk-oauth-meta-")

    def test_authorization_server_metadata(self):
        r = self.c.get(METADATA)
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"), r.headers)
        m = r.json()
        self.assertEqual(m["issuer"], self.issuer)
        # RFC 8414 2: required, and what a client of this server needs.
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
                    "grant_types_supported", "code_challenge_methods_supported",
                    "token_endpoint_auth_methods_supported", "revocation_endpoint", "introspection_endpoint"):
            self.assertIn(key, m)
        self.assertEqual(m["authorization_endpoint"], self.issuer + AUTHORIZE)
        self.assertEqual(m["token_endpoint"], self.issuer + TOKEN)
        self.assertEqual(m["jwks_uri"], self.issuer + JWKS)
        self.assertEqual(m["revocation_endpoint"], self.issuer + REVOKE)
        self.assertEqual(m["introspection_endpoint"], self.issuer + INTROSPECT)
        self.assertEqual(m["response_types_supported"], ["code"])
        self.assertEqual(set(m["grant_types_supported"]),
                         {"authorization_code", "refresh_token", "client_credentials"})
        self.assertEqual(m["code_challenge_methods_supported"], ["S256"])  # never "plain"
        self.assertTrue({"client_secret_basic", "client_secret_post"} <= set(m["token_endpoint_auth_methods_supported"]))
        self.assertIs(m.get("authorization_response_iss_parameter_supported"), True)  # RFC 9207
        self.assertNotIn("implicit", m["grant_types_supported"])
        self.assertNotIn("password", m["grant_types_supported"])

    def test_jwks_has_public_keys_only(self):
        r = self.c.get(JWKS)
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"), r.headers)
        keys = r.json()["keys"]
        self.assertGreaterEqual(len(keys), 1)
        kids = [k.get("kid") for k in keys]
        self.assertEqual(len(set(kids)), len(kids), "kids are unique: %r" % kids)
        for k in keys:
            self.assertTrue(k.get("kid"), k)
            self.assertIn(k.get("alg"), ("ES256", "EdDSA", "RS256"), k)
            self.assertEqual(k.get("use"), "sig", k)
            self.assertIn(k.get("kty"), ("EC", "OKP", "RSA"), k)
            for private in PRIVATE_JWK_MEMBERS:
                self.assertNotIn(private, k, "private member %r published: %r" % (private, k))
            jwt.PyJWK.from_dict(k)  # a usable public key

    def test_metadata_and_jwks_over_the_issuer_url(self):
        """The URLs in the metadata work as published (the demo's issuer is its HTTPS listener)."""
        m = self.c.get(METADATA).json()
        cert = os.path.join(self.state, "cert.pem")  # the demo's self-signed certificate
        r = requests.get(m["jwks_uri"], timeout=T, verify=cert)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json(), self.c.get(JWKS).json())
        self.assertEqual(requests.get(self.issuer + METADATA, timeout=T, verify=cert).json(), m)

    def test_well_known_are_get_only(self):
        r = requests.post(self.base + JWKS, data="x", timeout=T)
        self.assertEqual(r.status_code, 405)


# --------------------------------------------------------------------------- 2. client_credentials

class ClientCredentialsTest(ServerAlive, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DemoServer.start(cls, "gk-oauth-cc-")

    def check_token_response(self, r, scope="read write"):
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"), r.headers)
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))
        doc = r.json()
        self.assertEqual(doc.get("token_type", "").lower(), "bearer", doc)
        self.assertIsInstance(doc.get("expires_in"), int, doc)
        self.assertGreater(doc["expires_in"], 0)
        self.assertEqual(doc.get("scope"), scope, doc)
        self.assertNotIn("refresh_token", doc, "client_credentials gets no refresh token (RFC 6749 4.4.3)")
        return doc

    def check_access_token(self, token, scope="read write"):
        header, _ = jwt_parts(token)
        self.assertEqual(header.get("typ", "").lower(), "at+jwt", header)  # RFC 9068 2.1
        self.assertIn("kid", header)
        jwks = self.c.get(JWKS).json()
        claims = verify_with_jwks(token, jwks, self.issuer, self.audience)
        self.assertEqual(claims["iss"], self.issuer)
        self.assertEqual(claims["client_id"], DEMO_CLIENT)
        self.assertEqual(claims["sub"], DEMO_CLIENT)
        self.assertEqual(claims["scope"], scope)
        now = time.time()
        self.assertTrue(now - 60 <= claims["iat"] <= now + 5, claims)
        self.assertTrue(now < claims["exp"] <= now + 3600, claims)
        self.assertGreaterEqual(len(claims["jti"]), 16)
        return claims

    def test_client_secret_basic(self):
        r = self.c.token({"grant_type": "client_credentials"}, basic=True)
        doc = self.check_token_response(r)
        claims = self.check_access_token(doc["access_token"])
        self.assertAlmostEqual(claims["exp"] - claims["iat"], doc["expires_in"], delta=1)

    def test_client_secret_post(self):
        r = self.c.token({"grant_type": "client_credentials"}, basic="post")
        doc = self.check_token_response(r)
        self.check_access_token(doc["access_token"])

    def test_each_token_has_its_own_jti(self):
        a = jwt_parts(self.c.client_credentials()["access_token"])[1]
        b = jwt_parts(self.c.client_credentials()["access_token"])[1]
        self.assertNotEqual(a["jti"], b["jti"])

    def test_token_works_on_api(self):
        tok = self.c.client_credentials()["access_token"]
        hdrs = echo_headers(self, self.c.api(tok), self.proc)
        self.assertEqual(hdrs.get("x-auth-request-user"), DEMO_CLIENT)
        self.assertNotIn("authorization", hdrs)  # the token was for gatekeeper
        r = self.c.api(tok, "POST", data=b"x")
        self.assertEqual(r.status_code, 200, r.text[:300])

    def test_narrower_scope(self):
        r = self.c.token({"grant_type": "client_credentials", "scope": "read"})
        doc = self.check_token_response(r, scope="read")
        self.check_access_token(doc["access_token"], scope="read")
        self.assertEqual(self.c.api(doc["access_token"]).status_code, 200)
        w = self.c.api(doc["access_token"], "POST", data=b"x")
        self.assertEqual(w.status_code, 403, w.text[:300])
        self.assertIn('error="insufficient_scope"', " ".join(challenges(w)))

    def test_scope_beyond_the_client_is_invalid_scope(self):
        oauth_error(self, self.c.token({"grant_type": "client_credentials", "scope": "read admin"}), "invalid_scope")

    def test_wrong_secret_basic_is_401_with_basic_challenge(self):
        r = requests.post(self.base + TOKEN, data={"grant_type": "client_credentials"},
                          auth=(DEMO_CLIENT, "not-the-secret"), timeout=T)
        oauth_error(self, r, "invalid_client", statuses=(401,))
        lines = challenges(r)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("Basic "), lines)
        self.assertIn("realm=", lines[0])

    def test_wrong_secret_post_is_invalid_client(self):
        r = requests.post(self.base + TOKEN, data={"grant_type": "client_credentials", "client_id": DEMO_CLIENT,
                                                   "client_secret": "not-the-secret"}, timeout=T)
        oauth_error(self, r, "invalid_client", statuses=(400, 401))

    def test_unknown_client_is_invalid_client(self):
        r = requests.post(self.base + TOKEN, data={"grant_type": "client_credentials"},
                          auth=("no-such-client", "x"), timeout=T)
        oauth_error(self, r, "invalid_client", statuses=(401,))

    def test_no_client_authentication_is_invalid_client(self):
        r = requests.post(self.base + TOKEN, data={"grant_type": "client_credentials"}, timeout=T)
        oauth_error(self, r, "invalid_client", statuses=(400, 401))

    def test_unsupported_grant_type(self):
        oauth_error(self, self.c.token({"grant_type": "password", "username": "alice", "password": "wonderland"}),
                    "unsupported_grant_type")
        oauth_error(self, self.c.token({"grant_type": "urn:example:nope"}), "unsupported_grant_type")

    def test_missing_grant_type(self):
        oauth_error(self, self.c.token({"scope": "read"}), "invalid_request")

    def test_duplicated_parameter_is_invalid_request(self):
        r = self.c.token([("grant_type", "client_credentials"), ("grant_type", "client_credentials")])
        oauth_error(self, r, "invalid_request")
        r = self.c.token([("grant_type", "client_credentials"), ("scope", "read"), ("scope", "write")])
        oauth_error(self, r, "invalid_request")

    def test_two_authentication_methods_is_invalid_request(self):
        r = requests.post(self.base + TOKEN, data={"grant_type": "client_credentials", "client_id": DEMO_CLIENT,
                                                   "client_secret": DEMO_SECRET},
                          auth=(DEMO_CLIENT, DEMO_SECRET), timeout=T)
        oauth_error(self, r, "invalid_request")

    def test_body_must_be_a_form(self):
        r = requests.post(self.base + TOKEN, json={"grant_type": "client_credentials"},
                          auth=(DEMO_CLIENT, DEMO_SECRET), timeout=T)
        oauth_error(self, r, "invalid_request")

    def test_token_endpoint_is_post_only(self):
        r = requests.get(self.base + TOKEN + "?grant_type=client_credentials", auth=(DEMO_CLIENT, DEMO_SECRET),
                         timeout=T)
        self.assertEqual(r.status_code, 405, r.text[:300])


# --------------------------------------------------------------------------- 3. authorization code + PKCE

class AuthorizationCodeTest(ServerAlive, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DemoServer.start(cls, "gk-oauth-code-")
        cls.alice = cls.c.signed_in_browser("alice", "wonderland")
        cls.addClassCleanup(cls.alice.close)

    def test_code_flow_with_pkce(self):
        verifier, challenge = new_pkce()
        state = secrets.token_urlsafe(12)
        r = self.c.get(self.c.authorize_path(challenge, state=state), session=self.alice, allow_redirects=False)
        self.assertEqual(r.status_code, 302, "%d %s" % (r.status_code, r.text[:300]))
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))
        params = self.c.code_from(r)
        self.assertEqual(params.get("state"), state)
        self.assertEqual(params.get("iss"), self.issuer)  # RFC 9207
        self.assertNotIn("error", params)
        code = params["code"]
        self.assertGreaterEqual(len(code), 32)

        t = self.c.exchange(code, verifier)
        self.assertEqual(t.status_code, 200, t.text[:300])
        self.assertIn("no-store", t.headers.get("Cache-Control", ""))
        doc = t.json()
        for key in ("access_token", "refresh_token", "token_type", "expires_in"):
            self.assertIn(key, doc)
        self.assertEqual(doc["token_type"].lower(), "bearer")
        self.assertEqual(doc.get("scope"), "read write")
        self.assertNotEqual(doc["refresh_token"].count("."), 2, "the refresh token is opaque, not a JWT")
        claims = verify_with_jwks(doc["access_token"], self.c.get(JWKS).json(), self.issuer, self.audience)
        self.assertEqual(claims["sub"], "alice")
        self.assertEqual(claims["client_id"], DEMO_CLIENT)
        hdrs = echo_headers(self, self.c.api(doc["access_token"]), self.proc)
        self.assertEqual(hdrs.get("x-auth-request-user"), "alice")
        self.assertEqual(hdrs.get("x-auth-request-groups"), "admins")

        # The same code again: spent.
        oauth_error(self, self.c.exchange(code, verifier), "invalid_grant")

    def test_narrower_scope_at_authorize(self):
        doc = self.c.user_tokens(self.alice, scope="read")
        self.assertEqual(doc.get("scope"), "read")
        self.assertEqual(jwt_parts(doc["access_token"])[1]["scope"], "read")

    def test_wrong_verifier_is_invalid_grant_and_spends_the_code(self):
        code, verifier = self.c.new_code(self.alice)
        wrong, _ = new_pkce()
        oauth_error(self, self.c.exchange(code, wrong), "invalid_grant")
        oauth_error(self, self.c.exchange(code, verifier), "invalid_grant")

    def test_missing_verifier_is_invalid_request(self):
        code, _ = self.c.new_code(self.alice)
        r = self.c.token({"grant_type": "authorization_code", "code": code, "redirect_uri": self.c.redirect_uri})
        oauth_error(self, r, "invalid_request")

    def test_other_redirect_uri_at_token_endpoint_is_invalid_grant(self):
        code, verifier = self.c.new_code(self.alice)
        other = "https://127.0.0.1:%d/spa/callback" % self.https_port  # registered too, but not this code's
        oauth_error(self, self.c.exchange(code, verifier, redirect_uri=other), "invalid_grant")

    def test_unknown_code_is_invalid_grant(self):
        verifier, _ = new_pkce()
        oauth_error(self, self.c.exchange("gkc_" + secrets.token_urlsafe(32), verifier), "invalid_grant")

    def check_error_page(self, r):
        self.assertEqual(r.status_code, 400, "%d %s" % (r.status_code, r.text[:300]))
        self.assertIsNone(r.headers.get("Location"), "an unverified redirect_uri is never redirected to")
        self.assertTrue(r.headers.get("Content-Type", "").startswith("text/html"), r.headers)

    def test_unregistered_redirect_uri_is_an_error_page(self):
        _, challenge = new_pkce()
        for evil in ("https://evil.example/cb", self.c.redirect_uri + "/x", self.c.redirect_uri + "?a=b",
                     "http://127.0.0.1:%d/spa/CALLBACK" % self.http_port):
            path = self.c.authorize_path(challenge, redirect_uri=evil)
            self.check_error_page(self.c.get(path, session=self.alice, allow_redirects=False))
            # Checked before anyone is asked to sign in, too.
            self.check_error_page(self.c.get(path, allow_redirects=False))

    def test_unknown_client_is_an_error_page(self):
        _, challenge = new_pkce()
        path = self.c.authorize_path(challenge, client_id="nobody")
        self.check_error_page(self.c.get(path, session=self.alice, allow_redirects=False))

    def test_errors_after_the_redirect_uri_go_back_to_the_client(self):
        _, challenge = new_pkce()
        cases = [
            (dict(code_challenge_method="plain"), "invalid_request"),
            (dict(code_challenge="short"), "invalid_request"),
            (dict(response_type="token"), "unsupported_response_type"),
            (dict(scope="read admin"), "invalid_scope"),
        ]
        for extra, error in cases:
            r = self.c.get(self.c.authorize_path(challenge, state="s1", **extra), session=self.alice,
                           allow_redirects=False)
            params = self.c.code_from(r)
            self.assertEqual(params.get("error"), error, (extra, params))
            self.assertEqual(params.get("state"), "s1")
            self.assertEqual(params.get("iss"), self.issuer)
            self.assertNotIn("code", params)
        # No PKCE at all.
        q = {"response_type": "code", "client_id": DEMO_CLIENT, "redirect_uri": self.c.redirect_uri, "state": "s2"}
        r = self.c.get(AUTHORIZE + "?" + urllib.parse.urlencode(q), session=self.alice, allow_redirects=False)
        self.assertEqual(self.c.code_from(r).get("error"), "invalid_request")

    def test_not_signed_in_goes_to_login_and_back(self):
        verifier, challenge = new_pkce()
        state = secrets.token_urlsafe(12)
        auth_path = self.c.authorize_path(challenge, state=state)
        browser = requests.Session()
        self.addCleanup(browser.close)
        r = self.c.get(auth_path, session=browser, allow_redirects=False)
        self.assertEqual(r.status_code, 303, "%d %s" % (r.status_code, r.text[:300]))
        loc = urllib.parse.urlsplit(r.headers["Location"])
        self.assertEqual(loc.path, LOGIN, r.headers["Location"])
        rd = urllib.parse.parse_qs(loc.query).get("rd")
        self.assertEqual(rd, [auth_path], "the login page returns to the authorize request")

        # The browser follows to the login page; its form carries the return URL.
        page = self.c.get(r.headers["Location"], session=browser)
        self.assertEqual(page.status_code, 200)
        action, hidden, user_field, pw_field = login_form(page.text)
        self.assertIn(auth_path, hidden.values())
        data = dict(hidden, **{user_field: "bob", pw_field: "builder"})
        posted = browser.post(urllib.parse.urljoin(page.url, action), data=data, allow_redirects=False, timeout=T)
        self.assertEqual(posted.status_code, 303, posted.text[:300])
        self.assertEqual(urllib.parse.urljoin(self.base + "/", posted.headers["Location"]), self.base + auth_path)

        # ... lands back at /authorize and gets the code.
        back = browser.get(urllib.parse.urljoin(self.base + "/", posted.headers["Location"]),
                           allow_redirects=False, timeout=T)
        params = self.c.code_from(back)
        self.assertEqual(params.get("state"), state)
        t = self.c.exchange(params["code"], verifier)
        self.assertEqual(t.status_code, 200, t.text[:300])
        self.assertEqual(jwt_parts(t.json()["access_token"])[1]["sub"], "bob")

    def test_code_of_another_client_is_invalid_grant(self):
        """A code is bound to its client: another (new) client cannot redeem it."""
        r = h.gk("client", "--state", self.state, "add", "--id", "other-app", "--secret-stdin",
                 "--redirect-uri", self.c.redirect_uri, "--scopes", "read,write",
                 "--grants", "authorization_code,refresh_token", stdin="other-secret-0123456789\n")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        code, verifier = self.c.new_code(self.alice)
        other = Client(self.base, "other-app", "other-secret-0123456789", self.c.redirect_uri)
        oauth_error(self, other.exchange(code, verifier), "invalid_grant")


# --------------------------------------------------------------------------- 4. refresh rotation

class RefreshRotationTest(ServerAlive, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DemoServer.start(cls, "gk-oauth-refresh-")
        cls.alice = cls.c.signed_in_browser("alice", "wonderland")
        cls.addClassCleanup(cls.alice.close)

    def test_rotation_and_reuse_revokes_the_family(self):
        first = self.c.user_tokens(self.alice)
        r1 = self.c.refresh(first["refresh_token"])
        self.assertEqual(r1.status_code, 200, r1.text[:300])
        self.assertIn("no-store", r1.headers.get("Cache-Control", ""))
        second = r1.json()
        self.assertIn("refresh_token", second)
        self.assertNotEqual(second["refresh_token"], first["refresh_token"])
        self.assertNotEqual(second["access_token"], first["access_token"])
        self.assertEqual(second.get("scope"), "read write")
        self.assertEqual(echo_headers(self, self.c.api(second["access_token"]))["x-auth-request-user"], "alice")

        r2 = self.c.refresh(second["refresh_token"])
        self.assertEqual(r2.status_code, 200, r2.text[:300])
        third = r2.json()

        # The old one again: refused, and the whole family with it (RFC 9700 4.14.2).
        oauth_error(self, self.c.refresh(first["refresh_token"]), "invalid_grant")
        oauth_error(self, self.c.refresh(third["refresh_token"]), "invalid_grant")

    def test_other_family_is_untouched_by_reuse(self):
        a = self.c.user_tokens(self.alice)
        b = self.c.user_tokens(self.alice)
        self.assertEqual(self.c.refresh(a["refresh_token"]).status_code, 200)
        oauth_error(self, self.c.refresh(a["refresh_token"]), "invalid_grant")
        self.assertEqual(self.c.refresh(b["refresh_token"]).status_code, 200)

    def test_refresh_with_narrower_scope(self):
        doc = self.c.user_tokens(self.alice)
        r = self.c.token({"grant_type": "refresh_token", "refresh_token": doc["refresh_token"], "scope": "read"})
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertEqual(jwt_parts(r.json()["access_token"])[1]["scope"], "read")
        # The grant keeps its original scope for the next refresh.
        r2 = self.c.refresh(r.json()["refresh_token"])
        self.assertEqual(r2.status_code, 200, r2.text[:300])
        self.assertEqual(jwt_parts(r2.json()["access_token"])[1]["scope"], "read write")

    def test_wider_scope_is_invalid_scope(self):
        doc = self.c.user_tokens(self.alice, scope="read")
        r = self.c.token({"grant_type": "refresh_token", "refresh_token": doc["refresh_token"],
                          "scope": "read write"})
        oauth_error(self, r, "invalid_scope")

    def test_unknown_refresh_token_is_invalid_grant(self):
        oauth_error(self, self.c.refresh("gkr_" + secrets.token_urlsafe(32)), "invalid_grant")

    def test_concurrent_refresh_exactly_one_wins(self):
        rounds = 10
        for i in range(rounds):
            token = self.c.user_tokens(self.alice)["refresh_token"]
            barrier = threading.Barrier(2, timeout=T)
            results = [None, None]

            def worker(slot):
                with requests.Session() as s:
                    s.get(self.base + "/", timeout=T)  # connection open before the race
                    barrier.wait()
                    try:
                        results[slot] = self.c.refresh(token, session=s)
                    except requests.RequestException as e:
                        results[slot] = e

            threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=2 * T)
                self.assertFalse(t.is_alive(), "a refresh did not finish")
            for res in results:
                self.assertIsInstance(res, requests.Response, "round %d: %r" % (i, res))
            codes = sorted(res.status_code for res in results)
            self.assertEqual(codes, [200, 400], "round %d: %r" % (i, [res.text[:200] for res in results]))
            loser = [res for res in results if res.status_code == 400][0]
            self.assertEqual(loser.json().get("error"), "invalid_grant")


# --------------------------------------------------------------------------- 5. revocation

class RevocationTest(ServerAlive, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DemoServer.start(cls, "gk-oauth-revoke-")
        cls.alice = cls.c.signed_in_browser("alice", "wonderland")
        cls.addClassCleanup(cls.alice.close)

    def assert_invalid_token(self, r):
        self.assertEqual(r.status_code, 401, "%d %s" % (r.status_code, r.text[:300]))
        lines = challenges(r)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("Bearer "), lines)
        self.assertIn('error="invalid_token"', lines[0])

    def test_revoked_access_token_is_refused_at_once(self):
        tok = self.c.client_credentials()["access_token"]
        r = self.c.revoke(tok)
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assert_invalid_token(self.c.api(tok))

    def test_revoked_cached_access_token_is_refused_at_once(self):
        """Used before (so it sits in the verified-token cache), then revoked: the very next use fails."""
        tok = self.c.client_credentials()["access_token"]
        self.assertEqual(self.c.api(tok).status_code, 200)
        self.assertEqual(self.c.api(tok).status_code, 200)
        self.assertEqual(self.c.revoke(tok).status_code, 200)
        self.assert_invalid_token(self.c.api(tok))
        # On a kept-alive connection and on other paths too.
        with requests.Session() as s:
            for _ in range(3):
                self.assert_invalid_token(s.get(self.base + "/api/other", timeout=T,
                                                headers={"Authorization": "Bearer " + tok}))

    def test_revoked_user_access_token_via_client_secret_post(self):
        tok = self.c.user_tokens(self.alice)["access_token"]
        self.assertEqual(self.c.api(tok).status_code, 200)
        self.assertEqual(self.c.revoke(tok, basic="post").status_code, 200)
        self.assert_invalid_token(self.c.api(tok))

    def test_revoked_refresh_token_cannot_refresh(self):
        doc = self.c.user_tokens(self.alice)
        r = self.c.revoke(doc["refresh_token"])
        self.assertEqual(r.status_code, 200, r.text[:300])
        oauth_error(self, self.c.refresh(doc["refresh_token"]), "invalid_grant")

    def test_revoking_a_rotated_refresh_token_ends_its_family(self):
        doc = self.c.user_tokens(self.alice)
        nxt = self.c.refresh(doc["refresh_token"]).json()
        self.assertEqual(self.c.revoke(nxt["refresh_token"]).status_code, 200)
        oauth_error(self, self.c.refresh(nxt["refresh_token"]), "invalid_grant")

    def test_revoking_unknown_tokens_is_200(self):
        for tok in ("not-a-token", "gkr_" + secrets.token_urlsafe(32), "a.b.c"):
            r = self.c.revoke(tok)
            self.assertEqual(r.status_code, 200, "%r: %d %s" % (tok, r.status_code, r.text[:300]))

    def test_revoking_twice_is_200(self):
        tok = self.c.client_credentials()["access_token"]
        self.assertEqual(self.c.revoke(tok).status_code, 200)
        self.assertEqual(self.c.revoke(tok).status_code, 200)

    def test_revoke_needs_client_authentication(self):
        tok = self.c.client_credentials()["access_token"]
        oauth_error(self, self.c.revoke(tok, basic=False), "invalid_client", statuses=(400, 401))
        r = requests.post(self.base + REVOKE, data={"token": tok}, auth=(DEMO_CLIENT, "wrong"), timeout=T)
        oauth_error(self, r, "invalid_client", statuses=(401,))
        self.assertEqual(self.c.api(tok).status_code, 200, "a refused revocation revokes nothing")


# --------------------------------------------------------------------------- 6. introspection

class IntrospectionTest(ServerAlive, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DemoServer.start(cls, "gk-oauth-introspect-")
        cls.alice = cls.c.signed_in_browser("alice", "wonderland")
        cls.addClassCleanup(cls.alice.close)

    def introspect_ok(self, token, basic=True):
        r = self.c.introspect(token, basic)
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"))
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))
        return r.json()

    def test_active_client_token(self):
        tok = self.c.client_credentials()["access_token"]
        doc = self.introspect_ok(tok)
        self.assertIs(doc.get("active"), True, doc)
        self.assertEqual(doc.get("scope"), "read write")
        self.assertEqual(doc.get("client_id"), DEMO_CLIENT)
        self.assertEqual(doc.get("sub"), DEMO_CLIENT)
        self.assertEqual(doc.get("iss"), self.issuer)
        self.assertEqual(doc.get("exp"), jwt_parts(tok)[1]["exp"])
        self.assertGreater(doc["exp"], time.time())
        self.assertEqual(doc.get("jti"), jwt_parts(tok)[1]["jti"])

    def test_active_user_token(self):
        tok = self.c.user_tokens(self.alice, scope="read")["access_token"]
        doc = self.introspect_ok(tok, basic="post")
        self.assertIs(doc.get("active"), True, doc)
        self.assertEqual(doc.get("scope"), "read")
        self.assertEqual(doc.get("sub"), "alice")
        self.assertEqual(doc.get("username"), "alice")
        self.assertEqual(doc.get("client_id"), DEMO_CLIENT)

    def test_revoked_token_is_inactive(self):
        tok = self.c.client_credentials()["access_token"]
        self.assertIs(self.introspect_ok(tok)["active"], True)
        self.assertEqual(self.c.revoke(tok).status_code, 200)
        self.assertEqual(self.introspect_ok(tok), {"active": False})  # and nothing else (RFC 7662 2.2)

    def test_garbage_and_foreign_tokens_are_inactive(self):
        self.assertEqual(self.introspect_ok("garbage"), {"active": False})
        minted = h.gk("token", "mint", "--state", self.state, "--sub", "alice", "--scope", "read")
        self.assertEqual(minted.returncode, 0, minted.stderr)
        # Signed by the demo issuer (another key, `iss` the same URL): not one of gatekeeper's own.
        self.assertEqual(self.introspect_ok(minted.stdout.strip()), {"active": False})

    def test_refresh_token_introspection(self):
        doc = self.c.user_tokens(self.alice)
        info = self.introspect_ok(doc["refresh_token"])
        self.assertIs(info.get("active"), True, info)
        self.assertEqual(info.get("client_id"), DEMO_CLIENT)
        self.assertEqual(info.get("username"), "alice")
        self.assertEqual(self.c.refresh(doc["refresh_token"]).status_code, 200)
        self.assertEqual(self.introspect_ok(doc["refresh_token"]), {"active": False})  # used

    def test_unauthenticated_caller_is_refused(self):
        tok = self.c.client_credentials()["access_token"]
        r = self.c.introspect(tok, basic=False)
        oauth_error(self, r, "invalid_client", statuses=(400, 401))
        self.assertNotIn("active", r.json())
        r = requests.post(self.base + INTROSPECT, data={"token": tok}, auth=(DEMO_CLIENT, "wrong"), timeout=T)
        oauth_error(self, r, "invalid_client", statuses=(401,))
        self.assertTrue(challenges(r)[0].startswith("Basic "), challenges(r))

    def test_missing_token_is_invalid_request(self):
        oauth_error(self, self.c.post(INTROSPECT, {}), "invalid_request")


# --------------------------------------------------------------------------- 7. expiry (own config)

SERVE_CONFIG = """\
server:
  threads: 2
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  echo: {{ url: "http://127.0.0.1:{upstream}" }}
users:
  local: {{ sqlite: gatekeeper.db }}
oauth:
  url: http://127.0.0.1:{port}
  database: gatekeeper.db
  audiences: [expiry-api]
  algorithm: EdDSA
  access_token_ttl: 2s
  refresh_token_ttl: 1h
  code_ttl: 60s
sessions:
  users: local
routes:
  - name: api
    path: /api/
    upstream: echo
    schemes: [bearer]
    realm: api
    issuers: [gatekeeper]
    scopes:
      - {{ methods: [GET, HEAD], scopes: [read] }}
      - {{ scopes: [write] }}
    require: authenticated
  - name: public
    path: /
    upstream: echo
    require: public
"""


class ExpiryTest(ServerAlive, unittest.TestCase):
    """`gatekeeper serve` with access_token_ttl: 2s, an EdDSA key, its own user and client."""

    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-oauth-expiry-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.upstream = h.Upstream()
        cls.addClassCleanup(cls.upstream.close)
        cls.gk = h.GatekeeperServe(lambda port: SERVE_CONFIG.format(port=port, upstream=cls.upstream.port),
                                   cls._tmp.name)
        cls.base = cls.gk.url("")
        cls.issuer = cls.base
        redirect_uri = cls.base + "/cb"
        r = h.gk("user", "add", "--config", cls.gk.config_path, "-g", "staff", "carol", stdin="carol-pw-123\n")
        assert r.returncode == 0, "user add: " + r.stdout + r.stderr
        r = h.gk("client", "--config", cls.gk.config_path, "add", "--id", "app", "--secret-stdin",
                 "--redirect-uri", redirect_uri, "--scopes", "read,write",
                 "--grants", "authorization_code,refresh_token,client_credentials", stdin="app-secret-0123456789\n")
        assert r.returncode == 0, "client add: " + r.stdout + r.stderr
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)
        cls.proc = cls.gk.proc
        cls.c = Client(cls.base, "app", "app-secret-0123456789", redirect_uri)
        cls.carol = cls.c.signed_in_browser("carol", "carol-pw-123")
        cls.addClassCleanup(cls.carol.close)

    def test_token_signed_with_the_configured_algorithm(self):
        doc = self.c.client_credentials()
        self.assertEqual(doc["expires_in"], 2)
        header, _ = jwt_parts(doc["access_token"])
        self.assertEqual(header.get("alg"), "EdDSA")
        jwks = self.c.get(JWKS).json()
        self.assertTrue(any(k.get("kty") == "OKP" and k.get("crv") == "Ed25519" for k in jwks["keys"]), jwks)
        claims = verify_with_jwks(doc["access_token"], jwks, self.issuer, "expiry-api")
        self.assertEqual(claims["exp"] - claims["iat"], 2)
        self.assertEqual(self.c.get(METADATA).json()["issuer"], self.issuer)

    def test_expired_token_is_refused_and_refresh_gives_a_working_one(self):
        doc = self.c.user_tokens(self.carol)
        tok = doc["access_token"]
        self.assertEqual(doc["expires_in"], 2)
        hdrs = echo_headers(self, self.c.api(tok), self.proc)
        self.assertEqual(hdrs.get("x-auth-request-user"), "carol")
        self.assertEqual(hdrs.get("x-auth-request-groups"), "staff")

        exp = jwt_parts(tok)[1]["exp"]
        wait = exp - time.time() + 1.0
        self.assertLess(wait, 4.0)
        time.sleep(max(0.0, wait))
        r = self.c.api(tok)
        self.assertEqual(r.status_code, 401, r.text[:300])
        lines = challenges(r)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith('Bearer realm="api"'), lines)
        self.assertIn('error="invalid_token"', lines[0])
        self.assertEqual(self.c.introspect(tok).json(), {"active": False})

        t0 = time.perf_counter()
        fresh = self.c.refresh(doc["refresh_token"])
        latency_ms = (time.perf_counter() - t0) * 1000
        print("\n  [oauth] refresh after expiry: %.1f ms" % latency_ms, flush=True)
        self.assertEqual(fresh.status_code, 200, fresh.text[:300])
        self.assertNotEqual(fresh.json()["access_token"], tok)
        self.assertEqual(echo_headers(self, self.c.api(fresh.json()["access_token"]),
                                      self.proc).get("x-auth-request-user"), "carol")

    def test_expired_token_never_used_before_is_refused(self):
        """Not in the verified-token cache: the expiry itself is checked, with no leeway for our own tokens."""
        tok = self.c.client_credentials()["access_token"]
        time.sleep(max(0.0, jwt_parts(tok)[1]["exp"] - time.time() + 1.0))
        r = self.c.api(tok)
        self.assertEqual(r.status_code, 401, r.text[:300])
        self.assertIn('error="invalid_token"', " ".join(challenges(r)))

    def test_measure_refresh_latency_and_token_rate(self):
        """Numbers for the report: printed, never asserted."""
        rt = self.c.user_tokens(self.carol)["refresh_token"]
        latencies = []
        with requests.Session() as s:
            for _ in range(20):
                t0 = time.perf_counter()
                r = self.c.refresh(rt, session=s)
                latencies.append((time.perf_counter() - t0) * 1000)
                self.assertEqual(r.status_code, 200, r.text[:300])
                rt = r.json()["refresh_token"]
            n = 200
            t0 = time.perf_counter()
            for _ in range(n):
                r = s.post(self.base + TOKEN, data={"grant_type": "client_credentials"},
                           auth=("app", "app-secret-0123456789"), timeout=T)
                self.assertEqual(r.status_code, 200, r.text[:300])
            elapsed = time.perf_counter() - t0
        print("\n  [oauth] refresh_token grant, 20 sequential: median %.1f ms, max %.1f ms"
              % (statistics.median(latencies), max(latencies)), flush=True)
        print("  [oauth] client_credentials, %d sequential on one connection: %.2f s, %.1f req/s, %.1f ms each"
              % (n, elapsed, n / elapsed, elapsed * 1000 / n), flush=True)


if __name__ == "__main__":
    unittest.main()
