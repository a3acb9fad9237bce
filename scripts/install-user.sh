#!/usr/bin/env bash
# Installs vigil for the current user, no root needed:
#   ~/.local/bin/vigil, ~/.config/systemd/user/vigil.service, ~/.local/share/man/man1/vigil.1,
#   and an example config + rules in ~/.config/vigil/ (never overwriting existing ones).
# usage: scripts/install-user.sh [--uninstall]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

config_home=${XDG_CONFIG_HOME:-$HOME/.config}
bin_dir=$HOME/.local/bin
unit_dir=$config_home/systemd/user
man_dir=$HOME/.local/share/man/man1
conf_dir=$config_home/vigil

if [[ ${1:-} == "--uninstall" ]]; then
  if command -v systemctl >/dev/null && systemctl --user is-active --quiet vigil 2>/dev/null; then
    systemctl --user disable --now vigil || true
  fi
  rm -f "$bin_dir/vigil" "$unit_dir/vigil.service" "$man_dir/vigil.1"
  echo "removed $bin_dir/vigil, $unit_dir/vigil.service, $man_dir/vigil.1"
  echo "kept your config in $conf_dir and logs in ${XDG_STATE_HOME:-$HOME/.local/state}/vigil (remove them by hand if you want)"
  command -v systemctl >/dev/null && systemctl --user daemon-reload 2>/dev/null || true
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: scripts/install-user.sh [--uninstall]" >&2
  exit 2
fi

# Build if needed (the build tools come from scripts/deps.sh, which needs root once).
build_dir=${VIGIL_BUILD_DIR:-build}
if [[ ! -x $build_dir/vigil ]] || [[ -n $(find src include CMakeLists.txt -newer "$build_dir/vigil" -print -quit 2>/dev/null) ]]; then
  command -v cmake >/dev/null || { echo "cmake is missing: run ./scripts/deps.sh (as root or with sudo) first" >&2; exit 1; }
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" --target vigil
fi

install -d -m 755 "$bin_dir" "$unit_dir" "$man_dir"
install -m 755 "$build_dir/vigil" "$bin_dir/vigil"
install -m 644 units/vigil.service "$unit_dir/vigil.service"
install -m 644 docs/vigil.1 "$man_dir/vigil.1"
echo "installed $bin_dir/vigil, $unit_dir/vigil.service, $man_dir/vigil.1"

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
