#!/usr/bin/env bash
# N virtual AmebaPro2 boards (`device farm --family amebapro2`, 127.0.0.2 …, the OTA example beating every 3.5 s to
# 127.0.0.1:3000) on one OTA UI server, inside a private network namespace (loopback only). Prints:
#  1. `serve --ota-ui` with every board beating and none updating, over a 30 s window: boards online, heartbeats per
#     second (from the board list's beat counters), the server's CPU and memory;
#  2. `fleet upload` of a 256 KiB ota.bin to every board (found by their heartbeats, triggered, served, judged until
#     each beats again on the new build): with the default airtime budget (45 Mbit/s, no cap), every board at once
#     (--parallel N --max-rate 0, as before the budget), then 32 at a time: wall time, updated count, peak RSS, and the
#     most acknowledged over any second (the run's JSON airtime line);
#  3. the farm's peak RSS.
# Usage: bench/ota-ui.sh [N] [fleet]   (default 200; `fleet`: part 2 and 3 only)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
n=${1:-200}
parts=${2:-all}
cli=$(cli_dll)
work=$(mktemp -d)
image() { dotnet "$cli" image make --family amebapro2 --version "$1" --server 127.0.0.1:3000 --timestamp "$2" "${@:3}" -o "$work/v$1.bin" >/dev/null; }
image 1 1700000000
image 2 1700000100 --size 262148
image 3 1700000200 --size 262148
image 4 1700000300 --size 262148

start_farm --family amebapro2 --count "$n" --image "$work/v1.bin" --dir "$work/boards" --base-ip 127.0.0.2 \
  --sketch-delays short

if [ "$parts" != fleet ]; then
echo "serve --ota-ui v2.bin, $n boards beating, nothing triggered (30 s window after a 10 s warm-up):"
dotnet "$cli" serve --ota-ui "$work/v2.bin" --port 3000 --json-log >"$work/serve.out" 2>"$work/serve.err" &
serve=$!
python3 - "$serve" "$n" <<'PY'
import json, os, sys, time, urllib.request
pid, n = int(sys.argv[1]), int(sys.argv[2])
tick = os.sysconf("SC_CLK_TCK")
def boards():
    with urllib.request.urlopen("http://127.0.0.1:3000/api/connectedclients", timeout=5) as r:
        return json.load(r)["boards"]
def cpu():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick
def status(key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key): return int(line.split()[1]) / 1024
for _ in range(200):
    try: boards(); break
    except OSError: time.sleep(0.1)
time.sleep(10)
b0, c0, t0 = boards(), cpu(), time.monotonic()
time.sleep(30)
b1, c1, t1 = boards(), cpu(), time.monotonic()
beats = sum(b["beats"] for b in b1) - sum(b["beats"] for b in b0)
online = sum(b["online"] for b in b1)
print(f"  {online} of {n} boards online; {beats / (t1 - t0):.1f} heartbeats/s (a board's: 1/{(t1 - t0) * len(b1) / max(beats, 1):.2f} s); "
      f"server CPU {100 * (c1 - c0) / (t1 - t0):.1f}% of one core; RSS {status('VmRSS'):.1f} MiB (peak {status('VmHWM'):.1f} MiB)")
PY
kill -TERM "$serve"; wait "$serve" 2>/dev/null || true
fi

# Runs the fleet command given as arguments; prints wall time, peak RSS of that process and the updated count.
fleet() {
  python3 - "$cli" "$@" <<'PY'
import json, resource, subprocess, sys, time
start = time.monotonic()
p = subprocess.run(["dotnet", *sys.argv[1:]], capture_output=True, text=True)
wall = time.monotonic() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
lines = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
boards = [l for l in lines if "board" in l]
air = next((l["airtime"] for l in lines if "airtime" in l), None)
updated = sum(b["state"] == "updated" for b in boards)
reboot = sorted(b["rebootMs"] for b in boards if b.get("rebootMs") is not None)
extra = f", back IDLE after median {reboot[len(reboot)//2] / 1000:.1f} s (max {reboot[-1] / 1000:.1f} s)" if reboot else ""
if air and air["bytes"]:
    budget = f" of {air['maxBytesPerSecond'] * 8e-6:.1f}" if air["maxBytesPerSecond"] else " (no budget)"
    extra += (f"; airtime at most {air['peakBytesPerSecond'] * 8e-6:.1f}{budget} Mbit/s over any second ({air['meanBytesPerSecond'] * 8e-6:.1f} on average), "
              f"at most {air['peakSending']} taking bytes and {air['peakOpen']} triggered at once")
print(f"  exit {p.returncode}: {updated} of {len(boards)} updated in {wall:.1f} s (whole process, 4 s of it finding them), peak RSS {rss:.1f} MiB{extra}")
if p.returncode != 0: print(p.stderr[-2000:], file=sys.stderr)
PY
}
echo "fleet upload v2.bin (256 KiB) --match '127.0.*' (default: the airtime budget, 45 Mbit/s, no cap):"
fleet fleet upload "$work/v2.bin" --match '127.0.*' --listen 127.0.0.1:3000 --db "$work/h.db" --json
echo "fleet upload v3.bin (256 KiB) --match '127.0.*' --parallel $n --max-rate 0 (every board at once, no budget):"
fleet fleet upload "$work/v3.bin" --match '127.0.*' --listen 127.0.0.1:3000 --parallel "$n" --max-rate 0 --db "$work/h.db" --json
echo "fleet upload v4.bin (256 KiB) --match '127.0.*' --parallel 32 --max-rate 0:"
fleet fleet upload "$work/v4.bin" --match '127.0.*' --listen 127.0.0.1:3000 --parallel 32 --max-rate 0 --db "$work/h.db" --json
echo "farm ($n boards): peak RSS $(peak_rss_mib $farm) MiB"
