#!/usr/bin/env bash
# Fleet updates under the airtime budget (issue 21): a `device farm` of N boards at `typical` flash timing, each sent a
# 256 KiB image by one whole `fleet upload --ip … --wait-reboot --json` process with default options, inside a private
# network namespace (loopback only) whose TCP buffers are 16 KiB (as bench/ota-realtime.sh). Per run: wall time, boards
# updated, the longest any board took, the airtime budget as the fleet reported it, the same measured independently from
# the kernel (`ss -ti`: bytes_acked of every connection to the boards, sampled every 100 ms, the most over any second),
# the fleet process's peak RSS and the farm's. With N = 100 also the old fixed 16 (--parallel 16 --max-rate 0).
# Usage: bench/airtime.sh [N ...]   (default: 1 100 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
small_tcp_buffers
exec python3 - "$(cli_dll)" "$@" <<'PY'
import json, re, subprocess, sys, tempfile, threading, time
cli, sizes = sys.argv[1], [int(a) for a in sys.argv[2:]] or [1, 100, 1000]
work = tempfile.mkdtemp()
def run(*a): return subprocess.run(["dotnet", cli, *a], capture_output=True, text=True, cwd=work)
run("image", "make", "--version", "1", "-o", "v1.bin")
version = 1

class Acked:
    """bytes_acked of every established connection to port 5000, from the kernel, every 100 ms: the most acknowledged
    between two samples at most 1 s apart (a connection closed between two samples loses its last 100 ms: a lower bound)."""
    def __init__(self):
        self.last, self.window, self.peak, self.stop = {}, [], 0, False
        threading.Thread(target=self.loop, daemon=True).start()
    def loop(self):
        while not self.stop:
            out = subprocess.run(["ss", "-tinH", "state", "established", "( dport = :5000 )"], capture_output=True, text=True).stdout
            moved, key, now = 0, None, {}
            for line in out.splitlines():
                fields = line.split()
                if len(fields) >= 4 and ":" in fields[-1] and not line.startswith("\t"): key = (fields[-2], fields[-1]); continue
                m = re.search(r"bytes_acked:(\d+)", line)
                if m and key: now[key] = int(m.group(1)); moved += max(0, now[key] - self.last.get(key, 0)); key = None
            self.last = now
            t = time.monotonic()
            self.window = [(at, b) for at, b in self.window if at > t - 1.0] + [(t, moved)]
            self.peak = max(self.peak, sum(b for at, b in self.window[1:]))   # acknowledged after the first sample of the window
            time.sleep(0.1)

def fleet(n, extra, label):
    global version
    version += 1
    run("image", "make", "--version", str(version), "--size", "256K", "-o", f"v{version}.bin")
    ips = []
    for i in range(n): ips += ["--ip", f"127.0.{(2 + i) // 256}.{(2 + i) % 256}"]
    acked = Acked()
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-c", "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
                        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)",
                        "dotnet", cli, "fleet", "upload", f"v{version}.bin", *ips, "--wait-reboot", "--interface", "lo", "--json", *extra],
                       cwd=work, capture_output=True, text=True)
    wall = time.monotonic() - t0
    acked.stop = True
    rss = int(p.stderr.strip().splitlines()[-1]) / 1024
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    boards = [b for b in lines if "board" in b]
    air = next((l["airtime"] for l in lines if "airtime" in l), None)
    updated = sum(b["state"] == "updated" for b in boards)
    longest = max(b["elapsedMs"] for b in boards) / 1000
    mbit = lambda b: b * 8 / 1e6
    budget = f"{mbit(air['maxBytesPerSecond']):.1f}" if air and air["maxBytesPerSecond"] else "none"
    print(f"{n} boards, {label}: exit {p.returncode}, {updated} of {len(boards)} updated in {wall:.1f} s (whole process); longest board {longest:.1f} s; "
          f"budget {budget} Mbit/s, most over any second: {mbit(air['peakBytesPerSecond']):.1f} (fleet) / {mbit(acked.peak):.1f} (kernel, ss) Mbit/s, "
          f"mean {mbit(air['meanBytesPerSecond']):.1f}; at most {air['peakSending']} taking bytes, {air['peakOpen']} open; fleet peak RSS {rss:.0f} MiB", flush=True)
    if p.returncode != 0: print(p.stderr[-1500:], file=sys.stderr)

for n in sizes:
    farm = subprocess.Popen(["dotnet", cli, "device", "farm", "--count", str(n), "--image", "v1.bin", "--dir", f"boards{n}",
                             "--base-ip", "127.0.0.2", "--interface", "lo", "--flash-timing", "typical"],
                            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in farm.stderr:
        if "boards listening" in line: break
    threading.Thread(target=lambda: [None for _ in farm.stderr], daemon=True).start()
    fleet(n, [], "default options")
    if n == 100: fleet(n, ["--parallel", "16", "--max-rate", "0"], "--parallel 16 --max-rate 0 (as before)")
    with open(f"/proc/{farm.pid}/status") as f:
        hwm = int(next(l for l in f if l.startswith("VmHWM")).split()[1])
    print(f"farm of {n} boards (typical): peak RSS {hwm / 1024:.0f} MiB ({hwm / 1024 / n:.2f} MiB per board)", flush=True)
    farm.terminate(); farm.wait()
PY
