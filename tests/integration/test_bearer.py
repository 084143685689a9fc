#!/usr/bin/python3
"""Bearer tokens end to end: `gatekeeper demo`, tokens from `gatekeeper token mint` and from
PyJWT, and every RFC 6750 answer a client can meet on the demo's /api/ (and /app/, forward auth).
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class BearerDemoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-bearer-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.state = os.path.join(cls._tmp.name, "state")
        cls.http_port, cls.https_port = h.free_port(), h.free_port()
        cls.proc = h.start_process(
            [h.GK_BIN, "demo", "--state", cls.state, "--http-port", str(cls.http_port),
             "--https-port", str(cls.https_port), "--echo-port", "0"],
            ready_port=[cls.http_port, cls.https_port], timeout=30, logdir=cls._tmp.name)
        cls.addClassCleanup(h.stop, cls.proc)
        cls.base = "http://127.0.0.1:%d" % cls.http_port
        cls.issuer = "https://127.0.0.1:%d/demo-idp" % cls.https_port

    # ------------------------------------------------------------------ helpers

    def mint(self, *args):
        r = h.gk("token", "mint", "--state", self.state, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        tok = r.stdout.strip()
        self.assertEqual(tok.count("."), 2, tok)
        return tok

    def get(self, path, token=None, method="GET", headers=None, **kw):
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = "Bearer " + token
        kw.setdefault("timeout", T)
        return requests.request(method, self.base + path, headers=hdrs, **kw)

    def challenge(self, r):
        lines = h.www_authenticate_lines(r.raw.headers)
        self.assertEqual(len(lines), 1, lines)
        return lines[0]

    def assert_invalid_token(self, r, description=None):
        self.assertEqual(r.status_code, 401, r.text[:300])
        c = self.challenge(r)
        self.assertTrue(c.startswith('Bearer realm="api", error="invalid_token", error_description="'), c)
        if description:
            self.assertIn('error_description="%s"' % description, c)
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))

    def assert_invalid_request(self, r):
        self.assertEqual(r.status_code, 400, r.text[:300])
        self.assertTrue(self.challenge(r).startswith('Bearer realm="api", error="invalid_request"'),
                        self.challenge(r))

    def echo_headers(self, r):
        self.assertEqual(r.status_code, 200, "%d %s\n%s" % (r.status_code, r.text[:300], self.proc.output(1500)))
        doc = json.loads(r.text, object_pairs_hook=lambda pairs: pairs)
        return {k.lower(): v for k, v in dict(doc)["headers"]}

    def signing_jwk(self):
        with open(os.path.join(self.state, "signing-key.json")) as f:
            return json.load(f)

    # ------------------------------------------------------------------ the contract

    def test_minted_token_reaches_api_with_identity(self):
        tok = self.mint("--sub", "alice", "--scope", "read write", "--ttl", "300")
        hdrs = self.echo_headers(self.get("/api/things", tok))
        self.assertEqual(hdrs.get("x-auth-request-user"), "alice")
        self.assertEqual(hdrs.get("remote-user"), "alice")
        self.assertEqual(hdrs.get("x-auth-request-groups"), "admins")
        self.assertEqual(hdrs.get("x-auth-request-email"), "alice@example.com")
        self.assertEqual(hdrs.get("x-auth-request-scopes"), "read write")
        self.assertNotIn("authorization", hdrs)  # the token was for gatekeeper

    def test_no_token_is_401_without_error(self):
        r = self.get("/api/things")
        self.assertEqual(r.status_code, 401)
        self.assertEqual(self.challenge(r), 'Bearer realm="api"')

    def test_scope_read_for_get_and_head_write_otherwise(self):
        read = self.mint("--sub", "bob", "--scope", "read")
        self.assertEqual(self.get("/api/x", read).status_code, 200)
        self.assertEqual(self.get("/api/x", read, method="HEAD").status_code, 200)
        for method in ("POST", "PUT", "DELETE"):
            r = self.get("/api/x", read, method=method)
            self.assertEqual(r.status_code, 403, method)
            self.assertEqual(self.challenge(r), 'Bearer realm="api", error="insufficient_scope", '
                                                'error_description="insufficient scope", scope="write"')
        write = self.mint("--sub", "bob", "--scope", "write")
        self.assertEqual(self.get("/api/x", write, method="POST", data=b"x").status_code, 200)
        self.assertEqual(self.get("/api/x", write).status_code, 403)

    def test_expired_and_not_yet_valid(self):
        now = int(time.time())
        expired = self.mint("--sub", "alice", "--scope", "read", "--claim", "exp=%d" % (now - 120))
        self.assert_invalid_token(self.get("/api/x", expired), "token expired")
        future = self.mint("--sub", "alice", "--scope", "read", "--claim", "nbf=%d" % (now + 600))
        self.assert_invalid_token(self.get("/api/x", future))

    def test_wrong_audience_and_issuer(self):
        self.assert_invalid_token(self.get("/api/x", self.mint("--sub", "a", "--scope", "read", "--aud", "other")))
        self.assert_invalid_token(self.get("/api/x", self.mint("--sub", "a", "--scope", "read",
                                                               "--iss", "https://evil.example")))

    def test_forged_signature_and_alg_none(self):
        tok = self.mint("--sub", "alice", "--scope", "read")
        head, payload, sig = tok.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["sub"] = "root"
        forged = ".".join([head, b64url(json.dumps(claims).encode()), sig])
        self.assert_invalid_token(self.get("/api/x", forged))
        for alg in ("none", "None", "NONE"):
            unsigned = b64url(json.dumps({"alg": alg, "typ": "at+jwt"}).encode()) + "." + payload + "."
            r = self.get("/api/x", unsigned)
            self.assertIn(r.status_code, (400, 401), alg)
            self.assertNotEqual(r.status_code, 200)

    def test_pyjwt_token_with_the_demo_key_passes(self):
        import jwt
        from jwt.algorithms import ECAlgorithm
        jwk = self.signing_jwk()
        key = ECAlgorithm.from_jwk(json.dumps(jwk))
        now = int(time.time())
        tok = jwt.encode({"iss": self.issuer, "aud": "demo-api", "sub": "carol", "scope": "read",
                          "iat": now, "exp": now + 60}, key, algorithm="ES256",
                         headers={"kid": jwk["kid"], "typ": "at+jwt"})
        hdrs = self.echo_headers(self.get("/api/x", tok))
        self.assertEqual(hdrs.get("x-auth-request-user"), "carol")
        # RS256 -> HS256 confusion: the public key as an HMAC secret is never a key.
        pub = json.dumps({k: jwk[k] for k in ("kty", "crv", "x", "y")}).encode()
        hs = jwt.encode({"iss": self.issuer, "aud": "demo-api", "sub": "mallory", "scope": "read",
                         "iat": now, "exp": now + 60}, pub, algorithm="HS256", headers={"typ": "at+jwt"})
        self.assertEqual(self.get("/api/x", hs).status_code, 401)
        # Wrong typ (RFC 9068 at+jwt is required by the demo issuer).
        plain = jwt.encode({"iss": self.issuer, "aud": "demo-api", "sub": "carol", "scope": "read",
                            "iat": now, "exp": now + 60}, key, algorithm="ES256", headers={"kid": jwk["kid"]})
        self.assert_invalid_token(self.get("/api/x", plain))

    def test_malformed_requests_are_400_invalid_request(self):
        tok = self.mint("--sub", "alice", "--scope", "read")
        for value in ("Bearer abc$def", "Bearer", "Bearer a b", "Bearer realm=x"):
            self.assert_invalid_request(self.get("/api/x", headers={"Authorization": value}))
        # A token in the query is off by default, and never together with the header.
        self.assert_invalid_request(self.get("/api/x?access_token=" + tok))
        self.assert_invalid_request(self.get("/api/x?access_token=" + tok, tok))
        raw = ("GET /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
               "Authorization: Bearer %s\r\n\r\n" % (tok, tok)).encode()
        self.assertEqual(h.raw_request(self.http_port, raw).status, 400)

    def test_huge_token_is_refused(self):
        r = self.get("/api/x", "a" * 9000)
        self.assertIn(r.status_code, (401, 431))
        if r.status_code == 401:
            self.assertIn('error="invalid_token"', self.challenge(r))

    def test_bearer_on_app_and_not_on_admin(self):
        tok = self.mint("--sub", "alice", "--scope", "read")
        self.assertEqual(self.echo_headers(self.get("/app/x", tok)).get("x-auth-request-user"), "alice")
        r = self.get("/admin/", tok)
        self.assertEqual(r.status_code, 401)
        self.assertFalse(any(l.startswith("Bearer") for l in h.www_authenticate_lines(r.raw.headers)))

    def test_repeated_token_is_served_from_cache_consistently(self):
        tok = self.mint("--sub", "alice", "--scope", "read")
        codes = [self.get("/api/x", tok).status_code for _ in range(20)]
        self.assertEqual(codes, [200] * 20)
        self.assertEqual(self.get("/api/x", tok, method="POST").status_code, 403)

    def test_forward_auth_with_bearer(self):
        tok = self.mint("--sub", "alice", "--scope", "read")
        hdr = {"X-Original-URI": "/api/x", "X-Original-Method": "GET"}
        r = self.get("/.gatekeeper/auth", tok, headers=hdr)
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertEqual(r.headers.get("X-Auth-Request-User"), "alice")
        r = self.get("/.gatekeeper/auth", tok, headers={"X-Original-URI": "/api/x", "X-Original-Method": "POST"})
        self.assertEqual(r.status_code, 403)
        self.assertIn('error="insufficient_scope"', r.headers.get("WWW-Authenticate", ""))

    def test_mint_errors_are_clear(self):
        r = h.gk("token", "mint", "--state", os.path.join(self._tmp.name, "nope"), "--sub", "x")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("gatekeeper demo", r.stderr)
        r = h.gk("token", "mint", "--state", self.state, "--alg", "none")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("unknown algorithm", r.stderr)
        # The signing key stays private.
        self.assertEqual(os.stat(os.path.join(self.state, "signing-key.json")).st_mode & 0o077, 0)
        with open(os.path.join(self.state, "jwks.json")) as f:
            self.assertNotIn('"d"', f.read())


if __name__ == "__main__":
    unittest.main()
