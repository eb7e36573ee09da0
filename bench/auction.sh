#!/usr/bin/env bash
# Issue 4 benchmark: live reverse auctions under load — `tianguis bench auction` on SQLite and on a
# throwaway PostgreSQL cluster. Prints one table row per database (accepted bids/s, bid→ack and
# bid→observer latencies, events per commit).
#
# usage: bench/auction.sh [AUCTIONS] [RATE] [DURATION] [BIDDERS] [OBSERVERS]
#        (defaults: 1000 5000 30 4 6 — 10,000 WebSocket clients)
# needs: PostgreSQL server binaries for the second row.
set -euo pipefail
cd "$(dirname "$0")/.."
auctions=${1:-1000}
rate=${2:-5000}
duration=${3:-30}
bidders=${4:-4}
observers=${5:-6}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tianguis-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/tianguis"
work=$(mktemp -d)
pgdata=""
cleanup() {
  if [ -n "$pgdata" ]; then run_pg "$pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgbin() { command -v "$1" 2>/dev/null || ls /usr/lib/postgresql/*/bin/"$1" | tail -1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

args=(--auctions "$auctions" --rate "$rate" --duration "$duration" --bidders "$bidders" --observers "$observers")
echo "tianguis bench auction ${args[*]}, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| database | auctions | clients | target bids/s | accepted bids/s | ack p50 | ack p99 | ack max | observer p50 | observer p99 | events/commit | node CPU | clients CPU |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
RUST_LOG=warn "$bin" bench auction "${args[@]}" --db "sqlite://$work/bench.db"

if initdb=$(pgbin initdb) && [ -x "$initdb" ]; then
  pg_ctl=$(pgbin pg_ctl)
  pgdir="$work/pg"; mkdir -p "$pgdir"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$work" && chmod 755 "$work"
  pgdata="$pgdir/data"
  run_pg "$initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  run_pg "$pg_ctl" -D "$pgdata" -o "-k $pgdir -p 5497 -c listen_addresses='' -c max_connections=100" -l "$pgdir/log" -w start >/dev/null
  RUST_LOG=warn "$bin" bench auction "${args[@]}" --db "postgres://postgres@localhost:5497/postgres?host=$pgdir"
else
  echo "(PostgreSQL server binaries not found: PostgreSQL row skipped)"
fi
