#!/usr/bin/python3
"""What TLS graders say about the demo's HTTPS port: testssl (Debian's testssl.sh) and sslscan
against `gatekeeper demo` on 127.0.0.1, read from their JSON / XML output. No SSLv2/3, TLS 1.0 or
1.1; only forward-secret AEAD suites; no MEDIUM/HIGH/CRITICAL finding except the ones a
self-signed test certificate must cause (ALLOWED, each with its reason). testssl runs a bounded
set of checks under a timeout; its summary lines are printed for the record.
"""
import json
import os
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gk_harness as h  # noqa: E402

TESTSSL_TIMEOUT = 240   # seconds; a normal run here takes well under that
SSLSCAN_TIMEOUT = 60

# testssl finding id -> why it is expected against the demo (and only the demo).
ALLOWED = {
    "cert_chain_of_trust": "the demo certificate is self-signed: no CA vouches for it",
    "cert_trust": "the demo certificate is self-signed, and 127.0.0.1/localhost are not public names",
    "cert_revocation": "a self-signed certificate names no CRL or OCSP responder (with a CA-issued one that "
                       "names a responder, gatekeeper staples OCSP: test_tls.py)",
}

AEAD = ("GCM", "CHACHA20", "POLY1305")
SEVERE = {"MEDIUM", "HIGH", "CRITICAL"}


def which(name):
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":") + ["/usr/bin"]:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return None


class TlsGradeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.start_demo(cls, "gk-tlsgrade-")
        cls.target = "127.0.0.1:%d" % cls.https_port
        # The header checks read a page gatekeeper answers itself (the demo's "/" is its echo app).
        cls.url = "https://%s/.gatekeeper/login" % cls.target
        cls.testssl = cls.run_testssl()
        cls.sslscan = cls.run_sslscan()

    @classmethod
    def run_testssl(cls):
        exe = which("testssl") or which("testssl.sh")
        if not exe:
            raise AssertionError("testssl is not installed (Debian package testssl.sh)")
        out = os.path.join(cls._tmp.name, "testssl.json")
        # -p protocols, -s cipher categories, -f forward secrecy, -S server defaults (certificate,
        # tickets), -U vulnerabilities, -h headers; --fast skips the per-cipher rounds.
        args = [exe, "--quiet", "--color", "0", "--warnings", "off", "--fast", "--connect-timeout", "5",
                "--openssl-timeout", "5", "--jsonfile", out, "-p", "-s", "-f", "-S", "-U", "-h", cls.url]
        r = subprocess.run(args, capture_output=True, timeout=TESTSSL_TIMEOUT)
        cls.testssl_text = r.stdout.decode("utf-8", "replace")
        if not os.path.exists(out):
            raise AssertionError("testssl wrote no JSON (rc %d):\n%s\n%s" % (
                r.returncode, cls.testssl_text[-3000:], r.stderr.decode("utf-8", "replace")[-2000:]))
        with open(out) as f:
            return json.load(f)

    @classmethod
    def run_sslscan(cls):
        exe = which("sslscan")
        if not exe:
            raise AssertionError("sslscan is not installed")
        out = os.path.join(cls._tmp.name, "sslscan.xml")
        r = subprocess.run([exe, "--no-colour", "--xml=" + out, cls.target], capture_output=True,
                           timeout=SSLSCAN_TIMEOUT)
        cls.sslscan_text = r.stdout.decode("utf-8", "replace")
        return ET.parse(out).getroot()

    def finding(self, fid):
        for f in self.testssl:
            if f.get("id") == fid:
                return f
        return None

    # ------------------------------------------------------------------ testssl

    def test_print_testssl_summary(self):
        keep = ("SSLv2", "SSLv3", "TLS 1", "TLS 1.1", "TLS 1.2", "TLS 1.3", "NULL ciphers", "Anonymous",
                "Export", "LOW:", "Triple DES", "Obsoleted CBC", "Strong encryption", "Forward Secrecy",
                "PFS is offered", "FS is offered", "Elliptic curves", "TLS session ticket", "Certificate Validity",
                "Signature Algorithm", "Server key size", "Overall Grade", "Rating")
        lines = [l.rstrip() for l in self.testssl_text.splitlines() if any(k in l for k in keep)]
        print("\n  testssl summary (%s):\n    %s" % (self.target, "\n    ".join(lines)))

    def test_testssl_no_old_protocols(self):
        for fid in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
            f = self.finding(fid)
            self.assertIsNotNone(f, fid)
            self.assertIn("not offered", f["finding"], f)
        for fid in ("TLS1_2", "TLS1_3"):
            self.assertIn("offered", self.finding(fid)["finding"])
            self.assertNotIn("not offered", self.finding(fid)["finding"])

    def test_testssl_no_weak_cipher_categories(self):
        for fid in ("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW",
                    "cipherlist_3DES_IDEA", "cipherlist_AVERAGE", "cipherlist_OBSOLETED"):
            f = self.finding(fid)
            if f is not None:  # names differ slightly between testssl versions
                self.assertIn("not offered", f["finding"], f)

    def test_testssl_no_severe_finding_beyond_the_self_signed_ones(self):
        severe = [f for f in self.testssl if f.get("severity") in SEVERE and f.get("id") not in ALLOWED]
        self.assertEqual(severe, [], "\n".join("%s %s: %s" % (f["severity"], f["id"], f["finding"]) for f in severe))

    def test_testssl_sees_hsts(self):
        f = self.finding("HSTS_time")
        self.assertIsNotNone(f, "testssl found no Strict-Transport-Security")
        self.assertEqual(f["severity"], "OK", f)
        for fid in ("X-Content-Type-Options", "X-Frame-Options", "cookie_secure", "cookie_httponly"):
            self.assertEqual((self.finding(fid) or {}).get("severity"), "OK", fid)

    # ------------------------------------------------------------------ sslscan

    def test_sslscan_protocols_and_ciphers(self):
        enabled = {(p.get("type"), p.get("version")) for p in self.sslscan.iter("protocol") if p.get("enabled") == "1"}
        self.assertEqual(enabled, {("tls", "1.2"), ("tls", "1.3")}, self.sslscan_text)
        accepted = [c for c in self.sslscan.iter("cipher") if c.get("status") in ("accepted", "preferred")]
        self.assertTrue(accepted, self.sslscan_text)
        for c in accepted:
            name = c.get("cipher")
            self.assertTrue(any(a in name for a in AEAD), "non-AEAD suite %s" % name)
            # TLS 1.3 suites are always (EC)DHE; TLS 1.2 ones must say so.
            self.assertTrue(c.get("sslversion") == "TLSv1.3" or name.startswith("ECDHE-"), "no forward secrecy: %s" % name)
        print("\n  sslscan accepted: " + ", ".join("%s %s" % (c.get("sslversion"), c.get("cipher")) for c in accepted))

    def test_sslscan_no_compression_renegotiation_heartbleed(self):
        for c in self.sslscan.iter("compression"):
            self.assertEqual(c.get("supported"), "0")
        for r in self.sslscan.iter("renegotiation"):
            self.assertEqual(r.get("supported"), "0", self.sslscan_text)
        for hb in self.sslscan.iter("heartbleed"):
            self.assertEqual(hb.get("vulnerable"), "0")


if __name__ == "__main__":
    unittest.main()
