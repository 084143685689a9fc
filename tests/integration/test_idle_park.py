"""Parked idle keep-alive connections (src/server/idle_park.hpp).

A plain keep-alive connection idle for 250 ms gives up its session (frames, stream, buffer)
and keeps only its socket; readable again, it gets a new session. These tests show that
parking changes nothing a client can see: the next request is served (even one that arrives
just as the connection parks), the idle timeout still closes it on time, the connection cap
still reclaims the longest-waiting connection first, and SIGTERM closes parked connections at
once.
"""
import os
import signal
import tempfile
import time
import unittest

import gk_harness as h

PARK_AFTER = 0.25  # seconds: kParkAfter

CONFIG = """\
server:
  threads: 1
  access_log: false
  limits:
    max_connections: {cap}
    header_timeout: 5s
    idle_timeout: {idle}ms
    shutdown_grace: 5s
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}" }}
routes:
  - {{ name: pub, path: /pub/, upstream: py, require: public }}
  - {{ name: open, path: /open/, require: public }}
"""


def get(path):
    return b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path.encode()


class IdleParkTest(unittest.TestCase):
    def start(self, cap=100, idle_ms=30000):
        h.require_binary()
        tmp = tempfile.TemporaryDirectory(prefix="gk-park-")
        self.addCleanup(tmp.cleanup)
        up = h.Upstream()
        self.addCleanup(up.close)
        gk = h.GatekeeperServe(lambda p: CONFIG.format(port=p, up=up.port, cap=cap, idle=idle_ms), tmp.name)
        gk.start()
        self.addCleanup(gk.stop)
        return gk, up

    def conn(self, gk):
        c = h.RawConn(gk.port)
        self.addCleanup(c.close)
        return c

    def test_parked_connection_serves_its_next_requests(self):
        gk, up = self.start()
        c = self.conn(gk)
        for i in range(3):
            c.send(get("/pub/p%d" % i))
            r = c.read_response()
            self.assertEqual(r.status, 200, "request %d: %r\n%s" % (i, r, gk.output()))
            time.sleep(PARK_AFTER * 3)  # parked by now
        # Two pipelined requests wake a parked connection: both are answered, in order.
        c.send(get("/pub/a") + get("/open/b"))
        self.assertEqual(c.read_response().status, 200)
        self.assertEqual(c.read_response().status, 200)
        self.assertEqual([p for p in up.paths() if p.startswith("/pub/")], ["/pub/p0", "/pub/p1", "/pub/p2", "/pub/a"])

    def test_requests_arriving_as_the_connection_parks_are_not_lost(self):
        gk, _ = self.start()
        c = self.conn(gk)
        # Gaps around the park delay, so some requests meet the moment the read is cancelled.
        gaps = [PARK_AFTER + d for d in (-0.02, -0.01, -0.005, 0, 0.002, 0.005, 0.01, 0.02)] * 3
        for i, gap in enumerate(gaps):
            c.send(get("/open/r%d" % i))
            r = c.read_response()
            self.assertEqual(r.status, 200, "request %d after a %.3f s gap: %r" % (i, gap, r))
            time.sleep(gap)

    def test_idle_timeout_still_closes_a_parked_connection(self):
        gk, _ = self.start(idle_ms=1500)
        c = self.conn(gk)
        c.send(get("/open/x"))
        self.assertEqual(c.read_response().status, 200)
        t0 = time.monotonic()
        r = c.read_response(timeout=6)  # nothing more comes: it returns at EOF
        elapsed = time.monotonic() - t0
        self.assertIsNone(r.status)
        self.assertTrue(c.eof, "still open %.1f s after the response" % elapsed)
        # The idle timeout counts from the response; the sweep keeps it to within 0.5 s.
        self.assertGreater(elapsed, 1.3)
        self.assertLess(elapsed, 2.6)

    def test_cap_reclaims_the_longest_waiting_parked_connection(self):
        gk, _ = self.start(cap=3)
        conns = [self.conn(gk) for _ in range(3)]
        for i, c in enumerate(conns):
            c.send(get("/open/i%d" % i))
            self.assertEqual(c.read_response().status, 200)
            time.sleep(0.05)
        time.sleep(PARK_AFTER * 3)  # all three parked, oldest first
        newcomer = self.conn(gk)
        newcomer.send(get("/open/new"))
        self.assertEqual(newcomer.read_response(timeout=3).status, 200)
        # The first is the one closed; the other two still serve.
        self.assertIsNone(conns[0].read_response(timeout=2).status)
        self.assertTrue(conns[0].eof, "the longest-waiting parked connection was not closed")
        for c in conns[1:]:
            c.send(get("/open/again"))
            self.assertEqual(c.read_response().status, 200)

    def test_a_client_closing_a_parked_connection_gives_its_slot_back(self):
        gk, _ = self.start(cap=2)
        for round_ in range(3):
            conns = [h.RawConn(gk.port) for _ in range(2)]
            for c in conns:
                c.send(get("/open/r%d" % round_))
                self.assertEqual(c.read_response(timeout=3).status, 200, "round %d" % round_)
            time.sleep(PARK_AFTER * 3)
            for c in conns:
                c.close()
            time.sleep(0.2)
        # Every slot came back: two more are served at once, none waits for a reclaim.
        conns = [self.conn(gk) for _ in range(2)]
        for c in conns:
            c.send(get("/open/last"))
            self.assertEqual(c.read_response(timeout=3).status, 200)

    def test_sigterm_closes_parked_connections_at_once(self):
        gk, _ = self.start()
        conns = [self.conn(gk) for _ in range(3)]
        for c in conns:
            c.send(get("/open/x"))
            self.assertEqual(c.read_response().status, 200)
        time.sleep(PARK_AFTER * 3)
        t0 = time.monotonic()
        os.kill(gk.proc.pid, signal.SIGTERM)
        rc = gk.proc.popen.wait(timeout=5)
        self.assertEqual(rc, 0, gk.output())
        self.assertLess(time.monotonic() - t0, 2.0, "parked connections held the drain open")
        for c in conns:
            self.assertIsNone(c.read_response(timeout=1).status)
            self.assertTrue(c.eof)


if __name__ == "__main__":
    unittest.main()
