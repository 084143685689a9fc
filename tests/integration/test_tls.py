#!/usr/bin/python3
"""The HTTPS listener: TLS 1.2 and 1.3 only, SNI choosing among several certificates, certificate
files reloaded on change without dropping open connections (and a broken file keeping the old
certificate), session resumption with tickets. Certificates are made with the openssl CLI; every
process is stopped by PID and every wait is bounded.
"""
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gk_harness as h  # noqa: E402

T = 10

CONFIG = """\
server:
  threads: 2
listeners:
  - address: 127.0.0.1
    port: {port}
    tls:
      certificates:
        - {{ cert: a.pem, key: a.key }}
        - {{ cert: b.pem, key: b.key }}
      session_tickets: true
      ticket_key_rotation: 1h
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
routes:
  - {{ name: open, path: /, upstream: py, require: public }}
"""


def make_cert(dirname, name, cn, san):
    """A self-signed P-256 certificate and key: {name}.pem, {name}.key in dirname."""
    cert, key = os.path.join(dirname, name + ".pem"), os.path.join(dirname, name + ".key")
    r = h.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
               "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=" + cn, "-addext",
               "subjectAltName=" + san])
    if r.returncode != 0:
        raise RuntimeError("openssl req failed: %s" % r.stderr)
    return cert, key


def replace(src, dst):
    """Put src's bytes at dst the way deploy tools do: write a temporary file, rename it over."""
    tmp = dst + ".new"
    shutil.copyfile(src, tmp)
    os.rename(tmp, dst)


def der_of(pem_path):
    with open(pem_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # these tests look at which certificate comes, not at trust
    return ctx


class TlsListenerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-tls-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.tmp = cls._tmp.name
        cls.keep = os.path.join(cls.tmp, "keep")
        os.mkdir(cls.keep)
        # The served files (a.*, b.*) and the versions the tests swap in (keep/).
        make_cert(cls.keep, "a1", "a.test", "DNS:a.test")
        make_cert(cls.keep, "a2", "a.test", "DNS:a.test")
        make_cert(cls.keep, "b", "b.test", "DNS:b.test,DNS:*.b.test")
        for src, dst in (("a1", "a"), ("b", "b")):
            for ext in (".pem", ".key"):
                shutil.copyfile(os.path.join(cls.keep, src + ext), os.path.join(cls.tmp, dst + ext))
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        cls.gk = h.GatekeeperServe(lambda p: CONFIG.format(port=p, up=cls.up.port), cls.tmp)
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)
        cls.port = cls.gk.port

    def log(self):
        return self.gk.proc.stdout_text() + self.gk.proc.stderr_text()

    def served_cert(self, sni):
        ctx = client_context()
        with socket.create_connection((h.HOST, self.port), timeout=T) as raw:
            with ctx.wrap_socket(raw, server_hostname=sni) as s:
                return s.getpeercert(binary_form=True)

    def s_client(self, *args, stdin=b""):
        return subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (h.HOST, self.port)] + list(args),
                              input=stdin, capture_output=True, timeout=T)

    def wait_for(self, fn, limit):
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            if fn():
                return True
            time.sleep(0.1)
        return fn()

    # ------------------------------------------------------------------ protocols

    def test_tls_1_1_and_1_0_are_refused(self):
        for flag in ("-tls1", "-tls1_1"):
            # SECLEVEL=0: the client itself would allow the old protocol; the server must refuse it.
            r = self.s_client(flag, "-cipher", "DEFAULT:@SECLEVEL=0", "-servername", "a.test")
            out = r.stdout.decode("utf-8", "replace")
            self.assertNotEqual(r.returncode, 0, out)
            # s_client's summary names the protocol it tried even when no handshake happened.
            self.assertIn("Cipher is (NONE)", out)

    def test_tls_1_2_and_1_3_are_accepted(self):
        for flag, name in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
            r = self.s_client(flag, "-servername", "a.test")
            out = r.stdout.decode("utf-8", "replace")
            self.assertEqual(r.returncode, 0, out + r.stderr.decode("utf-8", "replace"))
            # The "New, <protocol>, Cipher is" line, not the SSL-Session block: with TLS 1.3
            # s_client prints that block only once a ticket arrived, which can come after it quits.
            self.assertRegex(out, r"New, %s, Cipher is " % name.replace(".", r"\."))

    def test_python_client_gets_tls_1_3_and_alpn_http11(self):
        ctx = client_context()
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection((h.HOST, self.port), timeout=T) as raw:
            with ctx.wrap_socket(raw, server_hostname="a.test") as s:
                self.assertEqual(s.version(), "TLSv1.3")
                self.assertEqual(s.selected_alpn_protocol(), "http/1.1")

    # ------------------------------------------------------------------ SNI

    def test_sni_picks_the_matching_certificate(self):
        a, b = der_of(os.path.join(self.tmp, "a.pem")), der_of(os.path.join(self.tmp, "b.pem"))
        cases = [("a.test", a), ("A.TEST", a), ("b.test", b), ("www.b.test", b),
                 ("x.www.b.test", a), ("unknown.test", a), (None, a)]
        for sni, want in cases:
            with self.subTest(sni=sni):
                self.assertEqual(self.served_cert(sni), want)

    # ------------------------------------------------------------------ reload

    def keepalive_get(self, conn):
        conn.request("GET", "/ping", headers={"Host": "a.test"})
        r = conn.getresponse()
        r.read()
        return r.status

    def test_1_replaced_certificate_is_served_and_open_connection_survives(self):
        a_path, a_key = os.path.join(self.tmp, "a.pem"), os.path.join(self.tmp, "a.key")
        conn = http.client.HTTPSConnection(h.HOST, self.port, timeout=T, context=client_context())
        self.addCleanup(conn.close)
        self.assertEqual(self.keepalive_get(conn), 200, self.gk.output())
        old = conn.sock.getpeercert(binary_form=True)
        want = der_of(os.path.join(self.keep, "a2.pem"))
        replace(os.path.join(self.keep, "a2.key"), a_key)
        replace(os.path.join(self.keep, "a2.pem"), a_path)
        t0 = time.monotonic()
        self.assertTrue(self.wait_for(lambda: self.served_cert("a.test") == want, 3.0), self.gk.output())
        print("\n  new certificate served %.1f s after the files were replaced" % (time.monotonic() - t0))
        # The open keep-alive connection still works, on its original certificate.
        self.assertEqual(self.keepalive_get(conn), 200)
        self.assertEqual(conn.sock.getpeercert(binary_form=True), old)

    def test_2_broken_replacement_keeps_the_old_certificate(self):
        a_path = os.path.join(self.tmp, "a.pem")
        before = self.served_cert("a.test")
        kept = self.log().count("still serving the previous")
        with open(a_path + ".new", "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
        os.rename(a_path + ".new", a_path)
        self.assertTrue(self.wait_for(lambda: self.log().count("still serving the previous") > kept,
                                      3.0), self.gk.output())
        self.assertIn("cannot load TLS certificate " + a_path, self.log())
        self.assertEqual(self.served_cert("a.test"), before)
        # The next good write is picked up (the matching key is still in place).
        with open(a_path + ".new", "wb") as f:
            f.write(ssl.DER_cert_to_PEM_cert(before).encode())
        os.rename(a_path + ".new", a_path)
        time.sleep(1.5)
        self.assertEqual(self.served_cert("a.test"), before)
        self.assertEqual(self.served_cert("b.test"), der_of(os.path.join(self.tmp, "b.pem")))

    # ------------------------------------------------------------------ tickets

    def test_session_ticket_resumption(self):
        request = b"GET /ping HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"
        for flag in ("-tls1_2", "-tls1_3"):
            with self.subTest(protocol=flag):
                sess = os.path.join(self.tmp, "sess" + flag)
                first = self.s_client(flag, "-servername", "a.test", "-ign_eof", "-sess_out", sess, stdin=request)
                self.assertEqual(first.returncode, 0, first.stderr)
                again = self.s_client(flag, "-servername", "a.test", "-ign_eof", "-sess_in", sess, stdin=request)
                out = again.stdout.decode("utf-8", "replace")
                self.assertIn("Reused", out, out)
                self.assertIn("200", out)


OCSP_CONFIG = """\
server:
  threads: 1
listeners:
  - {{ address: 127.0.0.1, port: {port}, tls: {{ cert: good-chain.pem, key: good.key }} }}
  - {{ address: 127.0.0.1, port: {port2}, tls: {{ cert: revoked-chain.pem, key: revoked.key }} }}
  - {{ address: 127.0.0.1, port: {port3}, tls: {{ cert: down-chain.pem, key: down.key }} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
routes:
  - {{ name: open, path: /, upstream: py, require: public }}
"""


class TlsOcspStaplingTest(unittest.TestCase):
    """A test CA, leaves whose AIA names `openssl ocsp` on loopback, and `openssl s_client -status`."""

    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-ocsp-")
        cls.addClassCleanup(cls._tmp.cleanup)
        d = cls.tmp = cls._tmp.name
        ca, ca_key = os.path.join(d, "ca.pem"), os.path.join(d, "ca.key")
        cls.check_run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                       "-keyout", ca_key, "-out", ca, "-days", "30", "-subj", "/CN=gatekeeper test CA",
                       "-addext", "basicConstraints=critical,CA:TRUE",
                       "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"])
        cls.ocsp_port, dead_port = h.free_port(), h.free_port()
        index = []
        for name, port, status in (("good", cls.ocsp_port, "V"), ("revoked", cls.ocsp_port, "R"),
                                   ("down", dead_port, "V")):
            key, csr, cert = (os.path.join(d, name + ext) for ext in (".key", ".csr", ".pem"))
            ext = os.path.join(d, name + ".ext")
            with open(ext, "w") as f:
                f.write("subjectAltName=DNS:%s.test\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:%d/\n"
                        "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n" % (name, port))
            cls.check_run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                           "-keyout", key, "-out", csr, "-subj", "/CN=%s.test" % name])
            cls.check_run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                           "-days", "30", "-out", cert, "-extfile", ext])
            with open(os.path.join(d, name + "-chain.pem"), "w") as out:
                for part in (cert, ca):
                    with open(part) as f:
                        out.write(f.read())
            serial = cls.check_run(["openssl", "x509", "-in", cert, "-noout", "-serial"]).split("=", 1)[1].strip()
            end = cls.check_run(["openssl", "x509", "-in", cert, "-noout", "-enddate"]).split("=", 1)[1].strip()
            expiry = time.strftime("%y%m%d%H%M%SZ", time.strptime(end, "%b %d %H:%M:%S %Y %Z"))
            revoked = time.strftime("%y%m%d%H%M%SZ", time.gmtime()) if status == "R" else ""
            index.append("%s\t%s\t%s\t%s\tunknown\t/CN=%s.test\n" % (status, expiry, revoked, serial, name))
        with open(os.path.join(d, "index.txt"), "w") as f:
            f.writelines(index)
        with open(os.path.join(d, "index.txt.attr"), "w") as f:
            f.write("unique_subject = no\n")
        cls.responder = h.start_process(
            ["openssl", "ocsp", "-index", os.path.join(d, "index.txt"), "-port", str(cls.ocsp_port), "-ignore_err",
             "-rsigner", ca, "-rkey", ca_key, "-CA", ca, "-ndays", "1"], logdir=d)
        cls.addClassCleanup(h.stop, cls.responder)
        # Ready when it answers a real query: `openssl ocsp` (3.0) stalls after a bare connect-and-close
        # such as the harness's port probe, so that probe is not used here.
        t0 = time.monotonic()
        while True:
            q = h.run(["openssl", "ocsp", "-issuer", ca, "-cert", os.path.join(d, "good.pem"), "-no_nonce",
                       "-url", "http://127.0.0.1:%d/" % cls.ocsp_port, "-CAfile", ca, "-timeout", "2"], timeout=5)
            if q.returncode == 0 and ": good" in q.stdout:
                break
            if time.monotonic() - t0 > 10:
                raise AssertionError("OCSP responder not answering: %s %s" % (q.stdout, q.stderr))
            time.sleep(0.2)
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        cls.port2, cls.port3 = h.free_port(), h.free_port()
        cls.gk = h.GatekeeperServe(
            lambda p: OCSP_CONFIG.format(port=p, port2=cls.port2, port3=cls.port3, up=cls.up.port), d,
            extra_ready_ports=[cls.port2, cls.port3])
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)

    @staticmethod
    def check_run(args):
        r = h.run(args)
        if r.returncode != 0:
            raise RuntimeError("%s failed: %s" % (args[:2], r.stderr))
        return r.stdout if isinstance(r.stdout, str) else r.stdout.decode()

    def status_output(self, port, name):
        r = subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (h.HOST, port), "-servername", name,
                            "-status"], input=b"", capture_output=True, timeout=T)
        return r.stdout.decode("utf-8", "replace")

    def test_good_certificate_gets_a_staple(self):
        out = ""
        t0 = time.monotonic()
        while time.monotonic() - t0 < 25:
            out = self.status_output(self.gk.port, "good.test")
            if "OCSP Response Status: successful" in out:
                break
            time.sleep(0.3)
        self.assertIn("OCSP Response Status: successful", out, out + self.gk.output())
        self.assertIn("Cert Status: good", out)
        self.assertIn("Next Update:", out)
        print("\n  staple: " + "; ".join(l.strip() for l in out.splitlines()
                                          if "Cert Status" in l or "This Update" in l or "Next Update" in l))

    def test_revoked_or_unreachable_gets_no_staple(self):
        time.sleep(2.0)  # the stapler has tried both by now (it visits every second)
        for port, name in ((self.port2, "revoked.test"), (self.port3, "down.test")):
            with self.subTest(name=name):
                out = self.status_output(port, name)
                self.assertIn("OCSP response: no response sent", out, out)
        log = self.gk.output()
        self.assertIn("revoked", log)
        self.assertIn("stapling nothing", log)


if __name__ == "__main__":
    unittest.main()
