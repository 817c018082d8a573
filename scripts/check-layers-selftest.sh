#!/usr/bin/env bash
# Proves that check-layers.sh fails on a forbidden include: copies the tree, adds one bad
# include per rule, and expects a failure each time (and success on the untouched copy).
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/src" "$root/docs" "$root/scripts" "$work/"
bash "$work/scripts/check-layers.sh" "$work" >/dev/null || { echo "selftest: clean tree fails"; exit 1; }

expect_failure() {
  local file=$1 line=$2
  cp "$work/$file" "$work/$file.orig"
  echo "$line" >> "$work/$file"
  if bash "$work/scripts/check-layers.sh" "$work" >/dev/null; then
    echo "selftest: '$line' in $file was not caught"
    exit 1
  fi
  mv "$work/$file.orig" "$work/$file"
}
expect_failure src/core/plan.cpp '#include "registry/actor_json.h"'
expect_failure src/core/plan.h '#include <nlohmann/json.hpp>'
expect_failure src/core/plan.cpp '#include <fstream>'
expect_failure src/base/strings.cpp '#include "core/actor.h"'
expect_failure src/registry/actor_json.cpp '#include "images/vips_scanner.h"'
expect_failure src/cli/output.cpp '#include "registry/json_file_actor_registry.h"'
mkdir -p "$work/src/newlayer" && echo '#include "base/error.h"' > "$work/src/newlayer/x.cpp"
if bash "$work/scripts/check-layers.sh" "$work" >/dev/null; then echo "selftest: unlisted layer not caught"; exit 1; fi
echo "check-layers selftest: ok"
