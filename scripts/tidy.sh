#!/usr/bin/env bash
# clang-tidy (config: .clang-tidy, every warning an error) over our sources, using the
# compile database of a configured build folder. Usage: scripts/tidy.sh BUILD_DIR
#
# The presets build in unity mode, so the database names CMake's unity files, each of which
# includes a batch of our .cpp files. clang-tidy then reads the big library headers once per
# batch instead of once per file (about half the time) and reports findings in the included
# .cpp files, which the HeaderFilterRegex covers. Two checks see things differently there:
# - bugprone-suspicious-include would flag every line of a unity file, so it is off and a grep
#   below refuses a .cpp include in our own files instead;
# - misc-unused-using-decls looks at the main file only, so it runs once more, alone, on each
#   file that has a using-declaration, with that file as the main file.
# Every tracked .cpp file must be in the database, directly or through a unity file, so no
# file escapes the lint.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/dev}"
[ -f "$build/compile_commands.json" ] || { echo "tidy: configure $build first" >&2; exit 1; }
mapfile -t sources < <(git ls-files -co --exclude-standard 'src/*.cpp' 'tests/*.cpp' 'bench/*.cpp' 'tools/*.cpp')
if grep -nE '^#include *["<].*\.(c|cc|cpp|cxx)[">]' "${sources[@]}"; then
  echo "tidy: a source file includes a .cpp file (above)"
  exit 1
fi

# Writes $build/tidy-by-file/compile_commands.json (each unity-built file that has a
# using-declaration, with its unit's command) and prints the units to lint.
by_file="$build/tidy-by-file"
mkdir -p "$by_file"
unit_list=$(python3 - "$build/compile_commands.json" "$by_file/compile_commands.json" "$PWD" "${sources[@]}" <<'EOF'
import json, os, re, sys
USING = re.compile(r'^ *using +[A-Za-z_:~]+ *;', re.M)
database, by_file, root, sources = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
wanted = {os.path.join(root, s) for s in sources}
units, covered, per_file = [], set(), []
for entry in json.load(open(database)):
    path = os.path.join(entry["directory"], entry["file"])
    if path in wanted:
        units.append(path)
        covered.add(path)
    elif "/Unity/unity_" in path:
        batch = [b for b in re.findall(r'^#include "(.+)"$', open(path).read(), re.M) if b in wanted]
        if batch:
            units.append(path)
            covered.update(batch)
        for b in (b for b in batch if USING.search(open(b).read())):
            per_file.append({"directory": entry["directory"], "file": b,
                             "command": entry["command"].replace(entry["file"], b)})
missing = sorted(wanted - covered)
for m in missing:
    print(f"tidy: {os.path.relpath(m, root)} is in no compile database entry of the build", file=sys.stderr)
if missing:
    sys.exit(1)
json.dump(per_file, open(by_file, "w"), indent=1)
print("\n".join(sorted(set(units))))
EOF
)
mapfile -t units <<<"$unit_list"
with_using=$(grep -c '"file":' "$by_file/compile_commands.json" || true)

log=$(mktemp)
status=0
run-clang-tidy -quiet -checks=-bugprone-suspicious-include -extra-arg=-Wno-unknown-warning-option \
  -p "$build" -j "$(nproc)" "${units[@]}" >"$log" 2>&1 || status=$?
if [ "$with_using" -gt 0 ]; then  # every file of that database
  run-clang-tidy -quiet -checks='-*,misc-unused-using-decls' -extra-arg=-Wno-unknown-warning-option \
    -p "$by_file" -j "$(nproc)" >>"$log" 2>&1 || status=$?
fi
grep -E 'warning:|error:' "$log" | sort -u || true
[ $status -eq 0 ] || [ -s "$log" ] || echo "tidy: run-clang-tidy failed without output"
rm -f "$log"
[ $status -eq 0 ] && echo "tidy: ok (${#sources[@]} files in ${#units[@]} units; using-declarations in $with_using files)"
exit $status
