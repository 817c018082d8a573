#!/usr/bin/env bash
# Fails when a file under src/ includes a folder its layer may not use, or when base/ or
# core/ include an IO, JSON or SQL header. The allowed table is read from
# docs/architecture.md (the rows between the "layers:begin" and "layers:end" markers).
# Usage: scripts/check-layers.sh [REPO_ROOT]
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
doc="$root/docs/architecture.md"
[ -f "$doc" ] || { echo "check-layers: $doc is missing" >&2; exit 1; }

declare -A allowed
while IFS='|' read -r _ folder deps _; do
  folder=$(echo "$folder" | tr -d ' `/')
  deps=$(echo "$deps" | tr -d '`/' | tr ',' ' ')
  [ -n "$folder" ] && allowed[$folder]="$deps"
done < <(sed -n '/layers:begin/,/layers:end/p' "$doc" | grep '^| `')

[ ${#allowed[@]} -gt 0 ] || { echo "check-layers: no table found in $doc" >&2; exit 1; }

status=0
for dir in "$root"/src/*/; do
  layer=$(basename "$dir")
  if [ -z "${allowed[$layer]+x}" ]; then
    echo "check-layers: src/$layer is not in the table in docs/architecture.md"
    status=1
    continue
  fi
  while IFS= read -r line; do
    file=${line%%:*}
    [[ $line =~ \#include\ *\"([a-z_]+)/ ]] || continue
    target=${BASH_REMATCH[1]}
    case " ${allowed[$layer]} $layer " in
      *" $target "*) ;;
      *) echo "check-layers: ${file#"$root"/} includes $target/, which $layer/ may not use"; status=1 ;;
    esac
  done < <(grep -HnE '^#include *"[a-z_]+/' -r "$dir" --include='*.h' --include='*.cpp' --include='*.in' \
           | grep -v '_test\.cpp:' || true)
done

# The core stays pure: no files, sockets, threads, JSON or SQL.
impure='#include *[<"](httplib|curl/|sqlite3|SQLiteCpp|nlohmann/|vips/|toml|CLI/|openssl/|fstream>|thread>|iostream>|filesystem>|unistd|fcntl|sys/)'
if grep -rnE "$impure" "$root/src/core" "$root/src/base" --include='*.h' --include='*.cpp' \
   | grep -vE 'src/base/(files|paths)\.(h|cpp)|_test\.cpp:'; then
  echo "check-layers: base/ or core/ includes an IO, JSON or SQL header (above)"
  status=1
fi
[ $status -eq 0 ] && echo "check-layers: ok (${#allowed[@]} layers)"
exit $status
