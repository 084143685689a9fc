#!/usr/bin/env bash
# The unit and integration tests again, against an ASan+UBSan build (preset
# "asan", build-asan/): memory errors, leaks and undefined behaviour in the
# server, the CLI and the libraries fail the run. CTest calls this from
# `make test` (tests/CMakeLists.txt, label asan):
#   asan.sh build          configure and build build-asan/
#   asan.sh unit           build-asan's unit tests
#   asan.sh integration    build-asan's integration and attack tests, each
#                          gatekeeper process writing its sanitizer reports to
#                          a folder that must stay empty
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?build, unit or integration}
jobs=${CTEST_JOBS:-2}

# Leaks are checked at every exit; a report ends the process with an error.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

case "$mode" in
  build)
    cmake --preset asan >/dev/null
    cmake --build --preset asan -j "$(nproc)"
    ;;
  unit)
    # One process per test binary, not per test as CTest runs them: the
    # sanitizer runtime's start-up would otherwise dominate (2,000+ tests).
    bins=(build-asan/tests/unit_*)
    [ -x "${bins[0]}" ] || { echo "asan: build-asan/tests/unit_* not built" >&2; exit 1; }
    printf '%s\n' "${bins[@]}" | grep -v '\.cmake$' |
      xargs -P "$jobs" -I{} sh -c '{} --gtest_brief=1 >"$0/$(basename {}).log" 2>&1 || { echo "asan: {} failed:"; tail -n 80 "$0/$(basename {}).log"; exit 1; }' "$(mktemp -d)"
    echo "asan: every unit test binary passed"
    ;;
  integration)
    # A server killed on purpose (crash tests) or stopped with SIGKILL writes
    # no report; one that finds an error writes one here, even when the test
    # driving it passed.
    reports=$(mktemp -d)
    trap 'rm -rf "$reports"' EXIT
    export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$reports/asan"
    export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$reports/ubsan"
    # Left out: tests that measure memory or latency (the sanitizer's shadow
    # memory and quarantine inflate RSS, its checks slow every request), and
    # the CLI-only suites, whose many short processes each pay the sanitizer's
    # start-up while their logic is covered by the unit tests above; and the
    # TLS graders (test_tls_grade), two minutes of testssl probing the protocol
    # configuration, which test_tls.py and test_mtls.py exercise under ASan too.
    rc=0
    ctest --test-dir build-asan -L integration -E 'integration\.test_(streaming|slow_clients|apikey_cli|keys_cli|cli|tls_grade)$' \
      -j "$jobs" --output-on-failure || rc=$?
    if [ -n "$(ls -A "$reports")" ]; then
      echo "asan: sanitizer reports from processes under test:" >&2
      for f in "$reports"/*; do echo "==== $f" >&2; head -n 60 "$f" >&2; done
      rc=1
    fi
    exit "$rc"
    ;;
  *) echo "asan.sh: unknown mode $mode (build, unit or integration)" >&2; exit 2 ;;
esac
