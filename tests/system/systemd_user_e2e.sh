#!/usr/bin/env bash
# End to end under a real `systemd --user` manager. Needs root to create a user, a delegated
# cgroup and a private mount namespace; exits 77 (ctest: skipped) otherwise.
#
# As that user: install with scripts/install-user.sh, `systemctl --user start vigil` (active only
# after READY=1), `vigil status` (exit 0), edit the rules file and see it reloaded, crash a child
# and see it restarted, SIGSTOP vigil and see systemd's watchdog restart it, `systemctl --user stop
# vigil` and find no child of vigil left. Everything it creates is removed afterwards: the user
# (a new name per run, so two runs never collide), its cgroup, and its /run/user/UID, which only
# ever exists on a tmpfs private to the test's mount namespace.
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: this test needs root (it creates a user, a cgroup and a systemd --user manager)"
  exit 77
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
vigil_bin=$(readlink -f "$1")
user=vigil-e2e-$$
work=$(mktemp -d /tmp/vigil-e2e.XXXXXX)
chmod 755 "$work"
cg=vigil-e2e-$$

fail() { echo "FAIL: $*"; [[ -f $work/home/vigil.out ]] && { echo "--- vigil's log:"; tail -40 "$work/home/vigil.out"; }; exit 1; }
wait_until() {  # wait_until SECONDS description command...
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || fail "timed out after ${limit}s waiting for: $what"
    sleep 0.1
  done
}

cleanup() {
  set +e
  [[ -n ${manager_pid:-} ]] && kill -TERM "$manager_pid" 2>/dev/null
  pkill -KILL -u "$user" 2>/dev/null
  echo $$ > /sys/fs/cgroup/systemd/cgroup.procs 2>/dev/null
  echo $$ > /sys/fs/cgroup/unified/cgroup.procs 2>/dev/null
  # Killed processes stay zombies until PID 1 reaps them (lazily on this kind of machine), and a
  # zombie still pins its cgroup and its user: retry for a few seconds.
  for _ in $(seq 50); do
    for h in systemd unified; do
      [[ -d /sys/fs/cgroup/$h/$cg ]] && find "/sys/fs/cgroup/$h/$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    [[ ! -d /sys/fs/cgroup/systemd/$cg && ! -d /sys/fs/cgroup/unified/$cg ]] && userdel "$user" 2>/dev/null && break
    sleep 0.1
  done
  [[ -d /sys/fs/cgroup/systemd/$cg || -d /sys/fs/cgroup/unified/$cg ]] && echo "warning: could not remove cgroup $cg"
  id "$user" >/dev/null 2>&1 && echo "warning: could not remove user $user"
  [[ -n ${uid:-} && -e /run/user/$uid ]] && echo "warning: /run/user/$uid exists outside the test's namespace"
  rm -rf "$work"
}
trap cleanup EXIT

id "$user" >/dev/null 2>&1 && fail "user $user exists already"
useradd --no-create-home --home-dir "$work/home" --shell /bin/bash "$user"
uid=$(id -u "$user")
home=$work/home
mkdir -p "$home"
chown "$user:" "$home"

# What the user needs of the project, as their own checkout: the sources (install-user.sh installs
# from a configured build tree), with the binary under test already built in it.
src=$work/src
mkdir -p "$src"
cp -r "$repo/CMakeLists.txt" "$repo/LICENSE" "$repo/README.md" "$repo/cmake" "$repo/packaging" \
      "$repo/src" "$repo/include" "$repo/scripts" "$repo/units" "$repo/docs" "$src/"
chown -R "$user:" "$src"
runuser -u "$user" -- cmake -S "$src" -B "$src/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF > "$work/configure.out" 2>&1 || fail "configure: $(cat "$work/configure.out")"
install -o "$user" -m 755 "$vigil_bin" "$src/build/vigil"  # newer than the sources: not rebuilt

# A cgroup the user's manager may manage, in both hierarchies (this machine is cgroup-hybrid).
for h in systemd unified; do
  mkdir -p "/sys/fs/cgroup/$h/$cg"
  chown -R "$user:" "/sys/fs/cgroup/$h/$cg"
  echo $$ > "/sys/fs/cgroup/$h/$cg/cgroup.procs"
done

export E2E_USER=$user E2E_UID=$uid E2E_HOME=$home E2E_SRC=$src E2E_WORK=$work
unshare -m --propagation private bash -euo pipefail -c '
  fail() { echo "FAIL: $*"; [[ -f $E2E_HOME/vigil.out ]] && { echo "--- vigil log:"; tail -40 "$E2E_HOME/vigil.out"; }; exit 1; }
  wait_until() { local limit=$1 what=$2; shift 2; local end=$((SECONDS + limit));
    until "$@" >/dev/null 2>&1; do ((SECONDS < end)) || fail "timed out after ${limit}s waiting for: $what"; sleep 0.1; done; }
  as_user() { runuser -u "$E2E_USER" -- env HOME="$E2E_HOME" XDG_RUNTIME_DIR="/run/user/$E2E_UID" PATH="$E2E_HOME/.local/bin:/usr/local/bin:/usr/bin:/bin" "$@"; }
  sysctl_user() { as_user systemctl --user "$@"; }

  # sd_booted() must be true, and the user needs a runtime dir (on a tmpfs only this namespace sees).
  mount -t tmpfs tmpfs /run/systemd
  mkdir -p /run/user
  mount -t tmpfs -o mode=755 tmpfs /run/user
  mkdir -p /run/systemd/system "/run/user/$E2E_UID"
  chown "$E2E_USER:" "/run/user/$E2E_UID"
  chmod 700 "/run/user/$E2E_UID"

  # Install as the user, with a small config of our own (the installer keeps an existing one).
  mkdir -p "$E2E_HOME/.config/vigil"
  cat > "$E2E_HOME/.config/vigil/vigil.toml" <<TOML
[vigil]
sample_interval = "200ms"
[service.ticker]
command = ["sh", "-c", "while :; do echo tick; sleep 0.2; done"]
restart_delay = "100ms"
[service.escaper]
command = ["sh", "-c", "setsid sleep 1000 & echo \$! > $E2E_HOME/grandchild.pid; exec sleep 1000"]
TOML
  chown -R "$E2E_USER:" "$E2E_HOME/.config"
  as_user env VIGIL_BUILD_DIR="$E2E_SRC/build" "$E2E_SRC/scripts/install-user.sh" > "$E2E_WORK/install.out" || fail "install-user.sh: $(cat $E2E_WORK/install.out)"
  # No journald here: keep vigil'"'"'s output in a file, and a short watchdog for the test.
  mkdir -p "$E2E_HOME/.config/systemd/user/vigil.service.d"
  printf "[Service]\nStandardOutput=append:%s/vigil.out\nStandardError=inherit\nWatchdogSec=2s\nRestartSec=200ms\n" "$E2E_HOME" \
    > "$E2E_HOME/.config/systemd/user/vigil.service.d/test.conf"
  chown -R "$E2E_USER:" "$E2E_HOME/.config"

  # The user manager itself.
  runuser -u "$E2E_USER" -- env HOME="$E2E_HOME" XDG_RUNTIME_DIR="/run/user/$E2E_UID" /lib/systemd/systemd --user > "$E2E_WORK/manager.log" 2>&1 &
  echo $! > "$E2E_WORK/manager.pid"
  cp "$E2E_WORK/manager.pid" "$E2E_WORK/manager.pid.outer"
  wait_until 20 "the user manager" sysctl_user show -p Version --value
  sysctl_user daemon-reload

  # Type=notify: start returns once vigil said READY=1, and by then its control socket answers.
  state=$(sysctl_user show -p ActiveState --value vigil)
  [[ $state == inactive ]] || fail "vigil was $state before start"
  sysctl_user start vigil || fail "systemctl --user start vigil failed"
  state=$(sysctl_user show -p ActiveState --value vigil)
  [[ $state == active ]] || fail "vigil is $state after start"
  as_user vigil status > "$E2E_WORK/status.out" || fail "vigil status exited $? right after READY: $(cat $E2E_WORK/status.out)"
  grep -q "ticker" "$E2E_WORK/status.out" || fail "status does not show the ticker"
  echo "ok: started; active only after READY; vigil status exits 0"

  # The rules file: a saved edit is applied.
  printf "[[rule]]\nname = \"ticking\"\nwhen = \"running\"\nseverity = \"info\"\n" > "$E2E_HOME/.config/vigil/rules.toml"
  chown "$E2E_USER:" "$E2E_HOME/.config/vigil/rules.toml"
  wait_until 10 "the rules edit applied" bash -c "grep -q \"in force: 1 rules\" $E2E_HOME/vigil.out"
  echo "ok: a rules edit was applied"

  # A child crashes: vigil restarts it.
  pid=$(as_user vigil status --json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"services\"][0][\"pid\"])")
  kill -KILL "$pid"
  wait_until 10 "the ticker restarted" bash -c "[[ \$(runuser -u $E2E_USER -- env XDG_RUNTIME_DIR=/run/user/$E2E_UID $E2E_HOME/.local/bin/vigil status --json | python3 -c \"import json,sys; s=json.load(sys.stdin)[\\\"services\\\"][0]; print(s[\\\"state\\\"], s[\\\"pid\\\"])\") == \"running \"* && \$(runuser -u $E2E_USER -- env XDG_RUNTIME_DIR=/run/user/$E2E_UID $E2E_HOME/.local/bin/vigil status --json | python3 -c \"import json,sys; print(json.load(sys.stdin)[\\\"services\\\"][0][\\\"pid\\\"])\") != $pid ]]"
  grep -q "ticker: was killed by SIGKILL" "$E2E_HOME/vigil.out" || fail "the crash was not logged"
  echo "ok: a crashed child was restarted"

  # Containment: each service in its own cgroup; nothing escapes a stop by setsid().
  mode=$(as_user vigil status --json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"vigil\"][\"containment\"][\"mode\"])")
  [[ $mode == cgroups ]] || fail "containment is $mode under Delegate=yes"
  as_user vigil status | head -1 | grep -q "runs in: own cgroups" || fail "vigil status does not say the runs are in cgroups"
  gone() { local s; s=$(awk "{print \$3}" /proc/$1/stat 2>/dev/null || true); [[ -z $s || $s == Z ]]; }
  wait_until 10 "the setsid grandchild" test -s "$E2E_HOME/grandchild.pid"
  gc=$(cat "$E2E_HOME/grandchild.pid")
  wait_until 10 "the grandchild $gc in a session of its own" bash -c "[[ \$(ps -o sid= -p $gc | tr -d \" \") == $gc ]]"
  as_user vigil stop escaper > /dev/null || fail "vigil stop escaper failed"
  wait_until 10 "the setsid grandchild $gc gone after vigil stop" gone "$gc"
  echo "ok: vigil stop killed a grandchild that had left the process group"

  # vigil is SIGKILLed: systemd kills the unit cgroup, with the cgroups of the services below it, and restarts vigil.
  rm -f "$E2E_HOME/grandchild.pid"
  as_user vigil start escaper > /dev/null || fail "vigil start escaper failed"
  wait_until 10 "the setsid grandchild" test -s "$E2E_HOME/grandchild.pid"
  gc=$(cat "$E2E_HOME/grandchild.pid")
  main=$(sysctl_user show -p MainPID --value vigil)
  kill -KILL "$main"
  wait_until 30 "the grandchild $gc gone after kill -9 of vigil" gone "$gc"
  wait_until 30 "vigil restarted after kill -9" bash -c "m=\$(runuser -u $E2E_USER -- env XDG_RUNTIME_DIR=/run/user/$E2E_UID systemctl --user show -p MainPID --value vigil); [[ \$m != 0 && \$m != $main ]]"
  wait_until 10 "vigil answering after its restart" as_user vigil status
  echo "ok: kill -9 of vigil left no grandchild behind; systemd restarted vigil"

  # vigil hangs (SIGSTOP): its watchdog pings stop, systemd kills and restarts it.
  main=$(sysctl_user show -p MainPID --value vigil)
  kill -STOP "$main"
  wait_until 30 "systemd restarting the hung vigil" bash -c "m=\$(runuser -u $E2E_USER -- env XDG_RUNTIME_DIR=/run/user/$E2E_UID systemctl --user show -p MainPID --value vigil); [[ \$m != 0 && \$m != $main ]] && [[ \$(runuser -u $E2E_USER -- env XDG_RUNTIME_DIR=/run/user/$E2E_UID systemctl --user show -p ActiveState --value vigil) == active ]]"
  result=$(sysctl_user show -p NRestarts --value vigil)
  [[ $result -ge 1 ]] || fail "NRestarts is $result"
  grep -q "watchdog" "$E2E_WORK/manager.log" || echo "(the manager log does not mention the watchdog; NRestarts=$result)"
  echo "ok: a hung vigil was restarted by the watchdog"

  # Stop: vigil and every child of it gone.
  as_user vigil status --json > "$E2E_WORK/before-stop.json" || true
  children=$(python3 -c "import json; print(\" \".join(str(s[\"pid\"]) for s in json.load(open(\"$E2E_WORK/before-stop.json\"))[\"services\"] if s[\"pid\"]))")
  [[ -n $children ]] || fail "no children to check"
  sysctl_user stop vigil
  for p in $children; do
    s=$(awk "{print \$3}" /proc/$p/stat 2>/dev/null || true)
    [[ -z $s || $s == Z ]] || fail "child $p of vigil is still alive after stop (state $s)"
  done
  [[ $(sysctl_user show -p ActiveState --value vigil) == inactive ]] || fail "vigil is not inactive after stop"
  echo "ok: stop left no child of vigil"
  kill -TERM "$(cat $E2E_WORK/manager.pid)"
'
manager_pid=$(cat "$work/manager.pid" 2>/dev/null || true)
echo "PASS: vigil under a real systemd --user manager"
