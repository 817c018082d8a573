#!/usr/bin/env bash
# Each helper program given as an argument must answer --help with its usage, exit 0, and
# write nothing in the folder it runs in.
set -uo pipefail
status=0
for program in "$@"; do
  dir=$(mktemp -d)
  out=$(cd "$dir" && "$program" --help 2>&1)
  code=$?
  if [ $code -ne 0 ] || [[ $out != *usage:* ]]; then
    echo "FAIL $program --help: exit $code, output: $out"; status=1
  fi
  if [ -n "$(ls -A "$dir")" ]; then
    echo "FAIL $program --help wrote: $(ls -A "$dir")"; status=1
  fi
  rm -rf "$dir"
done
[ $status -eq 0 ] && echo "ok: $# programs answer --help"
exit $status
