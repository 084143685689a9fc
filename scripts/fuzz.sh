#!/usr/bin/env bash
# Fuzzing with libFuzzer (clang, preset "fuzz", ASan+UBSan).
#   fuzz.sh build            build every target into build-fuzz/
#   fuzz.sh one NAME SECS    run one target for SECS seconds (CTest uses this)
#   fuzz.sh run SECS         run every target for SECS seconds
# Seeds are read from fuzz/corpus/<name>/ and crashers kept in
# fuzz/regressions/<name>/ are replayed first; new corpus entries go to a
# temporary folder so a test run never changes the repository. A dictionary
# fuzz/<name>.dict is passed when it exists (<name> without "fuzz_").
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

build() {
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)"
}

one() {
  local name=$1 secs=$2 bin=build-fuzz/fuzz/$1 short=${1#fuzz_}
  [ -x "$bin" ] || { echo "fuzz: $bin not built" >&2; exit 1; }
  local work; work=$(mktemp -d); trap 'rm -rf "$work"' RETURN
  if [ -d "fuzz/regressions/$short" ] && [ -n "$(ls -A "fuzz/regressions/$short")" ]; then
    "$bin" -runs=0 fuzz/regressions/"$short"/*
  fi
  local seeds=(); [ -d "fuzz/corpus/$short" ] && seeds=("fuzz/corpus/$short")
  local dict=(); [ -f "fuzz/$short.dict" ] && dict=("-dict=fuzz/$short.dict")
  # "|| rc=$?": under set -e and pipefail a failing run would end the script
  # before its crasher is copied out below.
  local rc=0
  "$bin" "${dict[@]}" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix="$work/" -print_final_stats=1 "$work" "${seeds[@]}" 2>&1 | tail -n 15 || rc=$?
  if ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1; then
    mkdir -p "fuzz/regressions/$short"
    cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "fuzz/regressions/$short/" 2>/dev/null || true
    echo "fuzz: $name found a failure; saved to fuzz/regressions/$short/" >&2
    exit 1
  fi
  return "$rc"
}

case "$mode" in
  build) build ;;
  one) one "$2" "${3:-20}" ;;
  run)
    build
    for t in build-fuzz/fuzz/fuzz_*; do [ -x "$t" ] && one "$(basename "$t")" "${2:-60}"; done ;;
  build-only) exit 0 ;;
  *) echo "usage: $0 build | one NAME SECS | run SECS" >&2; exit 2 ;;
esac
