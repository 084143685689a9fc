#!/usr/bin/python3
"""Bodies are streamed, not buffered: a 1 GiB chunked upload and a 1 GiB download through
gatekeeper complete with the right byte count while gatekeeper's RSS stays below 200 MB.
GK_STREAM_MIB overrides the size (default 1024).
"""
import os
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402

import gk_harness as h  # noqa: E402

MIB = 1 << 20
SIZE = int(os.environ.get("GK_STREAM_MIB", "1024")) * MIB
RSS_LIMIT_KIB = 200 * 1000  # 200 MB
TRANSFER_DEADLINE = 60      # seconds per transfer

CONFIG = """\
server:
  threads: 2
  limits:
    max_body_bytes: 4294967296
    body_timeout: 30s
    idle_timeout: 30s
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}", response_timeout: 30s }}
routes:
  - name: pub
    path: /pub/
    upstream: py
    require: public
"""


class RssSampler:
    """Samples VmRSS of a PID every 50 ms on a thread; .peak in KiB."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        deadline = time.monotonic() + 300
        while not self._stop.is_set() and time.monotonic() < deadline:
            v = h.rss_kib(self.pid)
            if v is None:
                return
            self.peak = max(self.peak, v)
            self.samples += 1
            self._stop.wait(0.05)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *a):
        self._stop.set()
        self._t.join(timeout=5)


class StreamingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.require_binary()
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-stream-")
        cls.addClassCleanup(cls._tmp.cleanup)
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        cls.gk = h.GatekeeperServe(lambda p: CONFIG.format(port=p, up=cls.up.port), cls._tmp.name)
        cls.gk.start()
        cls.addClassCleanup(cls.gk.stop)
        cls.pid = cls.gk.proc.pid

    def report(self, what, sampler, elapsed, nbytes):
        sys.stderr.write("\n%s: %d MiB in %.1fs (%.0f MiB/s), gatekeeper peak RSS %.1f MB over %d samples\n"
                         % (what, nbytes // MIB, elapsed, nbytes / MIB / max(elapsed, 1e-6),
                            sampler.peak / 1000.0, sampler.samples))

    def test_upload_is_streamed(self):
        block = bytes(MIB)
        t0 = time.monotonic()

        def gen():
            for _ in range(SIZE // MIB):
                if time.monotonic() - t0 > TRANSFER_DEADLINE:
                    return  # the byte count check below then fails
                yield block

        with RssSampler(self.pid) as s:
            r = requests.post(self.gk.url("/pub/upload"), data=gen(), timeout=(5, 30))
        elapsed = time.monotonic() - t0
        self.report("upload", s, elapsed, SIZE)
        self.assertEqual(r.status_code, 200, r.text[:300])
        self.assertEqual(r.json()["body_bytes"], SIZE)
        self.assertGreater(s.samples, 0)
        self.assertLess(s.peak, RSS_LIMIT_KIB, "gatekeeper RSS reached %d KiB during a %d MiB upload"
                        % (s.peak, SIZE // MIB))

    def test_download_is_streamed(self):
        t0 = time.monotonic()
        n = 0
        with RssSampler(self.pid) as s:
            with requests.get(self.gk.url("/pub/big/%d" % SIZE), stream=True, timeout=(5, 30)) as r:
                self.assertEqual(r.status_code, 200)
                self.assertEqual(r.headers.get("Content-Length"), str(SIZE))
                for chunk in r.iter_content(MIB):
                    n += len(chunk)
                    if time.monotonic() - t0 > TRANSFER_DEADLINE:
                        break
        elapsed = time.monotonic() - t0
        self.report("download", s, elapsed, n)
        self.assertEqual(n, SIZE)
        self.assertLess(s.peak, RSS_LIMIT_KIB, "gatekeeper RSS reached %d KiB during a %d MiB download"
                        % (s.peak, SIZE // MIB))

    def test_download_respects_a_paused_client(self):
        # The upstream writes as fast as it can; the client stops reading for 3 s. Without
        # back-pressure gatekeeper would buffer the upstream's whole answer.
        size = min(SIZE, 512 * MIB)
        n = 0
        t0 = time.monotonic()
        with RssSampler(self.pid) as s:
            with requests.get(self.gk.url("/pub/big/%d" % size), stream=True, timeout=(5, 30)) as r:
                self.assertEqual(r.status_code, 200)
                it = r.iter_content(MIB)
                for chunk in it:
                    n += len(chunk)
                    if n >= 16 * MIB:
                        break
                time.sleep(3)
                for chunk in it:
                    n += len(chunk)
                    if time.monotonic() - t0 > TRANSFER_DEADLINE:
                        break
        self.report("paused download", s, time.monotonic() - t0, n)
        self.assertEqual(n, size)
        self.assertLess(s.peak, RSS_LIMIT_KIB, "gatekeeper buffered while the client paused: RSS %d KiB" % s.peak)


if __name__ == "__main__":
    unittest.main()
