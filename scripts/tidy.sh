#!/usr/bin/env bash
# clang-tidy (config: .clang-tidy, every warning an error) over our sources, using the
# compile database of a configured build folder. Usage: scripts/tidy.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/dev}"
[ -f "$build/compile_commands.json" ] || { echo "tidy: configure $build first" >&2; exit 1; }
mapfile -t files < <(git ls-files -co --exclude-standard 'src/*.cpp' 'tests/*.cpp' 'bench/*.cpp' 'tools/*.cpp')
log=$(mktemp)
status=0
run-clang-tidy -quiet -extra-arg=-Wno-unknown-warning-option -p "$build" -j "$(nproc)" "${files[@]}" >"$log" 2>&1 || status=$?
grep -E 'warning:|error:' "$log" | sort -u || true
[ $status -eq 0 ] || [ -s "$log" ] || echo "tidy: run-clang-tidy failed without output"
rm -f "$log"
[ $status -eq 0 ] && echo "tidy: ok (${#files[@]} files)"
exit $status
