#!/usr/bin/env bash
# Builds vigil, its tests and fixtures with a sanitizer in their own build dir and runs the suite:
#   scripts/sanitize.sh address   ASan + UBSan (no recovery): every unit and integration test
#   scripts/sanitize.sh thread    TSan: the unit tests and the integration tests of vigil's threads
#                                 (log writer, sampling thread, notifier channels, status writer)
# Every sanitized process (vigil, the tests, the fixture children) writes its reports to files; the
# run fails when a test fails or when any report was written, even one from a child whose exit no
# test looked at.
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:?usage: scripts/sanitize.sh address|thread}
case $kind in
  address)
    # vptr is recoverable: UBSan proves a vtable readable with a pipe() first, so in a process out
    # of fds (Control.OutOfFileDescriptorsPausesAcceptingAndRecovers) every virtual call looks like
    # one on a bad object. Unrecoverable, that false report killed vigil; recoverable, it goes to
    # stderr and vigil goes on. A real one still aborts (halt_on_error=1 below) and its report file
    # fails the run.
    flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-recover=vptr -fno-omit-frame-pointer"
    # -O0: it builds in two thirds of -O1's time (CI builds it from scratch); the tests wait on
    # processes and sockets far more than on vigil's code.
    optimize="-O0"
    integration='.' ;;
  thread)
    flags="-fsanitize=thread"
    optimize="-O1"  # TSan's checks on every memory access make -O0 code several times slower
    # The integration tests whose vigil runs its threads hardest: logs (writer thread), health and
    # store (sampling thread, status.json), alerts and notify (notifier channels), reload and control,
    # and the launcher (the clone shares memory with the thread that starts it).
    integration='^(Output|Health|Store|Alerts|Notify|Reload|Control|ChildProcess)\.' ;;
  *) echo "sanitize: unknown kind '$kind' (address or thread)" >&2; exit 2 ;;
esac
build_dir=${VIGIL_SANITIZE_BUILD_DIR:-build-$kind}

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="$optimize -g1" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DVIGIL_BUILD_BENCH=OFF -DVIGIL_TEST_TIMEOUT=300 >/dev/null
# Everything: the adapter tests are a binary of their own, and the install test installs from this tree.
cmake --build "$build_dir"

reports=$(mktemp -d "${TMPDIR:-/tmp}/vigil-$kind-reports.XXXXXX")
trap 'rm -rf "$reports"' EXIT
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan"
export VIGIL_SANITIZER=$kind  # for the few bounds a sanitizer's own memory would break (tests/integration/retire_test.cpp)

status=0
ctest --test-dir "$build_dir" -L unit -j "$(nproc)" --output-on-failure || status=$?
ctest --test-dir "$build_dir" -L integration -R "$integration" -j "$(nproc)" --output-on-failure || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "== sanitizer reports ($kind):" >&2
  for f in "$reports"/*; do echo "--- $f" >&2; head -60 "$f" >&2; done
  status=1
fi
((status == 0)) && echo "sanitize: $kind clean"
exit "$status"
