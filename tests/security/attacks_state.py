"""State on disk: user store made unreadable at run time, config reload by SIGHUP with a broken file,
and crash consistency of `gatekeeper user add` under kill -9."""
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time

import requests

import seclib
from seclib import h

T = 5

STORE_CONFIG = """\
server:
  threads: 1
  limits:
    credential_cache_entries: 0      # every request checks the store
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}", response_timeout: 5s }}
users:
  staff: {{ htpasswd: users.htpasswd }}
  db: {{ sqlite: store.db }}
routes:
  - {{ name: h, path: /h/, upstream: py, schemes: [basic], realm: H, users: staff, require: authenticated }}
  - {{ name: s, path: /s/, upstream: py, schemes: [basic], realm: S, users: db, require: authenticated }}
  - {{ name: public, path: /public/, upstream: py, require: public }}
"""

HT_USERS = {"u%d" % i: "pw-u%d" % i for i in range(1, 9)}


def _status(url, user, pw):
    try:
        return requests.get(url, auth=(user, pw), timeout=T).status_code
    except requests.RequestException as e:
        return "error %s" % type(e).__name__


def _poll(url, user, pw, want, limit):
    """Poll (bounded) until the status is `want`; returns (list of distinct statuses in order, seconds)."""
    t0 = time.monotonic()
    seen = []
    for _ in range(400):
        s = _status(url, user, pw)
        if not seen or seen[-1] != s:
            seen.append(s)
        if s == want or time.monotonic() - t0 > limit:
            break
        time.sleep(0.1)
    return seen, time.monotonic() - t0


def _startup_row(rep, up):
    """A user source that cannot be read when serve starts: refuse to start, or answer 503."""
    tmp = tempfile.TemporaryDirectory(prefix="gk-sec-ghost-")
    srv = None
    try:
        os.mkdir(os.path.join(tmp.name, "users.htpasswd"))   # a directory where the file should be
        srv = h.GatekeeperServe(lambda p: "\n".join(ln for ln in STORE_CONFIG.format(port=p, up=up.port).split("\n")
                                                    if "users: db" not in ln and "sqlite" not in ln), tmp.name)
        try:
            srv.start(timeout=10)
        except RuntimeError as e:
            err = [ln for ln in str(e).splitlines() if "error" in ln]
            rep.add("htpasswd path is a directory when serve starts", "refuses to start, or 503",
                    "refused to start: %s" % (err[0][-110:] if err else str(e)[:110]), True)
            return
        s = _status(srv.url("/h/x"), "u1", "pw-u1")
        rep.add("htpasswd path is a directory when serve starts", "refuses to start, or 503", "started; %s" % s,
                s == 503)
    finally:
        if srv is not None and srv.proc is not None:
            srv.stop()
        tmp.cleanup()


def group_store(rep):
    tmp = tempfile.TemporaryDirectory(prefix="gk-sec-store-")
    up = h.Upstream()
    srv = None
    try:
        d = tmp.name
        ht = os.path.join(d, "users.htpasswd")
        h.make_htpasswd(ht, HT_USERS)
        db = os.path.join(d, "store.db")
        for i in range(1, 5):
            seclib.gk_user_add_db(db, "d%d" % i, "pw-d%d" % i)
        srv = h.GatekeeperServe(lambda p: STORE_CONFIG.format(port=p, up=up.port), d)
        srv.start()

        _startup_row(rep, up)
        s = _status(srv.url("/h/x"), "u1", "pw-u1")
        rep.add("control: htpasswd readable, valid credentials", "200", str(s), s == 200)

        saved = ht + ".saved"
        shutil.copy2(ht, saved)

        def restore():
            if os.path.isdir(ht) and not os.path.islink(ht):
                shutil.rmtree(ht)
            elif os.path.exists(ht):
                os.unlink(ht)
            shutil.copy2(saved, ht + ".tmp")
            os.replace(ht + ".tmp", ht)
            os.utime(ht)  # a new mtime, so the watcher sees a change even within one second

        def to_directory():
            os.unlink(ht)
            os.mkdir(ht)

        def remove():
            os.unlink(ht)

        def garbage():
            with open(ht + ".tmp", "wb") as f:
                f.write(b"\x00\xff this is not an htpasswd file\n:::\n")
            os.replace(ht + ".tmp", ht)

        user_no = 2
        for what, mutate in (("replaced by a directory", to_directory), ("removed", remove)):
            user, pw = "u%d" % user_no, "pw-u%d" % user_no   # never used before: not in any cache
            user_no += 1
            mutate()
            seen, secs = _poll(srv.url("/h/x"), user, pw, 503, limit=4.0)
            ok = seen[-1] == 503 and 200 not in seen[1:]
            rep.add("htpasswd %s at run time; valid credentials of an uncached user" % what,
                    "503 once the change is seen (<= 4 s), never 200 after it",
                    "%s within %.1f s" % (" -> ".join(map(str, seen)), secs), ok,
                    "" if ok else "the last good snapshot keeps serving")
            restore()
            _poll(srv.url("/h/x"), "u8", "pw-u8", 200, limit=4.0)
        # A file that reads but does not parse is taken for a half-finished edit: the last good users
        # stay (documented in README), and the log says why. Unreadable is the fail-closed case above.
        user, pw = "u%d" % user_no, "pw-u%d" % user_no
        garbage()
        time.sleep(2.0)  # past the 1 s re-read tick
        st = _status(srv.url("/h/x"), user, pw)
        log = srv.proc.stdout_text() + srv.proc.stderr_text()
        said = "keeping the previous users" in log or "keeping the last good" in log
        rep.add("htpasswd replaced by content that does not parse; an uncached user of the last good file",
                "last good users kept (200) and a warning in the log", "%s, warning %s" % (st, "yes" if said else "no"),
                st == 200 and said)
        restore()
        _poll(srv.url("/h/x"), "u8", "pw-u8", 200, limit=4.0)

        # SQLite: overwrite the database in place with garbage (the open connection sees it on its next read).
        s0 = _status(srv.url("/s/x"), "d1", "pw-d1")
        # In WAL mode a connection trusts its page cache while the wal-index (-shm) is unchanged, so the
        # database, its WAL and its wal-index are all overwritten in place.
        smashed = []
        saved_db = {}
        for extra in ("", "-wal", "-shm"):
            path = db + extra
            if os.path.exists(path):
                with open(path, "rb") as f:
                    saved_db[path] = f.read()
                size = os.path.getsize(path)
                with open(path, "r+b") as f:
                    f.write((b"\xde\xad\xbe\xef garbage " * (size // 17 + 1))[:max(size, 4096)])
                    f.flush()
                    os.fsync(f.fileno())
                smashed.append(os.path.basename(path))
        seen, secs = _poll(srv.url("/s/x"), "d2", "pw-d2", 503, limit=3.0)
        seen2, _ = _poll(srv.url("/s/x"), "d3", "pw-d3", 503, limit=1.0)
        seen += ["d3: " + str(x) for x in seen2]
        ok = seen == [503, "d3: 503"]
        reasons = []
        for ln in srv.output().splitlines():
            m = re.search(r'"path":"/s/x","status":(\d+).*?"reason":"([^"]*)"', ln)
            if m and (not reasons or reasons[-1] != m.groups()):
                reasons.append(m.groups())
        print("    access log for /s/x: %s" % reasons)
        rep.add("SQLite user database (%s) overwritten with garbage at run time; valid credentials" % ", ".join(smashed),
                "503 at once (fail closed), never 200 or 401", "%s (before: %s)" % (" -> ".join(map(str, seen)), s0),
                ok, "" if ok else "SQLITE_NOTADB/SQLITE_CORRUPT must become 503 (DESIGN.md: store down -> 503), "
                                  "not 'no such user' (401) nor a pass")
        s = _status(srv.url("/public/x"), "", "")
        rep.add("public route while the user stores are broken", "200", str(s), s == 200)
        # Put the same bytes back in place: the source must come back by itself.
        for path, data in saved_db.items():
            with open(path, "r+b") as f:
                f.write(data)
                f.truncate()
        fresh = h.gk("user", "list", "--db", db)
        fresh_ok = fresh.returncode == 0 and "d4" in fresh.stdout
        seen, secs = _poll(srv.url("/s/x"), "d4", "pw-d4", 200, limit=4.0)
        ok = seen[-1] == 200
        rep.add("SQLite user database restored (same bytes back in place)", "200 again within 4 s",
                "%s within %.1f s (a fresh `user list --db` %s)" % (
                    " -> ".join(map(str, seen)), secs, "reads it fine" if fresh_ok else "fails too"), ok,
                "" if ok else "once healthy() is false, evaluate.cpp answers 503 without calling find(), and only "
                              "find() sets healthy_ again: the source never recovers without a restart")
        alive = seclib.alive(srv.proc)
        rep.add("gatekeeper still running after the store attacks", "running", seclib.describe_exit(srv.proc.popen),
                alive)
    finally:
        if srv is not None and srv.proc is not None:
            srv.stop()
        up.close()
        tmp.cleanup()


# --------------------------------------------------------------------------- reload

RELOAD_CONFIG = """\
server:
  threads: 1
listeners:
  - {{ address: 127.0.0.1, port: {port} }}
upstreams:
  py: {{ url: "http://127.0.0.1:{up}", response_timeout: 5s }}
routes:
  - {{ name: public, path: /public/, upstream: py, require: public }}
"""


def group_reload(rep):
    tmp = tempfile.TemporaryDirectory(prefix="gk-sec-reload-")
    up = h.Upstream()
    srv = None
    try:
        srv = h.GatekeeperServe(lambda p: RELOAD_CONFIG.format(port=p, up=up.port), tmp.name)
        srv.start()
        pid = srv.proc.pid
        good = open(srv.config_path).read()
        broken = good.replace("routes:\n", "routes:\n  - { name: bad, path: nope, upstream: nowhere, require: [\n")
        with open(srv.config_path, "w") as f:
            f.write(broken)
        check = h.gk("check", "--config", srv.config_path)
        os.kill(pid, signal.SIGHUP)
        time.sleep(1.5)
        alive = seclib.alive(srv.proc)
        s = _status(srv.url("/public/after-hup"), "", "") if alive else "none (process gone)"
        log = srv.proc.stdout_text() + srv.proc.stderr_text()
        base = os.path.basename(srv.config_path)
        said = [ln for ln in log.splitlines() if base in ln and re.search(r":\d+", ln)]
        said += [ln for ln in log.splitlines() if "reload" in ln.lower() and ln not in said]
        ok = alive and s == 200 and bool(said)
        rep.add("SIGHUP with a broken config in place (gatekeeper check exits %d)" % check.returncode,
                "still running, old config serves (200), log says why (file:line)",
                "%s, GET %s, log: %s" % (seclib.describe_exit(srv.proc.popen), s,
                                         (said[0][:120] if said else "nothing about the reload")), ok,
                "" if ok else "no SIGHUP handler: the default action ends the process; reload is not implemented")
        if alive:
            with open(srv.config_path, "w") as f:
                f.write(good.replace("routes:\n", "routes:\n  - { name: new, path: /new/, upstream: py, "
                                                   "require: public }\n"))
            os.kill(pid, signal.SIGHUP)
            seen, secs = _poll(srv.url("/new/x"), "", "", 200, limit=3.0)
            rep.add("SIGHUP with a fixed config adding /new/", "new route serves (200) within 3 s",
                    " -> ".join(map(str, seen)), seen[-1] == 200)
    finally:
        if srv is not None and srv.proc is not None:
            srv.stop()
        up.close()
        tmp.cleanup()


# --------------------------------------------------------------------------- crash consistency

KILLS = 30
HASH_RE = re.compile(r"^(\$argon2(id|i|d)\$|\$2[aby]\$\d\d\$|\$apr1\$|\{SHA\}|\$5\$|\$6\$|\$y\$|\$gy\$)")


def _valid_htpasswd(path):
    """None if every line is a well-formed `user:hash` entry, else a description of the first bad line."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return "unreadable: %s" % e
    if data and not data.endswith(b"\n"):
        return "no final newline (torn write?) %r" % data[-40:]
    for i, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            return "line %d not UTF-8" % i
        user, sep, hsh = line.partition(":")
        if not sep or not user or not HASH_RE.match(hsh):
            return "line %d malformed: %r" % (i, line[:60])
    return None


def _add(args, pw):
    p = subprocess.Popen([h.GK_BIN] + args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    p.stdin.write((pw + "\n").encode())
    p.stdin.close()
    return p


def _kill_loop(kind, target, add_extra, check_fn):
    """Run KILLS adds, each SIGKILLed after a random delay; returns a summary dict."""
    pw = "crash-pw"
    t0 = time.monotonic()
    p = _add(["user", "add", "warmup"] + target + add_extra, pw)
    p.wait(timeout=30)
    t_add = time.monotonic() - t0
    completed = {"warmup"} if p.returncode == 0 else set()
    out = {"kills_mid_run": 0, "first_bad": None, "lost": [], "t_add": t_add, "list_fail": None}
    rng = random.Random(1234 + len(kind))
    for i in range(KILLS):
        name = "k%02d" % i
        p = _add(["user", "add", name] + target + add_extra, pw)
        time.sleep(rng.uniform(0.0, t_add * 1.1))
        if p.poll() is None:
            out["kills_mid_run"] += 1
            os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
        if p.returncode == 0:
            completed.add(name)
        bad = check_fn()
        if bad and out["first_bad"] is None:
            out["first_bad"] = "after kill %d: %s" % (i, bad)
        r = h.gk(*(["user", "list"] + target), timeout=10)
        if r.returncode != 0 and out["list_fail"] is None:
            out["list_fail"] = "after kill %d: user list exit %d: %s" % (i, r.returncode, r.stderr.strip()[:100])
        listed = set(re.findall(r"^(\S+)", r.stdout, re.M))
        lost = sorted(completed - listed)
        if lost and not out["lost"]:
            out["lost"] = lost
    out["completed"] = len(completed)
    return out


def group_crash(rep):
    tmp = tempfile.TemporaryDirectory(prefix="gk-sec-crash-")
    up = h.Upstream()
    srv = None
    try:
        d = tmp.name
        ht = os.path.join(d, "users.htpasswd")
        res = _kill_loop("htpasswd", ["--htpasswd", ht], [], lambda: _valid_htpasswd(ht))
        leftovers = [n for n in os.listdir(d) if n.startswith(".users.htpasswd")]
        ok = res["first_bad"] is None and res["list_fail"] is None
        rep.add("kill -9 x%d during `user add --htpasswd` (%d killed mid-run, one add %.2f s)" % (
            KILLS, res["kills_mid_run"], res["t_add"]),
            "after each kill: every line a valid entry, `user list` exit 0",
            res["first_bad"] or res["list_fail"] or "all valid (%d temp files left behind)" % len(leftovers), ok)
        rep.add("kill -9 during `user add --htpasswd`: adds that exited 0 are all present", "none lost",
                "lost %s" % res["lost"] if res["lost"] else "none lost (%d completed)" % res["completed"],
                not res["lost"])

        db = os.path.join(d, "users.db")

        def db_check():
            r = h.run(["sqlite3", db, "PRAGMA integrity_check"], timeout=10)
            if r.returncode != 0 or r.stdout.strip() != "ok":
                return "integrity_check: %s %s" % (r.stdout.strip()[:80], r.stderr.strip()[:80])
            return None

        res = _kill_loop("sqlite", ["--db", db], ["-g", "admins"], db_check)
        ok = res["first_bad"] is None and res["list_fail"] is None
        rep.add("kill -9 x%d during `user add --db` (%d killed mid-run, one add %.2f s)" % (
            KILLS, res["kills_mid_run"], res["t_add"]),
            "after each kill: PRAGMA integrity_check = ok, `user list` exit 0",
            res["first_bad"] or res["list_fail"] or "all ok", ok)
        rep.add("kill -9 during `user add --db`: adds that exited 0 are all present", "none lost",
                "lost %s" % res["lost"] if res["lost"] else "none lost (%d completed)" % res["completed"],
                not res["lost"])

        # A fresh start on the survivors: both stores load and the warm-up users log in.
        cfg = ("server: {{ threads: 1 }}\nlisteners:\n  - {{ address: 127.0.0.1, port: {port} }}\n"
               "upstreams:\n  py: {{ url: \"http://127.0.0.1:%d\" }}\n"
               "users:\n  staff: {{ htpasswd: users.htpasswd }}\n  db: {{ sqlite: users.db }}\n"
               "routes:\n  - {{ name: h, path: /h/, upstream: py, schemes: [basic], realm: H, users: staff, "
               "require: authenticated }}\n"
               "  - {{ name: s, path: /s/, upstream: py, schemes: [basic], realm: S, users: db, "
               "require: {{ groups: [admins] }} }}\n" % up.port)
        srv = h.GatekeeperServe(lambda p: cfg.format(port=p), d)
        try:
            srv.start()
            a = _status(srv.url("/h/x"), "warmup", "crash-pw")
            b = _status(srv.url("/s/x"), "warmup", "crash-pw")
            seen = "started; htpasswd user %s, sqlite user %s" % (a, b)
            ok = a == 200 and b == 200
        except RuntimeError as e:
            seen, ok = "did not start: %s" % str(e)[:150], False
        rep.add("fresh `gatekeeper serve` on the stores after the kills", "starts; both users 200", seen, ok)
    finally:
        if srv is not None and srv.proc is not None:
            srv.stop()
        up.close()
        tmp.cleanup()
