#!/usr/bin/env bash
# Load test of the HTTP API on loopback (PRODUCT targets: GET /api/actors?q=...&sex=female at
# >= 5,000 req/s with p99 <= 20 ms on a 10,000-actor workspace; 200 SSE clients get every
# event; serve's RSS <= 120 MB). Builds the release binaries, generates the workspace, starts
# `serve` (API on a free port, the ngrok stand-in on its PATH for the SSE events), runs wrk
# and the SSE fan-out client, prints the figures and stops everything it started.
# Usage: bench/api_load.sh [SECONDS per wrk run, default 20] [CONNECTIONS, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
connections="${2:-32}"
command -v wrk >/dev/null || { echo "api_load: wrk is missing (scripts/setup installs it)" >&2; exit 1; }
# shellcheck source=bench/serve_lib.sh
. bench/serve_lib.sh
build_release make_workspace listener_load
"$bin/bench/make_workspace" "$work/ws" --actors 10000
start_serve "$work/ws"
rss() { grep -E "^(VmRSS|VmHWM)" "/proc/$serve_pid/status" | tr -s ' ' | tr '\n' ' '; echo; }
echo "serve pid $serve_pid on $url; after start-up: $(rss)"

echo
echo "== wrk: the same search ($seconds s, $connections connections, 2 threads)"
wrk -t2 -c"$connections" -d"${seconds}s" --latency "$url/api/actors?q=european&sex=female" \
  | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
echo "serve: $(rss)"

echo
echo "== wrk: 512 different searches in rotation (answers not cached)"
cat >"$work/rotate.lua" <<'LUA'
local words = {"european", "african", "asian", "latino", "nordic", "calm", "eyes", "hair", "beard", "young"}
local sexes = {"female", "male"}
local n = 0
request = function()
  n = n + 1
  local w = words[(n % #words) + 1]
  local s = sexes[(n % 2) + 1]
  return wrk.format("GET", "/api/actors?q=" .. w .. "&sex=" .. s .. "&offset=" .. (n % 512) * 10)
end
LUA
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/rotate.lua" "$url" \
  | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
echo "serve: $(rss)"

echo
echo "== 200 SSE clients, 20 tunnel start/stop cycles (60 events)"
"$bin/bench/listener_load" --api-port "$port" --connects 0 --slow 0 --streams 200 --cycles 20 \
  --api-p99-ms 0  # the wrk steps above report the API at 10,000 actors; this checks the fan-out
echo "serve: $(rss)"
