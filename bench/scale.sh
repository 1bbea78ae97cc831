#!/usr/bin/env bash
# 2,000 boards everywhere (issue 21): one `device farm` of N virtual boards (default 2000, `typical` flash timing, each on its
# own 127.0.x.y, mDNS on lo) inside a private network namespace (loopback only). Prints: the farm's start-up and memory
# per board (VmHWM / N), how many boards one `discover` finds and how long it took, one `fleet rollout` of a 256 KiB image
# to every board in 4 stages (default options: the airtime budget) with each board seen back after its reboot, what the
# history database then holds (uploads, rollout boards), and the farm's memory after the rollout.
# Usage: bench/scale.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
exec python3 - "$(cli_dll)" "${1:-2000}" <<'PY'
import json, os, resource, sqlite3, subprocess, sys, tempfile, time
cli, n = sys.argv[1], int(sys.argv[2])
work = tempfile.mkdtemp()
def run(*a, **k): return subprocess.run(["dotnet", cli, *a], capture_output=True, text=True, cwd=work, **k)
def status(pid, key):
    with open(f"/proc/{pid}/status") as f: return int(next(l for l in f if l.startswith(key)).split()[1]) / 1024
run("image", "make", "--version", "1", "-o", "v1.bin")
run("image", "make", "--version", "2", "--size", "256K", "-o", "v2.bin")
t0 = time.monotonic()
farm = subprocess.Popen(["dotnet", cli, "device", "farm", "--count", str(n), "--image", "v1.bin", "--dir", "boards", "--base-ip", "127.0.0.2",
                         "--interface", "lo", "--flash-timing", "typical"], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
for line in farm.stderr:
    if "boards listening" in line: break
ready = time.monotonic() - t0
import threading; threading.Thread(target=lambda: [None for _ in farm.stderr], daemon=True).start()
time.sleep(1)
hwm = status(farm.pid, "VmHWM")
print(f"farm of {n} boards (typical): all listening {ready:.1f} s after start; peak RSS {hwm:.0f} MiB ({hwm / n:.3f} MiB per board)", flush=True)

for timeout in (3, 5):
    t = time.monotonic()
    d = run("discover", "--interface", "lo", "--timeout", str(timeout), "--json", "--db", "none")
    found = json.loads(d.stdout)
    boards = found if isinstance(found, list) else found.get("boards", [])
    names = {b.get("instance") or b.get("name") for b in boards}
    print(f"discover --timeout {timeout}: exit {d.returncode}, {len(names)} of {n} boards in {time.monotonic() - t:.1f} s (whole process)", flush=True)

db = os.path.join(work, "h.db")
t = time.monotonic()
p = subprocess.run([sys.executable, "-c", "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)",
                    "dotnet", cli, "fleet", "rollout", "v2.bin", "--match", "MyAmeba-*", "--interface", "lo", "--discover-timeout", "5",
                    "--stages", "1,10%,50%,100%", "--wait-reboot", "30", "--db", db, "--json"], cwd=work, capture_output=True, text=True)
wall = time.monotonic() - t
rss = int(p.stderr.strip().splitlines()[-1]) / 1024
events = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
end = events[-1]
stages = {e["stage"]: e for e in events if e.get("event") == "stage" and e.get("kind") == "started"}
air = next((e["airtime"] for e in reversed(events) if "airtime" in e), None)
airs = f"; airtime at most {air['peakBytesPerSecond'] * 8e-6:.1f} Mbit/s over a second (budget {air['maxBytesPerSecond'] * 8e-6:.0f}), at most {air['peakSending']} taking bytes, {air['peakOpen']} open" if air else ""
print(f"rollout: exit {p.returncode}, {end.get('result')}: {end.get('success')} success, {end.get('failure')} failure in {end.get('durationMs', 0) / 1000:.1f} s "
      f"(stages of {', '.join(str(stages[k]['boards']) for k in sorted(stages))} boards); whole process {wall:.1f} s, peak RSS {rss:.0f} MiB{airs}", flush=True)
if p.returncode != 0: print(p.stderr[-2000:], file=sys.stderr)
c = sqlite3.connect(db)
tables = [r[0] for r in c.execute("select name from sqlite_master where type='table'")]
counts = {t: c.execute(f"select count(*) from {t}").fetchone()[0] for t in tables if not t.startswith("sqlite")}
h = run("history", "--db", db, "--json")
rows = len([l for l in h.stdout.splitlines() if l.strip().startswith("{")]) if h.stdout.lstrip().startswith("{") else len(json.loads(h.stdout or "[]"))
print(f"history: rows per table {counts}; `history --json` lists {rows} uploads (exit {h.returncode})", flush=True)
print(f"farm of {n} boards after the rollout: RSS {status(farm.pid, 'VmRSS'):.0f} MiB, peak {status(farm.pid, 'VmHWM'):.0f} MiB", flush=True)
farm.terminate(); farm.wait()
PY
