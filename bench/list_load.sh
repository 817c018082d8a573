#!/usr/bin/env bash
# GET /api/actors under wrk on a generated workspace of ACTORS actors: the same list again and
# again (answered from the answer cache), then distinct queries that all answer LIMIT items
# (the answer cache never hits: `limit` or `offset` differs each time), and serve's memory
# (VmHWM, the peak) after each. Prints requests/s, p50/p99 and the uncached/cached ratio.
# ATR_BEFORE=<another actor-trainer binary> runs the same steps on that build afterwards.
# Usage: bench/list_load.sh [ACTORS, default 288] [LIMIT, default all up to 1000]
#                           [SECONDS, default 10] [CONNECTIONS, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
actors="${1:-288}"
limit="${2:-$((actors < 1000 ? actors : 1000))}"
seconds="${3:-10}"
connections="${4:-8}"
command -v wrk >/dev/null || { echo "list_load: wrk is missing (scripts/setup installs it)" >&2; exit 1; }
. bench/serve_lib.sh
build_release make_workspace
"$bin/bench/make_workspace" "$work/ws" --actors "$actors" >/dev/null
# Distinct queries with LIMIT items each: when the registry fits in one answer the limit varies
# (LIMIT up to 1000), else the offset does.
if [ "$actors" -le "$limit" ]; then
  range=$(((limit + 511 < 1000 ? limit + 511 : 1000) - limit + 1))
  query='"/api/actors?limit=" .. ('"$limit"' + (n % '"$range"'))'
else
  query='"/api/actors?limit='"$limit"'&offset=" .. (n % '"$((actors - limit + 1))"')'
fi
cat >"$work/distinct.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", $query)
end
LUA

hwm() { grep -E "^VmHWM" "/proc/$serve_pid/status" | tr -s ' ' | cut -d' ' -f2; }
measure() {  # measure LABEL WRK-ARGS...: requests/s, p50, p99
  local label=$1
  shift
  local out
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@")
  if echo "$out" | grep -q "Non-2xx"; then
    echo "$out" >&2
    echo "list_load: non-2xx answers in '$label'" >&2
    exit 1
  fi
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  printf '%-10s %-34s %10s %10s %10s %10s\n' "$build" "$label" "$rps" "$p50" "$p99" "$(hwm)"
  last_rps=$rps
}
run_build() {  # run_build NAME BINARY
  build=$1
  serve_binary=$2 start_serve "$work/ws"
  measure "cached: the same list" "$url/api/actors?limit=$limit"
  local cached=$last_rps
  measure "uncached: distinct queries" -s "$work/distinct.lua" "$url"
  echo "$build: uncached/cached = $(awk -v a="$last_rps" -v b="$cached" 'BEGIN { printf "%.2f", a / b }')"
  kill "$serve_pid" && wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
}
echo "$actors actors, $limit items per answer, wrk 2 threads × $connections connections, ${seconds} s each; $(nproc) cores"
printf '%-10s %-34s %10s %10s %10s %10s\n' "build" "run" "req/s" "p50" "p99" "VmHWM kB"
run_build ours "$bin/src/actor-trainer"
[ -n "${ATR_BEFORE:-}" ] && run_build before "$ATR_BEFORE"
exit 0
