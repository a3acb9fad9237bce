#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test: unit first, then integration, the Release
# build and its .deb, then the guards (a benchmark smoke run, fuzzers briefly, a short chaos soak).
# Exits non-zero on any failure. CI runs exactly this (.ci/run, with CI=true).
#   scripts/test.sh [--sanitize] [--tsan]
#     --sanitize   the unit and integration tests run under ASan + UBSan (scripts/sanitize.sh address)
#                  instead of in a plain build; the default in CI (CI=true)
#     --tsan       also the unit tests and the threaded integration tests under TSan (scripts/sanitize.sh thread)
set -euo pipefail
cd "$(dirname "$0")/.."

asan=false
tsan=false
[[ ${CI:-} == true ]] && asan=true
for arg in "$@"; do
  case $arg in
    --sanitize) asan=true ;;
    --tsan) tsan=true ;;
    *) echo "usage: scripts/test.sh [--sanitize] [--tsan]" >&2; exit 2 ;;
  esac
done
started=$SECONDS
took() { echo "   ($(($SECONDS - started)) s so far)"; }

./scripts/deps.sh

# The suite runs once: under ASan + UBSan (CI), which also fails on a report from any process of a
# test, or in a plain RelWithDebInfo build (quicker to build, for an edit loop).
if $asan; then
  echo "== unit and integration tests under ASan + UBSan (scripts/sanitize.sh address)"
  ./scripts/sanitize.sh address
else
  build_dir=${VIGIL_BUILD_DIR:-build}
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_WERROR=ON >/dev/null
  cmake --build "$build_dir"
  echo "== unit tests"
  ctest --test-dir "$build_dir" -L unit --output-on-failure -j "$(nproc)"
  echo "== integration tests (real vigil binary, real children)"
  ctest --test-dir "$build_dir" -L integration --output-on-failure -j "$(nproc)"
fi
took
# What a packager builds: Release (-O3 raises warnings -O2 does not), and the .deb made from it. The
# benchmark smoke run and the soak use this binary too.
echo "== Release build and its .deb (tests/package/deb_test.sh)"
release_dir=${VIGIL_RELEASE_BUILD_DIR:-build-release}
cmake -S . -B "$release_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIL_WERROR=ON \
  -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=ON >/dev/null
cmake --build "$release_dir"
./tests/package/deb_test.sh "$release_dir"
took
# The benchmarks are not tests: their numbers are printed, never judged (a slow machine is not a
# failure). The smoke run only keeps the scripts working; it fails when a figure cannot be measured.
echo "== benchmark smoke run (scripts/bench.sh --smoke: each figure once at its smallest)"
VIGIL_BUILD_DIR="$release_dir" ./scripts/bench.sh --smoke
took
# Each fuzzer briefly: the harnesses keep building, and every stored input (seeds, and the
# regression inputs of fixed findings) keeps passing.
echo "== fuzzers (scripts/fuzz.sh: 10 s each after replaying every stored input)"
./scripts/fuzz.sh "${VIGIL_FUZZ_SECONDS:-10}"
took
echo "== chaos soak (bench/soak.sh 40: about a minute in all)"
VIGIL_BUILD_DIR="$release_dir" ./bench/soak.sh 40
took
if $tsan; then
  echo "== unit and threaded integration tests under TSan (scripts/sanitize.sh thread)"
  ./scripts/sanitize.sh thread
  took
fi
echo "== all passed in $((SECONDS - started)) s"
