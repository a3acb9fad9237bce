#!/usr/bin/env bash
# Installs dependencies, builds, and runs the example supervision tree (docs/examples/) in the
# foreground: a private redis-server on a unix socket, a scanner that drops scan files, and the
# scan-bridge that pushes the latest scan into Redis. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh
build_dir=${VIGIL_BUILD_DIR:-build}
if [[ ! -x $build_dir/vigil ]]; then
  echo "== building vigil: a first build takes about two minutes on two cores (more on a busy machine); later runs take seconds"
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" --target vigil

example=docs/examples
mkdir -p "$example/run/scans"
"$build_dir/vigil" check -c "$example/vigil.toml"
cat <<MSG

vigil is starting the example tree. In another terminal:
  tail -f $example/run/logs/scan-bridge.log        what the bridge prints
  redis-cli -s $example/run/redis.sock hgetall latest_scan
  $build_dir/vigil status -c $example/vigil.toml       the health table (exit code 0/1/2/3)
  kill -9 \$(pgrep -f scan_bridge.py)                 watch vigil restart it
Ctrl-C here stops every service in reverse dependency order.

MSG
exec "$build_dir/vigil" run -c "$example/vigil.toml"
