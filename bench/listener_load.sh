#!/usr/bin/env bash
# Load on both listeners of `serve` (targets: 1,000 simultaneous connects all answered within
# 1 s; 500 slow-header connections on the webhook port delay a valid webhook by < 1 s; 2,000
# open event streams each get every event while GET /api/actors keeps p99 < 50 ms; <= 32
# threads at idle; a second `serve` on the taken ports exits with a clear error). Builds the
# release binaries, generates a workspace, starts `serve` (free ports, the ngrok stand-in on
# its PATH to publish events), runs listener_load, tries the second serve, stops what it
# started. Exits non-zero when a target is missed.
# Usage: bench/listener_load.sh [CONNECTS 1000] [SLOW 500] [STREAMS 2000] [SLOW_SECONDS 10]
set -euo pipefail
cd "$(dirname "$0")/.."
connects="${1:-1000}"
slow="${2:-500}"
streams="${3:-2000}"
slow_seconds="${4:-10}"
# shellcheck source=bench/serve_lib.sh
. bench/serve_lib.sh
build_release make_workspace listener_load
"$bin/bench/make_workspace" "$work/ws" --actors 1000 >/dev/null
start_serve "$work/ws"
token=$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select value from settings where key = ?", ("webhook_token",)).fetchone()[0])' \
  "$work/ws/.actor-trainer/state.db")
echo "serve pid $serve_pid: API on $port, webhooks on $webhook_port"

status=0
"$bin/bench/listener_load" --api-port "$port" --webhook-port "$webhook_port" --token "$token" \
  --pid "$serve_pid" --connects "$connects" --slow "$slow" --slow-seconds "$slow_seconds" \
  --streams "$streams" --cycles 5 || status=1

echo
echo "== a second serve (another workspace) on the same ports"
"$bin/bench/make_workspace" "$work/ws2" --actors 10 >/dev/null
second=0
# Bounded: a second serve that did start is stopped after 20 s (124) and counts as a failure.
(serve_timeout=20 run_serve "$work/ws2" "$work/second.out" "$work/second.err" --port "$port" \
  --webhook-port "$webhook_port") || second=$?
echo "exit status $second: $(tr '\n' ' ' <"$work/second.err")"
if [ "$second" -eq 0 ] || [ "$second" -eq 124 ] || ! grep -qi "cannot listen" "$work/second.err"; then
  echo "listener_load: the second serve did not refuse the taken port clearly"
  status=1
fi
kill -0 "$serve_pid" || { echo "listener_load: the first serve died"; status=1; }
exit "$status"
