#!/usr/bin/env bash
# scripts/install-user.sh installs (through `cmake --install`) and uninstalls as an ordinary user
# would, and the unit it installs passes `systemd-analyze verify --user` with no output at all: the
# tool exits 0 on typos and only prints them, so any output is a failure.
# usage: unit_verify.sh VIGIL_BINARY (its directory is the build tree installed from)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=$(cd "$(dirname "$1")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/run"
chmod 700 "$work/run"

home2=$work/home2
mkdir -p "$home2"
HOME=$home2 XDG_CONFIG_HOME= VIGIL_BUILD_DIR=$build_dir "$repo/scripts/install-user.sh" > "$work/install.out"
for f in .local/bin/vigil .config/systemd/user/vigil.service .local/share/man/man1/vigil.1.gz \
         .local/share/doc/vigil/config.md .local/share/doc/vigil/examples/vigil.toml .local/share/doc/vigil/copyright \
         .config/vigil/vigil.toml .config/vigil/rules.toml; do
  [[ -e $home2/$f ]] || { echo "install-user.sh did not install $f"; cat "$work/install.out"; exit 1; }
done
grep -q "systemctl --user enable --now vigil" "$work/install.out" || { echo "no next steps printed"; exit 1; }
file "$home2/.local/bin/vigil" | grep -q ", stripped" || { echo "the installed binary is not stripped"; exit 1; }
unit=$home2/.config/systemd/user/vigil.service
grep -qx "ExecStart=$home2/.local/bin/vigil run -c %E/vigil/vigil.toml" "$unit" \
  || { echo "the installed unit does not start the installed binary:"; grep ExecStart "$unit"; exit 1; }
out=$(HOME=$home2 XDG_RUNTIME_DIR=$work/run XDG_CONFIG_HOME=$home2/.config PATH=$home2/.local/bin:$PATH \
      systemd-analyze verify --user "$unit" 2>&1) || { echo "verify failed: $out"; exit 1; }
if [[ -n $out ]]; then echo "systemd-analyze printed (a typo or a bad setting):"; echo "$out"; exit 1; fi
echo "ok: systemd-analyze verify --user is silent on the installed unit"

echo "# edited by the user" >> "$home2/.config/vigil/vigil.toml"
HOME=$home2 XDG_CONFIG_HOME= VIGIL_BUILD_DIR=$build_dir "$repo/scripts/install-user.sh" > "$work/again.out"
grep -q "edited by the user" "$home2/.config/vigil/vigil.toml" || { echo "install-user.sh overwrote the user's config"; exit 1; }
HOME=$home2 XDG_CONFIG_HOME= "$repo/scripts/install-user.sh" --uninstall > /dev/null
for f in .local/bin/vigil .config/systemd/user/vigil.service .local/share/man/man1/vigil.1.gz .local/share/doc/vigil; do
  [[ ! -e $home2/$f ]] || { echo "--uninstall left $f"; exit 1; }
done
[[ -e $home2/.config/vigil/vigil.toml ]] || { echo "--uninstall removed the user's config"; exit 1; }
# A user with their own config and no rules gets no example rules naming services they do not have.
home3=$work/home3
mkdir -p "$home3/.config/vigil"
printf '[service.mine]\ncommand = ["sleep", "1"]\n' > "$home3/.config/vigil/vigil.toml"
HOME=$home3 XDG_CONFIG_HOME= VIGIL_BUILD_DIR=$build_dir "$repo/scripts/install-user.sh" > "$work/own.out" \
  || { echo "install-user.sh failed on the user's own config:"; cat "$work/own.out"; exit 1; }
[[ ! -e $home3/.config/vigil/rules.toml ]] || { echo "example rules were installed beside the user's own config"; exit 1; }
echo "ok: install-user.sh installs, keeps an existing config, and uninstalls"
