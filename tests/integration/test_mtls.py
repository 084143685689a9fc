#!/usr/bin/python3
"""Client certificates (mutual TLS) end to end: a test CA and an untrusted one made here with
python-cryptography, client certificates for alice (OU admins), bob, a revoked one (listed in a
CRL) and an expired one; gatekeeper with a `client_cert: request` listener (routes decide) and a
`client_cert: require` listener (the handshake decides); identity headers at a Python upstream;
and a certificate-bound JWT (RFC 8705 cnf x5t#S256) from a jwks_file issuer.
"""
import base64
import datetime
import hashlib
import json
import os
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10
NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def name(cn, ou=None):
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example")]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


class Pki:
    """A CA that issues certificates into files in `folder`."""

    def __init__(self, folder, cn):
        self.folder = os.path.join(folder, cn.replace(" ", "-"))  # each CA its own files
        os.makedirs(self.folder)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = name(cn)
        self.cert = (x509.CertificateBuilder().subject_name(self.name).issuer_name(self.name)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(NOW - DAY).not_valid_after(NOW + 30 * DAY)
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                    critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.ca_file = self.write(cn.replace(" ", "-") + "-ca.pem", self.cert.public_bytes(serialization.Encoding.PEM))

    def write(self, fname, data):
        path = os.path.join(self.folder, fname)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def issue(self, cn, ou=None, email=None, server=False, not_after=None, not_before=None):
        key = ec.generate_private_key(ec.SECP256R1())
        b = (x509.CertificateBuilder().subject_name(name(cn, ou)).issuer_name(self.name)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(not_before or NOW - DAY).not_valid_after(not_after or NOW + 10 * DAY))
        if server:
            import ipaddress
            b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                critical=False)
            b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        else:
            if email:
                b = b.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
            b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        cert = b.sign(self.key, hashes.SHA256())
        crt = self.write(cn + ".pem", cert.public_bytes(serialization.Encoding.PEM))
        keyf = self.write(cn + ".key", key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
        return cert, (crt, keyf)

    def crl(self, revoked_certs):
        b = (x509.CertificateRevocationListBuilder().issuer_name(self.name)
             .last_update(NOW - DAY).next_update(NOW + 10 * DAY))
        for c in revoked_certs:
            b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(c.serial_number)
                                          .revocation_date(NOW - DAY).build())
        return self.write("crl.pem", b.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))


def thumbprint(cert):
    return b64url(hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest())


def es256_jwt(key, claims):
    header = {"alg": "ES256", "typ": "JWT", "kid": "idp-1"}
    signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return signing_input.decode() + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class MtlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-mtls-")
        cls.addClassCleanup(cls._tmp.cleanup)
        d = cls._tmp.name
        ca = Pki(d, "Test CA")
        stranger = Pki(d, "Untrusted CA")
        cls.server_ca = ca.ca_file
        _, (server_crt, server_key) = ca.issue("127.0.0.1", server=True)
        cls.alice_cert, cls.alice = ca.issue("alice", ou="admins", email="alice@example.test")
        cls.bob_cert, cls.bob = ca.issue("bob", ou="users")
        carol_cert, cls.carol = ca.issue("carol", ou="admins")
        _, cls.dave = ca.issue("dave", ou="admins", not_before=NOW - 30 * DAY, not_after=NOW - DAY)
        _, cls.eve = stranger.issue("alice", ou="admins")  # alice's name, from a CA nobody trusts
        crl = ca.crl([carol_cert])

        cls.idp_key = ec.generate_private_key(ec.SECP256R1())
        idp_pem = ca.write("idp.pem", cls.idp_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        h.make_htpasswd(os.path.join(d, "users.htpasswd"), {"carl": "secret"})

        cls.upstream = h.Upstream()
        cls.addClassCleanup(cls.upstream.close)
        cls.port, cls.strict_port = h.free_port(), h.free_port()
        tls = "cert: %s, key: %s, client_ca: %s, client_crl: %s" % (server_crt, server_key, ca.ca_file, crl)
        config = """
listeners:
  - { address: 127.0.0.1, port: %(port)d, tls: { %(tls)s, client_cert: request } }
  - { address: 127.0.0.1, port: %(strict)d, tls: { %(tls)s, client_cert: require } }
upstreams:
  app: { url: "%(up)s" }
users:
  staff: { htpasswd: users.htpasswd }
issuers:
  idp: { issuer: "https://idp.test/", jwks_file: %(idp)s, audiences: [api], algorithms: [ES256] }
mtls:
  identity: subject_cn
  groups_from: ou
  group_map: { bob: [staff] }
routes:
  - { name: certs, path: /certs/, upstream: app, schemes: [mtls], realm: Certificates }
  - { name: admin, path: /admin/, upstream: app, schemes: [mtls], require: { groups: [admins] } }
  - { name: either, path: /either/, upstream: app, schemes: [mtls, basic], users: staff, realm: Either }
  - { name: api, path: /api/, upstream: app, schemes: [bearer], realm: api }
""" % {"port": cls.port, "strict": cls.strict_port, "tls": tls, "up": cls.upstream.url, "idp": idp_pem}
        cls.config = h.write_config(os.path.join(d, "gatekeeper.yaml"), config)
        cls.proc = h.start_process([h.GK_BIN, "serve", "--config", cls.config],
                                   ready_port=[cls.port, cls.strict_port], timeout=30, cwd=d, logdir=d)
        cls.addClassCleanup(h.stop, cls.proc)

    # ------------------------------------------------------------------ helpers

    def get(self, path, cert=None, port=None, headers=None):
        url = "https://127.0.0.1:%d%s" % (port or self.port, path)
        return requests.get(url, cert=cert, verify=self.server_ca, headers=headers or {}, timeout=T)

    def seen_headers(self, r):
        self.assertEqual(r.status_code, 200, "%d %s\n%s" % (r.status_code, r.text[:300], self.proc.output(1500)))
        doc = json.loads(r.text)
        return {k.lower(): v for k, v in doc["headers"].items()}

    def refused(self, r, detail):
        doc = h.problem_json_ok(self, r, 401)
        self.assertIn(detail, doc["detail"])
        self.assertEqual(h.www_authenticate_lines(r.raw.headers), ['ClientCertificate realm="Certificates"'])
        self.assertIn("no-store", r.headers.get("Cache-Control", ""))

    def token(self, cnf=None):
        now = int(NOW.timestamp())
        claims = {"iss": "https://idp.test/", "aud": "api", "sub": "alice", "iat": now, "exp": now + 300}
        if cnf is not None:
            claims["cnf"] = cnf
        return es256_jwt(self.idp_key, claims)

    # ------------------------------------------------------------------ request: routes decide

    def test_alice_passes_with_identity_headers(self):
        hdrs = self.seen_headers(self.get("/certs/x", self.alice, headers={"X-Auth-Request-User": "mallory",
                                                                            "Remote-Groups": "root"}))
        self.assertEqual(hdrs.get("x-auth-request-user"), "alice")
        self.assertEqual(hdrs.get("remote-user"), "alice")
        self.assertEqual(hdrs.get("x-auth-request-groups"), "admins")
        self.assertEqual(hdrs.get("remote-groups"), "admins")
        self.assertEqual(hdrs.get("x-auth-request-email"), "alice@example.test")

    def test_groups_route(self):
        self.assertEqual(self.get("/admin/x", self.alice).status_code, 200)
        r = self.get("/admin/x", self.bob)
        h.problem_json_ok(self, r, 403)
        self.assertEqual(h.www_authenticate_lines(r.raw.headers), [])

    def test_group_map(self):
        hdrs = self.seen_headers(self.get("/certs/x", self.bob))
        self.assertEqual(hdrs.get("x-auth-request-groups"), "users,staff")

    def test_no_certificate(self):
        self.refused(self.get("/certs/x"), "none was presented")

    def test_untrusted_issuer(self):
        self.refused(self.get("/certs/x", self.eve), "not issued by a trusted CA")

    def test_revoked(self):
        self.refused(self.get("/certs/x", self.carol), "revoked")

    def test_expired(self):
        self.refused(self.get("/certs/x", self.dave), "expired")

    def test_mtls_or_basic(self):
        hdrs = self.seen_headers(self.get("/either/x", self.alice))
        self.assertEqual(hdrs.get("x-auth-request-user"), "alice")
        hdrs = self.seen_headers(self.get("/either/x", headers={"Authorization": h.basic_header("carl", "secret")}))
        self.assertEqual(hdrs.get("x-auth-request-user"), "carl")
        r = self.get("/either/x")
        self.assertEqual(r.status_code, 401)
        challenges = ", ".join(h.www_authenticate_lines(r.raw.headers))
        self.assertEqual(challenges, 'ClientCertificate realm="Either", Basic realm="Either", charset="UTF-8"')

    def test_no_session_resumption_with_client_certificates(self):
        # A resumed session keeps the client's leaf but not the chain it sent, which the
        # request-mode check reads: listeners asking for certificates do full handshakes only.
        for version in ("-tls1_2", "-tls1_3"):
            sess = os.path.join(self._tmp.name, "alice%s.sess" % version)
            base = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % self.port, "-CAfile", self.server_ca,
                    "-cert", self.alice[0], "-key", self.alice[1], version, "-ign_eof"]
            request = b"GET /certs/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            first = subprocess.run(base + ["-sess_out", sess], input=request, capture_output=True, timeout=T)
            self.assertIn(b"HTTP/1.1 200", first.stdout, first.stdout[-1500:])
            args = base + (["-sess_in", sess] if os.path.exists(sess) else [])
            again = subprocess.run(args, input=request, capture_output=True, timeout=T).stdout.decode("utf-8", "replace")
            self.assertIn("HTTP/1.1 200", again, version)
            self.assertNotIn("Reused,", again, version)
            self.assertIn("New,", again, version)

    # ------------------------------------------------------------------ require: the handshake decides

    def test_require_refuses_the_handshake_without_a_valid_certificate(self):
        for cert in (None, self.eve, self.carol, self.dave):
            with self.assertRaises((requests.exceptions.SSLError, requests.exceptions.ConnectionError),
                                   msg=str(cert)):
                self.get("/certs/x", cert, port=self.strict_port)
        hdrs = self.seen_headers(self.get("/certs/x", self.alice, port=self.strict_port))
        self.assertEqual(hdrs.get("x-auth-request-user"), "alice")

    def test_require_alert_with_python_ssl(self):
        ctx = ssl.create_default_context(cafile=self.server_ca)
        import socket
        with socket.create_connection(("127.0.0.1", self.strict_port), timeout=T) as raw:
            with self.assertRaises((ssl.SSLError, ConnectionError)):
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                    # TLS 1.3: the client finishes first; the alert arrives on the first read.
                    s.sendall(b"GET /certs/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    if not s.recv(1024):
                        raise ConnectionError("closed without a response")

    # ------------------------------------------------------------------ RFC 8705 bound tokens

    def test_certificate_bound_token(self):
        tok = self.token({"x5t#S256": thumbprint(self.alice_cert)})
        auth = {"Authorization": "Bearer " + tok}
        hdrs = self.seen_headers(self.get("/api/x", self.alice, headers=auth))
        self.assertEqual(hdrs.get("x-auth-request-user"), "alice")
        for cert in (self.bob, None):
            r = self.get("/api/x", cert, headers=auth)
            self.assertEqual(r.status_code, 401, r.text)
            c = h.www_authenticate_lines(r.raw.headers)[0]
            self.assertIn('error="invalid_token"', c)
            self.assertIn("bound to a", c)
        # Twice more with the right certificate (the second from the token cache), once with the wrong one.
        self.assertEqual(self.get("/api/x", self.alice, headers=auth).status_code, 200)
        self.assertEqual(self.get("/api/x", self.bob, headers=auth).status_code, 401)

    def test_unbound_token_is_unaffected(self):
        auth = {"Authorization": "Bearer " + self.token()}
        self.assertEqual(self.get("/api/x", headers=auth).status_code, 200)
        self.assertEqual(self.get("/api/x", self.bob, headers=auth).status_code, 200)


if __name__ == "__main__":
    unittest.main()
