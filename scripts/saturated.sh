#!/usr/bin/env bash
# The integration suite on a saturated machine: `stress-ng --cpu N` (N = cores) busy beside
# `ctest -L integration -j2 --repeat until-fail:3`. Must pass: tests assert what vigil does, never
# what the machine can do. Bounded: stress-ng stops with this script (and after 2 hours at most).
#   scripts/saturated.sh [REPEATS]      (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
build_dir=${VIGIL_BUILD_DIR:-build}
command -v stress-ng >/dev/null || { echo "saturated: stress-ng is missing (scripts/deps.sh)" >&2; exit 2; }

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" --target vigil vigil_integration_tests fd_lister notify_daemon

stress-ng --cpu "$(nproc)" --timeout 7200s --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null; wait "$stress" 2>/dev/null || true' EXIT
echo "== integration suite x$repeats (until it fails) beside stress-ng --cpu $(nproc)"
start=$SECONDS
ctest --test-dir "$build_dir" -L integration -j2 --repeat "until-fail:$repeats" --output-on-failure
echo "saturated: passed in $((SECONDS - start)) s"
