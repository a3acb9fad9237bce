#!/usr/bin/env bash
# The .deb as a packager and a user get it, from a configured Release build directory:
#   cpack -G DEB builds it; its Depends were computed by dpkg-shlibdeps and are satisfiable here;
#   it holds the stripped binary, the user unit (ExecStart=/usr/bin/vigil), the man page, the
#   copyright file, docs and examples; lintian reports no error; installed with dpkg into a
#   throwaway root, `vigil --version` and `vigil check` on the shipped example work, and
#   removing it leaves nothing behind.
# usage: tests/package/deb_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: deb_test.sh BUILD_DIR}" && pwd)
work=$(mktemp -d /tmp/vigil-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --build "$build" --target vigil vigil_install_files >/dev/null
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" > "$work/cpack.log" 2>&1 \
  || { cat "$work/cpack.log"; fail "cpack -G DEB"; }
debs=("$work"/out/vigil_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "cpack made no single vigil_*.deb: $(ls "$work/out")"
deb=${debs[0]}
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libhiredis libsystemd0 libsqlite3 libre2 libspdlog; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib (dpkg-shlibdeps should have found it)"
done
apt-get install --simulate --no-install-recommends "$deb" > "$work/apt.log" 2>&1 \
  || { cat "$work/apt.log"; fail "the Depends line cannot be satisfied on this machine"; }

dpkg-deb -c "$deb" | awk '{print $6}' > "$work/contents"
for f in ./usr/bin/vigil ./usr/lib/systemd/user/vigil.service ./usr/share/man/man1/vigil.1.gz \
         ./usr/share/doc/vigil/copyright ./usr/share/doc/vigil/changelog.gz ./usr/share/doc/vigil/config.md \
         ./usr/share/doc/vigil/examples/vigil.toml ./usr/share/doc/vigil/examples/rules.toml; do
  grep -qx "$f" "$work/contents" || fail "the package lacks $f"
done

lintian --no-tag-display-limit "$deb" > "$work/lintian.log" 2>&1 || true
if grep -q '^E:' "$work/lintian.log"; then cat "$work/lintian.log"; fail "lintian reports errors"; fi
echo "lintian: no errors ($(grep -c '^W:' "$work/lintian.log" || true) warnings)"
grep '^W:' "$work/lintian.log" || true

# A throwaway root with an empty dpkg database: the package's dependencies are this machine's
# libraries, so the binary runs from there.
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg --root="$root" --force-depends --force-script-chrootless -i "$deb" > "$work/dpkg.log" 2>&1 \
  || { cat "$work/dpkg.log"; fail "dpkg --root -i"; }
file "$root/usr/bin/vigil" | grep -q ", stripped" || fail "/usr/bin/vigil is not stripped: $(file "$root/usr/bin/vigil")"
grep -qx "ExecStart=/usr/bin/vigil run -c %E/vigil/vigil.toml" "$root/usr/lib/systemd/user/vigil.service" \
  || fail "the unit does not start /usr/bin/vigil: $(grep ExecStart "$root/usr/lib/systemd/user/vigil.service")"
version=$("$root/usr/bin/vigil" --version) || fail "vigil --version from the installed package"
[[ $version == *"$(dpkg-deb -f "$deb" Version)"* ]] || fail "vigil --version says '$version', the package is $(dpkg-deb -f "$deb" Version)"
cp -r "$root/usr/share/doc/vigil/examples" "$work/examples"  # `check` as a user would, on a copy they may edit
"$root/usr/bin/vigil" check -c "$work/examples/vigil.toml" > "$work/check.log" 2>&1 \
  || { cat "$work/check.log"; fail "vigil check on the shipped example"; }
man -l "$root/usr/share/man/man1/vigil.1.gz" > /dev/null 2>&1 || fail "the installed man page does not render"
echo "ok: installed in a throwaway root: $version; vigil check passes on the shipped example"

dpkg --root="$root" --force-depends --force-script-chrootless -r vigil > "$work/dpkg-r.log" 2>&1 \
  || { cat "$work/dpkg-r.log"; fail "dpkg --root -r vigil"; }
left=$(find "$root" -path "$root/var" -prune -o -name '*vigil*' -print 2>/dev/null || true)
[[ -z $left ]] || fail "dpkg -r left files behind: $left"
echo "PASS: the .deb builds, passes lintian, installs, runs and removes cleanly"
