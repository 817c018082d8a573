#!/usr/bin/env bash
# The image-quality checks' cost: `data scan` of one actor with COUNT (150) photos of
# SIDE × SIDE px (1024; JPEG crops of one real portrait, `make-demo-workspace --photos`), the
# first time (every image decoded, measured, faces detected; a fresh state database each round)
# and again with nothing changed (the scan memory answers), beside the same scans with the
# checks off (headers and MD5 only). ROUNDS (3) rounds; every value and the medians printed.
# Usage: bench/data_quality.sh [COUNT] [SIDE] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-150}"
side="${2:-1024}"
rounds="${3:-3}"
bash scripts/setup >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target actor-trainer make-demo-workspace >/dev/null
bin=build/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

mkdir -p "$work/ws"
"$bin/tools/demo-workspace/make-demo-workspace" --photos \
  "$work/ws/data/actors/0001_bench/training_data" "$count" "$side" >/dev/null
echo '[{"id": "0001", "name": "0001_bench"}]' >"$work/ws/actors.json"
# Files younger than the scanner's racy window (2 s) are measured but not remembered.
sleep 2.1

seconds() {  # seconds ENV_VALUE: wall time of one `data scan`
  local start end
  start=$(date +%s.%N)
  IMAGE_QUALITY_CHECKS="$1" "$bin/src/actor-trainer" -w "$work/ws" --json data scan 0001 \
    >"$work/last.json"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

first_on="" again_on="" first_off="" again_off=""
for round in $(seq "$rounds"); do
  rm -rf "$work/ws/.actor-trainer"
  a=$(seconds on)
  b=$(seconds on)
  faces=$(grep -o '"faces_summary": *"[^"]*"' "$work/last.json" || true)
  rm -rf "$work/ws/.actor-trainer"
  c=$(seconds off)
  d=$(seconds off)
  echo "round $round: checks on: first ${a} s, again ${b} s | checks off: first ${c} s, again ${d} s | $faces"
  first_on="$first_on $a" again_on="$again_on $b" first_off="$first_off $c" again_off="$again_off $d"
done
m1=$(echo "$first_on" | median) m2=$(echo "$again_on" | median)
m3=$(echo "$first_off" | median) m4=$(echo "$again_off" | median)
echo "median of $rounds, $count images of ${side}x${side} on $(nproc) cores:"
echo "  checks on : first scan $m1 s (target <= 15 s), re-scan $m2 s (target <= 0.3 s)"
echo "  checks off: first scan $m3 s, re-scan $m4 s"
awk -v a="$m1" -v b="$m3" -v n="$count" 'BEGIN {
  printf "  the checks cost %.1f ms per image on the first scan (%.1fx the header-only scan)\n",
         1000 * (a - b) / n, a / b }'
