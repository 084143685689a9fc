#!/usr/bin/env bash
# Installs the Debian packages gatekeeper needs, only those that are missing.
set -euo pipefail
pkgs=(
  cmake ninja-build ccache g++ clang libclang-rt-14-dev pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libre2-dev libargon2-dev libcrypt-dev libsqlite3-dev libyaml-cpp-dev
  libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  curl python3 python3-requests python3-jwt python3-cryptography nginx-light apache2-utils openssl sqlite3
  apache2  # a real mod_auth_digest peer for the C++ client (tests/integration/test_fetch.py)
  testssl.sh sslscan  # graders of the HTTPS listener (tests/integration/test_tls_grade.py)
  pebble  # Let's Encrypt's test ACME CA, with pebble-challtestsrv (tests/integration/test_acme.py)
  libpq-dev postgresql libhiredis-dev redis-server  # shared state for several instances (issue 10)
  docker-compose  # checks deploy/compose/compose.yaml without a daemon (tests/integration/test_deploy_files.py)
)
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
