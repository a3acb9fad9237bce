"""Example data source: writes a small scan file into a directory every 2 seconds, keeping the last 20."""
import json
import os
import sys
import time

scan_dir = sys.argv[1] if len(sys.argv) > 1 else "scans"
os.makedirs(scan_dir, exist_ok=True)
n = 0
while True:
    n += 1
    # Named by time so that the newest file sorts last, across restarts too.
    name = os.path.join(scan_dir, f"scan-{time.time_ns()}.json")
    tmp = name + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"seq": n, "taken": time.time(), "values": [n % 7, n % 11, n % 13]}, f)
    os.rename(tmp, name)  # atomic: the bridge never sees half a file
    print(f"wrote {name}")
    for old in sorted(os.listdir(scan_dir))[:-20]:
        os.unlink(os.path.join(scan_dir, old))
    time.sleep(2)
