#!/usr/bin/env bash
# The CLI on generated registries of 288, 10,000 and 100,000 actors (tests/support's
# registry_gen: about 1.65 KB per actor): each command's wall time and peak memory (max RSS
# from GNU time), the median of ROUNDS runs, against the registry file's size. mark-good
# alternates between two versions imported from a manifest, so every run writes the file.
# ATR_BEFORE=<another actor-trainer binary> runs the same commands on that build, side by side.
# Usage: bench/registry_scale.sh [SIZES, default "288 10000 100000"] [ROUNDS, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
# The images here are noise, with no face: the image-quality checks (bench/data_quality.sh
# measures them) would leave every one out of the sync this script measures.
export IMAGE_QUALITY_CHECKS=off
sizes="${1:-288 10000 100000}"
rounds="${2:-3}"
bash scripts/setup >/dev/null
. bench/serve_lib.sh  # build_release, $bin, a scratch $work removed on exit
build_release make_workspace
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

builds=("ours=$bin/src/actor-trainer")
[ -n "${ATR_BEFORE:-}" ] && builds+=("before=$ATR_BEFORE")
printf '%-8s %-7s %-26s %9s %10s %8s\n' actors build command seconds "max RSS MB" "× file"
for size in $sizes; do
  ws="$work/ws$size"
  "$bin/bench/make_workspace" "$ws" --actors "$size" >/dev/null
  file_mb=$(awk -v b="$(stat -c %s "$ws/actors.json")" 'BEGIN { printf "%.1f", b / 1048576 }')
  # The middle actor, with two earlier models to mark good in turn.
  read -r id name < <(python3 -c '
import json, sys
actors = json.load(open(sys.argv[1]))
a = actors[len(actors) // 2]
print(a["id"], a["name"])' "$ws/actors.json")
  mkdir -p "$ws/data/actor_manifests"
  python3 -c '
import json, sys
models = [{"filename": f"actor_{sys.argv[1]}_V{n}.safetensors", "version": f"V{n}",
           "s3_url": f"https://models.s3.us-west-1.amazonaws.com/m/actor_{sys.argv[1]}_V{n}.safetensors"}
          for n in (1, 2)]
json.dump({"character_id": sys.argv[1], "character_name": sys.argv[2], "training_data": [],
           "custom_lora_models": models}, open(sys.argv[3], "w"))' "$id" "$name" \
    "$ws/data/actor_manifests/${id}_manifest.json"
  "$bin/src/actor-trainer" -w "$ws" import >/dev/null
  echo "$size actors: actors.json $file_mb MB"
  for entry in "${builds[@]}"; do
    build=${entry%%=*}
    binary=${entry#*=}
    for command in "actors list --limit 20" "actors show $id" "versions $id" "status $id/V1" \
      "mark-good $id V@" "data scan $id"; do
      times=() rss=()
      for round in $(seq "$rounds"); do
        args=${command//@/$((round % 2 + 1))}
        # shellcheck disable=SC2086
        /usr/bin/time -f "%e %M" -o "$work/time" "$binary" -w "$ws" $args >/dev/null 2>"$work/err" ||
          { cat "$work/err" >&2; exit 1; }
        read -r seconds kb <"$work/time"
        times+=("$seconds")
        rss+=("$kb")
      done
      mb=$(awk -v k="$(median "${rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')
      printf '%-8s %-7s %-26s %9s %10s %8s\n' "$size" "$build" "${command//@/n}" \
        "$(median "${times[@]}")" "$mb" "$(awk -v m="$mb" -v f="$file_mb" 'BEGIN { printf "%.1f", m / f }')"
    done
  done
done
