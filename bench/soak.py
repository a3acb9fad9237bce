#!/usr/bin/env python3
"""A bounded chaos soak of the real vigil binary (bench/soak.sh [DURATION]; see docs/performance.md).

~20 misbehaving services (random crashes, SIGTERM ignored, fork trees, output floods, silence, memory
leaks, a dead watchdog), a real redis-server killed, SIGSTOPped and restarted, the rules file
corrupted, half-written, deleted and restored, a hanging exec notifier, the log dir filled up (a
small tmpfs: root only) and made unwritable, control clients sending garbage, huge lines and
half-open connections, and `vigil status` polled all the while. Then a calm phase with every fault
undone, a graceful stop, and the counts:

  vigil crashes · zombies (> 2 s) · orphans after the stop · fd growth · RSS growth · lost lines
  (numbered writers in block mode, bursts written once space had returned) · control replies that
  were not JSON · status polls unanswered · rules not back in force after the chaos

Exits 1 when any count is not 0 (the figures, max status latency included, are printed either way).
Every fault is bounded in time and count; everything started here is stopped here.

usage: soak.py VIGIL_BINARY [DURATION_SECONDS] [--keep]
"""
import json, os, random, shutil, signal, socket, subprocess, sys, tempfile, threading, time

VIGIL = os.path.abspath(sys.argv[1])
DURATION = float(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith("-") else 60.0
KEEP = "--keep" in sys.argv
ROOT = os.geteuid() == 0
TAG = f"vigil-soak-{os.getpid()}-{random.randrange(1 << 30)}"
GRACE = 2.0          # after a fault is undone, vigil gets this long to recover before lines count
LINE_PAD = 80        # numbered lines are ~100 bytes
rng = random.Random(os.environ.get("SOAK_SEED", str(os.getpid())))

# ---------------------------------------------------------------- the children, as small scripts

CHILDREN = {
    # Crashes at a random moment, with a random exit code or signal.
    "crasher": r"""#!/bin/bash
sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"; echo "crasher $$ ending"
case $((RANDOM % 4)) in 0) exit 1;; 1) kill -SEGV $$;; 2) exit 0;; *) kill -KILL $$;; esac
""",
    # Ignores SIGTERM (and so do its children, which inherit the disposition): only SIGKILL works.
    "stubborn": r"""#!/bin/bash
trap '' TERM
echo "stubborn $$ up"
while :; do sleep 1; done
""",
    # A tree three levels deep, that exits on its own after a while, leaving its tree to vigil.
    "tree": r"""#!/bin/bash
( ( sleep 1000 & sleep 1000 & wait ) & sleep 1000 & wait ) &
bash -c 'sleep 1000' &
sleep "$((RANDOM % 4 + 1))"
exit 3
""",
    # Floods stdout with numbered lines in bursts and records each burst (first, last, when) in a
    # side file outside the log dir, so lost lines can be counted afterwards.
    "numbered": r"""#!/usr/bin/env python3
import os, sys, time
burst, pause, progress = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
run, seq, pad = os.getpid(), 0, "x" * %PAD%
out = sys.stdout.buffer
with open(progress, "a", buffering=1) as prog:
    while True:
        t0 = time.time()
        out.write("".join(f"N {run} {seq + i:010d} {pad}\n" for i in range(burst)).encode())
        out.flush()
        prog.write(f"{run} {seq} {seq + burst - 1} {t0:.3f} {time.time():.3f}\n")
        seq += burst
        if pause:
            time.sleep(pause)
""".replace("%PAD%", str(LINE_PAD)),
    # Mixed streams, a line far over any limit, bytes that are not UTF-8, no final newline.
    "chatter": r"""#!/usr/bin/env python3
import os, random, sys, time
while True:
    r = random.random()
    if r < 0.05:
        os.write(1, b"L" * 300000 + b"\n")
    elif r < 0.1:
        os.write(2, bytes(random.randrange(256) for _ in range(200)))
    else:
        os.write(1 if r < 0.6 else 2, b"chatter line %d\n" % random.randrange(10**9))
    time.sleep(0.01)
""",
    # Says hello once, then nothing (an output_idle rule fires).
    "silent": "#!/bin/bash\necho hello\nexec sleep 100000\n",
    # Leaks memory until a rule restarts it.
    "leaker": r"""#!/usr/bin/env python3
import time
hoard = []
while True:
    hoard.append(bytearray(4 << 20))
    for i in range(0, len(hoard[-1]), 4096):
        hoard[-1][i] = 1
    time.sleep(0.1)
""",
    # Writes its freshness timestamp to Redis (raw RESP, reconnecting), so the store's chaos shows.
    "fresh": r"""#!/usr/bin/env python3
import socket, sys, time
port, key = int(sys.argv[1]), sys.argv[2]
s = None
while True:
    try:
        if s is None:
            s = socket.create_connection(("127.0.0.1", port), timeout=1)
        v = str(int(time.time()))
        s.sendall(f"*3\r\n$3\r\nSET\r\n${len(key)}\r\n{key}\r\n${len(v)}\r\n{v}\r\n".encode())
        s.recv(64)
    except OSError:
        if s:
            s.close()
        s = None
    time.sleep(0.3)
""",
    # Speaks sd_notify: READY, then WATCHDOG pings that stop at random (vigil must restart it).
    "watchdogged": r"""#!/usr/bin/env python3
import os, random, socket, time
addr = os.environ["NOTIFY_SOCKET"]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\nSTATUS=soaking", addr)
while True:
    if random.random() < 0.05:
        time.sleep(1000)  # goes silent: the watchdog fires
    s.sendto(b"WATCHDOG=1", addr)
    time.sleep(0.3)
""",
    # Busy half the time.
    "hog": r"""#!/usr/bin/env python3
import time
while True:
    end = time.time() + 0.5
    while time.time() < end:
        pass
    time.sleep(0.5)
""",
    # Exits at once: hits its start limit, goes `failed`, is retried.
    "flapper": "#!/bin/bash\necho flap >&2\nexit 2\n",
    # A notifier that never ends, ignores SIGTERM and never reads its stdin.
    "hang-notifier": "#!/bin/bash\ntrap '' TERM\nexec sleep 100000\n",
    # A notifier that works: records each alert.
    "record-alert": "#!/bin/bash\ncat >> \"$1\"\necho >> \"$1\"\n",
}


def services(d, redis_port):
    """[service.*] tables: name → (child, args, extra TOML)."""
    b = f"{d}/bin"
    s = {}
    for i in range(1, 5):
        s[f"crash-{i}"] = ([f"{b}/crasher"], 'restart_delay = "100ms"\nbackoff_max = "1s"\nstart_limit_burst = 1000')
    for i in range(1, 3):
        s[f"stubborn-{i}"] = ([f"{b}/stubborn"], 'stop_timeout = "1s"')
        s[f"tree-{i}"] = ([f"{b}/tree"], 'restart_delay = "200ms"\nbackoff_max = "1s"\nstart_limit_burst = 1000\nstop_timeout = "1s"')
        s[f"fresh-{i}"] = ([f"{b}/fresh", str(redis_port), f"soak:fresh-{i}"],
                           f'freshness = {{ key = "soak:fresh-{i}" }}\nhealth_grace = "2s"')
        s[f"flap-{i}"] = ([f"{b}/flapper"], 'restart_delay = "100ms"\nstart_limit_burst = 3\nstart_limit_interval = "10s"\nfailed_retry = "3s"')
    # A steady numbered writer and a flood: both in block mode, both checked for lost lines.
    s["numbered-steady"] = ([f"{b}/numbered", "200", "0.05", f"{d}/progress-numbered-steady"], "")
    s["numbered-flood"] = ([f"{b}/numbered", "5000", "0.05", f"{d}/progress-numbered-flood"], "")
    s["chatter"] = ([f"{b}/chatter"], "")
    s["silent"] = ([f"{b}/silent"], "")
    s["leaker"] = ([f"{b}/leaker"], 'restart_delay = "100ms"\nstart_limit_burst = 1000')
    s["watchdogged"] = ([f"{b}/watchdogged"], 'ready = "notify"\nwatchdog = "2s"\nrestart_delay = "100ms"\nstart_limit_burst = 1000')
    s["hog"] = ([f"{b}/hog"], "")
    s["never-ready"] = ([f"{b}/silent"], 'ready = "notify"\nstart_timeout = "1s"\nrestart_delay = "500ms"\nstart_limit_burst = 1000')
    return s


RULES = """
[[rule]]
name = "crashed"
services = ["crash-*", "flap-*", "tree-*"]
when = "exit_code != 0 or exit_signal > 0"
severity = "warning"
notify = ["hang", "record"]
clear_for = "5s"

[[rule]]
name = "stale"
services = ["fresh-*"]
when = "data_age > 3s"
for = "1s"
severity = "critical"
notify = ["hang", "record"]

[[rule]]
name = "store_down"
services = ["fresh-1"]
when = "store_up == false"
notify = ["record"]

[[rule]]
name = "leak"
services = ["leaker"]
when = "memory > 120MB"
action = "restart"
notify = ["record"]

[[rule]]
name = "quiet"
services = ["silent"]
when = "output_idle > 3s"
notify = ["hang"]

[[rule]]
name = "flapping"
when = "restarts(1m) > 20"
severity = "info"
notify = ["record"]

[notify.hang]
type = "exec"
command = ["BIN/hang-notifier"]
timeout = "1s"
retries = 1

[notify.record]
type = "exec"
command = ["BIN/record-alert", "DIR/alerts.jsonl"]
timeout = "5s"
"""
RULE_COUNT = RULES.count("[[rule]]")

# ---------------------------------------------------------------- bookkeeping

counts = {}          # failure counts: every one must end at 0
figures = {}         # informational figures
events = []          # (time, text) of what the soak did, for --keep
lock = threading.Lock()
stop_chaos = threading.Event()
fault_windows = []   # [start, end] of log-disk faults (end = when undone)


def bump(key, n=1):
    with lock:
        counts[key] = counts.get(key, 0) + n


def note(text):
    with lock:
        events.append((time.time(), text))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def proc_status(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return None


def children_map():
    """ppid → [pid], state of each pid, from /proc."""
    kids, state = {}, {}
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            with open(f"/proc/{e}/stat") as f:
                st = f.read()
        except OSError:
            continue
        rest = st[st.rfind(")") + 2:].split()
        pid, ppid = int(e), int(rest[1])
        state[pid] = rest[0]
        kids.setdefault(ppid, []).append(pid)
    return kids, state


def descendants(root, kids):
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def tagged_pids():
    """Every live process carrying this soak's tag in its environment (services, notifiers, trees)."""
    needle = ("SOAK_TAG=" + TAG).encode()
    found = []
    for e in os.listdir("/proc"):
        if not e.isdigit() or int(e) == os.getpid():
            continue
        try:
            with open(f"/proc/{e}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    found.append(int(e))
        except OSError:
            pass
    return found


# ---------------------------------------------------------------- the parts

class Redis:
    def __init__(self, d, port):
        self.d, self.port, self.proc = d, port, None

    def start(self):
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.d], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait()


class LogDisk:
    """The log dir: a small tmpfs when root (it can fill up and be remounted read-only), else a
    plain folder (made unwritable by its mode; filling it is skipped)."""

    def __init__(self, d):
        self.path = f"{d}/logs"
        os.makedirs(self.path)
        self.tmpfs = False
        if ROOT:
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m,mode=0755", "vigil-soak", self.path],
                               capture_output=True, text=True)
            self.tmpfs = r.returncode == 0
            if not self.tmpfs:
                print(f"soak: cannot mount a tmpfs ({r.stderr.strip()}): the full-disk part is skipped")
        else:
            print("soak: not root: the full-disk part (a small tmpfs) is skipped; the unwritable dir is not")

    def fill(self):
        """Fills the disk to the last byte (unbuffered: nothing is left to fail at close); returns
        the filler's path."""
        filler = f"{self.path}/zz-filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            for size in (1 << 20, 4096, 1):
                block = b"\0" * size
                try:
                    while True:
                        os.write(fd, block)
                except OSError:
                    pass
        finally:
            os.close(fd)
        return filler

    def unwritable(self, on):
        """Root ignores modes: the dir and its files become immutable (no create, rename, unlink,
        and no write to the files). Others: the dir loses its write bit (no create, rename, unlink)."""
        if ROOT:
            subprocess.run(["chattr", "-R", "+i" if on else "-i", self.path], check=True, capture_output=True)
        else:
            os.chmod(self.path, 0o500 if on else 0o755)

    def close(self):
        if self.tmpfs:
            subprocess.run(["umount", "-l", self.path])


class Vigil:
    def __init__(self, d, config):
        self.d = d
        self.sock = f"{d}/run/control.sock"
        self.config = config
        self.log = open(f"{d}/vigil.log", "w")
        env = dict(os.environ, SOAK_TAG=TAG, XDG_STATE_HOME=f"{d}/state", XDG_RUNTIME_DIR=f"{d}/xdg", HOME=f"{d}/home")
        env.pop("NOTIFY_SOCKET", None)
        self.proc = subprocess.Popen([VIGIL, "run", "-c", config], stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.request({"cmd": "ping"}, timeout=2).get("ok"):
                    return
            except (OSError, ValueError):
                time.sleep(0.05)
            if self.proc.poll() is not None:
                break
        raise RuntimeError("vigil did not come up:\n" + open(self.log.name).read()[-3000:])

    def request(self, req, timeout=10):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(timeout)
        try:
            s.connect(self.sock)
            s.sendall((json.dumps(req) + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                buf += chunk
        finally:
            s.close()
        return json.loads(buf)

    def alive(self):
        return self.proc.poll() is None


# ---------------------------------------------------------------- chaos threads

def every(period, fn, *args):
    """Runs fn until the chaos stops, waiting `period` (± 30%) between runs."""
    def loop():
        while not stop_chaos.wait(period * rng.uniform(0.7, 1.3)):
            try:
                fn(*args)
            except Exception as e:  # a failed chaos step is reported, never silently skipped
                note(f"chaos step {fn.__name__} failed: {e!r}")
                bump("chaos steps that failed")
    t = threading.Thread(target=loop, daemon=True)
    t.start()
    return t


def chaos_redis(redis):
    if rng.random() < 0.5:
        note("redis: SIGKILL, back in 2 s")
        redis.kill()
        stop_chaos.wait(2)
        redis.start()
    else:
        note("redis: SIGSTOP for 3 s")
        redis.proc.send_signal(signal.SIGSTOP)
        stop_chaos.wait(3)
        redis.proc.send_signal(signal.SIGCONT)


def write_file(path, data, atomic):
    if atomic:
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, path)
    else:
        with open(path, "wb") as f:
            f.write(data)


def chaos_rules(path, good):
    step = rng.choice(["garbage", "half", "delete", "deep", "restore-in-place", "restore-by-rename"])
    note(f"rules: {step}")
    if step == "garbage":
        write_file(path, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))), rng.random() < 0.5)
    elif step == "half":
        write_file(path, good[: rng.randrange(1, len(good))], False)
    elif step == "delete":
        if os.path.exists(path):
            os.unlink(path)
    elif step == "deep":  # a wrong type deep in a valid-looking rule
        write_file(path, good.replace(b'for = "1s"', b'for = 1', 1), True)
    else:
        write_file(path, good, step == "restore-by-rename")
    # Every broken state is followed by the good file within a second, most of the time.
    if step not in ("restore-in-place", "restore-by-rename") and rng.random() < 0.7:
        stop_chaos.wait(rng.uniform(0.2, 1.0))
        write_file(path, good, True)


def chaos_disk(disk):
    # Alternating, so even a short run sees both.
    kind = "full" if disk.tmpfs and len(fault_windows) % 2 == 0 else "unwritable"
    start = time.time()
    note(f"log disk: {kind} for 3 s")
    try:
        if kind == "full":
            filler = f"{disk.path}/zz-filler"
            disk.fill()
            stop_chaos.wait(3)
        else:
            disk.unwritable(True)
            stop_chaos.wait(3)
    finally:  # undone whatever happened, and always recorded
        if kind == "full":
            if os.path.exists(filler):
                os.unlink(filler)
        else:
            disk.unwritable(False)
        with lock:
            fault_windows.append((start, time.time()))


def chaos_operator(v):
    name = rng.choice(["stubborn-1", "stubborn-2", "tree-1", "tree-2", "chatter", "hog"])
    cmd = rng.choice(["restart", "stop", "start"])
    note(f"operator: {cmd} {name}")
    r = v.request({"cmd": cmd, "services": [name]})
    if not r.get("ok"):
        note(f"operator {cmd} {name} refused: {r}")
    if cmd == "stop":
        stop_chaos.wait(1)
        v.request({"cmd": "start", "services": [name]})


half_open = []


def chaos_clients(v):
    kind = rng.choice(["garbage", "huge", "half-open", "close-at-once", "burst", "valid-garbage"])
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    try:
        s.connect(v.sock)
    except OSError as e:
        note(f"control client could not connect: {e}")
        bump("control connections refused")
        s.close()
        return
    try:
        if kind == "garbage":
            s.sendall(bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 2000))).replace(b"\n", b" ") + b"\n")
            expect_json_line(s)
        elif kind == "valid-garbage":
            s.sendall(rng.choice([b'{"cmd":"stop"}\n', b'{"cmd":"start","services":[1,2]}\n', b'[]\n',
                                  b'{"cmd":"silence","service":"*","for":"-1s"}\n', b'{"cmd":"\xff"}\n']))
            expect_json_line(s)
        elif kind == "huge":
            s.sendall(b"x" * rng.choice([70000, 1 << 20]) + (b"\n" if rng.random() < 0.5 else b""))
        elif kind == "half-open":
            s.sendall(b'{"cmd":')
            half_open.append(s)
            while len(half_open) > 6:
                half_open.pop(0).close()
            return
        elif kind == "burst":
            s.sendall(b'{"cmd":"ping"}\n' * 200)
        # close-at-once: nothing
    except OSError:
        pass  # vigil may close a connection that misbehaves: that is its right
    s.close()


def expect_json_line(s):
    buf = b""
    try:
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except OSError:
        pass
    if not buf:
        return  # closed without a word: allowed for abuse
    try:
        json.loads(buf.split(b"\n")[0])
    except ValueError:
        bump("control replies that were not JSON")
        note(f"control reply not JSON: {buf[:200]!r}")


def poll_status(v, latencies):
    t0 = time.monotonic()
    try:
        r = v.request({"cmd": "status"}, timeout=10)
        if not r.get("ok"):
            raise ValueError(r)
        latencies.append(time.monotonic() - t0)
    except (OSError, ValueError) as e:
        bump("status polls unanswered (10 s)")
        note(f"status poll failed: {e!r}")


def poll_cli(v, latencies):
    t0 = time.monotonic()
    r = subprocess.run([VIGIL, "status", "-s", v.sock], capture_output=True, timeout=30)
    if r.returncode not in (0, 1, 2):
        bump("vigil status CLI unanswered (exit 3)")
        note(f"vigil status exit {r.returncode}: {r.stdout[-300:]!r} {r.stderr[-300:]!r}")
    else:
        latencies.append(time.monotonic() - t0)


# ---------------------------------------------------------------- monitor

class Monitor:
    """Samples vigil's fds and RSS, and zombies in its tree, once a second."""

    def __init__(self, v):
        self.v = v
        self.samples = []  # (time, fds, rss_kib)
        self.zombies_seen = {}
        self.zombies = set()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        pid = self.v.proc.pid
        while not self.done.wait(1.0):
            if not self.v.alive():
                continue
            try:
                fds = len(os.listdir(f"/proc/{pid}/fd"))
                rss = int(proc_status(pid)["VmRSS"].split()[0])
            except (OSError, TypeError, KeyError):
                continue
            self.samples.append((time.time(), fds, rss))
            kids, state = children_map()
            now = time.time()
            for p in descendants(pid, kids):
                if state.get(p) == "Z":
                    first = self.zombies_seen.setdefault(p, now)
                    if now - first > 2.0 and p not in self.zombies:
                        self.zombies.add(p)
                        note(f"zombie {p} in vigil's tree for > 2 s")
            for p in list(self.zombies_seen):
                if state.get(p) != "Z":
                    del self.zombies_seen[p]

    def between(self, t0, t1):
        return [s for s in self.samples if t0 <= s[0] <= t1]


# ---------------------------------------------------------------- lost lines

def lost_lines(logdir, name, progress_path):
    """Missing numbers of bursts that the writer finished at least GRACE after the last disk fault
    was undone and at least 1 s before the next began, among what rotation still keeps."""
    files = [f"{logdir}/{name}.log.{i}" for i in range(9, 0, -1)] + [f"{logdir}/{name}.log"]
    seen = {}      # run → set of numbers
    order_bad = 0  # a number not greater than its predecessor in the same run
    last = {}
    for path in files:
        try:
            f = open(path, "rb")
        except OSError:
            continue
        with f:
            for line in f:
                i = line.find(b" N ")
                if i < 0:
                    continue
                parts = line[i + 3:].split(b" ", 2)
                if len(parts) < 2:
                    continue
                try:
                    run, n = int(parts[0]), int(parts[1])
                except ValueError:
                    continue
                if n <= last.get(run, -1):
                    order_bad += 1
                last[run] = n
                seen.setdefault(run, set()).add(n)
    bursts = []
    try:
        with open(progress_path) as f:
            for line in f:
                p = line.split()
                if len(p) == 5:
                    bursts.append((int(p[0]), int(p[1]), int(p[2]), float(p[3]), float(p[4])))
    except OSError:
        pass
    with lock:
        windows = list(fault_windows)
    oldest = {run: min(numbers) for run, numbers in seen.items()}
    lost = checked = 0
    for run, first, lastn, t0, t1 in bursts:
        if run not in seen or first < oldest[run]:
            continue  # rotated away, or a run whose file is gone
        if any(t0 < end + GRACE and t1 + 1.0 > start for start, end in windows):
            continue  # written while a fault was on (those lines may be dropped, and are counted by vigil)
        checked += lastn - first + 1
        lost += sum(1 for n in range(first, lastn + 1) if n not in seen[run])
    return lost, checked, order_bad


def quiescent(v, names):
    """Stops every service, waits until all are stopped, and returns vigil's (fds, RSS KiB)."""
    v.request({"cmd": "stop", "services": names})
    deadline = time.time() + 60
    while time.time() < deadline:
        st = v.request({"cmd": "status"})["status"]
        if all(s["state"] in ("stopped", "failed") for s in st["services"]):
            break
        time.sleep(0.2)
    else:
        bump("services not stopped within 60 s")
    time.sleep(1.5)  # the log writer closes idle files, hung notifiers time out
    fds = min(len(os.listdir(f"/proc/{v.proc.pid}/fd")) for _ in range(3) if not time.sleep(0.3))
    rss = int(proc_status(v.proc.pid)["VmRSS"].split()[0])
    return fds, rss


# ---------------------------------------------------------------- main

def main():
    d = tempfile.mkdtemp(prefix="vigil-soak-")
    os.makedirs(f"{d}/bin")
    os.makedirs(f"{d}/run", mode=0o700)
    for dd in ("state", "xdg", "home"):
        os.makedirs(f"{d}/{dd}", mode=0o700)
    for name, text in CHILDREN.items():
        with open(f"{d}/bin/{name}", "w") as f:
            f.write(text)
        os.chmod(f"{d}/bin/{name}", 0o755)
    redis_port = free_port()
    redis = Redis(d, redis_port)
    disk = LogDisk(d)
    rules_path = f"{d}/rules.toml"
    good_rules = RULES.replace("BIN", f"{d}/bin").replace("DIR", d).encode()
    write_file(rules_path, good_rules, False)
    svc = services(d, redis_port)
    cfg = [f'[vigil]\nsocket = "{d}/run/control.sock"\nlog_dir = "{disk.path}"\nrules = "{rules_path}"\n'
           f'log_max_size = "1MB"\nlog_keep = 2\nlog_overflow = "block"\nsample_interval = "500ms"\n',
           f'[store]\nurl = "redis://127.0.0.1:{redis_port}/0"\ntimeout = "300ms"\n']
    for name, (argv, extra) in svc.items():
        cfg.append(f"[service.{name}]\ncommand = {json.dumps(argv)}\n{extra}\n")
    with open(f"{d}/vigil.toml", "w") as f:
        f.write("\n".join(cfg))

    v = None
    status_lat, cli_lat = [], []
    t_start = time.time()
    def give_up():  # a hard bound on the whole run, whatever happens below; still cleans up
        print(f"soak: FAILED: still running {DURATION + 300:.0f} s after its start; stopping everything", flush=True)
        if v and v.alive():
            v.proc.kill()
        for p in tagged_pids():
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        redis.kill()
        try:
            disk.unwritable(False)
        except (OSError, subprocess.CalledProcessError):
            pass
        disk.close()
        os._exit(3)
    watchdog = threading.Timer(DURATION + 300, give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        redis.start()
        v = Vigil(d, f"{d}/vigil.toml")
        mon = Monitor(v)
        names = list(svc)
        warmup = min(10.0, DURATION * 0.15)
        calm = max(10.0, min(20.0, DURATION * 0.15))
        time.sleep(warmup / 2)
        # fds and memory are compared with every service stopped, so the crashers' pipes and pidfds
        # of the moment do not count: once after the warm-up, once after the chaos.
        fd0, rss0 = quiescent(v, names)
        v.request({"cmd": "start", "services": names})
        time.sleep(warmup / 2)
        threads = [every(0.5, poll_status, v, status_lat), every(5.0, poll_cli, v, cli_lat),
                   every(8.0, chaos_redis, redis), every(3.0, chaos_rules, rules_path, good_rules),
                   every(12.0, chaos_disk, disk), every(4.0, chaos_operator, v), every(0.2, chaos_clients, v)]
        end_chaos = t_start + DURATION - calm
        while time.time() < end_chaos:
            time.sleep(0.5)
            if not v.alive():
                break
        # Calm: every fault undone, then vigil gets time to settle.
        stop_chaos.set()
        for t in threads:
            t.join(timeout=30)
        for s in half_open:
            s.close()
        write_file(rules_path, good_rules, True)
        try:
            disk.unwritable(False)
        except (OSError, subprocess.CalledProcessError) as e:
            note(f"could not make the log dir writable again: {e!r}")
        if redis.proc.poll() is not None:
            redis.start()
        redis.proc.send_signal(signal.SIGCONT)
        if v.alive():
            v.request({"cmd": "start", "services": names})  # an operator's stop from the chaos
        settle = time.time() + calm / 2
        while time.time() < settle and v.alive():
            time.sleep(0.5)
            poll_status(v, status_lat)

        # ---- the counts
        if not v.alive():
            bump("vigil crashes")
            note(f"vigil exited during the soak with {v.proc.returncode}")
        else:
            st = v.request({"cmd": "status"})["status"]
            rules = st.get("rules", {})
            if not rules.get("loaded") or rules.get("count") != RULE_COUNT or rules.get("error"):
                bump("rules not in force after the chaos")
                note(f"rules after the chaos: {rules}")
            figures["notifications"] = {n["name"]: {k: n.get(k) for k in ("sent", "failed", "dropped")}
                                        for n in st.get("notifiers", [])}
            figures["restarts"] = sum(s.get("restarts", 0) for s in st.get("services", []))
            figures["store_up at the end"] = st.get("store", {}).get("store_up")
            fd1, rss1 = quiescent(v, names)
            figures["vigil fds, all services stopped (before → after)"] = f"{fd0} → {fd1}"
            figures["vigil RSS KiB, all stopped (before → after; max)"] = f"{rss0} → {rss1}; {max(s[2] for s in mon.samples)}"
            if fd1 > fd0:
                bump("fd growth", fd1 - fd0)
            # The allocator keeps what the chaos's peaks needed; a leak grows past that.
            if rss1 > rss0 * 1.5 + 8192:
                bump("RSS growth beyond 1.5x + 8 MiB")
        mon.done.set()
        figures["max status latency ms (socket)"] = round(max(status_lat) * 1000, 1) if status_lat else None
        figures["status polls answered"] = len(status_lat)
        figures["max `vigil status` ms (CLI)"] = round(max(cli_lat) * 1000, 1) if cli_lat else None
        figures["zombies"] = len(mon.zombies)
        if mon.zombies:
            bump("zombies (> 2 s)", len(mon.zombies))

        # ---- graceful stop, then orphans and lost lines
        if v.alive():
            v.proc.send_signal(signal.SIGTERM)
            try:
                rc = v.proc.wait(timeout=60)
                if rc != 0:
                    bump("vigil crashes")
                    note(f"vigil exited {rc} on SIGTERM")
            except subprocess.TimeoutExpired:
                bump("vigil hung on SIGTERM")
                v.proc.kill()
        time.sleep(1.0)
        orphans = tagged_pids()
        if orphans:
            bump("orphans after the stop", len(orphans))
            for p in orphans:
                try:
                    with open(f"/proc/{p}/cmdline", "rb") as f:
                        cmdline = f.read().replace(b"\0", b" ")[:200]
                    note(f"orphan {p}: {cmdline!r}")
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        total_checked = 0
        for name in ("numbered-steady", "numbered-flood"):
            lost, checked, order_bad = lost_lines(disk.path, name, f"{d}/progress-{name}")
            total_checked += checked
            figures[f"lines checked ({name})"] = checked
            if lost:
                bump("lost lines", lost)
            if order_bad:
                bump("lines out of order or duplicated", order_bad)
        if total_checked == 0:
            bump("no numbered line could be checked")
        with lock:
            figures["log disk faults"] = len(fault_windows)
        figures["duration s"] = round(time.time() - t_start, 1)
    finally:
        stop_chaos.set()
        if v and v.alive():
            v.proc.kill()
            v.proc.wait()
        for p in tagged_pids():
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        redis.kill()
        try:
            disk.unwritable(False)
        except (OSError, subprocess.CalledProcessError):
            pass
        disk.close()
        watchdog.cancel()

    print(f"\n== soak: {DURATION:.0f} s, {len(svc)} services, log dir on {'a 24 MB tmpfs' if disk.tmpfs else 'a plain folder'}")
    for k, val in figures.items():
        print(f"  {k:48} {val}")
    keys = ["vigil crashes", "zombies (> 2 s)", "orphans after the stop", "fd growth", "RSS growth beyond 1.5x + 8 MiB",
            "lost lines", "lines out of order or duplicated", "control replies that were not JSON",
            "status polls unanswered (10 s)", "vigil status CLI unanswered (exit 3)", "rules not in force after the chaos"]
    keys += [k for k in counts if k not in keys]
    for k in keys:
        print(f"  {k:48} {counts.get(k, 0)}")
    bad = {k: n for k, n in counts.items() if n}
    if KEEP or bad:
        with open(f"{d}/events.txt", "w") as f:
            for t, text in events:
                f.write(f"{t - t_start:8.2f} {text}\n")
    if bad:
        print(f"soak: FAILED ({', '.join(f'{k}: {n}' for k, n in bad.items())}); "
              f"vigil's log and the soak's events are in {d}")
        for t, text in events[-15:]:
            print(f"  {t - t_start:8.2f} {text}")
        return 1
    print("soak: OK")
    if not KEEP:
        shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
