#!/usr/bin/env bash
# clang-format over our C++ (check: fail on any difference; fix: rewrite in place), plus
# trailing whitespace and CRLF checks on every tracked text file.
# Usage: scripts/format.sh check|fix
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-check}"
mapfile -t files < <(git ls-files -co --exclude-standard 'src/*.h' 'src/*.cpp' 'tests/*.h' 'tests/*.cpp' 'bench/*.cpp' 'tools/*.cpp' 'fuzz/*.cpp' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
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
# Text files only (-I skips binary ones); untracked files count too, ignored ones do not.
not_text=(':!examples/workspace/data' ':!*.jpg' ':!*.png' ':!*.webp' ':!*.tif')
while IFS= read -r f; do
  echo "format: trailing whitespace in $f"; status=1
done < <(git grep --untracked -I -lE '[[:blank:]]+$' -- "${not_text[@]}" || true)
while IFS= read -r f; do
  echo "format: CRLF line ends in $f"; status=1
done < <(git grep --untracked -I -l $'\r' -- "${not_text[@]}" || true)
[ $status -eq 0 ] && echo "format: ok (${#files[@]} C++ files)"
exit $status
