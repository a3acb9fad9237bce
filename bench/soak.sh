#!/usr/bin/env bash
# A bounded chaos soak of the real vigil binary: bench/soak.sh [DURATION_SECONDS] [--keep]
# (default 60 s; docs/performance.md has what it does and the figures of a 10-minute run).
# Exits non-zero when vigil crashed, left a zombie or an orphan, grew fds or memory, lost a line,
# or stopped answering. Uses VIGIL_BINARY, else VIGIL_BUILD_DIR/vigil (default build/vigil).
set -euo pipefail
cd "$(dirname "$0")/.."
vigil=${VIGIL_BINARY:-${VIGIL_BUILD_DIR:-build}/vigil}
[[ -x $vigil ]] || { echo "soak: no vigil binary at $vigil (build first, or set VIGIL_BINARY)" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "soak: redis-server is missing (scripts/deps.sh)" >&2; exit 2; }
exec python3 bench/soak.py "$vigil" "$@"
