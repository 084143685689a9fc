"""ACME (RFC 8555) against Debian's pebble, Let's Encrypt's test CA, on loopback.

pebble-challtestsrv answers pebble's DNS queries (gk.test -> 127.0.0.1), pebble
validates HTTP-01 on gatekeeper's plain listener, and issues certificates
with a 20 s lifetime (its certificateValidityPeriod) so that renewal at
renew_at 0.5 happens within the test. Shown in one bounded scenario:
issuance (the TLS listener serves the certificate pebble's intermediate
issued, for SNI gk.test), renewal (a new serial), a failed renewal while
pebble is down (old files kept, failure logged), and a later success.

test_tls_alpn_01 has no plain listener at all: pebble validates with
TLS-ALPN-01 (RFC 8737) on gatekeeper's HTTPS listener (pebble's tlsPort).
While the challenge is pending, a client offering acme-tls/1 for gk.test gets
the validation certificate and no HTTP, and a normal client never does.
"""
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import unittest

from gk_harness import GK_BIN, HOST, TempDirMixin, free_port, run, start_process, stop, write_config

HOSTNAME = "gk.test"
LIFETIME_S = 20


def have_pebble():
    return shutil.which("pebble") and shutil.which("pebble-challtestsrv") and shutil.which("openssl")


def wait_for(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))


def cert_facts(pem_or_der, der=False):
    r = subprocess.run(["openssl", "x509", "-inform", "DER" if der else "PEM", "-noout", "-serial", "-issuer",
                        "-subject", "-ext", "subjectAltName"],
                       input=pem_or_der if der else pem_or_der.encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=10)
    text = r.stdout.decode()
    facts = {}
    for line in text.splitlines():
        if line.startswith("serial="):
            facts["serial"] = line.split("=", 1)[1].strip()
        elif line.startswith("issuer="):
            facts["issuer"] = line.split("=", 1)[1].strip()
        elif line.startswith("subject="):
            facts["subject"] = line.split("=", 1)[1].strip()
        elif "DNS:" in line:
            facts["san"] = line.strip()
    return facts


def served_certificate(port, server_name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # checked below against pebble's chain with openssl verify
    with socket.create_connection((HOST, port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_name) as tls:
            return tls.getpeercert(binary_form=True)


# id-pe-acmeIdentifier (1.3.6.1.5.5.7.1.31) as DER, then critical TRUE, then the
# extnValue OCTET STRING (34 bytes) holding an OCTET STRING of 32 (RFC 8737 section 3).
ACME_IDENTIFIER_EXT = bytes.fromhex("06082b060105050701" "1f" "0101ff" "0422" "0420")


def handshake(port, server_name, alpn):
    """(selected ALPN protocol, DER certificate, bytes read after sending a request) for one connection."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(alpn)
    with socket.create_connection((HOST, port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_name) as tls:
            proto, der = tls.selected_alpn_protocol(), tls.getpeercert(binary_form=True)
            got = b""
            try:
                tls.sendall(b"GET / HTTP/1.1\r\nHost: gk.test\r\nConnection: close\r\n\r\n")
                while len(got) < 200:
                    chunk = tls.recv(200)
                    if not chunk:
                        break
                    got += chunk
            except (OSError, ssl.SSLError):
                pass
            return proto, der, got


def events(text, name):
    out = []
    for line in text.splitlines():
        if '"event":"%s"' % name in line:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


@unittest.skipUnless(have_pebble(), "pebble, pebble-challtestsrv and openssl are needed")
class AcmeWithPebble(TempDirMixin, unittest.TestCase):
    def setUp(self):
        self.dir = self.make_tmp()
        self.pebble = None
        self.gk = None
        d = self.dir
        # pebble's own HTTPS certificate (the trust for acme.ca_file).
        r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", d + "/pebble-key.pem", "-out", d + "/pebble-cert.pem", "-days", "2",
                 "-subj", "/CN=pebble", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                 "-addext", "basicConstraints=critical,CA:TRUE"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.acme_port, self.mgmt_port, self.dns_port = free_port(), free_port(), free_port()
        self.http_port, self.tls_port = free_port(), free_port()
        write_config(d + "/pebble.json", json.dumps({"pebble": {
            "listenAddress": "%s:%d" % (HOST, self.acme_port),
            "managementListenAddress": "%s:%d" % (HOST, self.mgmt_port),
            "certificate": d + "/pebble-cert.pem", "privateKey": d + "/pebble-key.pem",
            "httpPort": self.http_port, "tlsPort": self.tls_port,
            "ocspResponderURL": "", "externalAccountBindingRequired": False,
            "certificateValidityPeriod": LIFETIME_S}}))
        # DNS only: every other listener off; A answers 127.0.0.1, no AAAA.
        self.dns = start_process(["pebble-challtestsrv", "-defaultIPv4", HOST, "-defaultIPv6", "",
                                  "-dns01", "%s:%d" % (HOST, self.dns_port), "-http01", "", "-https01", "",
                                  "-tlsalpn01", "", "-management", "%s:%d" % (HOST, free_port())],
                                 logdir=d)
        self.addCleanup(stop, self.dns)
        self.addCleanup(lambda: stop(self.gk))
        self.addCleanup(lambda: stop(self.pebble))
        self.start_pebble()
        self.state = d + "/state"
        self.live = self.state + "/acme/" + HOSTNAME

    def start_pebble(self):
        env = dict(os.environ, PEBBLE_VA_NOSLEEP="1")
        # Generating its root and intermediate takes pebble a few seconds.
        self.pebble = start_process(["pebble", "-config", self.dir + "/pebble.json", "-strict=false",
                                     "-dnsserver", "%s:%d" % (HOST, self.dns_port)],
                                    ready_port=self.acme_port, timeout=40, env=env, logdir=self.dir)
        self.intermediate = wait_for("pebble's intermediate", lambda: self.fetch_mgmt("/intermediates/0"), 10)
        self.root = self.fetch_mgmt("/roots/0")

    def fetch_mgmt(self, path):
        ctx = ssl.create_default_context(cafile=self.dir + "/pebble-cert.pem")
        import urllib.request
        try:
            with urllib.request.urlopen("https://%s:%d%s" % (HOST, self.mgmt_port, path), context=ctx,
                                        timeout=5) as r:
                return r.read().decode()
        except OSError:
            return None

    def config(self, with_tls):
        text = """
server: { state_dir: %s }
listeners:
  - { address: %s, port: %d }
""" % (self.state, HOST, self.http_port)
        if with_tls:
            text += "  - { address: %s, port: %d, tls: { cert: %s/cert.pem, key: %s/key.pem } }\n" % (
                HOST, self.tls_port, self.live, self.live)
        text += """
upstreams:
  app: { url: "http://127.0.0.1:1" }
routes:
  - { name: all, path: /, upstream: app, require: public }
acme:
  directory: https://%s:%d/dir
  email: ops@gk.test
  ca_file: %s/pebble-cert.pem
  hosts: [%s]
  renew_at: 0.5
  retry: { min: 1s, max: 2s }
""" % (HOST, self.acme_port, self.dir, HOSTNAME)
        return write_config(self.dir + "/gatekeeper.yaml", text)

    def start_gk(self, with_tls):
        ports = [self.http_port] + ([self.tls_port] if with_tls else [])
        self.gk = start_process([GK_BIN, "serve", "--config", self.config(with_tls)], ready_port=ports,
                                timeout=20, logdir=self.dir)

    def gk_events(self, name):
        return events(self.gk.stdout_text(), name)

    def file_facts(self):
        with open(self.live + "/cert.pem") as f:
            return cert_facts(f.read())

    def file_serial(self):
        return self.file_facts().get("serial")

    def verify_chain(self, pem_file):
        write_config(self.dir + "/root.pem", self.root)
        write_config(self.dir + "/intermediate.pem", self.intermediate)
        return run(["openssl", "verify", "-CAfile", self.dir + "/root.pem", "-untrusted",
                    self.dir + "/intermediate.pem", pem_file])

    def served_serial(self):
        return cert_facts(served_certificate(self.tls_port, HOSTNAME), der=True)["serial"]

    def test_issue_renew_fail_and_recover(self):
        t0 = time.monotonic()
        intermediate_name = cert_facts(self.intermediate)["subject"]

        # 1. Issuance: a placeholder first, then pebble's certificate.
        self.start_gk(with_tls=False)
        wait_for("the first certificate", lambda: self.gk_events("acme_certificate"), 30)
        out = self.gk.stdout_text()
        self.assertTrue(any(e.get("what") == "placeholder" for e in events(out, "acme_files")), out)
        self.assertEqual(oct(os.stat(self.state + "/acme/account.key").st_mode & 0o777), "0o600")
        self.assertEqual(oct(os.stat(self.live + "/key.pem").st_mode & 0o777), "0o600")
        facts = self.file_facts()
        self.assertEqual(facts["issuer"], intermediate_name)
        self.assertIn("DNS:" + HOSTNAME, facts["san"])
        v = self.verify_chain(self.live + "/cert.pem")
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        # The challenge path never reaches a route: an unknown token is a 404.
        with socket.create_connection((HOST, self.http_port), timeout=5) as s:
            s.sendall(b"GET /.well-known/acme-challenge/unknown-token-0123456789 HTTP/1.1\r\nHost: gk.test\r\n"
                      b"Connection: close\r\n\r\n")
            self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 404"))
        # No secret in the log.
        self.assertNotIn("PRIVATE KEY", out)
        stop(self.gk)

        # 2. The TLS listener serves it for SNI gk.test.
        first = self.file_serial()
        self.start_gk(with_tls=True)
        served = cert_facts(served_certificate(self.tls_port, HOSTNAME), der=True)
        self.assertEqual(served["serial"], first)
        self.assertEqual(served["issuer"], intermediate_name)

        # 3. Renewal at half the 20 s lifetime: a new key and serial on disk.
        wait_for("the renewal", lambda: self.gk_events("acme_certificate"), LIFETIME_S + 15)
        second = self.file_serial()
        self.assertNotEqual(second, first)

        # 4. pebble goes away: the next renewal fails, is logged, and the files stay.
        stop(self.pebble)
        failed = wait_for("a failed renewal", lambda: self.gk_events("acme_failed"), LIFETIME_S)
        self.assertEqual(failed[0]["host"], HOSTNAME)
        self.assertIn("transport", failed[0]["why"])
        self.assertEqual(failed[0]["serving"], "the previous certificate")
        self.assertEqual(self.file_serial(), second)
        # The listener picked the renewed files up by itself (no restart) and keeps serving them.
        self.assertEqual(self.served_serial(), second)

        # 5. pebble is back (a new CA instance): the retry succeeds.
        self.start_pebble()
        wait_for("a renewal after the outage", lambda: len(self.gk_events("acme_certificate")) >= 2, 30)
        third = self.file_serial()
        self.assertNotIn(third, (first, second))
        self.assertEqual(self.file_facts()["issuer"],
                         cert_facts(self.intermediate)["subject"])
        # Served without a restart once the files changed (the 1 s file check).
        wait_for("the new certificate served", lambda: self.served_serial() == third or None, 10)
        self.assertLess(time.monotonic() - t0, 120)

    def test_tls_alpn_01(self):
        text = """
server: { state_dir: %s }
listeners:
  - { address: %s, port: %d, tls: {} }
upstreams:
  app: { url: "http://127.0.0.1:1" }
routes:
  - { name: all, path: /, upstream: app, require: public }
acme:
  directory: https://%s:%d/dir
  ca_file: %s/pebble-cert.pem
  hosts: [%s]
  challenge: tls-alpn-01
  retry: { min: 1s, max: 2s }
""" % (self.state, HOST, self.tls_port, HOST, self.acme_port, self.dir, HOSTNAME)
        self.gk = start_process([GK_BIN, "serve", "--config", write_config(self.dir + "/gatekeeper.yaml", text)],
                                ready_port=[self.tls_port], timeout=20, logdir=self.dir)

        # Both kinds of client, again and again while the order runs: the challenge
        # certificate is pending for about a second (until the next authorization poll).
        seen = {"challenge": [], "normal": [], "errors": []}
        done = threading.Event()

        def probe():
            while not done.is_set():
                for kind, alpn in (("challenge", ["acme-tls/1"]), ("normal", ["http/1.1"])):
                    try:
                        seen[kind].append(handshake(self.tls_port, HOSTNAME, alpn))
                    except (OSError, ssl.SSLError) as e:
                        seen["errors"].append(repr(e))
                time.sleep(0.02)

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            wait_for("the certificate by tls-alpn-01", lambda: self.gk_events("acme_certificate"), 40)
        finally:
            done.set()
            prober.join(10)
        self.assertFalse(self.gk_events("acme_failed"), self.gk.stdout_text())
        facts = self.file_facts()
        self.assertEqual(facts["issuer"], cert_facts(self.intermediate)["subject"])
        self.assertIn("DNS:" + HOSTNAME, facts["san"])

        # acme-tls/1 was selected only with the validation certificate, and nothing was served on it.
        validations = [(p, der, got) for p, der, got in seen["challenge"] if p == "acme-tls/1"]
        self.assertTrue(validations, "no acme-tls/1 handshake caught while the challenge was pending")
        for _, der, got in validations:
            self.assertIn(ACME_IDENTIFIER_EXT, der)
            self.assertIn("DNS:" + HOSTNAME, cert_facts(der, der=True)["san"])
            self.assertEqual(got, b"")
        for p, der, got in seen["challenge"]:
            if p != "acme-tls/1":  # before or after the pending window: the normal certificate
                self.assertNotIn(ACME_IDENTIFIER_EXT, der)
        # A client without acme-tls/1 never got the validation certificate, and got HTTP.
        self.assertTrue(seen["normal"])
        for p, der, got in seen["normal"]:
            self.assertEqual(p, "http/1.1")
            self.assertNotIn(ACME_IDENTIFIER_EXT, der)
            self.assertTrue(got.startswith(b"HTTP/1.1 "), got)

        # Nothing pending now: openssl offering acme-tls/1 gets no ALPN and the issued certificate.
        r = subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (HOST, self.tls_port), "-servername",
                            HOSTNAME, "-alpn", "acme-tls/1"], input=b"", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=10)
        out = r.stdout.decode(errors="replace")
        self.assertIn("No ALPN negotiated", out)
        self.assertNotIn("ALPN protocol: acme-tls/1", out)
        served = cert_facts(served_certificate(self.tls_port, HOSTNAME), der=True)
        self.assertEqual(served["serial"], self.file_serial())
        self.assertNotIn(ACME_IDENTIFIER_EXT, served_certificate(self.tls_port, HOSTNAME))
        # curl (a normal client, ALPN http/1.1) gets the issued certificate too.
        if shutil.which("curl"):
            c = subprocess.run(["curl", "-sk", "-v", "-o", "/dev/null", "--resolve",
                                "%s:%d:%s" % (HOSTNAME, self.tls_port, HOST),
                                "https://%s:%d/" % (HOSTNAME, self.tls_port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
            err = c.stderr.decode(errors="replace")
            self.assertIn("ALPN: server accepted http/1.1", err.replace("ALPN, server accepted to use http/1.1",
                                                                         "ALPN: server accepted http/1.1"))
            self.assertIn("issuer: " + cert_facts(self.intermediate)["subject"].replace(" = ", "="),
                          err.replace(" = ", "="))


if __name__ == "__main__":
    unittest.main()
