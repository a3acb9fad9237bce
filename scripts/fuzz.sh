#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang (ASan + UBSan, in their own build dir),
# replays every stored input of each corpus (seeds and regression inputs), then fuzzes each harness
# for SECONDS (default 60). Exits non-zero on the first crash, leak, timeout or out-of-memory.
#   scripts/fuzz.sh [SECONDS] [NAME...]     e.g. scripts/fuzz.sh 600 expr rules
# New inputs found while fuzzing go to BUILD/corpus/NAME (not into the repository); a crash leaves
# BUILD/crash-NAME-<sha1>: once the defect is fixed, copy it into tests/fuzz/corpus/NAME/ as a
# regression input (docs/HACKING.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
build_dir=${VIGIL_FUZZ_BUILD_DIR:-build-fuzz}
src=tests/fuzz

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1" \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DVIGIL_FUZZ=ON -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF >/dev/null
cmake --build "$build_dir" --target fuzzers

if (($# > 0)); then
  names=("$@")
else
  names=()
  for f in "$src"/*_fuzz.cpp; do names+=("$(basename "$f" _fuzz.cpp)"); done
fi

# Stop at the first finding; leaks count; a single input slower than 10 s is a hang. A 64 MiB
# quarantine, not 256: line_match compiles a Vectorscan database per input, and with the default
# its RSS passed 800 MB in two minutes (freed memory held, fragmented) on the way to the 2 GB limit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1:quarantine_size_mb=64}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
fail=0
printf '%-12s %12s %10s %8s  %s\n' fuzzer executions exec/s corpus result
for name in "${names[@]}"; do
  bin="$build_dir/tests/fuzz/fuzz_$name"
  seeds="$src/corpus/$name"
  work="$build_dir/corpus/$name"
  log="$build_dir/fuzz-$name.log"
  mkdir -p "$work"
  opts=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build_dir/crash-$name-" -print_final_stats=1)
  [[ -f "$src/$name.dict" ]] && opts+=(-dict="$src/$name.dict")
  # Every stored input first (the seeds and the regression inputs of fixed findings), then fuzzing
  # from them: libFuzzer writes new inputs only to the first directory, the work corpus.
  result=ok
  if ! "$bin" "${opts[@]}" -max_total_time="$seconds" "$work" "$seeds" >"$log" 2>&1; then
    result="FAILED: see $log"
    fail=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  size=$(find "$work" -type f | wc -l)
  printf '%-12s %12s %10s %8s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "$size" "$result"
  if [[ $result != ok ]]; then
    grep -E 'ERROR: |runtime error|SUMMARY|Test unit written|artifact' "$log" | head -8 >&2 || true
  fi
done
exit "$fail"
