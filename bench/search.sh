#!/usr/bin/env bash
# Issue 3 benchmark: the public tender search with 100,000 tenders in the database — p50/p99
# latency of filtered searches (the HTML page and the JSON API) and of tender pages (a random
# tender per request), under wrk, on SQLite and on PostgreSQL.
#
# usage: bench/search.sh [TENDERS] [DURATION] [CONNECTIONS]     (defaults: 100000 20s 8)
# needs: wrk (Debian package), PostgreSQL server binaries for the second half.
set -euo pipefail
cd "$(dirname "$0")/.."
tenders=${1:-100000}
duration=${2:-20s}
connections=${3:-8}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tianguis-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/tianguis"
work=$(mktemp -d)
port=18182
server=""
pgdata=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  if [ -n "$pgdata" ]; then run_pg "$pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgbin() { command -v "$1" 2>/dev/null || ls /usr/lib/postgresql/*/bin/"$1" | tail -1; }

# A random tender per request.
cat >"$work/tender.lua" <<LUA
math.randomseed(42)
request = function()
  return wrk.format("GET", "/tenders/" .. math.random(1, $tenders))
end
LUA

start_server() {
  RUST_LOG=warn "$bin" serve --db "$1" --bind "127.0.0.1:$port" --db-max-connections 16 2>"$work/server.log" &
  server=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1
}

load() { # db-url
  local started=$SECONDS
  "$bin" load-data --db "$1" --tenders "$tenders" >/dev/null 2>"$work/load.log"
  echo "  ($2: $tenders tenders loaded in $((SECONDS - started)) s)" >&2
}

measure() { # backend label path [script]
  local out rps p50 p99 errors
  if [ -n "${4:-}" ]; then
    out=$(wrk -t2 -c"$connections" -d"$duration" --latency -s "$4" "http://127.0.0.1:$port")
  else
    out=$(wrk -t2 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port$3")
  fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '| %-10s | %-34s | %8s | %8s | %10s | %s |\n' "$1" "$2" "$p50" "$p99" "$rps" "${errors:-none}"
}

html_search='/tenders?q=amoxicilina&phase=contracted&method=cotizacion'
api_search='/api/tenders?q=hospital+quetz&method=licitacion&min_value=100000&max_value=4000000'
item_search='/tenders?item=5&from=2025-01-01&to=2025-12-31'

run_all() { # backend
  curl -fs "http://127.0.0.1:$port$html_search" >/dev/null
  measure "$1" "search page: text + phase + method" "$html_search"
  measure "$1" "search API: text + method + value" "$api_search"
  measure "$1" "search page: item + date range" "$item_search"
  measure "$1" "tender page (random of $tenders)" "/tenders/RANDOM" "$work/tender.lua"
}

echo "wrk -t2 -c$connections -d$duration --latency, $tenders tenders, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| database   | request                            |      p50 |      p99 | requests/s | errors |"
echo "|------------|------------------------------------|---------:|---------:|-----------:|--------|"

load "sqlite://$work/bench.db" sqlite
start_server "sqlite://$work/bench.db"
run_all sqlite
kill "$server"; wait "$server" 2>/dev/null || true; server=""

if initdb=$(pgbin initdb) && [ -x "$initdb" ]; then
  pg_ctl=$(pgbin pg_ctl)
  pgdir="$work/pg"; mkdir -p "$pgdir"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$work" && chmod 755 "$work"
  pgdata="$pgdir/data"
  run_pg "$initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  run_pg "$pg_ctl" -D "$pgdata" -o "-k $pgdir -p 5498 -c listen_addresses='' -c max_connections=100" -l "$pgdir/log" -w start >/dev/null
  url="postgres://postgres@localhost:5498/postgres?host=$pgdir"
  load "$url" postgres
  start_server "$url"
  run_all postgres
else
  echo "(PostgreSQL server binaries not found: PostgreSQL rows skipped)"
fi
