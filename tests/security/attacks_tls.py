"""Bad bytes on the TLS listener: other TLS clients must keep getting answers, the bad connections
must be closed (bounded by the head timeout), and no descriptors may leak."""
import os
import socket
import time

import seclib
from main_server import HEADER_TIMEOUT
from seclib import HOST

CONNS = 10
CURLS = 8


def _curls(port, tag):
    codes, slowest = [], 0.0
    for i in range(CURLS):
        code, secs = seclib.curl_https(port, "/public/tls-%s-%d" % (tag, i), max_time=3)
        codes.append(code)
        slowest = max(slowest, secs)
    return codes, slowest


def _garbage(port):
    s = socket.create_connection((HOST, port), timeout=3)
    try:
        s.sendall(os.urandom(4096))
    except OSError:
        pass
    return s


def _truncated_hello(port, hello):
    s = socket.create_connection((HOST, port), timeout=3)
    s.sendall(hello[: len(hello) // 2])
    return s


def _truncated_record(port):
    """Finish a real handshake, then send a record header promising 16 KiB and only 100 bytes."""
    raw = socket.create_connection((HOST, port), timeout=3)
    tls = seclib.client_context().wrap_socket(raw, server_hostname="localhost")
    plain = socket.socket(fileno=os.dup(tls.fileno()))
    plain.sendall(b"\x17\x03\x03\x40\x00" + os.urandom(100))
    return plain, tls


def _plain_http(port):
    s = socket.create_connection((HOST, port), timeout=3)
    s.sendall(b"GET /public/plain-on-tls HTTP/1.1\r\nHost: a\r\n\r\n")
    return s


def group_tls(rep, srv):
    port = srv.tls_port
    code, _ = seclib.curl_https(port, "/public/tls-control")
    rep.add("control: curl -k https GET /public/", "200", code, code == "200")
    time.sleep(0.3)
    baseline = seclib.fd_count(srv.pid)
    hello = seclib.client_hello_bytes()
    limit = HEADER_TIMEOUT + 4.0

    def opened(fn, *args):
        """CONNS connections made by fn, each with the time it was opened."""
        out = []
        for _ in range(CONNS):
            out.append((fn(*args), time.monotonic()))
        return out

    phases = [
        ("%d connections sending 4 KiB of random bytes" % CONNS, lambda: opened(_garbage, port)),
        ("%d connections holding half a ClientHello (%d of %d bytes)" % (CONNS, len(hello) // 2, len(hello)),
         lambda: opened(_truncated_hello, port, hello)),
        ("%d connections: handshake, then a truncated application-data record" % CONNS,
         lambda: opened(_truncated_record, port)),
        ("%d connections sending plain HTTP to the TLS port" % CONNS, lambda: opened(_plain_http, port)),
    ]
    for what, make in phases:
        held = make()
        codes, slowest = _curls(port, "p")
        ok = all(c == "200" for c in codes) and slowest < 2.5
        rep.add(what + ": concurrent curl -k x%d" % CURLS, "all 200, each < 2.5 s",
                "%s; slowest %.2f s" % (",".join(sorted(set(codes))), slowest), ok)
        times = []
        for item, t_open in held:
            sock = item[0] if isinstance(item, tuple) else item
            closed_at = seclib.wait_closed(sock, max(0.05, t_open + limit - time.monotonic()))
            times.append(None if closed_at is None else time.monotonic() - t_open)
        for item, _t in held:
            for sock in (item if isinstance(item, tuple) else (item,)):
                try:
                    sock.close()
                except OSError:
                    pass
        still = sum(1 for t in times if t is None)
        worst = max((t for t in times if t is not None), default=0.0)
        rep.add(what + ": server closes them", "all closed within %.0f s (head timeout %ds + 4)" % (limit,
                                                                                                   HEADER_TIMEOUT),
                "%d/%d closed, slowest %.2f s" % (CONNS - still, CONNS, worst), still == 0)
    after = seclib.settle_fds(srv.pid, baseline + 2, limit=5.0)
    rep.add("TLS listener fds after all phases", "<= baseline %d + 2" % baseline, str(after),
            0 <= after <= baseline + 2)
    code, _ = seclib.curl_https(port, "/public/tls-final")
    rep.add("curl -k after the TLS attacks", "200", code, code == "200")
