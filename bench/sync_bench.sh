#!/usr/bin/env bash
# Sync benchmark on loopback: COUNT noise JPEGs of 100–700 KB (about 190 MB for 500) synced to a
# local s3rver by this product and by Debian's awscli (`aws s3 sync`), first sync and no-op
# re-sync of each, plus the server's ceiling: the same PUTs signed by curl, 8 in parallel
# over kept-alive connections (curl --parallel). One run of each, same server, same files.
# Usage: bench/sync_bench.sh [COUNT, default 500] [ROUNDS, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
# The images here are noise, with no face: the image-quality checks (bench/data_quality.sh
# measures them) would leave every one out of the sync this script measures.
export IMAGE_QUALITY_CHECKS=off
count="${1:-500}"
rounds="${2:-3}"
bash scripts/setup >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target actor-trainer make_images >/dev/null
bin=build/release
work=$(mktemp -d)
s3_pid=""
cleanup() {
  [ -n "$s3_pid" ] && kill "$s3_pid" 2>/dev/null && wait "$s3_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

images="$work/ws/data/actors/0001_bench/training_data"
"$bin/bench/make_images" "$images" "$count" 100 700
echo '[{"id": "0001", "name": "0001_bench"}]' >"$work/ws/actors.json"
mkdir -p "$work/s3"
node tests/s3rver/node_modules/s3rver/bin/s3rver.js -d "$work/s3" -a 127.0.0.1 -p 0 \
  --configure-bucket bench >"$work/s3rver.log" 2>&1 &
s3_pid=$!
for _ in $(seq 200); do grep -q "listening on" "$work/s3rver.log" && break; sleep 0.05; done
port=$(grep -o '127.0.0.1:[0-9]*' "$work/s3rver.log" | head -1 | cut -d: -f2)
endpoint="http://127.0.0.1:$port"
export S3_BUCKET=bench S3_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=S3RVER \
  AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
seconds() {  # seconds COMMAND...: wall time of one run
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}
# Each round syncs to fresh prefixes (ours through the key layout, with a fresh state
# database), so every "first" is a real first sync. Medians over the rounds are reported.
config="$work/curl.cfg"
declare -a ours_first ours_again ours_settled aws_first aws_again ceiling
for round in $(seq "$rounds"); do
  rm -rf "$work/ws/.actor-trainer"
  printf '[s3]\nkey_layout = "r%s/{actor}/{file}"\n' "$round" >"$work/ws/actor-trainer.toml"
  ours_first+=("$(seconds "$bin/src/actor-trainer" -w "$work/ws" data sync 1)")
  ours_again+=("$(seconds "$bin/src/actor-trainer" -w "$work/ws" data sync 1)")
  aws_first+=("$(seconds /usr/bin/aws --endpoint-url "$endpoint" s3 sync "$images" "s3://bench/aws$round/" --only-show-errors)")
  aws_again+=("$(seconds /usr/bin/aws --endpoint-url "$endpoint" s3 sync "$images" "s3://bench/aws$round/" --only-show-errors)")
  # By now every image is older than the scanner's 2 s racy window, so none is read again.
  ours_settled+=("$(seconds "$bin/src/actor-trainer" -w "$work/ws" data sync 1)")
  for f in "$images"/*.jpg; do
    printf 'upload-file = "%s"\nurl = "%s/bench/ceiling%s/%s"\n' "$f" "$endpoint" "$round" "$(basename "$f")"
  done >"$config"
  ceiling+=("$(seconds curl -sS --no-progress-meter --fail --parallel --parallel-max 8 --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user S3RVER:S3RVER -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -K "$config")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
row() {  # row LABEL VALUES...: every round, then the median
  local label="$1"
  shift
  printf '%-46s %-22s %8s\n' "$label" "$*" "$(median "$@")"
}
mb=$(du -sm "$images" | cut -f1)
echo
echo "$count files, $mb MB, s3rver on loopback, $(nproc) cores, $rounds rounds"
printf '%-46s %-22s %8s\n' "run" "seconds per round" "median"
row "actor-trainer data sync (first)" "${ours_first[@]}"
row "aws s3 sync (first)" "${aws_first[@]}"
row "ceiling: curl, 8 parallel PUTs, kept alive" "${ceiling[@]}"
row "actor-trainer data sync (no-op, right after)" "${ours_again[@]}"
row "actor-trainer data sync (no-op, settled)" "${ours_settled[@]}"
row "aws s3 sync (no-op)" "${aws_again[@]}"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
of=$(median "${ours_first[@]}")
echo "medians: first sync aws / ours = $(ratio "$(median "${aws_first[@]}")" "$of")x;" \
  "ours / ceiling = $(ratio "$of" "$(median "${ceiling[@]}")");" \
  "no-op ours $(median "${ours_again[@]}") s right after, $(median "${ours_settled[@]}") s settled," \
  "aws $(median "${aws_again[@]}") s"
