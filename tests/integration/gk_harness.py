"""Shared helpers for the integration tests that run the real `gatekeeper` binary.

Every process a test starts is stopped by PID (SIGTERM, then SIGKILL after a few
seconds); every socket is on 127.0.0.1; every wait is bounded in time.
Run one file directly:
    GK_BIN=build/gatekeeper GK_SRC=. /usr/bin/python3 tests/integration/test_demo.py -v
"""
import atexit
import base64
import http.server
import json
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GK_SRC = os.environ.get("GK_SRC") or os.path.dirname(os.path.dirname(HERE))
GK_BIN = os.environ.get("GK_BIN") or os.path.join(GK_SRC, "build", "gatekeeper")
GK_VECTORS = os.environ.get("GK_VECTORS") or os.path.join(GK_SRC, "..", "shared", "vectors")
HOST = "127.0.0.1"


# --------------------------------------------------------------------------- ports & processes

# Ports for test servers come from below the kernel's ephemeral range, so no
# outgoing connection of a concurrent test can hold one (a port picked by
# binding port 0 comes from that range, and a server that then binds 0.0.0.0
# lost it to a client socket in CI). A reservation file taken with O_EXCL keeps
# two concurrent tests from picking the same port; reservations older than an
# hour are stale (a killed test never removed them).
PORT_LOW, PORT_HIGH = 20000, 32000
PORT_DIR = os.path.join(tempfile.gettempdir(), "gk-test-ports")
_reserved = []


def _bindable(port):
    for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET, HOST)):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((addr, port))
            except OSError:
                return False
    return True


def _reserve(port):
    os.makedirs(PORT_DIR, exist_ok=True)
    path = os.path.join(PORT_DIR, str(port))
    try:
        if time.time() - os.stat(path).st_mtime > 3600:
            os.unlink(path)
    except OSError:
        pass
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except OSError:
        return False
    _reserved.append(path)
    return True


def _release_ports():
    for path in _reserved:
        try:
            os.unlink(path)
        except OSError:
            pass


atexit.register(_release_ports)


def free_port():
    """A port outside the ephemeral range, free now and reserved for this process."""
    rng = random.SystemRandom()
    for _ in range(2000):
        port = rng.randrange(PORT_LOW, PORT_HIGH)
        if _bindable(port) and _reserve(port):
            return port
    raise RuntimeError("no free port in %d..%d" % (PORT_LOW, PORT_HIGH))


def port_open(port, host=HOST, timeout=0.2):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class Proc:
    """A started process with its output captured to files for diagnostics."""

    def __init__(self, args, popen, out_path, err_path):
        self.args = args
        self.popen = popen
        self.pid = popen.pid
        self.out_path = out_path
        self.err_path = err_path

    def poll(self):
        return self.popen.poll()

    def output(self, limit=4000):
        """Tail of stdout and stderr, for failure messages."""
        parts = []
        for name, path in (("stdout", self.out_path), ("stderr", self.err_path)):
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                data = b""
            parts.append("--- %s of %s (pid %d) ---\n%s" % (
                name, os.path.basename(self.args[0]), self.pid,
                data[-limit:].decode("utf-8", "replace")))
        return "\n".join(parts)

    def stdout_text(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr_text(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


def start_process(args, ready_port=None, timeout=20.0, cwd=None, env=None, logdir=None, stdin_data=None):
    """Start `args`; if ready_port is given, wait (bounded) until it accepts connections.

    Raises RuntimeError with the captured output if the process dies or the port never opens.
    """
    logdir = logdir or tempfile.mkdtemp(prefix="gk-log-")
    tag = "%s-%d" % (os.path.basename(args[0]), int(time.monotonic() * 1000) % 10**9)
    out_path = os.path.join(logdir, tag + ".out")
    err_path = os.path.join(logdir, tag + ".err")
    out = open(out_path, "wb")
    err = open(err_path, "wb")
    try:
        popen = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=out, stderr=err,
            stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL)
    finally:
        out.close()
        err.close()
    proc = Proc(list(args), popen, out_path, err_path)
    if stdin_data is not None:
        popen.stdin.write(stdin_data)
        popen.stdin.close()
    if ready_port is not None:
        ports = ready_port if isinstance(ready_port, (list, tuple)) else [ready_port]
        deadline = time.monotonic() + timeout
        while True:
            if popen.poll() is not None:
                raise RuntimeError("process exited with %s before port(s) %s opened\n%s"
                                   % (popen.returncode, ports, proc.output()))
            if all(port_open(p) for p in ports):
                break
            if time.monotonic() > deadline:
                out_text = proc.output()
                stop(proc)
                raise RuntimeError("port(s) %s not open after %.0fs\n%s" % (ports, timeout, out_text))
            time.sleep(0.05)
    return proc


def stop(proc, grace=5.0):
    """SIGTERM, wait up to `grace` seconds, then SIGKILL. Returns the exit code."""
    if proc is None:
        return None
    p = proc.popen if isinstance(proc, Proc) else proc
    if p.poll() is None:
        try:
            os.kill(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
    return p.returncode


def children_of(pid):
    """Direct child PIDs of `pid` (from /proc), e.g. nginx workers of a master we started."""
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def stop_tree(proc, grace=5.0):
    """stop() a master process, then any of its direct children that outlived it (by PID)."""
    def comm(pid):
        try:
            with open("/proc/%d/comm" % pid) as f:
                return f.read().strip()
        except OSError:
            return None

    kids = [(k, comm(k)) for k in children_of(proc.pid)]
    rc = stop(proc, grace)
    for k, name in kids:
        if name is not None and comm(k) == name:  # still the same program, not a reused PID
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return rc


def run(args, stdin=None, timeout=30, cwd=None, env=None):
    """Run a short command to completion; returns CompletedProcess with text output."""
    if isinstance(stdin, str):
        stdin = stdin.encode()
    r = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, cwd=cwd, env=env)
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    return r


def gk(*args, stdin=None, timeout=30):
    return run([GK_BIN] + list(args), stdin=stdin, timeout=timeout)


def rss_kib(pid):
    """VmRSS of a process in KiB (None if it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


# --------------------------------------------------------------------------- config files

def write_config(path, text):
    """Write a YAML config (text) to `path` and return the path."""
    with open(path, "w") as f:
        f.write(text)
    return path


def make_htpasswd(path, users, fmt="-B", extra=("-C", "5")):
    """Create/extend an htpasswd file with Apache's own tool. users: {name: password}."""
    for name, pw in users.items():
        args = ["htpasswd", "-b", fmt] + list(extra if fmt == "-B" else ())
        if not os.path.exists(path):
            args.append("-c")
        args += [path, name, pw]
        r = run(args)
        if r.returncode != 0:
            raise RuntimeError("htpasswd failed: %s %s" % (r.stdout, r.stderr))
    return path


def basic_header(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


class TempDirMixin:
    def make_tmp(self):
        d = tempfile.TemporaryDirectory(prefix="gk-it-")
        self.addCleanup(d.cleanup)
        return d.name


class GatekeeperServe:
    """`gatekeeper serve --config FILE` in a temp dir; use as ctx or call start()/stop()."""

    def __init__(self, config_text_fn, tmpdir, extra_ready_ports=()):
        self.tmpdir = tmpdir
        self.port = free_port()
        self.config_path = os.path.join(tmpdir, "gatekeeper.yaml")
        write_config(self.config_path, config_text_fn(self.port))
        self.proc = None
        self.extra_ready_ports = list(extra_ready_ports)

    def start(self, timeout=20.0):
        self.proc = start_process([GK_BIN, "serve", "--config", self.config_path],
                                  ready_port=[self.port] + self.extra_ready_ports,
                                  timeout=timeout, cwd=self.tmpdir, logdir=self.tmpdir)
        return self

    def stop(self, grace=5.0):
        rc = stop(self.proc, grace)
        return rc

    def url(self, path="/"):
        return "http://%s:%d%s" % (HOST, self.port, path)

    def output(self):
        return self.proc.output() if self.proc else ""


# --------------------------------------------------------------------------- Python upstream

def _read_chunked(rfile, sink):
    """Decode a chunked body from rfile, calling sink(bytes) per piece. Returns byte count."""
    total = 0
    for _ in range(10_000_000):
        line = rfile.readline(1024)
        if not line:
            raise IOError("eof in chunk size")
        size = int(line.split(b";")[0].strip(), 16)
        if size == 0:
            # trailers until empty line
            for _ in range(100):
                t = rfile.readline(8192)
                if t in (b"\r\n", b"\n", b""):
                    break
            return total
        remaining = size
        while remaining:
            piece = rfile.read(min(remaining, 1 << 20))
            if not piece:
                raise IOError("eof in chunk data")
            sink(piece)
            remaining -= len(piece)
            total += len(piece)
        rfile.readline(8)  # CRLF after data
    raise IOError("too many chunks")


class RecordedRequest:
    def __init__(self, method, path, headers, body_bytes, client_port, body_head):
        self.method = method
        self.path = path
        self.headers = headers          # list of (name, value) in wire order
        self.body_bytes = body_bytes
        self.client_port = client_port  # the upstream connection's source port
        self.body_head = body_head      # first bytes of the body

    def get_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def get(self, name):
        vals = self.get_all(name)
        return vals[0] if vals else None


ZEROS_1M = bytes(1 << 20)


class _UpstreamHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "py-upstream"

    def log_message(self, fmt, *args):  # keep test output clean
        pass

    def _read_body(self):
        count = 0
        head = bytearray()

        def sink(b):
            nonlocal count
            count += len(b)
            if len(head) < 4096:
                head.extend(b[:4096 - len(head)])

        te = self.headers.get("Transfer-Encoding")
        cl = self.headers.get("Content-Length")
        if te and "chunked" in te.lower():
            _read_chunked(self.rfile, sink)
        elif cl is not None:
            remaining = int(cl)
            while remaining:
                piece = self.rfile.read(min(remaining, 1 << 20))
                if not piece:
                    break
                sink(piece)
                remaining -= len(piece)
        return count, bytes(head)

    def _handle(self):
        up = self.server.owner
        if self.headers.get("Expect", "").lower() == "100-continue":
            # We are the origin: accept the body.
            self.send_response_only(100)
            self.end_headers()
        body_bytes, body_head = self._read_body()
        rec = RecordedRequest(self.command, self.path, list(self.headers.items()), body_bytes,
                              self.client_address[1], body_head)
        with up.lock:
            up.requests.append(rec)
        path = self.path.split("?", 1)[0]

        m = re.search(r"/slow/([0-9.]+)", path)
        if m or up.delay:
            time.sleep(float(m.group(1)) if m else up.delay)
        m = re.search(r"/status/([0-9]{3})", path)
        if m:
            code = int(m.group(1))
            self.send_response(code)
            if code == 304:
                self.send_header("ETag", '"v1"')
            elif code != 204:
                self.send_header("Content-Length", "2")
            self.end_headers()
            if code not in (204, 304) and self.command != "HEAD":
                self.wfile.write(b"ok")
            return
        m = re.search(r"/big/([0-9]+)", path)
        if m:
            n = int(m.group(1))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            if self.command == "HEAD":
                return
            view = memoryview(ZEROS_1M)
            left = n
            while left:
                k = min(left, len(view))
                self.wfile.write(view[:k])
                left -= k
            return
        m = re.search(r"/chunked/([0-9]+)", path)
        if m:
            n = int(m.group(1))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if self.command == "HEAD":
                return
            i = 0
            while i < n:
                piece = bytes((ord("a") + (j % 26)) for j in range(i, min(n, i + 1000)))
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                i += len(piece)
            self.wfile.write(b"0\r\n\r\n")
            return
        # default: echo as JSON
        doc = {
            "method": self.command,
            "path": self.path,
            "headers": {k: v for k, v in self.headers.items()},
            "header_list": [[k, v] for k, v in self.headers.items()],
            "body_bytes": body_bytes,
        }
        data = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # Aborted bodies (413, smuggling cases) are expected here; keep test output readable.
        self.owner.errors += 1


class Upstream:
    """A Python origin server on a thread, recording every request.

    Paths (anywhere in the path): /slow/SECS sleeps, /big/N streams N zero bytes with
    Content-Length, /chunked/N answers N bytes chunked, /status/CODE answers CODE;
    anything else echoes {"method","path","headers","header_list","body_bytes"} as JSON.
    Set .delay to make every request slow.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.delay = 0.0
        self.errors = 0
        self.httpd = _Server((HOST, 0), _UpstreamHandler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.url = "http://%s:%d" % (HOST, self.port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def seen(self):
        with self.lock:
            return list(self.requests)

    def last(self):
        with self.lock:
            return self.requests[-1] if self.requests else None

    def paths(self):
        with self.lock:
            return [r.path for r in self.requests]


# --------------------------------------------------------------------------- raw HTTP over a socket

class RawResponse:
    def __init__(self, status_line, headers, body, closed):
        self.status_line = status_line
        self.headers = headers  # list of (name, value)
        self.body = body
        self.closed = closed    # True if the server closed the connection after this response
        m = re.match(r"HTTP/1\.[01] (\d{3})", status_line or "")
        self.status = int(m.group(1)) if m else None

    def get(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def get_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def __iter__(self):
        return iter((self.status_line, self.headers, self.body))

    def __repr__(self):
        return "RawResponse(%r, headers=%r, body=%r, closed=%r)" % (
            self.status_line, self.headers, self.body[:200], self.closed)


class RawConn:
    """A plain socket to the gateway that can send exact bytes and read responses one by one."""

    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""
        self.eof = False
        self.send_blocked = False  # the peer stopped reading
        self.timeout = timeout

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send(self, data):
        self.sock.settimeout(self.timeout)
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.eof = True
        except socket.timeout:
            self.send_blocked = True

    def _fill(self, deadline):
        if self.eof:
            return False
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            self.eof = True
            return False
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def read_response(self, head_only=False, timeout=None):
        """Read one response; returns RawResponse (status None if nothing arrived)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\r\n\r\n" not in self.buf:
            if time.monotonic() > deadline or not self._fill(deadline):
                if b"\r\n\r\n" not in self.buf:
                    head = self.buf.decode("latin-1")
                    self.buf = b""
                    return RawResponse(head.split("\r\n")[0] if head else None, [], b"", self.eof)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status_line = lines[0]
        headers = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.append((k.strip(), v.strip()))
        resp = RawResponse(status_line, headers, b"", False)
        body = b""
        no_body = head_only or resp.status in (204, 304) or (resp.status is not None and resp.status < 200)
        if not no_body:
            te = resp.get("Transfer-Encoding")
            cl = resp.get("Content-Length")
            if te and "chunked" in te.lower():
                body = self._read_chunked(deadline)
            elif cl is not None:
                n = int(cl)
                while len(self.buf) < n and time.monotonic() < deadline and self._fill(deadline):
                    pass
                body, self.buf = self.buf[:n], self.buf[n:]
            else:  # until close
                while time.monotonic() < deadline and self._fill(deadline):
                    pass
                body, self.buf = self.buf, b""
        resp.body = body
        return resp

    def _read_chunked(self, deadline):
        out = b""
        for _ in range(1_000_000):
            while b"\r\n" not in self.buf:
                if not self._fill(deadline):
                    return out
            line, self.buf = self.buf.split(b"\r\n", 1)
            size = int(line.split(b";")[0], 16)
            if size == 0:
                while b"\r\n" not in self.buf and self._fill(deadline):
                    pass
                # skip trailers (assume none) and final CRLF
                if self.buf.startswith(b"\r\n"):
                    self.buf = self.buf[2:]
                return out
            while len(self.buf) < size + 2:
                if not self._fill(deadline):
                    return out + self.buf
            out += self.buf[:size]
            self.buf = self.buf[size + 2:]
        return out

    def is_closed(self, wait=2.0):
        """True if the peer closes (EOF/reset) within `wait` seconds with no further bytes."""
        if self.eof:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not self._fill(deadline):
                return self.eof
        return self.eof


def raw_request(port, data, head_only=False, timeout=5.0, close_wait=2.0):
    """Send raw bytes on a fresh connection; read one response and whether the server then closed.

    Returns a RawResponse, which unpacks as (status_line, headers, body); .closed tells whether the
    connection was closed afterwards (within close_wait seconds), .status is the int status.
    """
    with RawConn(port, timeout=timeout) as c:
        c.send(data)
        resp = c.read_response(head_only=head_only, timeout=timeout)
        resp.closed = c.is_closed(close_wait)
        resp.extra = c.buf
        return resp


def problem_json_ok(testcase, resp, status):
    """Assert a requests.Response is an RFC 9457 problem document with `status`."""
    testcase.assertEqual(resp.status_code, status, resp.text[:500])
    ctype = resp.headers.get("Content-Type", "")
    testcase.assertTrue(ctype.startswith("application/problem+json"), "Content-Type was %r" % ctype)
    doc = resp.json()
    for key in ("type", "title", "status", "detail"):
        testcase.assertIn(key, doc, doc)
    testcase.assertEqual(doc["status"], status)
    return doc


def www_authenticate_lines(raw_headers):
    """All WWW-Authenticate field lines from a urllib3 HTTPHeaderDict (requests resp.raw.headers)."""
    try:
        return raw_headers.getlist("WWW-Authenticate")
    except AttributeError:
        v = raw_headers.get("WWW-Authenticate")
        return [v] if v else []


def start_demo(cls, prefix, *extra_args):
    """`gatekeeper demo` on free ports for a whole TestCase class: sets cls.state, cls.http_port,
    cls.https_port, cls.proc and cls.base; everything is stopped and removed at class cleanup."""
    require_binary()
    cls._tmp = tempfile.TemporaryDirectory(prefix=prefix)
    cls.addClassCleanup(cls._tmp.cleanup)
    cls.state = os.path.join(cls._tmp.name, "state")
    cls.http_port, cls.https_port = free_port(), free_port()
    cls.proc = start_process(
        [GK_BIN, "demo", "--state", cls.state, "--http-port", str(cls.http_port),
         "--https-port", str(cls.https_port), "--echo-port", "0"] + list(extra_args),
        ready_port=[cls.http_port, cls.https_port], timeout=30, logdir=cls._tmp.name)
    cls.addClassCleanup(stop, cls.proc)
    cls.base = "http://127.0.0.1:%d" % cls.http_port


def require_binary():
    """Fail loudly (not skip) when the binary is missing: CTest always sets GK_BIN."""
    if not os.path.exists(GK_BIN):
        raise AssertionError("no gatekeeper binary at %s (set GK_BIN)" % GK_BIN)
