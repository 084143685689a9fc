"""The gatekeeper under attack for the HTTP, fault and TLS groups: one `serve` with a plain and a
TLS listener, a protected /admin/ (group admins, SQLite users) and a public /public/ route on the
echo upstream, and routes onto the fault upstreams."""
import os
import tempfile

import seclib
from seclib import h

MAX_HEADER = 8192
HEADER_TIMEOUT = 3      # seconds
HANG_TIMEOUT = 1.0      # response_timeout of the hanging upstream

CONFIG = """\
server:
  threads: 2
  trusted_proxies: ["192.0.2.1/32"]   # loopback is not trusted: X-Forwarded-* from clients are replaced
  limits:
    max_header_bytes: {max_header}
    header_timeout: {header_timeout}s
    idle_timeout: 10s
    body_timeout: 5s
    shutdown_grace: 2s
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
  - {{ address: 127.0.0.1, port: {tls_port}, tls: {{ cert: cert.pem, key: key.pem }} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}", response_timeout: 5s }}
  refused: {{ url: "http://127.0.0.1:{dead}", connect_timeout: 1s, response_timeout: 2s }}
  reset: {{ url: "http://127.0.0.1:{rst}", connect_timeout: 1s, response_timeout: 2s }}
  hang: {{ url: "http://127.0.0.1:{hang}", connect_timeout: 1s, response_timeout: {hang_ms}ms }}
users:
  db: {{ sqlite: users.db }}
routes:
  - name: admin
    path: /admin/
    upstream: py
    schemes: [basic]
    realm: Admin Panel
    users: db
    require: {{ groups: [admins] }}
  - name: public
    path: /public/
    upstream: py
    require: public
  - name: refused
    path: /refused/
    upstream: refused
    require: public
  - name: reset
    path: /reset/
    upstream: reset
    require: public
  - name: hang
    path: /hang/
    upstream: hang
    require: public
"""

ALICE = ("alice", "wonderland")   # group admins
BOB = ("bob", "builder")          # group users


class MainServer:
    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="gk-sec-main-")
        self.dir = self._tmp.name
        self.up = h.Upstream()
        self.reset_up = seclib.ResetUpstream()
        self.hang_up = seclib.HangUpstream()
        self.dead_port = h.free_port()
        seclib.make_cert(self.dir)
        db = os.path.join(self.dir, "users.db")
        seclib.gk_user_add_db(db, ALICE[0], ALICE[1], ["admins"])
        seclib.gk_user_add_db(db, BOB[0], BOB[1], ["users"])
        self.tls_port = h.free_port()
        self.gk = h.GatekeeperServe(
            lambda p: CONFIG.format(port=p, tls_port=self.tls_port, up=self.up.port, dead=self.dead_port,
                                    rst=self.reset_up.port, hang=self.hang_up.port, max_header=MAX_HEADER,
                                    header_timeout=HEADER_TIMEOUT, hang_ms=int(HANG_TIMEOUT * 1000)),
            self.dir, extra_ready_ports=[self.tls_port])
        self.gk.start()
        self.port = self.gk.port
        self.pid = self.gk.proc.pid

    def close(self):
        try:
            self.gk.stop()
        finally:
            for u in (self.up, self.reset_up, self.hang_up):
                try:
                    u.close()
                except Exception:  # noqa: BLE001
                    pass
            self._tmp.cleanup()

    def upstream_paths(self):
        return self.up.paths()

    def log_tail(self, n=3000):
        return self.gk.output()[-n:]
