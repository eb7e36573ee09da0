#!/usr/bin/env bash
# Red flags: tianguis-indicators vs the OCP red-flag calculator (Cardinal 0.0.8), side by side.
#
# Usage: crates/indicators/bench/vs_cardinal.sh [--runs N] [--scaling]
#
#   * generates ../shared/bench/gen_synth_ocds.py 200000 (228 MB) once into $BENCH_DIR;
#   * runs both tools on it with ../shared/bench/all-indicators.ini, alternating, N times
#     (default 5), and prints the median wall time, throughput, peak RSS (/usr/bin/time -v)
#     and the ratio; checks that both outputs are the same JSON;
#   * also times Tianguis's full report (--format json: explanations, R044/R055/ALP, market);
#   * with --scaling, also 2 000 000 processes (2.3 GB): all indicators, and organisation-level
#     indicators only (R025, R038, R048: their results do not grow with the number of
#     processes, so peak memory shows the per-process part staying flat).
#
# The reference binary: $CARDINAL, default /var/tmp/cardinal/bin/ocdscardinal. Cardinal 0.0.8 is
# not on crates.io any more; its source is the PyPI sdist. To build it (stable toolchain):
#   pip download --no-deps --no-binary :all: ocdscardinal==0.0.8 -d /var/tmp/cardinal-src
#   tar xzf /var/tmp/cardinal-src/ocdscardinal-0.0.8.tar.gz -C /var/tmp/cardinal-src
#   (cd /var/tmp/cardinal-src/ocdscardinal-0.0.8 && RUSTUP_TOOLCHAIN=stable \
#      CARGO_TARGET_DIR=/var/tmp/cardinal-build cargo build --release --bin ocdscardinal)
#   mkdir -p /var/tmp/cardinal/bin && cp /var/tmp/cardinal-build/release/ocdscardinal /var/tmp/cardinal/bin/
# or run this script with --build-cardinal to do exactly that.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"          # the workspace
shared="$(cd "$root/../shared" && pwd)"
runs=5
scaling=0
build_cardinal=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --scaling) scaling=1; shift ;;
    --build-cardinal) build_cardinal=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

BENCH_DIR="${BENCH_DIR:-/var/tmp/tianguis-bench}"
CARDINAL="${CARDINAL:-/var/tmp/cardinal/bin/ocdscardinal}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tianguis-target-indicators}"
settings="$shared/bench/all-indicators.ini"
mkdir -p "$BENCH_DIR"

if [ "$build_cardinal" = 1 ] && [ ! -x "$CARDINAL" ]; then
  src=/var/tmp/cardinal-src
  mkdir -p "$src"
  python3 -m pip download --no-deps --no-binary :all: ocdscardinal==0.0.8 -d "$src"
  tar xzf "$src/ocdscardinal-0.0.8.tar.gz" -C "$src"
  (cd "$src/ocdscardinal-0.0.8" && RUSTUP_TOOLCHAIN=stable CARGO_TARGET_DIR=/var/tmp/cardinal-build \
     cargo build --release --bin ocdscardinal)
  mkdir -p "$(dirname "$CARDINAL")"
  cp /var/tmp/cardinal-build/release/ocdscardinal "$CARDINAL"
fi

echo "building tianguis-indicators (release)…" >&2
(cd "$root" && cargo build --release -q -p tianguis-indicators)
ours="$CARGO_TARGET_DIR/release/tianguis-indicators"

input="$BENCH_DIR/synth-200000.jsonl"
if [ ! -s "$input" ]; then
  echo "generating $input…" >&2
  python3 "$shared/bench/gen_synth_ocds.py" 200000 "$input"
fi

# measure NAME OUTFILE CMD…: one run; prints "wall_seconds max_rss_kb".
measure() {
  local out="$1"; shift
  local log
  log="$(mktemp)"
  /usr/bin/time -v "$@" > "$out" 2> "$log"
  local wall rss
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')"
  rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")"
  rm -f "$log"
  echo "$wall $rss"
}

median() { sort -n | awk '{a[NR]=$1} END { if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2 }'; }
maxof() { sort -n | tail -1; }

size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", b / 1e6 }'; }

row() { # label wall rss mb
  awk -v l="$1" -v w="$2" -v r="$3" -v mb="$4" 'BEGIN { printf "| %-44s | %7.3f s | %7.0f MB/s | %6.0f MiB |\n", l, w, mb / w, r / 1024 }'
}

echo
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)  load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $input ($(size_mb "$input") MB, 200000 processes), settings: all-indicators.ini, runs: $runs (median wall, max RSS)"
echo

have_cardinal=0
[ -x "$CARDINAL" ] && have_cardinal=1
declare -a ow orss cw crss jw jrss
for i in $(seq 1 "$runs"); do
  read -r w r < <(measure "$BENCH_DIR/ours.json" "$ours" --format cardinal -s "$settings" "$input")
  ow+=("$w"); orss+=("$r")
  if [ "$have_cardinal" = 1 ]; then
    read -r w r < <(measure "$BENCH_DIR/cardinal.json" "$CARDINAL" indicators -s "$settings" "$input")
    cw+=("$w"); crss+=("$r")
  fi
  read -r w r < <(measure "$BENCH_DIR/report.json" "$ours" --format json -s "$settings" "$input")
  jw+=("$w"); jrss+=("$r")
done
mb="$(size_mb "$input")"
o_w="$(printf '%s\n' "${ow[@]}" | median)"; o_r="$(printf '%s\n' "${orss[@]}" | maxof)"
j_w="$(printf '%s\n' "${jw[@]}" | median)"; j_r="$(printf '%s\n' "${jrss[@]}" | maxof)"
echo "| command (200 000 processes, 228 MB)          | wall      | throughput   | peak RSS   |"
echo "|----------------------------------------------|-----------|--------------|------------|"
if [ "$have_cardinal" = 1 ]; then
  c_w="$(printf '%s\n' "${cw[@]}" | median)"; c_r="$(printf '%s\n' "${crss[@]}" | maxof)"
  row "ocdscardinal 0.0.8 indicators" "$c_w" "$c_r" "$mb"
fi
row "tianguis-indicators --format cardinal" "$o_w" "$o_r" "$mb"
row "tianguis-indicators --format json (full)" "$j_w" "$j_r" "$mb"
echo
if [ "$have_cardinal" = 1 ]; then
  awk -v c="$c_w" -v o="$o_w" -v cr="$c_r" -v orr="$o_r" 'BEGIN { printf "speed-up: %.2fx   memory: %.2fx less\n", c / o, cr / orr }'
  if python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)' \
      "$BENCH_DIR/ours.json" "$BENCH_DIR/cardinal.json"; then
    echo "identical results: yes (same JSON value as the reference)"
  else
    echo "identical results: NO — outputs differ" >&2
    exit 1
  fi
else
  echo "reference not found at $CARDINAL: set CARDINAL or run with --build-cardinal" >&2
fi

if [ "$scaling" = 1 ]; then
  big="$BENCH_DIR/synth-2000000.jsonl"
  if [ ! -s "$big" ]; then
    echo "generating $big (2.3 GB)…" >&2
    python3 "$shared/bench/gen_synth_ocds.py" 2000000 "$big"
  fi
  org="$BENCH_DIR/organisation-level.ini"
  printf '[R025]\n[R038]\n[R048]\n' > "$org"
  echo
  echo "| scaling                                      | wall      | throughput   | peak RSS   |"
  echo "|----------------------------------------------|-----------|--------------|------------|"
  for spec in "all indicators|$settings" "R025+R038+R048 only|$org"; do
    label="${spec%%|*}"; ini="${spec#*|}"
    read -r w r < <(measure /dev/null "$ours" --format cardinal -s "$ini" "$input")
    row "200 000 processes, $label" "$w" "$r" "$mb"
    read -r w r < <(measure /dev/null "$ours" --format cardinal -s "$ini" "$big")
    row "2 000 000 processes, $label" "$w" "$r" "$(size_mb "$big")"
  done
  if [ "$have_cardinal" = 1 ]; then
    read -r w r < <(measure /dev/null "$CARDINAL" indicators -s "$settings" "$big")
    row "ocdscardinal, 2 000 000 processes, all" "$w" "$r" "$(size_mb "$big")"
  fi
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
