#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests and prints the JDBC URL to use.
# Installs Debian's postgresql when its binaries are missing (apt-get needs root). PostgreSQL refuses
# to run as root, so the server runs as the 'postgres' user when this script runs as root.
# Usage: eval "$(.ci/postgres.sh)"   # exports MERIDIAN_TEST_POSTGRES_URL and MERIDIAN_TEST_PG_BIN
set -euo pipefail

PORT="${MERIDIAN_TEST_POSTGRES_PORT:-54329}"
DATA="${MERIDIAN_TEST_POSTGRES_DATA:-/tmp/meridian-ci-postgres}"

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

if [ -z "$(pg_bin)" ]; then
  echo "installing PostgreSQL (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # The package's own cluster is not needed; the server below runs from a directory of its own.
  apt-get install -y -qq --no-install-recommends postgresql >&2
fi
BIN="$(pg_bin)"

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$DATA" && chown postgres:postgres "$DATA" && chmod 700 "$DATA"
fi
if [ ! -f "$DATA/PG_VERSION" ]; then
  as_owner "'$BIN/initdb' -D '$DATA' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8" >&2
fi
if ! as_owner "'$BIN/pg_ctl' -D '$DATA' status" >/dev/null 2>&1; then
  as_owner "'$BIN/pg_ctl' -D '$DATA' -l '$DATA/server.log' -w -t 60 -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on\" start" >&2
fi
as_owner "'$BIN/psql' -h 127.0.0.1 -p $PORT -U postgres -tAc \"SELECT 1 FROM pg_roles WHERE rolname='meridian'\" | grep -q 1 \
  || '$BIN/psql' -h 127.0.0.1 -p $PORT -U postgres -c \"CREATE ROLE meridian LOGIN PASSWORD 'meridian'\"" >&2
as_owner "'$BIN/psql' -h 127.0.0.1 -p $PORT -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='meridian'\" | grep -q 1 \
  || '$BIN/createdb' -h 127.0.0.1 -p $PORT -U postgres -O meridian meridian" >&2

echo "export MERIDIAN_TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:$PORT/meridian?user=meridian&password=meridian'"
echo "export MERIDIAN_TEST_PG_BIN='$BIN'"
