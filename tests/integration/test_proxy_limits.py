#!/usr/bin/python3
"""`gatekeeper serve` in front of a Python upstream: limits, upstream failures, header hygiene,
keep-alive, bodiless responses, chunked responses and Expect: 100-continue.
"""
import json
import os
import socket
import struct
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402
from requests.auth import HTTPBasicAuth  # noqa: E402

import gk_harness as h  # noqa: E402

T = 10
MAX_HEADER = 4096
MAX_BODY = 1_000_000

CONFIG = """\
server:
  threads: 2
  trusted_proxies: ["192.0.2.1/32"]   # loopback is NOT trusted here: X-Forwarded-* from clients are replaced
  limits:
    max_header_bytes: {max_header}
    max_body_bytes: {max_body}
    header_timeout: 1s
    idle_timeout: 10s
    body_timeout: 5s
    shutdown_grace: 2s
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py:
    url: http://127.0.0.1:{up}
    connect_timeout: 2s
    response_timeout: 1500ms
  rst:
    url: http://127.0.0.1:{rst}
    connect_timeout: 1s
    response_timeout: 2s
  dead:
    url: http://127.0.0.1:{dead}
    connect_timeout: 1s
    response_timeout: 2s
users:
  staff: {{ htpasswd: users.htpasswd }}
routes:
  - name: rst
    path: /rst/
    upstream: rst
    require: public
  - name: dead
    path: /dead/
    upstream: dead
    require: public
  - name: secure
    path: /secure/
    upstream: py
    schemes: [basic]
    realm: Secure Area
    users: staff
    require: authenticated
  - name: pub
    path: /pub/
    upstream: py
    require: public
"""


class RstUpstream:
    """An upstream that promises 100000 bytes, sends some, then resets the connection (SO_LINGER 0).

    /rst/early: the head and 1000 bytes, then RST (nothing can have reached the client yet).
    /rst/late: the head and 70000 bytes (more than gatekeeper's 64 KiB relay buffer, so the
    head and a first piece are forwarded), a pause, then RST.
    """

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                piece = conn.recv(4096)
                if not piece:
                    return
                data += piece
            late = b"/rst/late" in data.split(b"\r\n", 1)[0]
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"r" * (70000 if late else 1000))
            time.sleep(0.5 if late else 0.2)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


class ProxyLimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-proxy-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        h.make_htpasswd(os.path.join(cls._tmp.name, "users.htpasswd"), {"alice": "wonderland"})
        cls.rst = RstUpstream()
        cls.addClassCleanup(cls.rst.close)
        dead = h.free_port()  # nobody listens there
        cls.gk = h.GatekeeperServe(lambda p: CONFIG.format(port=p, up=cls.up.port, dead=dead, rst=cls.rst.port,
                                                           max_header=MAX_HEADER, max_body=MAX_BODY),
                                   cls._tmp.name)
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)
        cls.port = cls.gk.port

    def url(self, path):
        return self.gk.url(path)

    def diag(self):
        return self.gk.output()

    def raw(self, data, **kw):
        return h.raw_request(self.port, data, **kw)

    def upstream_request(self, marker):
        for r in self.up.seen():
            if marker in r.path:
                return r
        return None

    # ------------------------------------------------------------------ limits

    def test_header_too_large_is_431(self):
        req = ("GET /pub/big-head HTTP/1.1\r\nHost: a\r\nX-Big: %s\r\n\r\n" % ("a" * (MAX_HEADER + 2000))).encode()
        resp = self.raw(req)
        self.assertEqual(resp.status, 431, resp)
        self.assertIsNone(self.upstream_request("big-head"))

    def test_many_headers_over_limit_is_431(self):
        lines = "".join("X-H%d: %s\r\n" % (i, "b" * 100) for i in range(60))  # ~6.5 KB
        resp = self.raw(("GET /pub/many-heads HTTP/1.1\r\nHost: a\r\n%s\r\n" % lines).encode())
        self.assertEqual(resp.status, 431, resp)

    def test_request_target_too_long_is_414(self):
        # RFC 9112 3: a request line over the head limit is 414 (URI Too Long), not 431.
        req = ("GET /pub/long-uri/%s HTTP/1.1\r\nHost: a\r\n\r\n" % ("u" * (MAX_HEADER + 100))).encode()
        resp = self.raw(req)
        self.assertEqual(resp.status, 414, resp)
        self.assertTrue(resp.closed)
        self.assertIsNone(self.upstream_request("long-uri"))
        # Still arriving, no line end yet: the same answer.
        with h.RawConn(self.port, timeout=3) as c:
            c.send(("GET /pub/long-uri2/%s" % ("v" * (MAX_HEADER + 100))).encode())
            self.assertEqual(c.read_response(timeout=T).status, 414)

    def test_header_just_under_limit_passes(self):
        resp = self.raw(("GET /pub/near-limit HTTP/1.1\r\nHost: a\r\nX-Pad: %s\r\nConnection: close\r\n\r\n"
                         % ("c" * (MAX_HEADER - 200))).encode())
        self.assertEqual(resp.status, 200, resp)

    def test_content_length_over_limit_is_413(self):
        resp = self.raw(("POST /pub/too-big HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY + 1))
                        .encode())
        self.assertEqual(resp.status, 413, resp)
        self.assertIsNone(self.upstream_request("too-big"), "an over-limit body reached the upstream")

    def test_chunked_body_over_limit_is_413(self):
        with h.RawConn(self.port, timeout=3) as c:
            c.send(b"POST /pub/too-big-chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
            piece = b"%x\r\n%s\r\n" % (100_000, b"x" * 100_000)
            for _ in range(MAX_BODY // 100_000 + 5):
                c.send(piece)
                if c.eof or c.send_blocked:
                    break
            c.send(b"0\r\n\r\n")
            resp = c.read_response(timeout=T)
        self.assertEqual(resp.status, 413, resp)
        rec = self.upstream_request("too-big-chunked")
        if rec is not None:
            self.assertLessEqual(rec.body_bytes, MAX_BODY)

    def test_body_within_limit_is_forwarded(self):
        r = requests.post(self.url("/pub/upload"), data=b"z" * 12345, timeout=T)
        self.assertEqual(r.status_code, 200, r.text[:200])
        self.assertEqual(r.json()["body_bytes"], 12345)

    def test_http10_keep_alive_client_gets_http10_answers(self):
        """Regression: the head rewritten for the upstream (HTTP/1.1) set the version of the
        answer, so a 1.0 client asking for keep-alive got "HTTP/1.1" without "Connection:
        keep-alive", took it for close-delimited and waited for a close that never came (ab -k hung)."""
        with h.RawConn(self.port, timeout=T) as c:
            for i in range(2):
                c.send(("GET /pub/ten-%d HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n" % i).encode())
                resp = c.read_response(timeout=T)
                self.assertEqual(resp.status, 200, resp)
                self.assertTrue(resp.status_line.startswith("HTTP/1.0 "), resp.status_line)
                self.assertEqual((resp.get("Connection") or "").lower(), "keep-alive", resp)
                self.assertIsNotNone(resp.get("Content-Length"), resp)
        with h.RawConn(self.port, timeout=T) as c:  # and without keep-alive: 1.0, then closed
            c.send(b"GET /pub/ten-close HTTP/1.0\r\nHost: a\r\n\r\n")
            resp = c.read_response(timeout=T)
            self.assertTrue(resp.status_line.startswith("HTTP/1.0 200"), resp.status_line)
            self.assertIsNone(resp.get("Connection"), resp)
        # gatekeeper's own answers (no upstream) were already right: a 1.0 error stays 1.0.
        with h.RawConn(self.port, timeout=T) as c:
            c.send(b"GET /dead/x HTTP/1.0\r\nHost: a\r\n\r\n")
            resp = c.read_response(timeout=T)
            self.assertEqual(resp.status, 502, resp)
            self.assertTrue(resp.status_line.startswith("HTTP/1.0 "), resp.status_line)

    def test_incomplete_head_is_408(self):
        with h.RawConn(self.port, timeout=6) as c:
            t0 = time.monotonic()
            c.send(b"GET /pub/slow-head HTTP/1.1\r\nHost: a\r\n")
            resp = c.read_response(timeout=6)
            elapsed = time.monotonic() - t0
            self.assertEqual(resp.status, 408, resp)
            self.assertGreater(elapsed, 0.8)
            self.assertLess(elapsed, 4.0)
            self.assertTrue(c.is_closed(2.0), "connection left open after 408")

    def test_trickled_head_still_times_out(self):
        # A byte every 200 ms keeps the socket busy but never finishes the head (slowloris).
        head = b"GET /pub/trickle HTTP/1.1\r\nHost: a\r\nX-Slow: " + b"s" * 40
        with h.RawConn(self.port, timeout=6) as c:
            t0 = time.monotonic()
            got = None
            for i in range(len(head)):
                if time.monotonic() - t0 > 5:
                    break
                c.send(head[i:i + 1])
                if c._fill(time.monotonic() + 0.2):
                    got = c.read_response(timeout=2)
                    break
            self.assertIsNotNone(got, "no response while trickling the head for %.1fs" % (time.monotonic() - t0))
            self.assertEqual(got.status, 408, got)
            self.assertLess(time.monotonic() - t0, 4.0)

    def test_malformed_head_is_400(self):
        resp = self.raw(b"GET /pub/x HTTP/1.1\r\nHost : a\r\n\r\n")
        self.assertEqual(resp.status, 400, resp)
        self.assertTrue(resp.closed)

    def test_no_route_is_404(self):
        r = requests.get(self.url("/nothing/here"), timeout=T)
        h.problem_json_ok(self, r, 404)
        r = requests.get(self.url("/"), timeout=T)
        self.assertEqual(r.status_code, 404)

    # ------------------------------------------------------------------ upstream failures

    def test_upstream_unreachable_is_502(self):
        t0 = time.monotonic()
        r = requests.get(self.url("/dead/x"), timeout=T)
        self.assertEqual(r.status_code, 502, r.text[:200])
        self.assertLess(time.monotonic() - t0, 5)

    def test_slow_upstream_is_504(self):
        t0 = time.monotonic()
        r = requests.get(self.url("/pub/slow/4"), timeout=T)
        elapsed = time.monotonic() - t0
        self.assertEqual(r.status_code, 504, r.text[:200])
        self.assertGreater(elapsed, 1.2)
        self.assertLess(elapsed, 3.5)

    def access_log_line(self, path):
        for line in self.gk.proc.stdout_text().splitlines() + self.gk.proc.stderr_text().splitlines():
            if '"path":"%s"' % path in line:
                return line
        return None

    def wait_access_log_line(self, path):
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            line = self.access_log_line(path)
            if line:
                return line
            time.sleep(0.05)
        return None

    def test_upstream_reset_before_anything_sent_is_502(self):
        # The head goes out with the first piece of body: an upstream reset before
        # that must be a 502, not an empty reply logged as 200.
        resp = self.raw(b"GET /rst/early HTTP/1.1\r\nHost: a\r\n\r\n", timeout=T)
        self.assertEqual(resp.status, 502, resp)
        line = self.wait_access_log_line("/rst/early")
        self.assertIsNotNone(line, self.diag())
        self.assertIn('"status":502', line)
        self.assertIn("upstream body", line)

    def test_upstream_reset_after_head_sent_closes(self):
        # Once the head is on the wire the only honest signal is closing: a truncated body.
        with h.RawConn(self.port, timeout=T) as c:
            c.send(b"GET /rst/late HTTP/1.1\r\nHost: a\r\n\r\n")
            head = c.read_response(head_only=True, timeout=T)
            self.assertEqual(head.status, 200, head)
            self.assertEqual(head.get("Content-Length"), "100000")
            self.assertTrue(c.is_closed(5.0), "connection left open after a truncated body")
            self.assertGreater(len(c.buf), 0, "the first piece of the body was not relayed")
            self.assertLess(len(c.buf), 100000)
        line = self.wait_access_log_line("/rst/late")
        self.assertIsNotNone(line, self.diag())
        self.assertIn('"status":200', line)
        self.assertIn("response truncated, connection closed", line)

    def test_upstream_within_timeout_is_200(self):
        r = requests.get(self.url("/pub/slow/0.3"), timeout=T)
        self.assertEqual(r.status_code, 200)

    # ------------------------------------------------------------------ what the upstream sees

    def test_x_forwarded_replaced_for_untrusted_client(self):
        r = requests.get(self.url("/pub/xff"), timeout=T, headers={
            "Host": "front.example:8080",
            "X-Forwarded-For": "6.6.6.6",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
        })
        self.assertEqual(r.status_code, 200)
        rec = self.up.last()
        self.assertEqual(rec.get_all("X-Forwarded-For"), ["127.0.0.1"])
        self.assertEqual(rec.get_all("X-Forwarded-Proto"), ["http"])
        self.assertEqual(rec.get_all("X-Forwarded-Host"), ["front.example:8080"])

    def test_hop_by_hop_not_forwarded(self):
        r = requests.get(self.url("/pub/hop"), timeout=T, headers={
            "Connection": "keep-alive, X-Hop-A, x-hop-b",
            "X-Hop-A": "1", "X-Hop-B": "2",
            "Keep-Alive": "timeout=5", "TE": "trailers", "Upgrade": "websocket-ish",
            "Proxy-Authorization": "Basic Zm9vOmJhcg==", "Proxy-Connection": "keep-alive",
            "X-Kept": "yes",
        })
        self.assertEqual(r.status_code, 200)
        rec = self.up.last()
        names = {k.lower() for k, _ in rec.headers}
        for hop in ("x-hop-a", "x-hop-b", "keep-alive", "te", "upgrade", "proxy-authorization"):
            self.assertNotIn(hop, names, "%s forwarded: %s" % (hop, rec.headers))
        self.assertEqual(rec.get("X-Kept"), "yes")
        conn = (rec.get("Connection") or "").lower()
        self.assertNotIn("x-hop", conn)

    def test_connection_cannot_strip_identity(self):
        r = requests.get(self.url("/secure/conn"), auth=HTTPBasicAuth("alice", "wonderland"), timeout=T,
                         headers={"Connection": "close, X-Auth-Request-User, Remote-User"})
        self.assertEqual(r.status_code, 200, r.text[:200])
        rec = self.up.last()
        self.assertEqual(rec.get_all("X-Auth-Request-User"), ["alice"])
        self.assertEqual(rec.get_all("Remote-User"), ["alice"])
        self.assertNotIn("remote-user", (rec.get("Connection") or "").lower())

    def test_authenticated_identity_and_no_authorization(self):
        r = requests.get(self.url("/secure/me"), auth=HTTPBasicAuth("alice", "wonderland"), timeout=T,
                         headers={"X-Auth-Request-User": "mallory", "REMOTE-USER": "mallory",
                                  "X-Forwarded-User": "mallory"})
        self.assertEqual(r.status_code, 200, r.text[:200])
        rec = self.up.last()
        self.assertEqual(rec.get_all("X-Auth-Request-User"), ["alice"])
        self.assertEqual(rec.get_all("Remote-User"), ["alice"])
        self.assertEqual(rec.get_all("X-Forwarded-User"), [])
        self.assertEqual(rec.get_all("Authorization"), [])

    def test_wrong_password_is_401(self):
        r = requests.get(self.url("/secure/me"), auth=HTTPBasicAuth("alice", "nope"), timeout=T)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(h.www_authenticate_lines(r.raw.headers), ['Basic realm="Secure Area", charset="UTF-8"'])

    def test_rewrite_headers_stripped(self):
        # SECURITY.md 5.3: X-Original-URL / X-Rewrite-URL must never reach an upstream.
        r = requests.get(self.url("/pub/rewrite"), timeout=T,
                         headers={"X-Original-URL": "/admin/", "X-Rewrite-URL": "/admin/"})
        self.assertEqual(r.status_code, 200)
        rec = self.up.last()
        self.assertEqual(rec.get_all("X-Original-URL") + rec.get_all("X-Rewrite-URL"), [])

    # ------------------------------------------------------------------ connection handling

    def test_keep_alive_session(self):
        with requests.Session() as s:
            a = s.get(self.url("/pub/ka1"), timeout=T)
            b = s.get(self.url("/pub/ka2"), timeout=T)
        self.assertEqual((a.status_code, b.status_code), (200, 200))

    def test_two_requests_on_one_socket(self):
        with h.RawConn(self.port) as c:
            c.send(b"GET /pub/one HTTP/1.1\r\nHost: a\r\n\r\n")
            r1 = c.read_response()
            c.send(b"GET /pub/two HTTP/1.1\r\nHost: a\r\n\r\n")
            r2 = c.read_response()
        self.assertEqual((r1.status, r2.status), (200, 200), (r1, r2))
        self.assertIn(b"/pub/two", r2.body)

    def test_upstream_connection_is_reused(self):
        with h.RawConn(self.port) as c:
            for i in range(3):
                c.send(b"GET /pub/pool-%d HTTP/1.1\r\nHost: a\r\n\r\n" % i)
                self.assertEqual(c.read_response().status, 200)
        ports = [self.upstream_request("pool-%d" % i).client_port for i in range(3)]
        self.assertEqual(len(set(ports)), 1, "each request opened a new upstream connection: %s" % ports)

    def test_head_has_no_body(self):
        with h.RawConn(self.port) as c:
            c.send(b"HEAD /pub/big/1000 HTTP/1.1\r\nHost: a\r\n\r\n")
            r1 = c.read_response(head_only=True)
            c.send(b"GET /pub/after-head HTTP/1.1\r\nHost: a\r\n\r\n")
            r2 = c.read_response()
        self.assertEqual(r1.status, 200, r1)
        self.assertEqual(r1.get("Content-Length"), "1000")
        self.assertEqual(r2.status, 200, "bytes after the HEAD response: %r" % (r2,))
        self.assertIn(b"/pub/after-head", r2.body)

    def test_204_and_304_have_no_body(self):
        for code in (204, 304):
            with h.RawConn(self.port) as c:
                c.send(b"GET /pub/status/%d HTTP/1.1\r\nHost: a\r\n\r\n" % code)
                r1 = c.read_response()
                c.send(b"GET /pub/after-%d HTTP/1.1\r\nHost: a\r\n\r\n" % code)
                r2 = c.read_response()
            self.assertEqual(r1.status, code, r1)
            self.assertIsNone(r1.get("Transfer-Encoding"), r1)
            self.assertEqual(r2.status, 200, "after %d: %r" % (code, r2))
            self.assertIn(b"/pub/after-%d" % code, r2.body)

    def test_chunked_upstream_response(self):
        n = 50_000
        r = requests.get(self.url("/pub/chunked/%d" % n), timeout=T)
        # Seen once as a 502 under CI load: the access log's reason says which step failed.
        self.assertEqual(r.status_code, 200, self.diag()[-3000:])
        expected = bytes((ord("a") + (j % 26)) for j in range(n))
        self.assertEqual(len(r.content), n)
        self.assertEqual(r.content, expected)

    def test_chunked_request_body_forwarded(self):
        def gen():
            for _ in range(10):
                yield b"q" * 10_000
        r = requests.post(self.url("/pub/chunked-up"), data=gen(), timeout=T)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["body_bytes"], 100_000)

    def test_expect_100_continue_with_curl(self):
        path = os.path.join(self._tmp.name, "upload.bin")
        with open(path, "wb") as f:
            f.write(b"e" * 500_000)
        t0 = time.monotonic()
        r = h.run(["curl", "-sv", "--max-time", "10", "--expect100-timeout", "5", "-H", "Expect: 100-continue",
                   "--data-binary", "@" + path, "-w", "\n%{http_code}", self.url("/pub/expect")])
        elapsed = time.monotonic() - t0
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        body, _, code = r.stdout.rpartition("\n")
        self.assertEqual(code, "200", r.stderr[-2000:])
        self.assertEqual(json.loads(body)["body_bytes"], 500_000)
        self.assertIn("100 Continue", r.stderr, "no interim 100 response")
        self.assertLess(elapsed, 4, "curl waited for its expect100 timeout")

    def test_expect_100_continue_refused_before_body(self):
        path = os.path.join(self._tmp.name, "upload2.bin")
        with open(path, "wb") as f:
            f.write(b"e" * 500_000)
        t0 = time.monotonic()
        r = h.run(["curl", "-s", "-o", "/dev/null", "--max-time", "10", "--expect100-timeout", "5",
                   "-H", "Expect: 100-continue", "--data-binary", "@" + path, "-w", "%{http_code}",
                   self.url("/secure/expect")])
        self.assertEqual(r.stdout, "401")
        self.assertLess(time.monotonic() - t0, 3, "gatekeeper waited for the body before refusing")
        self.assertIsNone(self.upstream_request("/secure/expect"))

    def test_pipelined_requests_answered_in_order(self):
        with h.RawConn(self.port) as c:
            c.send(b"GET /secure/p1 HTTP/1.1\r\nHost: a\r\n\r\nGET /pub/p2 HTTP/1.1\r\nHost: a\r\n\r\n")
            r1 = c.read_response()
            r2 = c.read_response()
        self.assertEqual((r1.status, r2.status), (401, 200), (r1, r2))
        self.assertIn(b"/pub/p2", r2.body)


if __name__ == "__main__":
    unittest.main()
