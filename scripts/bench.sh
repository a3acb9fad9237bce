#!/usr/bin/env bash
# Runs every benchmark and prints one table: the Google Benchmark hot paths, then the whole-system
# figures (real vigil binary, floors measured in the same run).
# Benchmarks, not tests: a slow machine prints slow numbers, nothing fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# --quick: fewer runs (noisy figures); --smoke: each figure once at its smallest, to keep the scripts
# working (scripts/test.sh).
mode=${1:-}
[[ -z $mode || $mode == --quick || $mode == --smoke ]] || { echo "usage: scripts/bench.sh [--quick | --smoke]" >&2; exit 2; }

# VIGIL_BUILD_DIR: a build dir as it was configured (scripts/test.sh passes its Release one), else a
# RelWithDebInfo one in build/.
build_dir=${VIGIL_BUILD_DIR:-build}
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build_dir" --target vigil vigil_bench proc_read_floor >/dev/null

echo "== hot paths (Google Benchmark)"
min_time=0.5
[[ $mode == --quick ]] && min_time=0.05
[[ $mode == --smoke ]] && min_time=0.001
"$build_dir/bench/vigil_bench" --benchmark_min_time=$min_time 2>/dev/null
echo
echo "== whole system ($(nproc) cores, $(uname -r))"
python3 bench/system/bench.py "$build_dir/vigil" $mode
