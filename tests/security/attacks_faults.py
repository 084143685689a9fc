"""Upstream faults: refused, reset mid-body, reset before any response, hanging. Each is one row for
the answer and one row for gatekeeper's open file descriptors after a batch of 50."""
import concurrent.futures
import time

import seclib
from main_server import HANG_TIMEOUT

BATCH = 50
PARALLEL = 10
FD_SLACK = 3      # idle pooled connections to the echo upstream may come and go


def one(port, path, timeout=6.0):
    """One GET with Connection: close; returns a dict describing what came back and when."""
    data = ("GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % path).encode()
    t0 = time.monotonic()
    try:
        r = seclib.raw_exchange(port, data, timeout=timeout, close_wait=1.0)
    except OSError as e:
        return {"status": None, "error": str(e), "elapsed": time.monotonic() - t0}
    cl = r.get("Content-Length")
    return {"status": r.status, "body": len(r.body), "cl": int(cl) if cl and cl.isdigit() else None,
            "closed": r.closed, "elapsed": time.monotonic() - t0}


def classify_reset(x):
    """502, or a response cut short with the connection closed; never a hang."""
    if x["status"] == 502:
        return "502"
    if x["status"] == 200 and x.get("cl") is not None and x["body"] < x["cl"] and x["closed"]:
        return "truncated+closed"
    return "BAD(%s body=%s/%s closed=%s)" % (x["status"], x.get("body"), x.get("cl"), x.get("closed"))


def batch(port, path, n=BATCH):
    with concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL) as ex:
        return list(ex.map(lambda i: one(port, "%s/%d" % (path, i)), range(n), timeout=120))


def fd_row(rep, srv, what, baseline, results_fn):
    results = results_fn()
    after = seclib.settle_fds(srv.pid, baseline + FD_SLACK, limit=5.0)
    rep.add("%s x%d: gatekeeper fds" % (what, BATCH), "<= %d (baseline %d + %d)" % (baseline + FD_SLACK, baseline,
                                                                                     FD_SLACK),
            "%d after 5 s settle" % after, 0 <= after <= baseline + FD_SLACK)
    return results


def summarize(labels):
    counts = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return ", ".join("%s x%d" % (k, v) for k, v in sorted(counts.items()))


def group_faults(rep, srv):
    port = srv.port
    # Warm up every route once, then take the baseline.
    for p in ("/public/warm", "/refused/warm", "/reset/warm", "/reset/head-warm"):
        one(port, p)
    time.sleep(0.5)
    baseline = seclib.fd_count(srv.pid)

    # Refused: nobody listens on the upstream port.
    res = fd_row(rep, srv, "upstream refusing", baseline, lambda: batch(port, "/refused/x"))
    statuses = [x["status"] for x in res]
    slow = max(x["elapsed"] for x in res)
    rep.add("upstream port closed (connection refused) x%d" % BATCH, "all 502, each < 3 s",
            "%s; slowest %.2f s" % (summarize(map(str, statuses)), slow),
            all(s == 502 for s in statuses) and slow < 3)

    # Reset after the response head and part of the body (SO_LINGER 0).
    res = fd_row(rep, srv, "upstream RST mid-body", baseline, lambda: batch(port, "/reset/body"))
    labels = [classify_reset(x) for x in res]
    slow = max(x["elapsed"] for x in res)
    ok = all(not lab.startswith("BAD") for lab in labels) and slow < 5
    logged = [ln for ln in srv.gk.proc.stdout_text().splitlines() if '"/reset/body/' in ln][-1:]
    rep.add("upstream sends 200 + Content-Length 100000, 1000 bytes, then RST x%d" % BATCH,
            "502 or truncated body + closed connection, each < 5 s",
            "%s; slowest %.2f s" % (summarize(labels).replace("BAD(None body=0/None closed=True)",
                                                              "empty reply (no status line), closed"), slow), ok,
            "" if ok else "nothing at all reaches the client (curl: 'Empty reply from server'); access log: %s"
            % (logged[0][:300] if logged else "?"))

    # Reset before any response byte.
    res = fd_row(rep, srv, "upstream RST before response", baseline, lambda: batch(port, "/reset/head"))
    statuses = [x["status"] for x in res]
    slow = max(x["elapsed"] for x in res)
    rep.add("upstream reads the request then RSTs (no response) x%d" % BATCH, "all 502, each < 3 s",
            "%s; slowest %.2f s" % (summarize(map(str, statuses)), slow),
            all(s == 502 for s in statuses) and slow < 3)

    # Hanging: the upstream reads the request and never answers.
    one(port, "/hang/warm")
    time.sleep(0.3)
    res = fd_row(rep, srv, "upstream hanging", baseline, lambda: batch(port, "/hang/x"))
    statuses = [x["status"] for x in res]
    times = sorted(x["elapsed"] for x in res)
    lo, hi = HANG_TIMEOUT - 0.2, HANG_TIMEOUT + 2.0
    rep.add("upstream never answers (response_timeout %.1fs) x%d" % (HANG_TIMEOUT, BATCH),
            "all 504 after %.1f-%.1f s" % (lo, hi),
            "%s; %.2f-%.2f s" % (summarize(map(str, statuses)), times[0], times[-1]),
            all(s == 504 for s in statuses) and times[0] >= lo and times[-1] <= hi)
    left = _open_hang_conns(srv)
    rep.add("upstream hanging: upstream connections gatekeeper still holds 3 s after the batch", "0",
            "%d (of %d accepted)" % (left, srv.hang_up.accepted), left == 0)


def _open_hang_conns(srv, limit=3.0):
    """How many of the hanging upstream's accepted sockets the gateway still holds open (bounded wait)."""
    deadline = time.monotonic() + limit
    while srv.hang_up.open_now() and time.monotonic() < deadline:
        time.sleep(0.1)
    return srv.hang_up.open_now()
