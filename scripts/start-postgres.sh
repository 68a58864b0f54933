#!/usr/bin/env bash
# Start (or reuse) a throw-away PostgreSQL server for the tests and print its SQLAlchemy URL.
#
# Usage: PACTLINE_TEST_POSTGRES_URL="$(bash scripts/start-postgres.sh)"
#
# - A URL already in PACTLINE_TEST_POSTGRES_URL that answers is reused as is.
# - Otherwise Debian's postgresql package is installed when missing, and a dedicated cluster
#   "pactline" (port PACTLINE_PG_PORT, default 54329, loopback only, fsync off: test data only) is
#   created with pg_createcluster (initdb runs as the postgres user, never as root) and started.
# - A role and a database named "pactline" are created when missing.
# Idempotent, and fast when the server is already up. Only the URL goes to stdout.
set -euo pipefail

port="${PACTLINE_PG_PORT:-54329}"
cluster="pactline"
role="pactline"
password="pactline"
database="pactline"
url="postgresql+psycopg://${role}:${password}@127.0.0.1:${port}/${database}"

log() { echo "start-postgres: $*" >&2; }

answers() {  # answers URL -> 0 when a connection succeeds
  local plain="${1/postgresql+psycopg:/postgresql:}"
  command -v psql >/dev/null 2>&1 && PGCONNECT_TIMEOUT=3 psql "$plain" -Atqc 'select 1' >/dev/null 2>&1
}

if [ -n "${PACTLINE_TEST_POSTGRES_URL:-}" ] && answers "$PACTLINE_TEST_POSTGRES_URL"; then
  echo "$PACTLINE_TEST_POSTGRES_URL"
  exit 0
fi
if answers "$url"; then
  echo "$url"
  exit 0
fi

as_postgres() {
  if [ "$(id -u)" = "0" ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sudo -u postgres sh -c "$*"
  fi
}

if ! command -v pg_createcluster >/dev/null 2>&1; then
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "${version} ${cluster}"; then
  log "creating cluster ${version}/${cluster} on port ${port}"
  pg_createcluster "$version" "$cluster" -p "$port" >&2 -- --auth-local=peer --auth-host=scram-sha-256
  conf="/etc/postgresql/${version}/${cluster}/conf.d/pactline-tests.conf"
  cat > "$conf" <<CONF
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
  log "starting cluster ${version}/${cluster}"
  pg_ctlcluster "$version" "$cluster" start >&2
fi

sock_port="$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')"
psql_admin() { as_postgres "psql -p ${sock_port} -Atq -v ON_ERROR_STOP=1 -c \"$1\""; }
for _ in $(seq 1 50); do
  psql_admin "select 1" >/dev/null 2>&1 && break
  sleep 0.2
done
if [ "$(psql_admin "select 1 from pg_roles where rolname='${role}'")" != "1" ]; then
  psql_admin "create role ${role} login createdb password '${password}'" >&2
fi
if [ "$(psql_admin "select 1 from pg_database where datname='${database}'")" != "1" ]; then
  psql_admin "create database ${database} owner ${role}" >&2
fi
if [ "$sock_port" != "$port" ]; then
  url="postgresql+psycopg://${role}:${password}@127.0.0.1:${sock_port}/${database}"
fi
answers "$url" || { log "server started but ${url} does not answer"; exit 1; }
echo "$url"
