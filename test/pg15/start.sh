#!/usr/bin/env bash
# Starts the system PostgreSQL 15 (Debian packages postgresql-15, postgresql-15-pgtap,
# postgresql-15-cron) as the unprivileged user `postgres`, with pg_cron preloaded, on a
# private data directory, and prints the URL to use (export it as XP_TEST_PG15_URL).
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
DATA=${XP_PG15_DATA:-/tmp/xp-pg15}
PORT=${XP_PG15_PORT:-54315}
PASSWORD=xp-test
if ! id postgres >/dev/null 2>&1; then useradd --system --create-home postgres; fi
if [ ! -f "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"; mkdir -p "$DATA"; chown postgres "$DATA"
  pwfile=$(mktemp); echo "$PASSWORD" > "$pwfile"; chmod 644 "$pwfile"
  su postgres -s /bin/sh -c "$BIN/initdb -D '$DATA' -U postgres --pwfile='$pwfile' --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8" >/dev/null
  rm -f "$pwfile"
  cat >> "$DATA/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
max_connections = 300
CONF
fi
if ! su postgres -s /bin/sh -c "$BIN/pg_ctl -D '$DATA' status" >/dev/null 2>&1; then
  su postgres -s /bin/sh -c "$BIN/pg_ctl -D '$DATA' -l '$DATA/server.log' -w start" >/dev/null
fi
echo "postgres://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
