#!/usr/bin/python3
"""The audit log records every credential change and every token handed out, never a secret.

Against `gatekeeper demo` (its audit log is STATE/audit.log): the token endpoint's issuance and a
revocation, and each CLI command that changes a credential while the server runs beside it
(apikey create/revoke, client add/del, keys rotate, token mint). Sign-in failures, lock-outs and
`user add` are covered in test_brute_force.py.
"""
import base64
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gk_harness as h  # noqa: E402
from test_oauth import DemoServer, ServerAlive  # noqa: E402

CLIENT_SECRET = "audit-client-secret-0123456789"


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class AuditLogTest(ServerAlive, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        DemoServer.start(cls, "gk-audit-")

    def events(self):
        with open(os.path.join(self.state, "audit.log"), encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def find(self, event, **fields):
        found = [e for e in self.events() if e.get("event") == event and
                 all(e.get(k) == v for k, v in fields.items())]
        self.assertTrue(found, "no %s event with %s in the audit log; last events: %s" %
                        (event, fields, self.events()[-6:]))
        return found[-1]

    def cli(self, *args, stdin=None):
        r = h.gk(*args, "--state", self.state, stdin=stdin, timeout=60)
        self.assertEqual(r.returncode, 0, "%s -> %d\n%s" % (args, r.returncode, r.stderr))
        return r.stdout.strip()

    def assert_not_logged(self, *secrets):
        with open(os.path.join(self.state, "audit.log"), encoding="utf-8") as f:
            text = f.read()
        for s in secrets:
            self.assertNotIn(s, text)

    def test_issued_and_revoked_tokens_are_recorded_by_jti(self):
        token = self.c.client_credentials(scope="read")["access_token"]
        jti = jwt_claims(token)["jti"]
        e = self.find("token.issued", jti=jti)
        self.assertEqual(e["client_id"], "demo-client")
        self.assertEqual(e["scope"], "read")
        self.assertEqual(e["client"], "127.0.0.1")
        self.assertNotIn("user", e, "a client_credentials token acts for no user")
        self.assertNotIn("refresh_token", e, "client_credentials hands out no refresh token")
        self.assertEqual(self.c.revoke(token).status_code, 200)
        self.find("token.revoked", jti=jti, client="127.0.0.1")
        self.assert_not_logged(token, token.split(".")[2])

    def test_cli_credential_changes_are_recorded(self):
        key = self.cli("apikey", "create", "--name", "audit-bot", "--scopes", "read")
        self.find("apikey.create", name="audit-bot", user="audit-bot", by="cli")
        self.cli("apikey", "revoke", "--name", "audit-bot")
        self.find("apikey.revoke", name="audit-bot", by="cli")

        self.cli("client", "add", "--id", "audit-app", "--secret-stdin", "--grants", "client_credentials",
                 "--scopes", "read", stdin=CLIENT_SECRET + "\n")
        self.find("client.add", client_id="audit-app", type="confidential", by="cli")
        self.cli("client", "del", "--id", "audit-app")
        self.find("client.del", client_id="audit-app", by="cli")

        kid = self.cli("keys", "rotate", "--overlap", "1d")
        e = self.find("keys.rotate", kid=kid, by="cli")
        self.assertIn(e["alg"], ("ES256", "EdDSA", "RS256"))

        minted = self.cli("token", "mint", "--sub", "alice")
        self.find("token.minted", user="alice", jti=jwt_claims(minted)["jti"], by="cli")
        self.assert_not_logged(key, key[3:], CLIENT_SECRET, minted, minted.split(".")[2])


if __name__ == "__main__":
    unittest.main()
