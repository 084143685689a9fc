"""Shared pieces of the attack suite: the result table, fault upstreams, fd counting, TLS bits.

Reuses tests/integration/gk_harness.py (imported by path, not copied) for starting and stopping
processes, the echo upstream and raw sockets. Everything listens on 127.0.0.1; every loop and
every wait is bounded.
"""
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import gk_harness as h  # noqa: E402

HOST = h.HOST


# --------------------------------------------------------------------------- the result table

class Report:
    """Rows of `attack | expected | seen | ok`, grouped; notes are printed below the table."""

    def __init__(self):
        self.rows = []   # (group, attack, expected, seen, ok, note)
        self.lock = threading.Lock()
        self.group = "?"
        self.timings = []

    def add(self, attack, expected, seen, ok, note=""):
        with self.lock:
            self.rows.append((self.group, attack, expected, seen, bool(ok), note))
        mark = "ok  " if ok else "FAIL"
        print("  [%s] %s: expected %s, seen %s%s" % (mark, attack, expected, seen,
                                                      (" (" + note + ")") if note else ""), flush=True)

    def run_group(self, name, fn, *args):
        """Run one group; an exception becomes a failing row instead of ending the suite."""
        self.group = name
        print("== %s" % name, flush=True)
        t0 = time.monotonic()
        try:
            fn(self, *args)
        except Exception as e:  # noqa: BLE001 - the suite must go on and say what broke
            tb = traceback.format_exc(limit=6)
            print(tb, flush=True)
            self.add("group %s ran to the end" % name, "no error", "%s: %s" % (type(e).__name__, e), False)
        self.timings.append((name, time.monotonic() - t0))

    def failed(self):
        return [r for r in self.rows if not r[4]]

    def markdown(self):
        def cell(s):
            return str(s).replace("|", "\\|").replace("\n", " ").replace("\r", "\\r")

        out = ["| attack | expected | seen | ok |", "| --- | --- | --- | --- |"]
        group = None
        for g, attack, expected, seen, ok, note in self.rows:
            if g != group:
                out.append("| **%s** | | | |" % cell(g))
                group = g
            out.append("| %s | %s | %s | %s |" % (cell(attack), cell(expected), cell(seen), "yes" if ok else "**NO**"))
        notes = [(g, a, n) for g, a, _, _, ok, n in self.rows if n and not ok]
        if notes:
            out.append("")
            out.append("Notes on failing rows:")
            for g, a, n in notes:
                out.append("- %s / %s: %s" % (g, a, n))
        return "\n".join(out)


# --------------------------------------------------------------------------- processes

def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


def settle_fds(pid, target, limit=5.0):
    """Poll (bounded) until the fd count of `pid` is <= target; return the last count."""
    deadline = time.monotonic() + limit
    n = fd_count(pid)
    while n > target and time.monotonic() < deadline:
        time.sleep(0.1)
        n = fd_count(pid)
    return n


def alive(proc):
    return proc is not None and proc.poll() is None


def describe_exit(proc):
    rc = proc.poll()
    if rc is None:
        return "running"
    if rc < 0:
        try:
            import signal as _s
            return "killed by %s" % _s.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exited %d" % rc


def gk_user_add_db(db, name, password, groups=()):
    args = ["user", "add", "--db", db, name]
    for g in groups:
        args += ["-g", g]
    r = h.gk(*args, stdin=password + "\n")
    if r.returncode != 0:
        raise RuntimeError("user add %s failed: %s %s" % (name, r.stdout, r.stderr))


def make_cert(dirpath):
    cert = os.path.join(dirpath, "cert.pem")
    key = os.path.join(dirpath, "key.pem")
    r = h.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
               "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"], timeout=30)
    if r.returncode != 0:
        raise RuntimeError("openssl req failed: %s" % r.stderr)
    return cert, key


# --------------------------------------------------------------------------- raw HTTP helpers

def raw_exchange(port, data, timeout=4.0, close_wait=1.5):
    """Send `data` (which may hold pipelined requests); read the first response, then whether the
    server closed the connection and which bytes (a second response?) followed."""
    with h.RawConn(port, timeout=timeout) as c:
        t0 = time.monotonic()
        c.send(data)
        resp = c.read_response(timeout=timeout)
        resp.elapsed = time.monotonic() - t0
        resp.closed = c.is_closed(close_wait)
        resp.extra = c.buf
        return resp


def echo_doc(resp):
    """The echo upstream's JSON from a RawResponse body (None if not JSON)."""
    try:
        return json.loads(resp.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None


def short(resp):
    """A short text for the `seen` column."""
    if resp is None:
        return "no response"
    if resp.status is None:
        return "no response%s" % (", closed" if resp.closed else ", open")
    s = str(resp.status)
    s += ", closed" if resp.closed else ", kept open"
    if getattr(resp, "extra", b""):
        s += ", 2nd response: %s" % resp.extra[:16].decode("latin-1").split("\r\n")[0]
    return s


# --------------------------------------------------------------------------- fault upstreams

class _Acceptor:
    """A bounded accept loop on 127.0.0.1:0 handing each connection to `self.serve(conn)` on a thread."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, 0))
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.accepted = 0
        self.holding = 0
        self.conns = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                self.conns.append(conn)
            threading.Thread(target=self._guard, args=(conn,), daemon=True).start()

    def _guard(self, conn):
        try:
            self.serve(conn)
        except OSError:
            pass

    @staticmethod
    def read_head(conn, limit=10.0):
        conn.settimeout(limit)
        buf = b""
        deadline = time.monotonic() + limit
        while b"\r\n\r\n" not in buf and time.monotonic() < deadline and len(buf) < 65536:
            piece = conn.recv(65536)
            if not piece:
                break
            buf += piece
        return buf

    def close(self):
        self.stopping.set()
        try:
            self.sock.close()
        except OSError:
            pass
        with self.lock:
            conns, self.conns = self.conns, []
        for c in conns:
            try:
                c.close()
            except OSError:
                pass
        self.thread.join(timeout=3)


def rst_close(conn):
    """Close with SO_LINGER {on, 0}: the kernel sends RST instead of FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class ResetUpstream(_Acceptor):
    """Reads a request head, then: path containing /head -> RST at once (no response);
    otherwise sends a 200 head promising 100000 bytes, 1000 of them, and RSTs."""

    def serve(self, conn):
        head = self.read_head(conn)
        if not head:
            conn.close()
            return
        target = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
        if b"/head" in target:
            rst_close(conn)
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n"
                     + b"r" * 1000)
        time.sleep(0.05)
        rst_close(conn)


class HangUpstream(_Acceptor):
    """Reads a request head and never answers; holds the socket until the peer closes (bounded)."""

    def open_now(self):
        with self.lock:
            return self.holding

    def serve(self, conn):
        with self.lock:
            self.holding += 1
        try:
            self._hold(conn)
        finally:
            with self.lock:
                self.holding -= 1

    def _hold(self, conn):
        self.read_head(conn)
        conn.settimeout(0.5)
        deadline = time.monotonic() + 30
        while not self.stopping.is_set() and time.monotonic() < deadline:
            try:
                if not conn.recv(65536):
                    break
            except socket.timeout:
                continue
            except OSError:
                break
        try:
            conn.close()
        except OSError:
            pass


# --------------------------------------------------------------------------- TLS bits

def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def client_hello_bytes():
    """The first flight a TLS client sends (a complete ClientHello record), made with MemoryBIOs."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = client_context().wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def curl_https(port, path, max_time=3):
    """One curl -k GET; returns (http_code as str, seconds)."""
    t0 = time.monotonic()
    r = subprocess.run(["curl", "-k", "-s", "-o", "/dev/null", "--max-time", str(max_time), "-w", "%{http_code}",
                        "https://%s:%d%s" % (HOST, port, path)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=max_time + 5)
    return r.stdout.decode().strip() or "000", time.monotonic() - t0


def wait_closed(sock, limit):
    """Seconds until the peer closes `sock` (EOF/reset), or None if still open after `limit`."""
    t0 = time.monotonic()
    deadline = t0 + limit
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except OSError:
            return time.monotonic() - t0
        if not data:
            return time.monotonic() - t0
    return None
