#!/usr/bin/env bash
# Installs every Debian 12 package vigil needs to build, test and run its demo.
# Idempotent: packages already present are not touched, and apt is only called when something is missing.
# Never installs unversioned libboost-*-dev: those pull Boost 1.74, which conflicts with 1.81.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  ccache                     # a rebuild reuses what was compiled before (picked up by CMakeLists.txt)
  libboost1.81-dev libboost-url1.81-dev libre2-dev
  libsystemd-dev libhiredis-dev libspdlog-dev libfmt-dev libtoml11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcurl4-openssl-dev
  libsqlite3-dev             # the job run history
  prometheus-alertmanager
  prometheus                 # a real Prometheus scraping vigil, promtool (tests/integration/http_test.cpp)
  chromium                   # the dashboard in a headless browser (tests/integration/fleet_test.cpp)
  redis-server python3 procps tzdata
  clang libclang-rt-14-dev   # libFuzzer harnesses with ASan + UBSan (scripts/fuzz.sh)
  stress-ng                  # the integration suite on a saturated machine (scripts/saturated.sh)
  supervisor                 # the peer in the benchmark table (scripts/bench.sh)
  util-linux                 # prlimit: the out-of-file-descriptors test
  groff-base                 # formats docs/vigil.1 (tests/system/man_page_test.sh)
  lintian file man-db        # checks the .deb and what it installs (tests/package/deb_test.sh)
)
# The log_match prefilter (src/core/line_prefilter.cpp); Debian 12 builds Vectorscan for these only,
# and vigil builds without it elsewhere.
case $(dpkg --print-architecture) in
  amd64 | arm64 | ppc64el) packages+=(libvectorscan-dev) ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "deps: installing ${missing[*]}"
apt_opts=(-y -q -o DPkg::Lock::Timeout=600 --no-install-recommends)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "${missing[@]}"
