#!/bin/sh
# One-shot init step of compose.yaml, run as root in the gatekeeper image before anything else.
# Makes what the example needs and nobody should commit, once (kept in named volumes):
#   /secrets/pg/password   the gatekeeper role's PostgreSQL password (read by the postgres image)
#   /secrets/gk/pgpass     the same as a libpq passfile, 0600 and owned by the gatekeeper user
#   /secrets/lb/cert.pem   a self-signed certificate for the balancer (localhost), with key.pem
set -eu
umask 077
# The folder and owners are parameters only so that tests can run this outside a container.
dir=${SECRETS_DIR:-/secrets}
pg_owner=999:999        # the postgres user of the official Debian-based postgres image
gk_owner=10001:10001    # the gatekeeper user of deploy/compose/Dockerfile
mkdir -p "$dir/pg" "$dir/gk" "$dir/lb"
# Each folder is one volume, mounted only where it is needed; the files' owners and modes guard them.
chmod 0755 "$dir/pg" "$dir/gk" "$dir/lb"

if [ ! -s "$dir"/pg/password ]; then
  openssl rand -hex 24 > "$dir"/pg/password.new
  mv "$dir"/pg/password.new "$dir"/pg/password
fi
chown "$pg_owner" "$dir"/pg/password
chmod 0400 "$dir"/pg/password

# libpq ignores a passfile that its group or others may read.
printf 'postgres:5432:gatekeeper:gatekeeper:%s\n' "$(cat "$dir"/pg/password)" > "$dir"/gk/pgpass.new
chown "$gk_owner" "$dir"/gk/pgpass.new
chmod 0600 "$dir"/gk/pgpass.new
mv "$dir"/gk/pgpass.new "$dir"/gk/pgpass

if [ ! -s "$dir"/lb/cert.pem ] || [ ! -s "$dir"/lb/key.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$dir"/lb/key.pem -out "$dir"/lb/cert.pem 2>/dev/null
fi
echo "init-secrets: ready"
