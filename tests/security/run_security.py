#!/usr/bin/python3
"""gatekeeper attack suite: drives the live binary with raw sockets, curl and requests, prints a
Markdown table `attack | expected | seen | ok` and exits 1 if any row is not as expected.

    GK_BIN=build/gatekeeper GK_SRC=. /usr/bin/python3 tests/security/run_security.py [group ...]

Groups: smuggling paths headers faults tls abuse store reload crash (default: all, in that order).
Every server is on 127.0.0.1 on free ports, every process is stopped by PID, every wait is bounded.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attacks_abuse  # noqa: E402
import attacks_faults  # noqa: E402
import attacks_http  # noqa: E402
import attacks_state  # noqa: E402
import attacks_tls  # noqa: E402
import seclib  # noqa: E402
from main_server import MainServer  # noqa: E402
from seclib import h  # noqa: E402

MAIN_GROUPS = [
    ("smuggling", "Smuggling and framing (RFC 9112 6.3)", attacks_http.group_smuggling),
    ("paths", "Path tricks (/admin/ = group admins, /public/ = public)", attacks_http.group_paths),
    ("headers", "Header tricks", attacks_http.group_headers),
    ("faults", "Upstream faults and descriptor leaks", attacks_faults.group_faults),
    ("tls", "TLS listener", attacks_tls.group_tls),
]
OWN_GROUPS = [
    ("abuse", "Brute force and timing", attacks_abuse.group_abuse),
    ("store", "User store unreadable at run time", attacks_state.group_store),
    ("reload", "Config reload (SIGHUP)", attacks_state.group_reload),
    ("crash", "Crash consistency of `gatekeeper user add` under kill -9", attacks_state.group_crash),
]


def main(argv):
    h.require_binary()
    wanted = set(argv) or {g[0] for g in MAIN_GROUPS + OWN_GROUPS}
    unknown = wanted - {g[0] for g in MAIN_GROUPS + OWN_GROUPS}
    if unknown:
        print("unknown group(s): %s" % ", ".join(sorted(unknown)), file=sys.stderr)
        return 2
    rep = seclib.Report()
    t0 = time.monotonic()
    main_groups = [g for g in MAIN_GROUPS if g[0] in wanted]
    if main_groups:
        srv = None
        try:
            srv = MainServer()
        except Exception as e:  # noqa: BLE001
            rep.group = "setup"
            rep.add("start the gateway under attack", "running", "%s: %s" % (type(e).__name__, str(e)[:300]), False)
        if srv is not None:
            try:
                for _key, title, fn in main_groups:
                    rep.run_group(title, fn, srv)
                    if not seclib.alive(srv.gk.proc):
                        rep.add("gatekeeper still running after this group", "running",
                                seclib.describe_exit(srv.gk.proc.popen), False, srv.log_tail(500))
                        break
                rep.group = "Main gateway"
                rc_alive = seclib.alive(srv.gk.proc)
                rep.add("gatekeeper survived every attack above", "running",
                        seclib.describe_exit(srv.gk.proc.popen), rc_alive)
            finally:
                srv.close()
    for key, title, fn in OWN_GROUPS:
        if key in wanted:
            rep.run_group(title, fn)

    print()
    print(rep.markdown())
    failed = rep.failed()
    print()
    print("%d rows, %d not as expected; %.0f s (%s)" % (
        len(rep.rows), len(failed), time.monotonic() - t0,
        ", ".join("%s %.0fs" % (n.split(" ")[0], s) for n, s in rep.timings)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
