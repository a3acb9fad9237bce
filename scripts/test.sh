#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: unit first, then integration.
# Exits non-zero on any failure. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh

build_dir=${VIGIL_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir"

echo "== unit tests"
ctest --test-dir "$build_dir" -L unit --output-on-failure -j "$(nproc)"
echo "== integration tests (real vigil binary, real children)"
ctest --test-dir "$build_dir" -L integration --output-on-failure -j "$(nproc)"
# The benchmarks are not tests: their numbers are printed, never judged (a slow machine is not a
# failure). The quick run only keeps the scripts working; it fails when a figure cannot be measured.
echo "== benchmark smoke run (scripts/bench.sh --quick, ~40 s)"
VIGIL_BUILD_DIR="$build_dir" ./scripts/bench.sh --quick
