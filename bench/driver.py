#!/usr/bin/env python3
"""make bench's measuring half: runs wrk against each system of each scenario in
alternating rounds, prints the Markdown table, writes bench/results/latest.json and,
when gnuplot is there, bench/results/latest.png.

bench/run.sh starts the servers and hands over a scenarios file (JSON):
  {"meta": {...}, "load_cpu": 0, "rounds": 3, "duration": 5, "conns": 32,
   "scenarios": [{"name": ..., "want": 200, "baseline": "nginx",
                  "systems": [{"system": "nginx", "url": ..., "header": "...", "lua": "file"}]}]}
A system's ratio is to the baseline system's median requests/s in the same scenario.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def check(system, want):
    """Each system must give the expected answer before anything is timed."""
    req = urllib.request.Request(system["url"])
    if system.get("header"):
        k, v = system["header"].split(":", 1)
        req.add_header(k.strip(), v.strip())
    if system.get("first_token"):
        req.add_header("Authorization", "Bearer " + system["first_token"])
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            got = r.status
    except urllib.error.HTTPError as e:
        got = e.code
    if got != want:
        sys.exit(f"bench: {system['system']} at {system['url']} answered {got}, expected {want}")


def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def settle(system, limit_s=60):
    """Wait until the server answers its cheap route quickly again. A server that pays a
    bcrypt per request (nginx auth_basic) keeps working through requests queued by
    connections wrk has already closed; the next measurement must not pay for them."""
    probe = system.get("probe")
    if not probe:
        return
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        try:
            urllib.request.urlopen(probe, timeout=limit_s).read()
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() - t0 < 0.05:
            return
    print(f"bench: {system['system']} did not settle within {limit_s} s", file=sys.stderr)


def run_wrk(cfg, system):
    # Systems that pay a bcrypt per request get few connections: their rate is bound by
    # the CPU either way, and a deep queue only turns into wrk timeouts and backlog.
    conns = system.get("conns", cfg["conns"])
    args = ["taskset", "-c", str(cfg["load_cpu"]), "wrk", "-t1", f"-c{conns}",
            f"-d{cfg['duration']}s", "--latency"]
    if system.get("header"):
        args += ["-H", system["header"]]
    if system.get("lua"):
        args += ["-s", system["lua"]]
    out = subprocess.run(args + [system["url"]], capture_output=True, text=True,
                         timeout=cfg["duration"] + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {m.group(1): ms(m.group(2), m.group(3))
           for m in re.finditer(r"\s(50|99)%\s+([\d.]+)(us|ms|s)\b", out)}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    settle(system)
    return rps, lat.get("50", 0.0), lat.get("99", 0.0), int(non2xx.group(1)) if non2xx else 0


def chart(rows, png):
    """A horizontal bar per (scenario, system): requests/s, log scale (bcrypt rows are tiny)."""
    data = png + ".dat"
    with open(data, "w") as f:
        for i, r in enumerate(rows):
            label = f"{r['scenario']} | {r['system']}".replace('"', "'")
            color = 0xD9622B if "gatekeeper" in r["system"] else 0x3366AA
            f.write(f'{i} {max(r["rps"], 0.1):.1f} "{label}" {color}\n')
    h = max(400, 26 * len(rows) + 120)
    script = f"""
set terminal pngcairo size 1100,{h} font "sans,9" noenhanced
set output "{png}"
set title "make bench: requests/s (median of rounds; log scale; gatekeeper in orange)"
set style fill solid 0.8
set logscale x
set xrange [0.5:*]
set yrange [{len(rows)}:-1]
set ytics scale 0
set grid xtics
unset key
plot "{data}" using (($2)/2.0):1:(($2)/2.0):(0.4):4:yticlabels(3) with boxxyerrorbars lc rgb variable, \\
     "{data}" using 2:1:(sprintf(" %d", $2)) with labels left font "sans,8"
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, capture_output=True, timeout=60)
        print(f"chart: {png}")
    except (OSError, subprocess.SubprocessError) as e:
        print(f"chart: not drawn ({e})")
    finally:
        os.remove(data)


def targets(cfg, rows):
    """Issue 7's targets as ratios of this run's medians; "met" or "NOT met", never hidden."""
    by = {(r["scenario"], r["system"]): r for r in rows}
    out = []
    print("\n| target | measured | goal | |")
    print("| --- | ---: | ---: | --- |")
    for t in cfg.get("targets", []):
        num = by.get(tuple(t["num"]))
        den = by.get(tuple(t["den"])) if "den" in t else None
        metric = t.get("metric", "rps")
        if num is None or (den is None and "den_value" not in t):
            continue  # a scenario left out by ONLY
        d = den[metric] if den else t["den_value"]
        if not d:
            continue
        ratio = num[metric] / d
        if "goal" not in t:  # a ratio worth printing that the issue sets no target for
            print(f"| {t['what']} | {ratio:.2f}x | none | |")
            out.append(dict(what=t["what"], ratio=ratio, goal=None, met=None))
            continue
        met = ratio <= t["goal"] if t.get("at_most") else ratio >= t["goal"]
        goal = ("<= " if t.get("at_most") else ">= ") + f"{t['goal']:g}x"
        print(f"| {t['what']} | {ratio:.2f}x | {goal} | {'met' if met else 'NOT met'} |")
        out.append(dict(what=t["what"], ratio=ratio, goal=goal, met=met))
    return out


def main():
    cfg = json.load(open(sys.argv[1]))
    for sc in cfg["scenarios"]:
        for system in sc["systems"]:
            check(system, sc["want"])
    samples = {}
    for sc in cfg["scenarios"]:
        for _ in range(cfg["rounds"]):
            for system in sc["systems"]:
                samples.setdefault((sc["name"], system["system"]), []).append(run_wrk(cfg, system))
    rows = []
    print("| scenario | system | requests/s | p50 ms | p99 ms | non-2xx | ratio |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for sc in cfg["scenarios"]:
        base = statistics.median(v[0] for v in samples[(sc["name"], sc["baseline"])])
        for system in sc["systems"]:
            v = samples[(sc["name"], system["system"])]
            rps = statistics.median(x[0] for x in v)
            p50 = statistics.median(x[1] for x in v)
            p99 = statistics.median(x[2] for x in v)
            non2xx = sum(x[3] for x in v)  # a "fast" run of errors is not a result: look here first
            ratio = rps / base if base else 0.0
            print(f"| {sc['name']} | {system['system']} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {non2xx} | {ratio:.2f} |")
            rows.append(dict(scenario=sc["name"], system=system["system"], rps=rps, p50_ms=p50, p99_ms=p99,
                             non_2xx=non2xx, ratio=ratio, ratio_to=sc["baseline"], rounds=len(v)))
    met = targets(cfg, rows)
    os.makedirs(RESULTS, exist_ok=True)
    json.dump(dict(meta=cfg["meta"], results=rows, targets=met), open(os.path.join(RESULTS, "latest.json"), "w"), indent=2)
    print(f"\nratio: to the scenario's baseline system in the same run ({cfg['rounds']} rounds of "
          f"{cfg['duration']} s, wrk -t1 -c{cfg['conns']}, medians)")
    print(f"{cfg['meta']['machine']}, {cfg['meta']['cpus']} CPUs; JSON in bench/results/latest.json")
    chart(rows, os.path.join(RESULTS, "latest.png"))


if __name__ == "__main__":
    main()
