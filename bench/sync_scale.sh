#!/usr/bin/env bash
# `data sync --all` against `aws s3 sync` of the same folders, on a registry of ACTORS generated
# actors of which WITH_DATA have local images (FILES noise JPEGs of 100–700 KB in all), to the
# same s3rver on loopback, raw and through a SigV4-verifying front (bench/s3_proxy: each request
# checked as S3 checks it, then passed on). Per round and target: our first sync, our no-op
# re-sync, awscli's first sync and its no-op, each to fresh prefixes. Medians and ratios
# (awscli / ours) are printed; every value of every round too.
# ATR_BEFORE=<another actor-trainer binary> times that build's first and no-op syncs in the
# same rounds (before/after figures measured side by side).
# Usage: bench/sync_scale.sh [ACTORS, default 288] [FILES, default 500] [WITH_DATA, default 25]
#                            [ROUNDS, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
# The images here are noise, with no face: the image-quality checks (bench/data_quality.sh
# measures them) would leave every one out of the sync this script measures.
export IMAGE_QUALITY_CHECKS=off
actors="${1:-288}"
files="${2:-500}"
with_data="${3:-25}"
rounds="${4:-3}"
bash scripts/setup >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" \
  --target actor-trainer make_images make_workspace s3_proxy >/dev/null
bin=build/release
work=$(mktemp -d)
pids=()
cleanup() {  # the servers end by SIGTERM, so their status is not the script's
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

ws="$work/ws"
"$bin/bench/make_workspace" "$ws" --actors "$actors" >/dev/null
# The first WITH_DATA actors get FILES / WITH_DATA images each, in their registry folder.
mapfile -t names < <(python3 -c '
import json, sys
for actor in json.load(open(sys.argv[1]))[: int(sys.argv[2])]:
    print(actor["name"])' "$ws/actors.json" "$with_data")
per=$(((files + with_data - 1) / with_data))
for name in "${names[@]}"; do
  "$bin/bench/make_images" "$ws/data/actors/$name/training_data" "$per" 100 700 >/dev/null
done
total=$(find "$ws/data/actors" -type f | wc -l)
mb=$(du -sm "$ws/data/actors" | cut -f1)
# Older than the scanner's 2 s racy window, so a no-op re-sync reads no image again.
touch -d '-1 minute' "$ws"/data/actors/*/training_data/*

mkdir -p "$work/s3"
node tests/s3rver/node_modules/s3rver/bin/s3rver.js -d "$work/s3" -a 127.0.0.1 -p 0 \
  --configure-bucket bench >"$work/s3rver.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q "listening on" "$work/s3rver.log" && break; sleep 0.05; done
s3_port=$(grep -o '127.0.0.1:[0-9]*' "$work/s3rver.log" | head -1 | cut -d: -f2)
"$bin/bench/s3_proxy" --upstream "$s3_port" >"$work/proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q "listening on" "$work/proxy.log" && break; sleep 0.05; done
proxy_port=$(grep -o '127.0.0.1:[0-9]*' "$work/proxy.log" | head -1 | cut -d: -f2)

export S3_BUCKET=bench AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
  AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
seconds() {  # seconds COMMAND...: wall time of one run (its output is dropped; failure stops)
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/last.out" 2>&1 || { cat "$work/last.out" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "$actors actors in the registry, $with_data with local images: $total files, $mb MB;"
echo "s3rver on loopback, raw and through the SigV4-verifying front; $(nproc) cores, $rounds rounds"
printf '%-8s %-34s %-24s %8s\n' "target" "run" "seconds per round" "median"
for target in raw proxy; do
  port=$s3_port
  [ "$target" = proxy ] && port=$proxy_port
  export S3_ENDPOINT_URL="http://127.0.0.1:$port"
  ours_first=() ours_again=() aws_first=() aws_again=() before_first=() before_again=()
  for round in $(seq "$rounds"); do
    prefix="$target$round"
    rm -rf "$ws/.actor-trainer"
    printf '[s3]\nkey_layout = "%s/{actor}/{file}"\n' "$prefix" >"$ws/actor-trainer.toml"
    ours_first+=("$(seconds "$bin/src/actor-trainer" -w "$ws" data sync --all ${ATR_SYNC_ARGS:-})")
    ours_again+=("$(seconds "$bin/src/actor-trainer" -w "$ws" data sync --all ${ATR_SYNC_ARGS:-})")
    if [ -n "${ATR_BEFORE:-}" ]; then
      rm -rf "$ws/.actor-trainer"
      printf '[s3]\nkey_layout = "before-%s/{actor}/{file}"\n' "$prefix" >"$ws/actor-trainer.toml"
      before_first+=("$(seconds "$ATR_BEFORE" -w "$ws" data sync --all)")
      before_again+=("$(seconds "$ATR_BEFORE" -w "$ws" data sync --all)")
    fi
    aws_first+=("$(seconds /usr/bin/aws --endpoint-url "$S3_ENDPOINT_URL" s3 sync \
      "$ws/data/actors" "s3://bench/aws-$prefix/" --only-show-errors)")
    aws_again+=("$(seconds /usr/bin/aws --endpoint-url "$S3_ENDPOINT_URL" s3 sync \
      "$ws/data/actors" "s3://bench/aws-$prefix/" --only-show-errors)")
  done
  runs=(ours_first aws_first ours_again aws_again)
  [ -n "${ATR_BEFORE:-}" ] && runs+=(before_first before_again)
  for run in "${runs[@]}"; do
    declare -n values=$run
    label=$run
    case $run in
      ours_first) label="actor-trainer data sync --all, first" ;;
      aws_first) label="aws s3 sync, first" ;;
      ours_again) label="actor-trainer data sync --all, no-op" ;;
      aws_again) label="aws s3 sync, no-op" ;;
      before_first) label="before (ATR_BEFORE), first" ;;
      before_again) label="before (ATR_BEFORE), no-op" ;;
    esac
    printf '%-8s %-34s %-24s %8s\n' "$target" "$label" "${values[*]}" "$(median "${values[@]}")"
  done
  echo "$target: first sync awscli/ours = $(ratio "$(median "${aws_first[@]}")" "$(median "${ours_first[@]}")")x;" \
    "no-op awscli/ours = $(ratio "$(median "${aws_again[@]}")" "$(median "${ours_again[@]}")")x"
done
