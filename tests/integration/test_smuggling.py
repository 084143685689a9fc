#!/usr/bin/python3
"""Request smuggling and path normalization over raw sockets (SECURITY.md section 5, rows S1-S10
and P1-P10). Every framing ambiguity must be answered 400 and the connection closed, never
forwarded; every path trick must land on the rule it normalizes to.
"""
import concurrent.futures
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gk_harness as h  # noqa: E402

CONFIG = """\
server:
  threads: 2
  limits:
    header_timeout: 5s
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}", response_timeout: 5s }}
users:
  staff: {{ htpasswd: users.htpasswd }}
routes:
  - name: admin
    path: /admin/
    upstream: py
    schemes: [basic]
    realm: Admin Panel
    users: staff
    require: {{ users: [alice] }}
  - name: public
    path: /public/
    upstream: py
    require: public
"""


def post(marker, head_lines, body=b"", version=b"HTTP/1.1"):
    return (b"POST /public/" + marker.encode() + b" " + version + b"\r\nHost: a\r\n" + head_lines
            + b"\r\n" + body)


def get_head(marker, head_lines=b"", version=b"HTTP/1.1", target=None):
    t = target if target is not None else b"/public/" + marker.encode()
    return b"GET " + t + b" " + version + b"\r\nHost: a\r\n" + head_lines + b"\r\n"


SMUGGLED = b"GET /public/SMUGGLED HTTP/1.1\r\nHost: a\r\n\r\n"
CHUNKED_BODY = b"0\r\n\r\n" + SMUGGLED

# (id, raw request, may the head reach the upstream before the error is seen?)
FRAMING_400 = [
    ("S1-cl-then-te", post("s1a", b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", CHUNKED_BODY), False),
    ("S1-te-then-cl", post("s1b", b"Transfer-Encoding: chunked\r\nContent-Length: 6\r\n", CHUNKED_BODY), False),
    ("S2-two-cl-lines", post("s2a", b"Content-Length: 6\r\nContent-Length: 5\r\n", b"hello!" + SMUGGLED), False),
    ("S2-cl-list", post("s2b", b"Content-Length: 6, 5\r\n", b"hello!"), False),
    ("S3-plus", post("s3a", b"Content-Length: +6\r\n", b"hello!"), False),
    ("S3-hex", post("s3b", b"Content-Length: 0x6\r\n", b"hello!"), False),
    ("S3-two-numbers", post("s3c", b"Content-Length: 6 6\r\n", b"hello!"), False),
    ("S3-negative", post("s3d", b"Content-Length: -1\r\n", b"hello!"), False),
    ("S3-20-digits", post("s3e", b"Content-Length: 99999999999999999999\r\n", b"hello!"), False),
    ("S3-not-a-number", post("s3f", b"Content-Length: abc\r\n", b"hello!"), False),
    ("S4-xchunked", post("s4a", b"Transfer-Encoding: xchunked\r\n", CHUNKED_BODY), False),
    ("S4-space-before-colon", post("s4b", b"Transfer-Encoding : chunked\r\n", CHUNKED_BODY), False),
    ("S4-vtab", post("s4c", b"Transfer-Encoding:\x0bchunked\r\n", CHUNKED_BODY), False),
    ("S4-chunked-identity", post("s4d", b"Transfer-Encoding: chunked, identity\r\n", CHUNKED_BODY), False),
    ("S4-chunked-chunked", post("s4e", b"Transfer-Encoding: chunked, chunked\r\n", CHUNKED_BODY), False),
    ("S4-gzip-alone", post("s4f", b"Transfer-Encoding: gzip\r\n", CHUNKED_BODY), False),
    ("S4-gzip-plus-cl", post("s4g", b"Transfer-Encoding: gzip\r\nContent-Length: 5\r\n", b"hello"), False),
    ("S4-te-on-http10", post("s4h", b"Transfer-Encoding: chunked\r\n", CHUNKED_BODY, version=b"HTTP/1.0"), False),
    ("S4-two-te-lines", post("s4i", b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                             CHUNKED_BODY), False),
    ("S5-space-before-colon-host", b"GET /public/s5a HTTP/1.1\r\nHost : a\r\n\r\n", False),
    ("S5-leading-ws-first-field", b"GET /public/s5b HTTP/1.1\r\n Host: a\r\n\r\n", False),
    ("S5-leading-tab-cl", b"POST /public/s5c HTTP/1.1\r\n\tContent-Length: 1\r\nHost: a\r\n\r\nx", False),
    ("S6-obs-fold", get_head("s6a", b"X-Forwarded-User: a\r\n admin\r\n"), False),
    ("S6-obs-fold-tab", get_head("s6b", b"X-Custom: a\r\n\tb\r\n"), False),
    ("S7-bare-lf", b"GET /public/s7a HTTP/1.1\nHost: a\n\n", False),
    ("S7-bare-lf-one-line", b"GET /public/s7b HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n", False),
    ("S7-nul-in-value", get_head("s7c", b"X-A: v\x00alue\r\n"), False),
    ("S7-bare-cr-in-value", get_head("s7d", b"X-A: v\ralue\r\n"), False),
    ("S9-two-hosts", b"GET /public/s9a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", False),
    ("S9-missing-host-http11", b"GET /public/s9b HTTP/1.1\r\nX-A: b\r\n\r\n", False),
    ("S10-double-space", b"GET  /public/s10a HTTP/1.1\r\nHost: a\r\n\r\n", False),
    ("S10-tab-separator", b"GET\t/public/s10b HTTP/1.1\r\nHost: a\r\n\r\n", False),
    ("S10-trailing-space", b"GET /public/s10c HTTP/1.1 \r\nHost: a\r\n\r\n", False),
    ("S10-version-1.32", b"GET /public/s10d HTTP/1.32\r\nHost: a\r\n\r\n", False),
    ("S10-method-delimiter", b"G(T /public/s10e HTTP/1.1\r\nHost: a\r\n\r\n", False),
    ("S10-lf-in-request-line", b"GET /public/s10f\nHTTP/1.1\r\nHost: a\r\n\r\n", False),
    ("S10-http09", b"GET /public/s10g\r\n\r\n", False),
    ("underscore-header-name", get_head("u1", b"X_Forwarded_User: admin\r\n"), False),
    ("underscore-remote-user", get_head("u2", b"Remote_User: admin\r\n"), False),
    ("field-without-colon", get_head("nc", b"JustAName\r\n"), False),
    ("two-authorization", get_head("twoauth", b"Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"
                                              b"Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"), False),
    # S8: chunk-size tricks; the head may already be on its way upstream (streaming).
    ("S8-0x-prefix", post("s8a", b"Transfer-Encoding: chunked\r\n", b"0x5\r\nhello\r\n0\r\n\r\n"), True),
    ("S8-underscore", post("s8b", b"Transfer-Encoding: chunked\r\n", b"0_5\r\nhello\r\n0\r\n\r\n"), True),
    ("S8-ext-bare-lf", post("s8c", b"Transfer-Encoding: chunked\r\n", b"5;ext=\nhello\r\n0\r\n\r\n"), True),
    ("S8-cr-before-ext", post("s8d", b"Transfer-Encoding: chunked\r\n", b"5\r;ext\r\nhello\r\n0\r\n\r\n"), True),
    ("S8-size-overflow", post("s8e", b"Transfer-Encoding: chunked\r\n",
                              b"ffffffffffffffff1\r\nhello\r\n0\r\n\r\n"), True),
    ("S8-no-crlf-after-data", post("s8f", b"Transfer-Encoding: chunked\r\n", b"5\r\nhelloXY0\r\n\r\n"), True),
    ("S8-lf-only-chunk-lines", post("s8g", b"Transfer-Encoding: chunked\r\n", b"5\nhello\n0\n\n"), True),
    # RFC 9112 7.1.1: a quoted-string in a chunk extension ends at the line end, or it is an error
    # (Beast would read on past the CRLF for the closing quote until the body timeout).
    ("S8-ext-unterminated-quote", post("s8h", b"Transfer-Encoding: chunked\r\n",
                                       b'5;a="x\r\nhello\r\n0\r\n\r\n'), True),
    # Path rows that must be refused outright.
    ("P1-dotdot-semicolon", get_head("", target=b"/admin/..;/admin/secret"), False),
    ("P1-semicolon-param", get_head("", target=b"/admin;x"), False),
    ("P1-semicolon-public", get_head("", target=b"/public/x;jsessionid=1"), False),
    ("P3-encoded-slash", get_head("", target=b"/public/..%2fadmin/"), False),
    ("P3-encoded-slash-upper", get_head("", target=b"/public/..%2Fadmin/"), False),
    ("P3-admin-encoded-slash", get_head("", target=b"/admin%2fsecret"), False),
    ("P3-encoded-backslash", get_head("", target=b"/public/..%5cadmin/"), False),
    ("P6-nul", get_head("", target=b"/admin/%00.css"), False),
    ("P6-nul-public", get_head("", target=b"/public/%00"), False),
    ("P6-encoded-lf", get_head("", target=b"/admin/%0a"), False),
    ("P8-overlong-utf8", get_head("", target=b"/public/%c0%ae%c0%ae/admin/"), False),
    ("P9-fragment", get_head("", target=b"/admin/#frag"), False),
    ("P-bad-percent", get_head("", target=b"/public/%zz"), False),
    ("P-truncated-percent", get_head("", target=b"/public/%2"), False),
]

# (id, target, expected status): paths that normalize onto a rule.
PATHS = [
    ("P2-dotdot-encoded", "/%2e%2e/admin/", 401),
    ("P2-public-dotdot-encoded", "/public/%2e%2e/admin/", 401),
    ("P2-dot-encoded-dot", "/.%2e/admin/", 401),
    ("P2-upper-encoded", "/public/%2E%2E/admin/", 401),
    ("P4-double-slash", "//admin/", 401),
    ("P4-dot", "/./admin/", 401),
    ("P4-trailing-dot", "/admin/.", 401),
    ("P4-public-dotdot", "/public/../admin/", 401),
    ("P4-dotdot-above-root", "/../admin/", 401),
    ("P4-many-slashes", "///admin///x", 401),
    ("P5-encoded-a", "/%61dmin/", 401),
    ("P5-encoded-A-upper-hex", "/%61%64min/", 401),
    ("P5-uppercase-no-route", "/ADMIN/", 404),
    ("P5-capital-no-route", "/%41dmin/", 404),
    ("P9-query-not-matched", "/admin/?x=/public/", 401),
    ("P9-public-query", "/public/?x=/admin/", 200),
    ("P-public", "/public/plain", 200),
]


class SmugglingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-smuggle-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        h.make_htpasswd(os.path.join(cls._tmp.name, "users.htpasswd"), {"alice": "wonderland", "bob": "builder"})
        cls.gk = h.GatekeeperServe(lambda p: CONFIG.format(port=p, up=cls.up.port), cls._tmp.name)
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)
        cls.port = cls.gk.port

    def send_all(self, cases, **kw):
        """Run raw requests in parallel (bounded: 8 workers, each bounded by socket timeouts)."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
            futs = {ex.submit(h.raw_request, self.port, data, **kw): cid for cid, data in cases}
            return {futs[f]: f.result() for f in concurrent.futures.as_completed(futs, timeout=90)}

    def test_framing_and_path_attacks_get_400_and_close(self):
        results = self.send_all([(cid, data) for cid, data, _ in FRAMING_400], timeout=4, close_wait=1.5)
        for cid, data, may_reach_upstream in FRAMING_400:
            with self.subTest(case=cid):
                resp = results[cid]
                self.assertEqual(resp.status, 400, "%s: sent %r\ngot %r" % (cid, data[:120], resp))
                self.assertTrue(resp.closed, "%s: connection not closed after 400 (extra bytes %r)"
                                % (cid, getattr(resp, "extra", b"")[:100]))
                self.assertEqual(getattr(resp, "extra", b""), b"", "%s: a second response followed" % cid)
        seen = self.up.paths()
        self.assertFalse([p for p in seen if "SMUGGLED" in p], "a smuggled request reached the upstream: %s" % seen)
        for cid, data, may_reach_upstream in FRAMING_400:
            if may_reach_upstream:
                continue
            marker = data.split(b" ", 2)[1].decode("latin-1") if b" " in data else ""
            if marker.startswith("/public/") and len(marker) > len("/public/"):
                with self.subTest(case=cid + " (upstream)"):
                    self.assertNotIn(marker, seen, "%s was forwarded to the upstream" % cid)

    def test_paths_normalize_onto_rules(self):
        cases = [(cid, ("GET %s HTTP/1.1\r\nHost: a\r\n\r\n" % target).encode()) for cid, target, _ in PATHS]
        results = self.send_all(cases, timeout=4, close_wait=0.2)
        for cid, target, status in PATHS:
            with self.subTest(case=cid, target=target):
                resp = results[cid]
                self.assertEqual(resp.status, status, "%s %s -> %r" % (cid, target, resp))
                if status == 401:
                    self.assertIn('realm="Admin Panel"', resp.get("WWW-Authenticate") or "")

    def test_absolute_form_matches_its_own_path(self):
        resp = h.raw_request(self.port, b"GET http://internal/admin/ HTTP/1.1\r\nHost: internal\r\n\r\n")
        self.assertEqual(resp.status, 401, resp)

    def test_absolute_form_and_host_disagreeing_is_400(self):
        # RFC 9112 3.2.2 lets the target win, but two host names for one request is how a front
        # proxy and gatekeeper end up judging different hosts: refused.
        for host in (b"other.example", b"target.example.evil", b"other.example:80"):
            with self.subTest(host=host):
                resp = h.raw_request(self.port, b"GET http://target.example/public/abs HTTP/1.1\r\nHost: " + host +
                                     b"\r\nConnection: close\r\n\r\n")
                self.assertEqual(resp.status, 400, resp)
                self.assertTrue(resp.closed, resp)

    def test_absolute_form_agreeing_with_host_passes(self):
        resp = h.raw_request(self.port, b"GET http://Target.Example/public/abs HTTP/1.1\r\nHost: target.example:80\r\n"
                                        b"Connection: close\r\n\r\n")
        self.assertEqual(resp.status, 200, resp)
        rec = [r for r in self.up.seen() if r.path.endswith("/public/abs")]
        self.assertTrue(rec, self.up.paths())
        self.assertEqual(rec[-1].get("X-Forwarded-Host"), "Target.Example")

    def test_forwarded_path_is_the_normalized_one(self):
        for target, expected in (("/public/a/./b/../c", "/public/a/c"),
                                 ("/public/%7Euser", "/public/~user"),
                                 ("/public//x", "/public/x"),
                                 ("/public/%252e%252e/admin/", "/public/%252e%252e/admin/"),
                                 ("/public/q?a=%2f&b=..", "/public/q?a=%2f&b=..")):
            with self.subTest(target=target):
                resp = h.raw_request(self.port, ("GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                                                 % target).encode())
                self.assertEqual(resp.status, 200, resp)
                self.assertEqual(self.up.last().path, expected)

    def test_identical_content_length_lines(self):
        # RFC 9110 8.6 allows folding identical values; SECURITY.md says simplest is 400. Either way the
        # body is read exactly once.
        resp = h.raw_request(self.port, post("samecl", b"Content-Length: 5\r\nContent-Length: 5\r\n"
                                                       b"Connection: close\r\n", b"hello"), close_wait=1.0)
        self.assertIn(resp.status, (200, 400), resp)
        if resp.status == 200:
            self.assertIn(b'"body_bytes": 5', resp.body)

    def test_pipelined_after_401_answered_in_order(self):
        with h.RawConn(self.port) as c:
            c.send(b"GET /admin/ HTTP/1.1\r\nHost: a\r\n\r\nGET /public/after401 HTTP/1.1\r\nHost: a\r\n\r\n")
            r1 = c.read_response()
            r2 = c.read_response()
        self.assertEqual((r1.status, r2.status), (401, 200), (r1, r2))
        self.assertIn(b"/public/after401", r2.body)

    def test_no_resync_after_framing_error(self):
        with h.RawConn(self.port) as c:
            c.send(b"GET /public/x HTTP/1.1\r\nHost : a\r\n\r\nGET /public/resync HTTP/1.1\r\nHost: a\r\n\r\n")
            r1 = c.read_response(timeout=4)
            self.assertEqual(r1.status, 400, r1)
            self.assertTrue(c.is_closed(1.5), "connection kept after a framing error")
        self.assertNotIn("/public/resync", self.up.paths())

    def test_valid_chunked_body_passes(self):
        resp = h.raw_request(self.port, post("okchunk", b"Transfer-Encoding: chunked\r\nConnection: close\r\n",
                                             b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"))
        self.assertEqual(resp.status, 200, resp)
        self.assertIn(b'"body_bytes": 11', resp.body)


if __name__ == "__main__":
    unittest.main()
