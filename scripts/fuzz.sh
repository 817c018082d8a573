#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang 14, ASan + UBSan) and runs each from its
# seed corpus in fuzz/corpus/<target>/ for SECONDS, JOBS at a time. Prints executions and
# crashes per target; exits non-zero when any target crashed, leaked or hung (the input that
# did it is kept in build/fuzz/artifacts/).
#
#   bash scripts/fuzz.sh            # 20 s per target (what make test runs)
#   bash scripts/fuzz.sh 100        # the long run: 7 targets x 100 s, about 6 minutes on 2 cores
#   bash scripts/fuzz.sh 60 1 fuzz_registry   # one target
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
seconds=${1:-20}
jobs=${2:-2}
shift 2 2>/dev/null || shift $#
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_json_spans fuzz_registry fuzz_webhook fuzz_runpod_status
                                    fuzz_s3_list fuzz_config fuzz_api_body)
case "$seconds" in ''|*[!0-9]*) echo "fuzz: SECONDS must be a whole number" >&2; exit 2 ;; esac

cmake --preset fuzz >/dev/null || { echo "fuzz: configure failed (needs clang++-14)" >&2; exit 1; }
cmake --build --preset fuzz -j "$(nproc)" --target atr_fuzzers >/dev/null ||
  { echo "fuzz: build failed" >&2; exit 1; }

out=build/fuzz/runs
rm -rf "$out"
mkdir -p "$out" build/fuzz/artifacts
run_one() {  # run_one TARGET: the corpus grows in a copy; the committed seeds stay as they are
  local t=$1 work="$out/$1-corpus"
  mkdir -p "$work"
  cp fuzz/corpus/"$t"/* "$work"/
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build/fuzz/fuzz/"$t" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/"$t"- >"$out/$t.log" 2>&1
  echo $? >"$out/$t.rc"
}
running=0
for t in "${targets[@]}"; do
  [ -x build/fuzz/fuzz/"$t" ] || { echo "fuzz: no target $t" >&2; exit 2; }
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

failed=0
printf '%-20s %12s %8s %s\n' target executions corpus result
for t in "${targets[@]}"; do
  rc=$(cat "$out/$t.rc")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -1)
  corpus=$(find "$out/$t-corpus" -type f | wc -l)
  result=ok
  if [ "$rc" != 0 ]; then
    result="CRASH (exit $rc; see $out/$t.log)"
    failed=$((failed + 1))
  fi
  printf '%-20s %12s %8s %s\n' "$t" "${execs:-?}" "$corpus" "$result"
done
[ "$failed" -eq 0 ]
