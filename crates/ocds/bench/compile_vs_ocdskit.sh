#!/usr/bin/env bash
# Side-by-side benchmark of `ocds compile` (tianguis-ocds) and `ocdskit compile` (issue 5: "at
# least 30x the throughput of ocdskit compile on the same input, measured side by side in one
# run on a large file built from the real samples").
#
# usage: crates/ocds/bench/compile_vs_ocdskit.sh [COPIES] [ROUNDS]
#        (default 100 copies ≈ 200 MB; ROUNDS rounds, default 5, medians reported)
# needs: python3 with ocdskit (pip install ocdskit), /usr/bin/time, cargo; ../shared beside the repo.
#
# Input: bench/gen_large.py multiplies every release of ../shared/data/ocds-real (upgraded to
# 1.1 by ocdskit itself) COPIES times with distinct ocids, interleaved so nothing is pre-grouped.
# ocdskit runs the code of `ocdskit compile --schema <patched schema>` (tests/ocdskit_compile.py:
# the same `merge` call without the version check that refuses real mixed data), with orjson if
# installed. Both outputs are compared byte for byte before any figure is printed.
# Before every run the input is read once (`cat > /dev/null`) so that each tool starts with the
# input in the page cache: on a shared machine the cache lets a 200 MB file go within seconds,
# and a disk read would otherwise be timed for whichever tool runs after a long one. Both tools
# write their output to a new file.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
crate=$(dirname "$here")
root=$(cd "$crate/../.." && pwd)
shared=$(cd "$root/../shared" && pwd)
copies=${1:-100}
runs=${2:-5}
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/tianguis-target-ocds}
(cd "$root" && cargo build --release -q -p tianguis-ocds)
ours_bin="$CARGO_TARGET_DIR/release/tianguis-ocds"
schema="$crate/schema/release-schema-patched.json"
input="$work/releases-x$copies.jsonl"
[ -s "$input" ] || python3 "$here/gen_large.py" "$shared" "$copies" "$input" 2>/dev/null
releases=$(wc -l < "$input")
bytes=$(stat -c %s "$input")

# One timed run: name, round, output file, standard input, command... → "wall" (seconds).
run_once() {
  local name=$1 round=$2 out=$3 stdin=$4; shift 4
  cat "$input" > /dev/null
  # The previous run's output is deleted before the clock starts: truncating 100 MB of it on
  # open took 40 ms here, which is file-system work, not compiling.
  rm -f "$out"
  # Wall time from the shell's microsecond clock (time -v rounds to 10 ms); CPU and peak
  # memory from time -v.
  local start=$EPOCHREALTIME
  /usr/bin/time -v -o "$work/$name.time.$round" "$@" < "$stdin" > "$out" 2> "$work/$name.err"
  local end=$EPOCHREALTIME
  echo "$start $end" | awk '{printf "%.4f\n", $2 - $1}' > "$work/$name.wall.$round"
}

# The median round of a tool (by wall time): "wall rss round".
median() {
  local name=$1 round
  for round in $(seq "$runs"); do echo "$(cat "$work/$name.wall.$round") $round"; done |
    sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2)' | {
      read -r wall round
      cp "$work/$name.time.$round" "$work/$name.time"
      echo "$wall $(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time") $round"
    }
}

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)  load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $input ($releases releases, $((bytes / 1000000)) MB, JSON lines); $runs rounds, each running the three commands one after the other; medians shown"
# Rounds interleave the tools, so that a change in the machine's load (it is shared) falls on
# all of them rather than on whichever ran during it.
for round in $(seq "$runs"); do
  OCDSKIT_ALLOW_ORJSON=1 run_once ocdskit "$round" "$work/ocdskit.jsonl" "$input" python3 "$crate/tests/ocdskit_compile.py" "$schema"
  run_once ours "$round" "$work/ours.jsonl" /dev/null "$ours_bin" compile "$input"
  run_once ours-1MiB "$round" "$work/ours-spill.jsonl" /dev/null "$ours_bin" compile --memory-budget 1 "$input"
done
read -r t_ref rss_ref _ < <(median ocdskit)
read -r t_ours rss_ours _ < <(median ours)
read -r t_spill rss_spill _ < <(median ours-1MiB)
ratios=$(for round in $(seq "$runs"); do
  awk -v a="$(cat "$work/ocdskit.wall.$round")" -v b="$(cat "$work/ours.wall.$round")" 'BEGIN {printf "%.1f\n", a / b}'
done | sort -n | tr '\n' ' ')
echo "speed-up of ocds compile in each round (sorted): $ratios"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cmp -s "$work/ocdskit.jsonl" "$work/ours.jsonl" || { echo "OUTPUTS DIFFER: $work/ocdskit.jsonl $work/ours.jsonl" >&2; exit 1; }
cmp -s "$work/ours.jsonl" "$work/ours-spill.jsonl" || { echo "SPILLED OUTPUT DIFFERS" >&2; exit 1; }
echo "outputs identical ($(wc -l < "$work/ours.jsonl") compiled releases)"
printf '\n| tool | command | wall time | releases/s | MB/s | peak RSS | CPU user+sys | speed-up |\n|---|---|---:|---:|---:|---:|---:|---:|\n'
cpu() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/$1.time"; }
row() { # name command wall rss timefile
  awk -v n="$1" -v c="$2" -v t="$3" -v r="$4" -v cpu="$(cpu "$5")" -v rel="$releases" -v b="$bytes" -v ref="$t_ref" 'BEGIN {
    printf "| %s | `%s` | %.2f s | %.0f | %.1f | %.0f MiB | %.2f s | %.1fx |\n", n, c, t, rel / t, b / t / 1e6, r / 1024, cpu, ref / t }'
}
row "ocdskit 1.7 (Python)" "ocdskit compile --schema …" "$t_ref" "$rss_ref" ocdskit
row "tianguis-ocds" "ocds compile" "$t_ours" "$rss_ours" ours
row "tianguis-ocds, 1 MiB budget (spills)" "ocds compile --memory-budget 1" "$t_spill" "$rss_spill" ours-1MiB
[ -n "${BENCH_DIR:-}" ] || rm -rf "$work"
