#!/usr/bin/env bash
# One `ameba-ota fleet rollout` to 100 virtual boards (`device farm`, 127.0.0.2 …, mDNS on lo) in 4 stages (1,10%,50%,100%),
# each board verified back after its reboot, recorded in a fresh history database; inside a private network namespace
# (loopback only). Prints: the rollout's wall time and peak RSS, its stages, the database's size and what it holds.
# With --mixed: half Ameba1, half AmebaD boards (`device farm --family ameba1:N/2,amebad:N/2`, OTA_Basic with its real
# delays), one rollout of an ota.bin and an OTA_All.bin, each board sent its own family's image (--wait-reboot 40: an
# AmebaD board announces itself 13 s after its reboot), and the outcome per family from the history.
# Usage: bench/rollout.sh [--mixed] [N] [IMAGE_SIZE]   (default 100 boards, 256K)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
mixed=0
if [ "${1:-}" = "--mixed" ]; then mixed=1; shift; fi
n=${1:-100}
size=${2:-256K}
cli=$(cli_dll)
work=$(mktemp -d)
dotnet "$cli" image make --version 1 -o "$work/v1.bin" >/dev/null
dotnet "$cli" image make --version 2 --size "$size" -o "$work/v2.bin" >/dev/null
farm_images=(--image "$work/v1.bin")
farm_family=()
images=("$work/v2.bin")
wait_reboot=10
if [ "$mixed" = 1 ]; then
  dotnet "$cli" image make --family amebad --version 1 -o "$work/d-v1.bin" >/dev/null
  dotnet "$cli" image make --family amebad --version 2 --size "$size" --ota-all -o "$work/OTA_All.bin" >/dev/null
  farm_images+=(--image "$work/d-v1.bin")
  farm_family=(--family "ameba1:$((n / 2)),amebad:$((n - n / 2))")
  images+=("$work/OTA_All.bin")
  wait_reboot=40
fi

start_farm --count "$n" "${farm_family[@]}" "${farm_images[@]}" --dir "$work/boards" --base-ip 127.0.0.2 --interface lo

python3 - "$cli" "$work" "$wait_reboot" "${images[@]}" <<'PY'
import json, os, resource, sqlite3, subprocess, sys, time
cli, work, wait_reboot, images = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
db = os.path.join(work, "h.db")
args = ["dotnet", cli, "fleet", "rollout", *images, "--match", "MyAmeba-*", "--interface", "lo", "--discover-timeout", "1",
        "--stages", "1,10%,50%,100%", "--wait-reboot", wait_reboot, "--db", db, "--json"]
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
for family, image, outcome, count, slowest in c.execute(
        "select u.family, i.file_name, u.outcome, count(*), max(u.reboot_ms) from uploads u join images i on i.sha256 = u.image_sha256 "
        "group by u.family, i.file_name, u.outcome order by u.family"):
    print(f"  {family}: {count} × {image} {outcome} (slowest back after its reboot in {(slowest or 0) / 1000:.1f} s)")
PY
