#!/usr/bin/env bash
# Issue 2 benchmark: requests/s and p99 latency of GET /healthz and of a server-rendered page
# (GET /suppliers, the public supplier registry: one count and one page query, askama render)
# under wrk, on SQLite and on PostgreSQL, with the demo data.
#
# usage: bench/http.sh [DURATION] [CONNECTIONS] [THREADS]     (defaults: 20s 64 2)
# needs: wrk (Debian package), PostgreSQL server binaries for the second half.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
connections=${2:-64}
threads=${3:-2}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tianguis-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/tianguis"
work=$(mktemp -d)
port=18181
server=""
pgdata=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  if [ -n "$pgdata" ]; then run_pg pg_ctl -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgbin() { command -v "$1" 2>/dev/null || ls /usr/lib/postgresql/*/bin/"$1" | tail -1; }

start_server() {
  RUST_LOG=warn "$bin" serve --demo --db "$1" --bind "127.0.0.1:$port" --db-max-connections 16 2>"$work/server.log" &
  server=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1
}

measure() { # backend path
  local out rps p99
  curl -fs "http://127.0.0.1:$port$2" >/dev/null   # warm up
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port$2")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '| %-10s | %-10s | %10s | %8s | %s |\n' "$1" "$2" "$rps" "$p99" "${errors:-none}"
}

echo "wrk -t$threads -c$connections -d$duration, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| database   | route      | requests/s |      p99 | errors |"
echo "|------------|------------|-----------:|---------:|--------|"

start_server "sqlite://$work/bench.db"
measure sqlite /healthz
measure sqlite /suppliers
kill "$server"; wait "$server" 2>/dev/null || true; server=""

if initdb=$(pgbin initdb) && [ -x "$initdb" ]; then
  pg_ctl=$(pgbin pg_ctl)
  pgdir="$work/pg"; mkdir -p "$pgdir"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$work" && chmod 755 "$work"
  pgdata="$pgdir/data"
  run_pg "$initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  run_pg "$pg_ctl" -D "$pgdata" -o "-k $pgdir -p 5499 -c listen_addresses='' -c max_connections=100" -l "$pgdir/log" -w start >/dev/null
  start_server "postgres://postgres@localhost:5499/postgres?host=$pgdir"
  measure postgres /healthz
  measure postgres /suppliers
else
  echo "(PostgreSQL server binaries not found: PostgreSQL rows skipped)"
fi
