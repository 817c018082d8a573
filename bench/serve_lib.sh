# Shared by the load scripts (source it): builds the release targets it is given, makes a
# scratch folder removed on exit, and starts `serve` on free ports with the ngrok stand-in on
# its PATH (so tunnel start/stop publishes events). After `start_serve WS`: serve_pid, port,
# webhook_port, url. `run_serve WS OUT ERR ARGS...` execs one more serve (run it in a
# subshell; with serve_timeout=S it is stopped after S seconds, status 124). serve_binary=PATH
# runs another actor-trainer build.
build_release() {  # build_release TARGET...
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$(nproc)" --target actor-trainer ngrok-standin "$@" >/dev/null
}
bin=build/release
work=$(mktemp -d)
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
agent_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

run_serve() {  # run_serve WORKSPACE OUT ERR ARGS...
  local ws=$1 out=$2 err=$3
  shift 3
  mkdir -p "$work/path"
  cp "$bin/tools/ngrok-standin/ngrok-standin" "$work/path/ngrok"
  exec ${serve_timeout:+timeout "$serve_timeout"} env -u RUNPOD_API_KEY -u PUBLIC_WEBHOOK_BASE_URL PATH="$work/path:$PATH" \
    NGROK_AUTHTOKEN=load-test NGROK_AGENT_API_URL="http://127.0.0.1:$agent_port" \
    NGROK_STANDIN_DELAY_MS=0 "${serve_binary:-$bin/src/actor-trainer}" -w "$ws" serve "$@" >"$out" 2>"$err"
}

start_serve() {  # start_serve WORKSPACE: API and webhooks on free ports, in the background
  rm -f "$work/serve.out" "$work/serve.err"
  run_serve "$1" "$work/serve.out" "$work/serve.err" --port 0 --webhook-port 0 &
  serve_pid=$!
  for _ in $(seq 200); do grep -q "API and UI" "$work/serve.out" 2>/dev/null && break; sleep 0.05; done
  port=$(grep -o 'API and UI: http://127.0.0.1:[0-9]*' "$work/serve.out" | grep -o '[0-9]*$' || true)
  webhook_port=$(grep -o 'webhook listener: http://127.0.0.1:[0-9]*' "$work/serve.out" |
    grep -o '[0-9]*$' || true)
  if [ -z "$port" ] || [ -z "$webhook_port" ]; then
    echo "serve did not start"
    cat "$work/serve.err"
    exit 1
  fi
  url="http://127.0.0.1:$port"
}
