#!/usr/bin/env bash
# One `ameba-ota fleet rollout` to 100 virtual boards (`device farm`, 127.0.0.2 …, mDNS on lo) in 4 stages (1,10%,50%,100%),
# each board verified back after its reboot, recorded in a fresh history database; inside a private network namespace
# (loopback only). Prints: the rollout's wall time and peak RSS, its stages, the database's size and what it holds.
# Usage: bench/rollout.sh [N] [IMAGE_SIZE]   (default 100 boards, 256K)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
n=${1:-100}
size=${2:-256K}
cli="$(pwd)/src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota.dll"
work=$(mktemp -d)
dotnet "$cli" image make --version 1 -o "$work/v1.bin" >/dev/null
dotnet "$cli" image make --version 2 --size "$size" -o "$work/v2.bin" >/dev/null

dotnet "$cli" device farm --count "$n" --image "$work/v1.bin" --dir "$work/boards" --base-ip 127.0.0.2 --interface lo >/dev/null 2>"$work/farm.err" &
farm=$!
trap 'kill -TERM $farm 2>/dev/null; wait $farm 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1200); do grep -q "boards listening" "$work/farm.err" && break; sleep 0.05; done
grep -q "boards listening" "$work/farm.err" || { echo "the farm did not start" >&2; cat "$work/farm.err" >&2; exit 1; }
sed -n 's/^\[farm\] \(all .*\)/farm: \1/p' "$work/farm.err"

python3 - "$cli" "$work" <<'PY'
import json, os, resource, sqlite3, subprocess, sys, time
cli, work = sys.argv[1], sys.argv[2]
db = os.path.join(work, "h.db")
args = ["dotnet", cli, "fleet", "rollout", os.path.join(work, "v2.bin"), "--match", "MyAmeba-*", "--interface", "lo", "--discover-timeout", "1",
        "--stages", "1,10%,50%,100%", "--wait-reboot", "10", "--db", db, "--json"]
start = time.monotonic()
p = subprocess.run(args, capture_output=True, text=True)
wall = time.monotonic() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
events = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
end = events[-1]
stages = {e["stage"]: e for e in events if e["event"] == "stage" and e["kind"] == "started"}
print(f"rollout: exit {p.returncode}, {end['result']}: {end['success']} success, {end['failure']} failure in {end['durationMs'] / 1000:.2f} s "
      f"(stages of {', '.join(str(stages[k]['boards']) for k in sorted(stages))} boards); whole process {wall:.2f} s, peak RSS {rss:.1f} MiB")
if p.returncode != 0: print(p.stderr[-2000:], file=sys.stderr)
c = sqlite3.connect(db)
uploads = c.execute("select count(*) from uploads").fetchone()[0]
transitions = sum(1 for e in events if e["event"] == "board")
size = os.path.getsize(db) + (os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0)
print(f"database: {size / 1024:.0f} KiB after the run ({uploads} uploads, {transitions} board state changes; "
      f"{2 * uploads + transitions} writes, one transaction each), integrity {c.execute('pragma integrity_check').fetchone()[0]}")
PY
