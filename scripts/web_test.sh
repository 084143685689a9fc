#!/usr/bin/env bash
# The web side of gatekeeper: install what is missing, build, run the tests.
#
#   scripts/web_test.sh build     # web/client: npm ci when needed, tsc build (what `gatekeeper demo` serves at /spa/)
#   scripts/web_test.sh client    # web/client: npm ci (when the lock file changed), tsc build + typecheck, vitest
#   scripts/web_test.sh browser   # Chromium (apt) + tests/browser (npm ci), client build, node --test
#   scripts/web_test.sh all       # both, client first
#
# Environment:
#   GK_BIN                the gatekeeper binary for the browser tests (default: build/gatekeeper)
#   GK_BROWSER_ARTIFACTS  where screenshots go (default: build/test-artifacts/browser)
#   GK_VECTORS            the shared test vectors (default: ../shared/vectors beside the repo)
#   GK_SPA_HOST=0         skip the SPA run through tests/browser/lib/spa-host.mjs
#
# Exits non-zero when anything fails. Needs Node.js >= 20 with npm (the machine's), and root
# for apt-get when Chromium is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLIENT="$ROOT/web/client"
BROWSER="$ROOT/tests/browser"
CHROMIUM=${GK_CHROMIUM:-/usr/bin/chromium}

say() { printf '== %s\n' "$*"; }
die() { printf 'web_test.sh: %s\n' "$*" >&2; exit 2; }

need_node() {
  command -v node >/dev/null 2>&1 || die "node is missing (Node.js >= 20 with npm is expected on the machine)"
  command -v npm >/dev/null 2>&1 || die "npm is missing"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js $(node --version) is too old: >= 20 is needed (playwright-core, vitest 3)"
}

# npm ci in $1 unless node_modules already matches package-lock.json (a stamp holds its hash).
npm_install() {
  local dir=$1 stamp want
  stamp="$dir/node_modules/.gatekeeper-lock-sha256"
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "npm packages in ${dir#"$ROOT"/} are up to date"
    return
  fi
  say "npm ci in ${dir#"$ROOT"/}"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

build_client() {
  npm_install "$CLIENT"
  say "building web/client (tsc)"
  (cd "$CLIENT" && rm -rf dist && npm run --silent build)
}

run_client() {
  need_node
  build_client
  say "type-checking web/client with its tests (tsc --noEmit)"
  (cd "$CLIENT" && npm run --silent typecheck)
  say "web/client unit tests (vitest)"
  (cd "$CLIENT" && npx --no-install vitest run)
}

need_chromium() {
  if [ -x "$CHROMIUM" ]; then
    return
  fi
  [ "$(id -u)" = 0 ] || die "$CHROMIUM is missing and installing it needs root: apt-get install chromium"
  say "installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [ -x "$CHROMIUM" ] || die "chromium did not install at $CHROMIUM"
}

run_browser() {
  need_node
  need_chromium
  export GK_BIN=${GK_BIN:-$ROOT/build/gatekeeper}
  [ -x "$GK_BIN" ] || die "no gatekeeper binary at $GK_BIN (make build, or set GK_BIN)"
  export GK_BROWSER_ARTIFACTS=${GK_BROWSER_ARTIFACTS:-$ROOT/build/test-artifacts/browser}
  build_client # the SPA runs the built client
  npm_install "$BROWSER"
  say "browser tests ($("$CHROMIUM" --version 2>/dev/null | head -1), gatekeeper at $GK_BIN)"
  (cd "$BROWSER" && node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec \
    app-session.test.mjs admin-http-auth.test.mjs login-a11y.test.mjs spa.test.mjs)
  say "screenshots in $GK_BROWSER_ARTIFACTS"
}

case "${1:-}" in
  build) need_node && build_client ;;
  client) run_client ;;
  browser) run_browser ;;
  all) run_client && run_browser ;;
  *)
    echo "usage: $0 build|client|browser|all" >&2
    exit 2
    ;;
esac
