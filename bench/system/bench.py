#!/usr/bin/env python3
"""Whole-system figures for vigil, each next to a floor measured in the same run.

usage: bench.py VIGIL_BINARY [--quick | --smoke] [--only NAME,...]
--quick: fewer runs and shorter windows (noisy figures). --smoke: each figure once at its smallest,
only to keep this script working (scripts/test.sh); its numbers mean nothing.
Every measurement starts the real vigil binary on a generated config in a temp folder, is bounded
in time and count, and cleans up after itself. Where a peer does the same job, supervisord (Debian's
`supervisor`) runs the same children in the same run. Prints one table: figure, vigil, supervisord,
floor, ratio (vigil / floor), target. Benchmarks, not tests: nothing here fails on a slow machine."""
import http.client, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, xmlrpc.client

VIGIL = os.path.abspath(sys.argv[1])
SMOKE = "--smoke" in sys.argv
QUICK = "--quick" in sys.argv or SMOKE


def size(full, quick, smoke):
    return smoke if SMOKE else quick if QUICK else full

ONLY = next((a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--only=")), None)
rows = []


def row(name, vigil, floor, target, note="", supervisord=None):
    ratio = f"{vigil / floor:.2f}x" if floor else ""
    rows.append((name, vigil, supervisord, floor, ratio, target, note))


class Vigil:
    """The real binary on a generated config; stopped (and its tree with it) on exit."""

    def __init__(self, config, rules=None):
        self.dir = tempfile.mkdtemp(prefix="vigil-bench-")
        self.sock = os.path.join(self.dir, "run/control.sock")
        with open(os.path.join(self.dir, "vigil.toml"), "w") as f:
            f.write(f'[vigil]\nsocket = "{self.sock}"\nlog_dir = "{self.dir}/logs"\n' + config)
        if rules:
            with open(os.path.join(self.dir, "rules.toml"), "w") as f:
                f.write(rules)
        env = dict(os.environ, XDG_STATE_HOME=self.dir + "/state", XDG_RUNTIME_DIR=self.dir + "/xdg")
        self.log = open(os.path.join(self.dir, "vigil.log"), "w")
        self.proc = subprocess.Popen([VIGIL, "run", "-c", os.path.join(self.dir, "vigil.toml")],
                                     stdout=self.log, stderr=self.log, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.request({"cmd": "ping"}).get("ok"):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("vigil did not come up: " + open(self.log.name).read()[-2000:])

    def request(self, req):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(self.sock)
        s.sendall((json.dumps(req) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            buf += chunk
        s.close()
        return json.loads(buf)

    def status(self):
        return self.request({"cmd": "status"})["status"]

    def path(self, name):
        return os.path.join(self.dir, name)

    def cpu_seconds(self):
        f = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


class UnixTransport(xmlrpc.client.Transport):
    """XML-RPC over supervisord's unix socket."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def make_connection(self, host):
        conn = http.client.HTTPConnection("localhost", timeout=30)
        path = self.path

        def connect():
            conn.sock = socket.socket(socket.AF_UNIX)
            conn.sock.settimeout(30)
            conn.sock.connect(path)
        conn.connect = connect
        return conn


class Supervisord:
    """supervisord (the peer users would pick instead) on the same children; stopped on exit.
    `programs`: name → {option: value} of its [program:x] section (% must be written %%)."""

    def __init__(self, programs):
        self.dir = tempfile.mkdtemp(prefix="vigil-bench-supervisord-")
        self.sock = os.path.join(self.dir, "supervisor.sock")
        conf = (f"[unix_http_server]\nfile={self.sock}\n[supervisord]\nnodaemon=true\nlogfile={self.dir}/supervisord.log\n"
                f"pidfile={self.dir}/supervisord.pid\nchildlogdir={self.dir}\n[rpcinterface:supervisor]\n"
                "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n")
        for name, opts in programs.items():
            conf += f"[program:{name}]\n" + "".join(f"{k}={v}\n" for k, v in opts.items())
        with open(os.path.join(self.dir, "supervisord.conf"), "w") as f:
            f.write(conf)
        self.out = open(os.path.join(self.dir, "supervisord.out"), "w")
        self.proc = subprocess.Popen(["supervisord", "-c", os.path.join(self.dir, "supervisord.conf")],
                                     stdout=self.out, stderr=self.out)
        self.rpc = xmlrpc.client.ServerProxy("http://localhost", transport=UnixTransport(self.sock)).supervisor
        if not wait(self.up, 30):
            raise RuntimeError("supervisord did not come up: " + open(self.out.name).read()[-2000:])

    def up(self):
        try:
            return self.rpc.getState()["statename"] == "RUNNING"
        except OSError:
            return False

    def path(self, name):
        return os.path.join(self.dir, name)

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def have_supervisord():
    return shutil.which("supervisord") is not None


POLL = 0.002  # s between two looks at something a benchmark waits for


def wait(pred, limit):
    end = time.time() + limit
    while time.time() < end:
        if pred():
            return True
        time.sleep(POLL)
    return False


def gaps_ms(path):
    t = [int(x) for x in open(path).read().split()]
    return [(b - a) / 1e6 for a, b in zip(t, t[1:])]


def gone(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def bench_restart():
    n = size(60, 20, 5)
    with tempfile.TemporaryDirectory() as d:
        floor_file = os.path.join(d, "floor")
        cmd = f"date +%s%N >> {floor_file}; exit 0"
        subprocess.run(["bash", "-c", f'for i in $(seq {n}); do sh -c "{cmd}"; done'], check=True)
        floor = statistics.median(gaps_ms(floor_file))
        f = os.path.join(d, "vigil")
        with Vigil(f'[service.flash]\ncommand = ["sh", "-c", "date +%s%N >> {f}; exit 0"]\n'
                   'restart_delay = "0s"\nstart_limit_burst = 100000\n') as v:
            wait(lambda: os.path.exists(f) and len(open(f).read().split()) > n, 60)
        g = gaps_ms(f)[:n]
        sup = None
        if have_supervisord():
            f2 = os.path.join(d, "supervisord")
            with Supervisord({"flash": {"command": f'sh -c "date +%%s%%N >> {f2}; exit 0"', "autorestart": "true",
                                        "startsecs": "0", "startretries": "1000000"}}):
                wait(lambda: os.path.exists(f2) and len(open(f2).read().split()) > n, 60)
            gs = gaps_ms(f2)[:n]
            sup = round(statistics.median(gs), 2) if gs else None
    row("restart after a crash (delay 0), median ms", round(statistics.median(g), 2), round(floor, 2), "<= 1.2x",
        f"min {min(g):.1f} max {max(g):.1f} ms (target: every run < 20)", sup)


def bench_idle():
    secs = size(60, 10, 3)
    services = "".join(f'[service.s{i}]\ncommand = ["sleep", "100000"]\n' for i in range(100))
    with Vigil('sample_interval = "1s"\n' + services) as v:
        wait(lambda: all(s["state"] == "running" for s in v.status()["services"]), 30)
        time.sleep(2)  # settle: the first samples, the page cache
        # Beside vigil, over the same time and the same 100 processes: the /proc reads its sampling
        # cannot do without, by a minimal C++ reader (the floor; on a VM where system calls are
        # dear, most of the figure).
        pids = [str(s["pid"]) for s in v.status()["services"]]
        floor_bin = os.path.join(os.path.dirname(VIGIL), "bench", "proc_read_floor")
        floor = subprocess.Popen([floor_bin, str(secs)] + pids, stdout=subprocess.PIPE, text=True) \
            if os.path.exists(floor_bin) else None
        c0 = v.cpu_seconds()
        time.sleep(secs)  # the quantity is CPU per unit of idle time
        used = v.cpu_seconds() - c0
        floor_out = floor.communicate()[0].strip() if floor else ""
        floor_cpu = float(floor_out) if floor_out else None  # none if it could not open a process's files
        row("idle, 100 services sampled every 1s: CPU-s per minute", round(used * 60 / secs, 3),
            round(floor_cpu, 3) if floor_cpu else None, "<= 0.1", "floor: the same /proc reads alone")
        row("idle, 100 services: RSS MiB", round(v.rss_mib(), 1), None, "<= 10")


def bench_logs():
    lines = size(1_000_000, 200_000, 50_000)
    reps = size(7, 3, 1)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "lines")
        with open(src, "w") as f:
            line = "x" * 90
            for i in range(lines):
                f.write(f"{i:09d}{line}\n")  # 100 bytes
        expected = os.path.getsize(src) + lines * 29  # "2026-..Z out " prefix per line
        floors, took, lost, status_ms, sup_took = [], [], [], [], []
        # Floor, vigil and supervisord alternate, so all see the same machine (page cache, other load).
        for rep in range(reps):
            t0 = time.time()
            subprocess.run(["dd", f"if={src}", f"of={d}/direct", "bs=8192", "status=none"], check=True)
            floors.append(time.time() - t0)
            os.unlink(f"{d}/direct")
            started = os.path.join(d, "started")
            # The child notes when it starts: vigil is already supervising it before it answers a ping.
            with Vigil(f'log_max_size = "10GB"\nlog_overflow = "block"\n[service.spew]\n'
                       f'command = ["sh", "-c", "date +%s.%N > {started}; exec dd if={src} bs=8192 status=none"]\n'
                       'restart = "never"\n') as v:
                log = v.path("logs/spew.log")
                # Waited for as supervisord's run is (the file's size, every POLL); every 10th look also
                # asks vigil for its status: how responsive its loop stays meanwhile. Asking at every
                # look put a JSON client on the two cores in vigil's run only.
                end = time.time() + 300
                looks = 0
                while time.time() < end and not (os.path.exists(log) and os.path.getsize(log) >= expected):
                    if looks % 10 == 0:
                        t0 = time.time()
                        v.request({"cmd": "status"})
                        status_ms.append((time.time() - t0) * 1000)
                    looks += 1
                    time.sleep(POLL)
                took.append(time.time() - float(open(started).read()))
                lost.append(lines - sum(1 for _ in open(log)))
            if have_supervisord():
                # supervisord writes the lines as they come (no timestamp), into a file without rotation.
                with Supervisord({"spew": {"command": f'sh -c "date +%%s.%%N > {started}; exec dd if={src} bs=8192 status=none"',
                                           "autorestart": "false", "startsecs": "0", "stdout_logfile": f"{d}/sup.log",
                                           "stdout_logfile_maxbytes": "0"}}):
                    wait(lambda: os.path.exists(f"{d}/sup.log") and os.path.getsize(f"{d}/sup.log") >= os.path.getsize(src), 300)
                    sup_took.append(time.time() - float(open(started).read()))
                os.unlink(f"{d}/sup.log")
        floor, vig = statistics.median(floors), statistics.median(took)
        mbps = os.path.getsize(src) / vig / 1e6
        ratios = sorted(t / f for t, f in zip(took, floors))
        sup = round(statistics.median(sup_took), 3) if sup_took else None
        row(f"logs: {lines} lines x 100B to disk, median s", round(vig, 3), round(floor, 3), "<= 1.5x, < supervisord",
            f"{mbps:.0f} MB/s, {max(lost)} lost, {reps} runs, per-run ratio {ratios[0]:.2f}-{ratios[-1]:.2f}x "
            "(timestamp + stream on every line)", sup)
        row("logs: status round trip while the child writes flat out, max ms", round(max(status_ms), 1), None,
            "responsive", f"median {statistics.median(status_ms):.2f} ms over {len(status_ms)} requests")


STUBBORN = "trap '' TERM; sleep 100000 & while :; do sleep 0.05; done"


def stop_tree(pid, stop):
    """Calls stop() and returns ms until every process of pid's group is gone, and their count."""
    kids = subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout.split()
    t0 = time.time()
    stop()
    wait(lambda: all(gone(int(p)) for p in kids), 20)
    return (time.time() - t0) * 1000, len(kids)


def bench_stop():
    with Vigil('[service.nice]\ncommand = ["sleep", "100000"]\n'
               f'[service.stubborn]\ncommand = ["sh", "-c", "{STUBBORN}"]\n'
               'stop_timeout = "2s"\n') as v:
        wait(lambda: all(s["state"] == "running" for s in v.status()["services"]), 10)
        pid = next(s["pid"] for s in v.status()["services"] if s["name"] == "nice")
        t0 = time.time()
        v.request({"cmd": "stop", "services": ["nice"]})
        wait(lambda: gone(pid), 10)
        nice = (time.time() - t0) * 1000
        st = next(s for s in v.status()["services"] if s["name"] == "stubborn")
        stubborn, kids = stop_tree(st["pid"], lambda: v.request({"cmd": "stop", "services": ["stubborn"]}))
    sup = None
    if have_supervisord():
        with Supervisord({"stubborn": {"command": f'sh -c "{STUBBORN}"', "startsecs": "0", "stopwaitsecs": "2",
                                       "stopasgroup": "true", "killasgroup": "true"}}) as s:
            wait(lambda: s.rpc.getProcessInfo("stubborn")["statename"] == "RUNNING", 10)
            time.sleep(0.2)  # the loop has started its first sleep
            pid = s.rpc.getProcessInfo("stubborn")["pid"]
            sup = round(stop_tree(pid, lambda: s.rpc.stopProcess("stubborn", False))[0], 1)
    row("stop, cooperative child: tree gone, ms", round(nice, 1), None, "<= 20")
    row("stop, child ignores SIGTERM (stop_timeout 2s): tree gone, ms", round(stubborn, 1), 2000, "<= 2020",
        f"{kids} processes in the group", sup)


def bench_status():
    services = "".join(f'[service.s{i}]\ncommand = ["sleep", "100000"]\n' for i in range(100))
    with Vigil(services) as v:
        wait(lambda: all(s["state"] == "running" for s in v.status()["services"]), 30)
        times = []
        for _ in range(size(100, 30, 10)):
            t0 = time.time()
            v.request({"cmd": "status"})
            times.append((time.time() - t0) * 1000)
        cli = []
        for _ in range(size(20, 5, 2)):
            t0 = time.time()
            subprocess.run([VIGIL, "status", "-s", v.sock], capture_output=True)
            cli.append((time.time() - t0) * 1000)
    row("status round trip on the socket, 100 services, median ms", round(statistics.median(times), 2), None, "<= 5",
        f"`vigil status` command incl. process start: {statistics.median(cli):.1f} ms")


def bench_staleness():
    if not shutil.which("redis-server"):
        return
    d = tempfile.mkdtemp(prefix="vigil-bench-redis-")
    port_sock = socket.socket()
    port_sock.bind(("127.0.0.1", 0))
    port = port_sock.getsockname()[1]
    port_sock.close()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", d],
                             stdout=subprocess.DEVNULL)
    try:
        wait(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() == b"PONG", 10)
        results = []
        for sample in (["1s"] if QUICK else ["1s", "200ms"]):
            fired = os.path.join(d, f"fired-{sample}")
            rules = ('[[rule]]\nname = "stale"\nwhen = "data_age > 2s"\nnotify = ["t"]\n'
                     f'[notify.t]\ntype = "exec"\ncommand = ["sh", "-c", "[ $VIGIL_ALERT_STATE = firing ] && date +%s.%N >> {fired}; true"]\n')
            with Vigil(f'sample_interval = "{sample}"\n[store]\nurl = "redis://127.0.0.1:{port}/0"\n'
                       '[service.bridge]\ncommand = ["sleep", "100000"]\nfreshness = { key = "ts" }\n', rules) as v:
                for _ in range(size(10, 5, 2)):
                    last = time.time()
                    subprocess.run(["redis-cli", "-p", str(port), "SET", "ts", f"{last:.6f}"], capture_output=True)
                    if not wait(lambda: os.path.exists(fired) and len(open(fired).read().split()) > len(results), 10):
                        break
                    at = float(open(fired).read().split()[len(results)])
                    results.append((at - (last + 2)) * 1000)
                    subprocess.run(["redis-cli", "-p", str(port), "SET", "ts", f"{time.time():.6f}"], capture_output=True)
                    wait(lambda: not v.status()["alerts"], 10)  # resolved before the next round
            if results:
                row(f"stale data noticed after the threshold (sample_interval {sample}), median ms",
                    round(statistics.median(results), 1), None, "<= 50",
                    f"min {min(results):.0f} max {max(results):.0f} ms")
            results = []
    finally:
        redis.kill()
        redis.wait()
        shutil.rmtree(d, ignore_errors=True)


HEALTH_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/fixtures/health_server.py")


def bench_probes():
    """Idle CPU of 100 services, each with an HTTP probe every 1 s against one real HTTP server."""
    secs = size(60, 10, 3)
    with tempfile.TemporaryDirectory() as d:
        state, portf = os.path.join(d, "state"), os.path.join(d, "port")
        open(state, "w").write("ok\n")
        server = subprocess.Popen([sys.executable, HEALTH_SERVER, state, portf], stdout=subprocess.DEVNULL)
        try:
            wait(lambda: os.path.exists(portf), 60)
            port = open(portf).read().strip()
            services = "".join(f'[service.s{i}]\ncommand = ["sleep", "100000"]\n'
                               f'[service.s{i}.probe.http]\ntype = "http"\nurl = "http://127.0.0.1:{port}/healthz"\n'
                               'period = "1s"\ntimeout = "5s"\n' for i in range(100))
            with Vigil('sample_interval = "1s"\n' + services) as v:
                wait(lambda: all(s["metrics"].get("probe.http") is True for s in v.status()["services"]), 60)
                time.sleep(2)
                c0, checks0 = v.cpu_seconds(), sum(s["probes"][0]["checks"] for s in v.status()["services"])
                time.sleep(secs)
                used = v.cpu_seconds() - c0
                st = v.status()["services"]
                checks = sum(s["probes"][0]["checks"] for s in st) - checks0
                failed = sum(s["probes"][0]["failed_checks"] for s in st)
                lat = statistics.median(s["probes"][0]["latency"] for s in st) * 1000
                row("probes, 100 services x 1 HTTP probe every 1s: CPU-s per minute", round(used * 60 / secs, 3), None,
                    "<= 1", f"{checks / secs:.0f} checks/s, {failed} failed, median latency {lat:.1f} ms "
                    "(with the 100 services sampled every 1 s)")
                row("probes, 100 services: RSS MiB", round(v.rss_mib(), 1), None, "<= 16")
        finally:
            server.kill()
            server.wait()


def bench_log_match():
    """Log throughput with two log_match patterns against the same child without them."""
    lines = size(1_000_000, 200_000, 50_000)
    reps = size(7, 3, 1)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "lines")
        with open(src, "w") as f:
            line = "x" * 80
            for i in range(lines):
                word = "ERROR" if i % 1000 == 0 else "INFO "
                f.write(f"{i:09d} {word}{line[:85]}\n")  # 100 bytes, one in 1,000 an ERROR
        expected = os.path.getsize(src) + lines * 29
        took = {"plain": [], "log_match": []}
        counted = []
        for rep in range(reps):
            for kind in ("plain", "log_match"):
                started = os.path.join(d, "started")
                extra = ('log_match = { errors = "ERROR|Traceback", slow = "took [0-9]{4,}ms" }\n'
                         if kind == "log_match" else "")
                with Vigil(f'log_max_size = "10GB"\nlog_overflow = "block"\n[service.spew]\n'
                           f'command = ["sh", "-c", "date +%s.%N > {started}; exec dd if={src} bs=8192 status=none"]\n'
                           'restart = "never"\n' + extra) as v:
                    log = v.path("logs/spew.log")
                    wait(lambda: os.path.exists(log) and os.path.getsize(log) >= expected, 300)
                    took[kind].append(time.time() - float(open(started).read()))
                    if kind == "log_match":
                        wait(lambda: v.status()["services"][0]["metrics"].get("log.errors") == lines // 1000, 10)
                        counted.append(v.status()["services"][0]["metrics"].get("log.errors"))
        plain, matched = statistics.median(took["plain"]), statistics.median(took["log_match"])
        row(f"logs with 2 log_match patterns: {lines} lines, median s", round(matched, 3), round(plain, 3), "<= 1.1x",
            f"floor: the same lines without log_match; {reps} runs each, alternating; log.errors counted "
            f"{min(counted)}..{max(counted)} of {lines // 1000}")


def bench_scale():
    n = size(1000, 300, 100)
    services = "".join(f'[service.s{i}]\ncommand = ["sleep", "100000"]\n' for i in range(n))
    with Vigil('sample_interval = "1s"\n' + services) as v:
        wait(lambda: all(s["state"] == "running" for s in v.status()["services"]), 120)
        time.sleep(2)
        c0 = v.cpu_seconds()
        passes = size(15, 5, 2)  # CPU time comes in 10 ms ticks: enough passes to average them out
        time.sleep(passes)
        per_pass = (v.cpu_seconds() - c0) / passes * 1000
        times = []
        for _ in range(10):
            t0 = time.time()
            v.request({"cmd": "status"})
            times.append((time.time() - t0) * 1000)
        row(f"scale, {n} services: CPU per sampling pass, ms", round(per_pass, 1), None, "<= 20 (1000)")
        row(f"scale, {n} services: RSS MiB", round(v.rss_mib(), 1), None, "<= 64 (1000)")
        row(f"scale, {n} services: status round trip, median ms", round(statistics.median(times), 1), None, "<= 50 (1000)")


BENCHES = {"restart": bench_restart, "idle": bench_idle, "logs": bench_logs, "stop": bench_stop,
           "status": bench_status, "staleness": bench_staleness, "scale": bench_scale, "probes": bench_probes,
           "log_match": bench_log_match}
for name, fn in BENCHES.items():
    if ONLY and name not in ONLY:
        continue
    t0 = time.time()
    try:
        fn()
    except Exception as e:  # one broken figure must not hide the others
        rows.append((name, "error", None, None, "", "", str(e)[:120]))
    print(f"# {name}: {time.time() - t0:.0f}s", file=sys.stderr)

w = max(len(r[0]) for r in rows)
print(f"{'figure':<{w}}  {'vigil':>9}  {'supervisord':>11}  {'floor':>9}  {'ratio':>7}  {'target':<13} note")
for name, vig, sup, floor, ratio, target, note in rows:
    print(f"{name:<{w}}  {str(vig):>9}  {str(sup if sup is not None else '-'):>11}  "
          f"{str(floor if floor is not None else '-'):>9}  {ratio:>7}  {target:<13} {note}")
# A slow machine prints slow numbers and still exits 0; a figure that could not be measured at all
# (the script or vigil broke) exits 1, so the smoke run in the test suite notices.
sys.exit(1 if any(r[1] == "error" for r in rows) else 0)
