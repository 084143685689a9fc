#!/usr/bin/env bash
# make bench: gatekeeper and nginx side by side, same machine, same run.
# Load generator (wrk) pinned to CPU 0, servers under test to CPU 1, one
# worker/thread each; several alternating rounds; medians and ratios to nginx.
# Everything listens on 127.0.0.1 free ports and is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNS=${CONNS:-32}
# GK_BIN: an already built gatekeeper to measure (skips the release build).
# ONLY: a regex; only scenarios whose name matches are run. NO_MICRO=1 skips
# the Google Benchmark part.
GK_BIN=${GK_BIN:-}
ONLY=${ONLY:-}
NO_MICRO=${NO_MICRO:-}
# UPSTREAM=separate: the shared upstream runs in its own nginx process (same
# CPU) instead of a server block of the nginx under test. By default nginx
# proxies to itself inside one worker and never pays the cross-process wake-up
# that gatekeeper pays for every request; "separate" makes both pay it.
UPSTREAM=${UPSTREAM:-shared}

need=()
for p in wrk nginx-light apache2-utils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if [ -z "$GK_BIN" ]; then
  cmake --preset release >/dev/null && cmake --build --preset release -j "$(nproc)" >/dev/null
  GK_BIN=./build/gatekeeper
fi

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3;
            for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
wait_port() { for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

ncpu=$(nproc)
load_cpu=0; server_cpu=$(( ncpu > 1 ? 1 : 0 ))
UP=$(free_port); NG=$(free_port); GK=$(free_port); GKNC=$(free_port)
htpasswd -bcB -C 10 "$work/users.htpasswd" alice wonderland >/dev/null 2>&1
# nginx workers drop root: they must be able to read the user file.
chmod 755 "$work"; chmod 644 "$work/users.htpasswd"
mkdir -p "$work"/{client_body,proxy,fastcgi,uwsgi,scgi}
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/client_body; proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  upstream app { server 127.0.0.1:$UP; keepalive 64; }
$( [ "$UPSTREAM" = separate ] || printf '  server { listen 127.0.0.1:%s; location / { return 200 "ok\\n"; } }' "$UP" )
  server {
    listen 127.0.0.1:$NG;
    location /public/ { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
    location /basic/ { auth_basic "bench"; auth_basic_user_file $work/users.htpasswd;
                       proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
cat > "$work/gk.yaml" <<YAML
server: { threads: 1, access_log: false }
listeners: [ { address: 127.0.0.1, port: $GK } ]
upstreams: { app: { url: "http://127.0.0.1:$UP" } }
users: { staff: { htpasswd: users.htpasswd } }
routes:
  - { name: public, path: /public/, upstream: app, require: public }
  - { name: basic, path: /basic/, upstream: app, schemes: [basic], realm: bench, users: staff, require: authenticated }
YAML
taskset -c "$server_cpu" nginx -p "$work" -c "$work/nginx.conf" -g "daemon off; pid $work/nginx.pid; error_log $work/nginx.err;" &
pids+=($!)
if [ "$UPSTREAM" = separate ]; then
  mkdir -p "$work/up"
  cat > "$work/up/nginx.conf" <<NGINX
worker_processes 1;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/client_body; proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  server { listen 127.0.0.1:$UP; location / { return 200 "ok\n"; } }
}
NGINX
  taskset -c "$server_cpu" nginx -p "$work/up" -c "$work/up/nginx.conf" -g "daemon off; pid $work/up/nginx.pid; error_log $work/up/nginx.err;" &
  pids+=($!)
fi
# The same gateway with the credential cache off: every request pays a bcrypt,
# as nginx's auth_basic does.
sed -e "s/port: $GK }/port: $GKNC }/" -e "s/access_log: false }/access_log: false, limits: { credential_cache_entries: 0 } }/" \
  "$work/gk.yaml" > "$work/gk-nocache.yaml"
taskset -c "$server_cpu" "$GK_BIN" serve --config "$work/gk.yaml" >"$work/gk.log" 2>&1 &
pids+=($!)
taskset -c "$server_cpu" "$GK_BIN" serve --config "$work/gk-nocache.yaml" >"$work/gk-nocache.log" 2>&1 &
pids+=($!)
wait_port "$NG"; wait_port "$GK"; wait_port "$GKNC"; wait_port "$UP"

good=$(printf 'alice:wonderland' | base64); bad=$(printf 'alice:wrong' | base64)
# scenario|path|header|gatekeeper port|expected status
scenarios=("proxy, no auth|/public/x||$GK|200"
           "Basic bcrypt-10, valid (gatekeeper cache on)|/basic/x|Authorization: Basic $good|$GK|200"
           "Basic bcrypt-10, valid (gatekeeper cache off)|/basic/x|Authorization: Basic $good|$GKNC|200"
           "Basic bcrypt-10, wrong password (401)|/basic/x|Authorization: Basic $bad|$GK|401")

if [ -n "$ONLY" ]; then
  kept=(); for s in "${scenarios[@]}"; do [[ "${s%%|*}" =~ $ONLY ]] && kept+=("$s"); done
  scenarios=("${kept[@]}")
fi

# Both systems must give the expected answer before anything is timed.
for s in "${scenarios[@]}"; do
  IFS='|' read -r name path header gkport want <<<"$s"
  for port in "$NG" "$gkport"; do
    got=$(curl -s -o /dev/null -w '%{http_code}' ${header:+-H "$header"} "http://127.0.0.1:$port$path")
    if [ "$got" != "$want" ]; then echo "bench: '$name' on port $port answered $got, expected $want" >&2; exit 1; fi
  done
done

run_wrk() { # port path header -> "rps p50_ms p99_ms"
  local args=(-t1 -c"$CONNS" -d"${DURATION}s" --latency)
  [ -n "$3" ] && args+=(-H "$3")
  taskset -c "$load_cpu" wrk "${args[@]}" "http://127.0.0.1:$1$2" > "$work/wrk.out" 2>&1
  python3 - "$work/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(v, u): return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
lat = {m.group(1): ms(m.group(2), m.group(3)) for m in re.finditer(r"\s(50|99)%\s+([\d.]+)(us|ms|s)", t)}
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
print(rps, lat.get("50", 0), lat.get("99", 0), non2xx.group(1) if non2xx else 0)
PY
}

results="$work/results.txt"; : > "$results"
for s in "${scenarios[@]}"; do
  IFS='|' read -r name path header gkport want <<<"$s"
  for r in $(seq 1 "$ROUNDS"); do
    for sys in nginx gatekeeper; do
      port=$NG; [ "$sys" = gatekeeper ] && port=$gkport
      echo "$name|$sys|$(run_wrk "$port" "$path" "$header")" >> "$results"
    done
  done
done

mkdir -p bench/results
python3 - "$results" "$ncpu" <<'PY'
import json, statistics, sys, platform, datetime
rows = [l.strip().split("|") for l in open(sys.argv[1]) if l.strip()]
agg = {}
for name, system, vals in rows:
    rps, p50, p99, non2xx = vals.split()
    agg.setdefault((name, system), []).append((float(rps), float(p50), float(p99), int(non2xx)))
out, order = [], []
for (name, system) in agg:
    if name not in order: order.append(name)
print(f"| scenario | system | requests/s | p50 ms | p99 ms | non-2xx | ratio to nginx |")
print(f"| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for name in order:
    base = statistics.median(r[0] for r in agg[(name, "nginx")])
    for system in ("nginx", "gatekeeper"):
        v = agg[(name, system)]
        rps = statistics.median(r[0] for r in v); p50 = statistics.median(r[1] for r in v); p99 = statistics.median(r[2] for r in v)
        ratio = rps / base if base else 0
        non2xx = sum(r[3] for r in v)  # a "fast" run of errors is not a result: look here first
        print(f"| {name} | {system} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {non2xx} | {ratio:.2f} |")
        out.append(dict(scenario=name, system=system, rps=rps, p50_ms=p50, p99_ms=p99, non_2xx=non2xx,
                        ratio_to_nginx=ratio, rounds=len(v)))
meta = dict(date=datetime.datetime.utcnow().isoformat() + "Z", cpus=int(sys.argv[2]), machine=platform.platform())
json.dump(dict(meta=meta, results=out), open("bench/results/latest.json", "w"), indent=2)
print(f"\n{meta['machine']}, {meta['cpus']} CPUs; JSON in bench/results/latest.json")
PY

# Micro-benchmarks: JWT verification beside raw OpenSSL on the same key, and the
# Bearer decision cached vs uncached (ratios printed at the end of its output).
[ -n "$NO_MICRO" ] && exit 0
echo
echo "## JWT verification vs raw OpenSSL (Google Benchmark, pinned to CPU $server_cpu)"
cmake --preset bench -DGK_BUILD_SERVER=OFF >/dev/null && cmake --build --preset bench -j "$ncpu" --target jwt_bench >/dev/null
taskset -c "$server_cpu" ./build-bench/bench/micro/jwt_bench --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_enable_random_interleaving=true --benchmark_color=false
