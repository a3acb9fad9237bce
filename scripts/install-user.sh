#!/usr/bin/env bash
# Installs vigil for the current user, no root needed, with the project's install rules
# (`cmake --install --prefix ~/.local --strip`, see cmake/VigilInstall.cmake):
#   ~/.local/bin/vigil, ~/.local/share/man/man1/vigil.1.gz, ~/.local/share/doc/vigil/,
#   the user unit in ~/.local/lib/systemd/user/ and a copy where systemd looks, ~/.config/systemd/user/,
#   and an example config + rules in ~/.config/vigil/ (never overwriting existing ones).
# usage: scripts/install-user.sh [--uninstall]
#   VIGIL_BUILD_DIR: the build directory to install from (default build-release, a Release build,
#   configured and built here when it has no binary yet or the sources are newer).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=$HOME/.local
config_home=${XDG_CONFIG_HOME:-$HOME/.config}
bin_dir=$prefix/bin
unit_dir=$config_home/systemd/user
conf_dir=$config_home/vigil
installed=(bin/vigil share/man/man1/vigil.1.gz lib/systemd/user/vigil.service)

if [[ ${1:-} == "--uninstall" ]]; then
  if command -v systemctl >/dev/null && systemctl --user is-active --quiet vigil 2>/dev/null; then
    systemctl --user disable --now vigil || true
  fi
  for f in "${installed[@]}"; do rm -f "$prefix/$f"; done
  rm -rf "$prefix/share/doc/vigil"
  rm -f "$unit_dir/vigil.service"
  echo "removed $bin_dir/vigil, its man page, docs and unit ($unit_dir/vigil.service)"
  echo "kept your config in $conf_dir and logs in ${XDG_STATE_HOME:-$HOME/.local/state}/vigil (remove them by hand if you want)"
  command -v systemctl >/dev/null && systemctl --user daemon-reload 2>/dev/null || true
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: scripts/install-user.sh [--uninstall]" >&2
  exit 2
fi

command -v cmake >/dev/null || { echo "cmake is missing: run ./scripts/deps.sh (as root or with sudo) first" >&2; exit 1; }
build_dir=${VIGIL_BUILD_DIR:-build-release}
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  echo "== configuring a Release build in $build_dir (the first build compiles for a few minutes)"
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF >/dev/null
fi
if [[ ! -x $build_dir/vigil ]] || [[ -n $(find src include CMakeLists.txt cmake -newer "$build_dir/vigil" -print -quit 2>/dev/null) ]]; then
  cmake --build "$build_dir" --target vigil
fi
cmake --build "$build_dir" --target vigil_install_files >/dev/null  # the compressed man page, changelog
cmake --install "$build_dir" --prefix "$prefix" --strip >/dev/null
# systemd --user does not look in ~/.local/lib/systemd/user: the unit goes where it does look.
install -d -m 755 "$unit_dir"
install -m 644 "$prefix/lib/systemd/user/vigil.service" "$unit_dir/vigil.service"
echo "installed $bin_dir/vigil, $unit_dir/vigil.service, the man page (man vigil) and $prefix/share/doc/vigil/"

install -d -m 700 "$conf_dir"
wrote_example=false
if [[ -e $conf_dir/vigil.toml ]]; then
  echo "kept your existing $conf_dir/vigil.toml"
else
  wrote_example=true
  # The example tree, with vigil's own socket and logs at their default places (XDG).
  sed -e '/^socket = /d' -e '/^log_dir = /d' docs/examples/vigil.toml > "$conf_dir/vigil.toml"
  for f in scanner.py scan_bridge.py; do install -m 644 "docs/examples/$f" "$conf_dir/$f"; done
  install -d -m 700 "$conf_dir/run/scans"
  echo "wrote an example $conf_dir/vigil.toml (a private redis, a scanner and a bridge): edit it for your services"
fi
# The example rules name the example's services: they only go with the example config.
if [[ -e $conf_dir/rules.toml ]]; then
  echo "kept your existing $conf_dir/rules.toml"
elif $wrote_example; then
  install -m 644 docs/examples/rules.toml "$conf_dir/rules.toml"
  echo "wrote an example $conf_dir/rules.toml"
fi
"$bin_dir/vigil" check -c "$conf_dir/vigil.toml"

cat <<MSG

Next:
  systemctl --user daemon-reload
  systemctl --user enable --now vigil
  loginctl enable-linger ${USER:-$(id -un)}        # keep vigil running without a login session (and start it at boot)
  $bin_dir/vigil status
MSG
case ":$PATH:" in *":$bin_dir:"*) ;; *) echo "  (add $bin_dir to your PATH to type just 'vigil')";; esac
