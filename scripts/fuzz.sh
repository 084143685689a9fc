#!/usr/bin/env bash
# build-only: nothing (fuzz runs are registered in CTest by tests/CMakeLists.txt).
# run N: runs every fuzz target for N seconds.
set -euo pipefail
mode=${1:-run}
[ "$mode" = build-only ] && exit 0
secs=${2:-60}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
for t in build-fuzz/fuzz/fuzz_*; do
  name=$(basename "$t")
  corpus=fuzz/corpus/${name#fuzz_}
  mkdir -p "$corpus"
  echo "== $name ($secs s)"
  "$t" -max_total_time="$secs" -max_len=8192 "$corpus"
done
