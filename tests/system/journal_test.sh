#!/usr/bin/env bash
# Child output and vigil's events reach journald with the documented fields. A real datagram socket
# at /run/systemd/journal/socket (in a private mount namespace: needs root; exit 77 otherwise)
# stands in for journald and records every entry.
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root for a private mount namespace"; exit 77; fi
vigil_bin=$(readlink -f "$1")
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
cat > "$work/vigil.toml" <<TOML
[vigil]
journal = true
socket = "$work/run/control.sock"
log_dir = "$work/logs"
[service.talker]
command = ["sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"]
restart = "never"
TOML
printf '[[rule]]\nname = "crashed"\nwhen = "exit_code != 0"\nseverity = "critical"\n' > "$work/rules.toml"

export WORK=$work VIGIL=$vigil_bin
unshare -m --propagation private bash -euo pipefail -c '
  mkdir -p /run/systemd
  mount -t tmpfs tmpfs /run/systemd
  mkdir -p /run/systemd/journal
  python3 - "$WORK/entries.jsonl" <<PY &
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/systemd/journal/socket")
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "a") as out:
    while True:
        data = s.recv(65536).decode(errors="replace")
        fields = dict(l.split("=", 1) for l in data.split("\n") if "=" in l)
        out.write(json.dumps(fields) + "\n"); out.flush()
PY
  receiver=$!
  # Deadlines, not counts of naps: on a saturated machine each step may take many seconds.
  deadline=$((SECONDS + 60))
  until [[ -e $WORK/entries.jsonl.ready ]] || ((SECONDS > deadline)); do sleep 0.05; done
  "$VIGIL" run -c "$WORK/vigil.toml" 2> "$WORK/stderr" &
  vigil=$!
  deadline=$((SECONDS + 60))
  until grep -q "ALERT crashed firing" "$WORK/entries.jsonl" 2>/dev/null || ((SECONDS > deadline)); do sleep 0.05; done
  kill -TERM $vigil; wait $vigil || true
  kill $receiver
'
python3 - "$work/entries.jsonl" <<'PY'
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1])]
def find(**want):
    return [e for e in entries if all(e.get(k) == v for k, v in want.items())]
problems = []
out = find(SYSLOG_IDENTIFIER="talker", MESSAGE="to-stdout")
err = find(SYSLOG_IDENTIFIER="talker", MESSAGE="to-stderr")
if not out or out[0].get("PRIORITY") != "6" or out[0].get("VIGIL_SERVICE") != "talker" or not out[0].get("SYSLOG_PID"):
    problems.append(f"stdout line: {out}")
if not err or err[0].get("PRIORITY") != "4":
    problems.append(f"stderr line: {err}")
exited = find(SYSLOG_IDENTIFIER="vigil", VIGIL_EVENT="exited", VIGIL_SERVICE="talker")
if not exited or "exited with status 3" not in exited[0]["MESSAGE"]:
    problems.append(f"exit event: {exited}")
alert = find(VIGIL_EVENT="alert", VIGIL_RULE="crashed", VIGIL_SEVERITY="critical", VIGIL_SERVICE="talker")
if not alert:
    problems.append("no structured alert entry")
if problems:
    print("FAIL:", *problems, sep="\n  ")
    print(f"{len(entries)} entries:", *entries[:20], sep="\n  ")
    sys.exit(1)
print(f"ok: {len(entries)} journal entries with the documented fields")
PY
if grep -q "exited with status 3" "$work/stderr"; then echo "FAIL: vigil's events went to stderr too (duplicated in the journal)"; exit 1; fi
