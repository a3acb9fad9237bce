"""Example bridge daemon: pushes the newest scan file in SCAN_DIR into Redis as hash `latest_scan`
(fields: ts = unix time of the push, file, seq, lag_s = seconds between the scan and the push).

Talks RESP over the unix socket directly, and the sd_notify protocol (READY=1, STATUS=, WATCHDOG=1)
over $NOTIFY_SOCKET, so the demo needs nothing beyond python3. Under vigil or systemd alike.
Exit code 78 means "misconfigured" (vigil's example config does not restart on it)."""
import json
import os
import socket
import sys
import time

scan_dir = os.environ.get("SCAN_DIR", "scans")
redis_socket = os.environ.get("REDIS_SOCKET", "redis.sock")


def resp(*args):
    out = f"*{len(args)}\r\n"
    for a in args:
        a = str(a)
        out += f"${len(a.encode())}\r\n{a}\r\n"
    return out.encode()


def notify(message):
    """sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET, if there is one."""
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    if path.startswith("@"):
        path = "\0" + path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(message.encode(), path)


def connect():
    for attempt in range(50):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(redis_socket)
            return s
        except OSError as e:
            print(f"waiting for redis at {redis_socket}: {e}", file=sys.stderr)
            time.sleep(0.2)
    print(f"redis at {redis_socket} never came up", file=sys.stderr)
    sys.exit(1)


if not os.path.isdir(scan_dir):
    print(f"SCAN_DIR {scan_dir} is not a directory", file=sys.stderr)
    sys.exit(78)

conn = connect()
print(f"bridge up: {scan_dir} -> redis {redis_socket}")
notify(f"READY=1\nSTATUS=connected to {redis_socket}, waiting for scans")
last = None
while True:
    files = sorted(f for f in os.listdir(scan_dir) if f.endswith(".json"))
    if files and files[-1] != last:
        last = files[-1]
        with open(os.path.join(scan_dir, last)) as f:
            scan = json.load(f)
        now = time.time()
        conn.sendall(resp("HSET", "latest_scan", "ts", f"{now:.3f}", "file", last, "seq", scan["seq"],
                          "lag_s", f"{now - scan['taken']:.3f}"))
        reply = conn.recv(128)
        if not reply.startswith(b":"):
            print(f"unexpected reply from redis: {reply!r}", file=sys.stderr)
            sys.exit(1)
        print(f"pushed {last} (seq {scan['seq']})")
        notify(f"STATUS=last pushed {last}")
    notify("WATCHDOG=1")
    time.sleep(0.2)
