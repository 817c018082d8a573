#!/usr/bin/env bash
# clang-format over our C++ (check: fail on any difference; fix: rewrite in place), plus
# trailing whitespace and CRLF checks on every tracked text file.
# Usage: scripts/format.sh check|fix
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-check}"
mapfile -t files < <(git ls-files -co --exclude-standard 'src/*.h' 'src/*.cpp' 'tests/*.h' 'tests/*.cpp' 'bench/*.cpp' 'tools/*.cpp' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ "$mode" = fix ]; then
  clang-format -i "${files[@]}"
  echo "format: rewrote ${#files[@]} files"
  exit 0
fi
status=0
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/format-$$.log; then
  grep -E '^[^ ].*: (error|warning)' /tmp/format-$$.log | cut -d: -f1 | sort -u | sed 's/^/format: needs clang-format: /'
  status=1
fi
rm -f /tmp/format-$$.log
while IFS= read -r f; do
  [ -f "$f" ] || continue
  case "$f" in *.jpg|*.png|*.webp|*.tif) continue ;; esac
  if grep -Il . "$f" >/dev/null && grep -nE '[[:blank:]]+$' "$f" >/dev/null; then
    echo "format: trailing whitespace in $f"; status=1
  fi
  if grep -Il . "$f" >/dev/null && grep -q $'\r' "$f"; then echo "format: CRLF line ends in $f"; status=1; fi
done < <(git ls-files -co --exclude-standard -- ':!examples/workspace/data' ':!*.jpg' ':!*.png')
[ $status -eq 0 ] && echo "format: ok (${#files[@]} C++ files)"
exit $status
