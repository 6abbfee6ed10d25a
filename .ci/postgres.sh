#!/usr/bin/env bash
# Start (or stop) a throw-away PostgreSQL cluster on 127.0.0.1 for the tests.
#   source .ci/postgres.sh start   -> exports DATABASE_URL_PG and PG_DIR
#   .ci/postgres.sh stop DIR
# initdb and postgres refuse to run as root, so the cluster belongs to the postgres user.
set -euo pipefail

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || { echo "PostgreSQL binaries not found under /usr/lib/postgresql" >&2; return 1; }
  echo "$bin"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local bin dir port
  bin=$(pg_bin)
  dir=$(mktemp -d /tmp/fremdrift-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  port=$(free_port)
  as_pg "$bin/initdb" -D "$dir/data" --auth=trust -U postgres -E UTF8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres fremdrift
  export PG_DIR="$dir"
  export DATABASE_URL_PG="postgres://postgres@127.0.0.1:$port/fremdrift"
  echo "PostgreSQL on 127.0.0.1:$port ($dir)"
}

stop() {
  local dir=${1:-${PG_DIR:-}}
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  as_pg "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: postgres.sh start|stop [DIR]" >&2; return 2 2>/dev/null || exit 2 ;;
esac
