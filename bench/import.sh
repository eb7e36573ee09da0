#!/usr/bin/env bash
# Issue 5 benchmark: `tianguis ocds import` of N synthetic releases (bench/gen_releases.py, gzip
# JSON lines, two releases per process) into a fresh SQLite file and a throwaway PostgreSQL
# cluster, then the same file again (a re-import must change nothing). Prints one table row per
# run: wall time, releases/s and peak memory (from /usr/bin/time -v).
#
# usage: bench/import.sh [RELEASES]   (default 1000000)
# needs: python3, /usr/bin/time; PostgreSQL server binaries for the PostgreSQL rows.
set -euo pipefail
cd "$(dirname "$0")/.."
releases=${1:-1000000}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tianguis-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/tianguis"
work=$(mktemp -d -p /var/tmp)
pgdata=""
cleanup() {
  if [ -n "$pgdata" ]; then run_pg "$pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgbin() { command -v "$1" 2>/dev/null || ls /usr/lib/postgresql/*/bin/"$1" | tail -1; }

input="$work/releases.jsonl.gz"
python3 bench/gen_releases.py "$releases" "$input"
size=$(stat -c %s "$input")
raw=$(zcat "$input" | wc -c)
echo "tianguis ocds import: $releases releases ($((raw / 1000000)) MB of JSON lines, $((size / 1000000)) MB gzip), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| database | run | wall | releases/s | peak RSS | summary |"
echo "|---|---|---:|---:|---:|---|"

measure() { # database label run db-url
  local out
  /usr/bin/time -v -o "$work/time" "$bin" ocds import --db "$3" "$input" > "$work/summary" 2>/dev/null || true
  out=$(cat "$work/time")
  local wall rss
  wall=$(echo "$out" | awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(echo "$out" | awk -F': ' '/Maximum resident set size/ {print int($2/1024)}')
  printf "| %s | %s | %.1f s | %.0f | %s MiB | %s |\n" "$1" "$2" "$wall" "$(echo "$releases / $wall" | bc -l)" "$rss" "$(tail -1 "$work/summary" | sed 's/|/\\|/g')"
}

measure SQLite first "sqlite://$work/import.db"
measure SQLite "re-import" "sqlite://$work/import.db"
rm -f "$work"/import.db*

if initdb=$(pgbin initdb) && [ -x "$initdb" ]; then
  pg_ctl=$(pgbin pg_ctl)
  pgdir="$work/pg"; mkdir -p "$pgdir"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$work" && chmod 755 "$work"
  pgdata="$pgdir/data"
  run_pg "$initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  run_pg "$pg_ctl" -D "$pgdata" -o "-k $pgdir -p 5498 -c listen_addresses=''" -l "$pgdir/log" -w start >/dev/null
  url="postgres://postgres@localhost:5498/postgres?host=$pgdir"
  measure PostgreSQL first "$url"
  measure PostgreSQL "re-import" "$url"
else
  echo "(PostgreSQL server binaries not found: PostgreSQL rows skipped)"
fi
