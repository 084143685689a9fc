#!/usr/bin/python3
"""The deployment examples under deploy/ (issue 10, docs/deployment.md), each read by the real tool
that will read it in production:
- deploy/cluster/gatekeeper-{a,b,c}.yaml and deploy/compose/gatekeeper.yaml by `gatekeeper check`
  (their absolute paths moved into a temporary folder holding stand-in certificates, htpasswd
  and passfile), and the three cluster files differ only where an instance must differ;
- deploy/systemd/gatekeeper@.service by `systemd-analyze verify` (a copy whose ExecStart points at
  GK_BIN; any complaint naming the unit fails, since verify exits 0 on unknown keys);
- deploy/compose/compose.yaml by `docker-compose config -q` (no daemon needed) plus the cross
  checks compose cannot make (grace periods, healthchecks, the balancer's trusted address);
- both nginx balancer configs by `nginx -t`, the init script by `sh -n`/shellcheck and, as
  root, by running it into a temporary folder;
- deploy/compose/Dockerfile: every package it installs exists in Debian 12, and they cover every
  shared library GK_BIN links directly.
Each check is also shown to fail once on a deliberately broken copy, so none passes vacuously.
Then instances a and b of deploy/cluster/ serve for real on loopback over one Redis and one
PostgreSQL (with test_cluster.py's server helpers).
"""
import os
import re
import shutil
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yaml  # noqa: E402

import gk_harness as h  # noqa: E402

DEPLOY = os.path.join(h.GK_SRC, "deploy")
CLUSTER = os.path.join(DEPLOY, "cluster")
COMPOSE = os.path.join(DEPLOY, "compose")
UNIT = os.path.join(DEPLOY, "systemd", "gatekeeper@.service")
INSTANCES = ("a", "b", "c")
# Where the examples expect their files on a real host; the tests move them into a temp folder.
# Runtime libraries debian:bookworm-slim holds before any apt-get install (apt depends on them).
IN_BOOKWORM_SLIM = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"}
HOST_PREFIXES = ("/etc/gatekeeper/", "/var/lib/gatekeeper", "/run/gatekeeper/")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def seconds(text):
    """'10s', '30s', '2m', '20s' -> seconds (the forms used in these files)."""
    m = re.fullmatch(r"(\d+)(ms|s|m|h)", str(text).strip())
    if not m:
        raise ValueError("not a duration: %r" % text)
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def openssl_cert(path_cert, path_key, cn="gatekeeper"):
    h.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-days", "2", "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:" + cn,
           "-keyout", path_key, "-out", path_cert], timeout=30)
    assert os.path.exists(path_cert) and os.path.exists(path_key), "openssl made no certificate"


class Sandbox:
    """A temporary stand-in for /etc/gatekeeper, /var/lib/gatekeeper and /run/gatekeeper: every
    absolute path of a config is rewritten into it and the file it names is made there."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="gk-deploy-")

    def rewrite(self, text):
        for prefix in HOST_PREFIXES:
            moved = os.path.join(self.root, prefix.strip("/")) + ("/" if prefix.endswith("/") else "")
            text = text.replace(prefix, moved)
        return text

    def provide(self, config_text):
        """Make every file the (rewritten) config names: certificates, htpasswd, passfile, state dirs."""
        data = yaml.safe_load(config_text)
        state_dir = data.get("server", {}).get("state_dir")
        if state_dir:
            os.makedirs(state_dir, exist_ok=True)
        for l in data.get("listeners", []):
            tls = l.get("tls")
            if tls:
                os.makedirs(os.path.dirname(tls["cert"]), exist_ok=True)
                if not os.path.exists(tls["cert"]):
                    openssl_cert(tls["cert"], tls["key"])
        for src in data.get("users", {}).values():
            path = src.get("htpasswd")
            if path and not os.path.exists(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                shutil.copy(os.path.join(h.GK_SRC, "examples", "users.htpasswd"), path)
        conninfo = data.get("state", {}).get("postgres", {}).get("conninfo", "")
        for key in ("passfile", "sslrootcert"):
            m = re.search(key + r"=(\S+)", conninfo)
            if m and not os.path.exists(m.group(1)):
                os.makedirs(os.path.dirname(m.group(1)), exist_ok=True)
                with open(m.group(1), "w") as f:
                    f.write("# stand-in\n")
                os.chmod(m.group(1), 0o600)
        return data

    def check(self, source_path, mutate=None):
        """`gatekeeper check` on a rewritten copy of source_path; returns (CompletedProcess, text)."""
        text = self.rewrite(read(source_path))
        if mutate:
            text = mutate(text)
        self.provide(text)
        copy = os.path.join(self.root, "configs", os.path.basename(source_path))
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        with open(copy, "w") as f:
            f.write(text)
        return h.gk("check", "--config", copy), text


def strip_comments(text):
    return "\n".join(line.split(" #")[0] for line in text.splitlines() if not line.lstrip().startswith("#"))


class ClusterConfigs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()
        cls.data = {}
        for i in INSTANCES:
            cls.data[i] = yaml.safe_load(read(os.path.join(CLUSTER, "gatekeeper-%s.yaml" % i)))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.box.root, ignore_errors=True)

    def test_each_instance_config_passes_check(self):
        for i in INSTANCES:
            with self.subTest(instance=i):
                path = os.path.join(CLUSTER, "gatekeeper-%s.yaml" % i)
                r, text = self.box.check(path)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn(": ok (", r.stdout)
                # Nothing outside the sandbox was read: every absolute path was one it rewrites.
                leftover = re.findall(r"(?<![\w.])/(?:etc|var|run|usr|home|srv|opt)/\S*", strip_comments(text))
                self.assertEqual(leftover, [], "paths the test does not provide")

    def test_check_refuses_broken_copies(self):
        """check is not vacuous: a misspelt key and a password in the conninfo both fail it."""
        path = os.path.join(CLUSTER, "gatekeeper-a.yaml")
        r, _ = self.box.check(path, lambda t: t.replace("timeout: 250ms", "timout: 250ms", 1))
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("timout", r.stderr)
        r, _ = self.box.check(path, lambda t: t.replace("user=gatekeeper ", "user=gatekeeper password=s3cret ", 1))
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("password", r.stderr)

    def test_instances_differ_only_where_they_must(self):
        def shared_part(d, i):
            d = yaml.safe_load(yaml.safe_dump(d))
            self.assertEqual(d["server"].pop("state_dir"), "/var/lib/gatekeeper/" + i)
            tls = [l for l in d["listeners"] if "tls" in l]
            self.assertEqual(len(tls), 1)
            self.assertEqual(tls[0].pop("tls"), {"cert": "/etc/gatekeeper/tls/gatekeeper-%s.pem" % i,
                                                  "key": "/etc/gatekeeper/tls/gatekeeper-%s.key" % i})
            tls[0].pop("address")
            return d
        first = shared_part(self.data["a"], "a")
        for i in INSTANCES[1:]:
            with self.subTest(instance=i):
                self.assertEqual(shared_part(self.data[i], i), first)
        addresses = [next(l["address"] for l in self.data[i]["listeners"] if "tls" in l) for i in INSTANCES]
        self.assertEqual(len(set(addresses)), 3, addresses)

    def test_cluster_essentials(self):
        d = self.data["a"]
        self.assertTrue(d["oauth"]["url"].startswith("https://"))
        self.assertIn("redis", d["state"])
        self.assertIn("postgres", d["state"])
        self.assertNotIn("password=", d["state"]["postgres"]["conninfo"])
        self.assertIn("passfile=", d["state"]["postgres"]["conninfo"])
        self.assertIn("users", d["sessions"])
        self.assertIn("brute_force", d)
        requires = [r["require"] for r in d["routes"]]
        self.assertIn("public", requires)
        self.assertIn("authenticated", requires)
        # Behind the balancer: only its address is trusted, and nothing plain faces the network.
        self.assertEqual(d["server"]["trusted_proxies"], ["10.0.0.10/32"])
        for l in d["listeners"]:
            self.assertTrue("tls" in l or l["address"].startswith("127."), l)
            self.assertNotIn("insecure", l)


class ComposeGatekeeperConfig(unittest.TestCase):
    def setUp(self):
        self.box = Sandbox()

    def tearDown(self):
        shutil.rmtree(self.box.root, ignore_errors=True)

    def test_passes_check(self):
        r, text = self.box.check(os.path.join(COMPOSE, "gatekeeper.yaml"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        leftover = re.findall(r"(?<![\w.])/(?:etc|var|run|usr|home|srv|opt)/\S*", strip_comments(text))
        self.assertEqual(leftover, [])

    def test_agrees_with_compose_yaml(self):
        gk = yaml.safe_load(read(os.path.join(COMPOSE, "gatekeeper.yaml")))
        compose = yaml.safe_load(read(os.path.join(COMPOSE, "compose.yaml")))
        lb = compose["services"]["lb"]
        lb_ip = lb["networks"]["backend"]["ipv4_address"]
        self.assertEqual(gk["server"]["trusted_proxies"], [lb_ip + "/32"])
        self.assertIn("https://localhost:8443", gk["oauth"]["url"])
        self.assertIn("8443:8443", lb["ports"])
        # The passfile line the init script writes matches the conninfo and the postgres service.
        conninfo = dict(kv.split("=", 1) for kv in gk["state"]["postgres"]["conninfo"].split())
        env = compose["services"]["postgres"]["environment"]
        self.assertEqual((conninfo["dbname"], conninfo["user"]), (env["POSTGRES_DB"], env["POSTGRES_USER"]))
        line = "'%s:%s:%s:%s:%%s" % (conninfo["host"], conninfo["port"], conninfo["dbname"], conninfo["user"])
        self.assertIn(line, read(os.path.join(COMPOSE, "init-secrets.sh")))
        self.assertEqual(gk["state"]["redis"]["address"], "redis")
        self.assertIn("redis", compose["services"])


class SystemdUnit(unittest.TestCase):
    def setUp(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze not installed")
        self.tmp = tempfile.mkdtemp(prefix="gk-unit-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def verify(self, mutate=None):
        """systemd-analyze verify on an instance copy whose commands name the real binary.
        verify exits 0 after 'Unknown key' or 'Failed to parse' warnings: any line naming the
        unit counts as a complaint."""
        text = read(UNIT).replace("/usr/local/bin/gatekeeper", os.path.abspath(h.GK_BIN))
        if mutate:
            text = mutate(text)
        path = os.path.join(self.tmp, "gatekeeper@a.service")
        with open(path, "w") as f:
            f.write(text)
        r = h.run(["systemd-analyze", "verify", "--man=no", path], timeout=60)
        complaints = [l for l in (r.stdout + r.stderr).splitlines() if "gatekeeper@" in l]
        return r, complaints

    def test_verify_is_clean(self):
        r, complaints = self.verify()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(complaints, [])

    def test_verify_catches_broken_copies(self):
        for bad in (lambda t: t.replace("ProtectSystem=strict", "ProtectSytem=strict"),
                    lambda t: t.replace("ProtectSystem=strict", "ProtectSystem=stric"),
                    lambda t: t.replace("[Service]", "[Servic]")):
            r, complaints = self.verify(bad)
            self.assertTrue(complaints, r.stdout + r.stderr)

    def test_unit_agrees_with_the_cluster_configs(self):
        text = read(UNIT)
        keys = {}
        for line in text.splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                keys.setdefault(k, []).append(v)
        for k in ("User", "NoNewPrivileges", "ProtectSystem", "StateDirectory", "LimitNOFILE",
                  "ExecReload", "KillSignal", "TimeoutStopSec", "Restart"):
            self.assertIn(k, keys)
        self.assertEqual(keys["ProtectSystem"], ["strict"])
        self.assertEqual(keys["StateDirectory"], ["gatekeeper/%i"])
        self.assertEqual(keys["ExecReload"], ["/bin/kill -HUP $MAINPID"])
        self.assertIn("serve --config /etc/gatekeeper/gatekeeper-%i.yaml", keys["ExecStart"][0])
        for i in INSTANCES:
            d = yaml.safe_load(read(os.path.join(CLUSTER, "gatekeeper-%s.yaml" % i)))
            self.assertEqual(d["server"]["state_dir"], "/var/lib/gatekeeper/" + i)
            self.assertGreater(seconds(keys["TimeoutStopSec"][0]), seconds(d["server"]["limits"]["shutdown_grace"]))
            self.assertGreater(int(keys["LimitNOFILE"][0]), d["server"]["limits"]["max_connections"])


class ComposeFile(unittest.TestCase):
    def setUp(self):
        self.compose = yaml.safe_load(read(os.path.join(COMPOSE, "compose.yaml")))
        self.tmp = tempfile.mkdtemp(prefix="gk-compose-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def compose_config(self, text):
        """docker-compose config -q on text, placed in a copy of deploy/compose (relative paths hold)."""
        folder = os.path.join(self.tmp, "compose")
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(COMPOSE, folder)
        with open(os.path.join(folder, "compose.yaml"), "w") as f:
            f.write(text)
        return h.run(["docker-compose", "-f", "compose.yaml", "config", "-q"], cwd=folder, timeout=60)

    def test_docker_compose_config(self):
        if not shutil.which("docker-compose"):
            self.skipTest("docker-compose not installed (scripts/deps.sh installs it)")
        text = read(os.path.join(COMPOSE, "compose.yaml"))
        r = self.compose_config(text)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.compose_config(text.replace("stop_grace_period:", "stop_grace_periode:", 1))
        self.assertNotEqual(r.returncode, 0, "a misspelt key went unnoticed")

    def test_services(self):
        s = self.compose["services"]
        gk = yaml.safe_load(read(os.path.join(COMPOSE, "gatekeeper.yaml")))
        grace = seconds(gk["server"]["limits"]["shutdown_grace"])
        for name in ("gatekeeper-a", "gatekeeper-b", "gatekeeper-c"):
            with self.subTest(service=name):
                svc = s[name]
                self.assertEqual(svc["image"], "gatekeeper:latest")
                self.assertGreater(seconds(svc["stop_grace_period"]), grace)
                self.assertIn("healthcheck", svc)
                self.assertEqual(svc["depends_on"]["postgres"]["condition"], "service_healthy")
                self.assertEqual(svc["depends_on"]["redis"]["condition"], "service_healthy")
                self.assertNotIn("ports", svc)
                self.assertEqual(svc["networks"], ["backend"])
                self.assertEqual(svc["cap_drop"], ["ALL"])
        self.assertEqual(s["init"]["build"]["dockerfile"], "deploy/compose/Dockerfile")
        self.assertIn("healthcheck", s["postgres"])
        self.assertTrue(any(v.split(":")[0] in self.compose["volumes"] for v in s["postgres"]["volumes"]))
        self.assertTrue(self.compose["networks"]["backend"]["internal"])
        self.assertEqual([n for n, svc in s.items() if "ports" in svc], ["lb"])
        # The healthcheck's listener is a loopback one in gatekeeper.yaml.
        self.assertIn({"address": "127.0.0.1", "port": 9090}, gk["listeners"])

    def test_nginx_balancers(self):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(nginx):
            self.skipTest("nginx not installed")
        cert, key = os.path.join(self.tmp, "cert.pem"), os.path.join(self.tmp, "key.pem")
        openssl_cert(cert, key, "localhost")
        for conf in (os.path.join(CLUSTER, "nginx-lb.conf"), os.path.join(COMPOSE, "nginx.conf")):
            with self.subTest(conf=conf):
                # Certificates into the sandbox; compose service names resolve nowhere but in compose.
                text = re.sub(r"(ssl_certificate_key\s+)/etc/nginx/tls/\S+;", r"\g<1>%s;" % key, read(conf))
                text = re.sub(r"/etc/nginx/tls/[\w.-]+\.pem", cert, text)
                self.assertNotIn("/etc/nginx/tls/", text)
                text = re.sub(r"gatekeeper-[abc]:", "127.0.0.1:", text)
                for name, body in (("ok", text), ("broken", text.replace("proxy_pass ", "proxy_pas ", 1))):
                    prefix = os.path.join(self.tmp, "nginx-" + name)
                    os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
                    path = os.path.join(prefix, "nginx.conf")
                    with open(path, "w") as f:
                        f.write(body)
                    r = h.run([nginx, "-t", "-q", "-p", prefix, "-c", path, "-e", os.path.join(prefix, "error.log"),
                               "-g", "pid %s/nginx.pid;" % prefix], timeout=30)
                    if name == "ok":
                        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                    else:
                        self.assertNotEqual(r.returncode, 0, "nginx -t took a misspelt directive")

    def test_init_script(self):
        script = os.path.join(COMPOSE, "init-secrets.sh")
        self.assertEqual(h.run(["sh", "-n", script]).returncode, 0)
        if shutil.which("shellcheck"):
            r = h.run(["shellcheck", script])
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        dockerfile = read(os.path.join(COMPOSE, "Dockerfile"))
        self.assertIn("--uid 10001", dockerfile)
        self.assertIn("gk_owner=10001:10001", read(script))
        if os.geteuid() != 0:
            self.skipTest("running the script needs root (chown)")
        out = os.path.join(self.tmp, "secrets")
        env = dict(os.environ, SECRETS_DIR=out)
        for _ in range(2):  # idempotent: the second run keeps the password and certificate
            r = h.run(["sh", script], env=env, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            if _ == 0:
                password = read(os.path.join(out, "pg", "password")).strip()
                cert_before = read(os.path.join(out, "lb", "cert.pem"))
        self.assertEqual(read(os.path.join(out, "pg", "password")).strip(), password)
        self.assertEqual(read(os.path.join(out, "lb", "cert.pem")), cert_before)
        self.assertGreaterEqual(len(password), 32)
        pw = os.stat(os.path.join(out, "pg", "password"))
        self.assertEqual((pw.st_uid, stat.S_IMODE(pw.st_mode)), (999, 0o400))
        pgpass = os.stat(os.path.join(out, "gk", "pgpass"))
        self.assertEqual((pgpass.st_uid, stat.S_IMODE(pgpass.st_mode)), (10001, 0o600))
        self.assertEqual(read(os.path.join(out, "gk", "pgpass")),
                         "postgres:5432:gatekeeper:gatekeeper:%s\n" % password)
        r = h.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", os.path.join(out, "lb", "cert.pem")])
        self.assertIn("DNS:localhost", r.stdout)


class Dockerfile(unittest.TestCase):
    def packages(self):
        text = read(os.path.join(COMPOSE, "Dockerfile"))
        m = re.search(r"apt-get install -y --no-install-recommends \\\n(.*?)\n \&\&", text, re.S)
        self.assertIsNotNone(m, "no apt-get install line")
        return m.group(1).replace("\\", " ").split()

    def test_base_and_binary(self):
        text = read(os.path.join(COMPOSE, "Dockerfile"))
        self.assertRegex(text, r"(?m)^FROM debian:bookworm")
        self.assertIn("COPY build/gatekeeper /usr/local/bin/gatekeeper", text)
        self.assertRegex(text, r"(?m)^USER gatekeeper$")
        ignore = read(os.path.join(h.GK_SRC, ".dockerignore")).split()
        self.assertIn("!build/gatekeeper", ignore)
        self.assertFalse([p for p in self.packages() if p.endswith("-dev")], "a -dev package in the runtime image")

    def test_packages_exist_in_debian_12(self):
        if not shutil.which("apt-cache"):
            self.skipTest("not Debian")
        for p in self.packages():
            r = h.run(["apt-cache", "show", "--no-all-versions", p], timeout=60)
            self.assertTrue(r.returncode == 0 and "Package: " + p in r.stdout, "no Debian package " + p)

    def test_packages_cover_the_binary_libraries(self):
        """Each library GK_BIN links directly (ELF NEEDED) comes from a listed package or from one
        that debian:bookworm-slim already holds (apt itself needs these)."""
        if not (shutil.which("objdump") and shutil.which("dpkg")):
            self.skipTest("objdump or dpkg missing")
        needed = re.findall(r"NEEDED\s+(\S+)", h.run(["objdump", "-p", h.GK_BIN]).stdout)
        self.assertTrue(needed, "objdump found no NEEDED entries")
        if any(n.startswith(("libasan", "libubsan", "libtsan")) for n in needed):
            self.skipTest("a sanitizer build; the image ships the release binary")
        paths = {}
        for line in h.run(["ldd", h.GK_BIN]).stdout.splitlines():
            m = re.match(r"\s*(\S+) => (\S+)", line)
            if m:
                paths[m.group(1)] = m.group(2)
        listed = set(self.packages())
        missing = []
        for soname in needed:
            self.assertIn(soname, paths, "ldd cannot resolve " + soname)
            r = h.run(["dpkg", "-S", os.path.realpath(paths[soname])])
            if r.returncode != 0:  # /lib is a symlink to /usr/lib on Debian 12 (merged /usr)
                r = h.run(["dpkg", "-S", os.path.realpath(paths[soname]).replace("/usr/lib/", "/lib/", 1)])
            self.assertEqual(r.returncode, 0, "no package owns " + paths[soname])
            pkg = r.stdout.split(":")[0]
            if pkg not in listed and pkg not in IN_BOOKWORM_SLIM:
                missing.append("%s (%s)" % (pkg, soname))
        self.assertEqual(missing, [], "libraries the Dockerfile does not install")


def replace_once(text, old, new):
    if text.count(old) != 1:
        raise AssertionError("expected once in the example: %r" % old)
    return text.replace(old, new)


class ClusterExampleServes(unittest.TestCase):
    """Instances a and b of deploy/cluster/, moved onto loopback, over one real Redis and one real
    PostgreSQL (test_cluster.py's helpers; the role is an ordinary one, not a superuser): they
    serve, publish the same issuer and keys, and count failed passwords together. What changes
    from the example is only addresses, ports and sslmode (the test server has no TLS)."""

    @classmethod
    def setUpClass(cls):
        h.require_binary()
        from test_cluster import PG_BIN, redis_server_binary, start_state_servers
        if not os.path.exists(redis_server_binary()) or not os.path.exists(os.path.join(PG_BIN, "initdb")):
            raise unittest.SkipTest("redis-server or postgresql missing (scripts/deps.sh installs them)")
        import requests
        import urllib3
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        cls.requests = requests
        cls._tmp = tempfile.TemporaryDirectory(prefix="gk-deploy-serve-")
        cls.addClassCleanup(cls._tmp.cleanup)
        tmp = cls._tmp.name
        os.chmod(tmp, 0o755)  # as root the PostgreSQL server runs as `postgres` and must reach its folder
        start_state_servers(cls, tmp)
        for sql in ("CREATE ROLE gatekeeper LOGIN", "CREATE DATABASE gatekeeper OWNER gatekeeper"):
            cls.pg.sql(sql)
        cls.up = h.Upstream()
        cls.addClassCleanup(cls.up.close)
        cls.box = Sandbox()
        cls.addClassCleanup(lambda: shutil.rmtree(cls.box.root, ignore_errors=True))
        cls.nodes = []
        for i, ip in (("a", "10.0.0.11"), ("b", "10.0.0.12")):
            tls_port, local_port = h.free_port(), h.free_port()
            t = cls.box.rewrite(read(os.path.join(CLUSTER, "gatekeeper-%s.yaml" % i)))
            t = replace_once(t, "address: %s\n    port: 8443" % ip, "address: 127.0.0.1\n    port: %d" % tls_port)
            t = replace_once(t, "port: 9090", "port: %d" % local_port)
            t = replace_once(t, "10.0.0.10/32", "127.0.0.2/32")
            t = replace_once(t, "http://10.0.1.10:3000", cls.up.url)
            t = replace_once(t, "address: 10.0.0.20, port: 6379", "address: 127.0.0.1, port: %d" % cls.redis.port)
            t = replace_once(t, "host=10.0.0.21 port=5432", "host=127.0.0.1 port=%d" % cls.pg.port)
            t = re.sub(r"sslmode=verify-full sslrootcert=\S+\"", "sslmode=disable\"", t)
            cls.box.provide(t)
            path = os.path.join(cls.box.root, "serve-%s.yaml" % i)
            with open(path, "w") as f:
                f.write(t)
            proc = h.start_process([h.GK_BIN, "serve", "--config", path], ready_port=[tls_port, local_port],
                                   timeout=30, logdir=cls.box.root)
            cls.addClassCleanup(h.stop, proc)
            cls.nodes.append(("https://127.0.0.1:%d" % tls_port, "http://127.0.0.1:%d" % local_port, proc))

    def get(self, url, **kw):
        return self.requests.get(url, verify=False, timeout=10, **kw)

    def test_public_protected_and_health(self):
        for base, local, _ in self.nodes:
            with self.subTest(node=base):
                self.assertEqual(self.get(base + "/public/page").status_code, 200)
                r = self.get(base + "/")
                self.assertEqual(r.status_code, 401)
                self.assertIn('Basic realm="App"', r.headers.get("WWW-Authenticate", ""))
                r = self.get(base + "/", auth=("alice", "wonderland"))
                self.assertEqual(r.status_code, 200)
                self.assertEqual(self.up.last().get("X-Auth-Request-User"), "alice")
                self.assertIn("max-age=", r.headers.get("Strict-Transport-Security", ""))
                self.assertEqual(self.get(local + "/.gatekeeper/readyz").status_code, 200)
                # compose.yaml's healthcheck command, as the containers run it.
                compose = yaml.safe_load(read(os.path.join(COMPOSE, "compose.yaml")))
                health = compose["x-gatekeeper"]["healthcheck"]["test"]
                self.assertEqual(health[:3], ["CMD", "gatekeeper", "fetch"])
                r = h.run([h.GK_BIN] + [a.replace("http://127.0.0.1:9090", local) for a in health[2:]])
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_one_issuer_and_one_key_set(self):
        metas = [self.get(base + "/.well-known/oauth-authorization-server").json() for base, _, _ in self.nodes]
        self.assertEqual({m["issuer"] for m in metas}, {"https://auth.example.com"})
        jwks = [self.get(base + "/.well-known/jwks.json").json() for base, _, _ in self.nodes]
        self.assertTrue(jwks[0]["keys"])
        self.assertEqual(jwks[0], jwks[1])

    def test_failed_passwords_count_once_for_the_cluster(self):
        (a, _, _), (b, _, _) = self.nodes
        for n in range(10):  # brute_force.per_user: 10, alternating instances
            self.assertEqual(self.get((a, b)[n % 2] + "/", auth=("bob", "wrong")).status_code, 401)
        for base in (a, b):
            r = self.get(base + "/", auth=("bob", "builder"))
            self.assertEqual(r.status_code, 429, base)
            self.assertIn("Retry-After", r.headers)


class DepsScript(unittest.TestCase):
    def test_docker_compose_is_a_dependency(self):
        self.assertRegex(read(os.path.join(h.GK_SRC, "scripts", "deps.sh")), r"\bdocker-compose\b")


if __name__ == "__main__":
    unittest.main()
