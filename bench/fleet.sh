#!/usr/bin/env bash
# One `ameba-ota fleet upload` of a 256 KiB image to 100 virtual boards (`device farm`, 127.0.0.2 …, mDNS on lo), inside a
# private network namespace (loopback only). Prints, per run: the fleet process's wall time and peak RSS, how many boards
# were updated, and the farm's peak RSS (VmHWM). Runs: discovery by --match with and without --wait-reboot, and by --ip.
# Usage: bench/fleet.sh [N]   (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
n=${1:-100}
cli=$(cli_dll)
work=$(mktemp -d)
dotnet "$cli" image make --version 1 -o "$work/v1.bin" >/dev/null
dotnet "$cli" image make --version 2 --size 256K -o "$work/v2.bin" >/dev/null

start_farm --count "$n" --image "$work/v1.bin" --dir "$work/boards" --base-ip 127.0.0.2 --interface lo

# Runs the fleet command given as arguments; prints wall time, peak RSS of that process and the updated count.
fleet() {
  python3 - "$cli" "$@" <<'PY'
import json, resource, subprocess, sys, time
start = time.monotonic()
p = subprocess.run(["dotnet", *sys.argv[1:]], capture_output=True, text=True)
wall = time.monotonic() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
boards = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{\"board\"")]
updated = sum(b["state"] == "updated" for b in boards)
reboot = [b["rebootMs"] for b in boards if b.get("rebootMs") is not None]
extra = f", reboot seen after median {sorted(reboot)[len(reboot)//2]:.0f} ms" if reboot else ""
print(f"  exit {p.returncode}: {updated} of {len(boards)} updated in {wall:.2f} s (whole process), peak RSS {rss:.1f} MiB{extra}")
if p.returncode != 0: print(p.stderr[-2000:], file=sys.stderr)
PY
}

ips=()
for i in $(seq 0 $((n - 1))); do ips+=(--ip "127.0.$(( (2 + i) / 256 )).$(( (2 + i) % 256 ))"); done
v2="$work/v2.bin"
echo "fleet upload --match 'MyAmeba-*' --discover-timeout 1 (256 KiB, parallel 16):"
fleet fleet upload "$v2" --match 'MyAmeba-*' --interface lo --discover-timeout 1 --json
echo "fleet upload --match 'MyAmeba-*' --discover-timeout 1 --wait-reboot 10 (parallel 16):"
fleet fleet upload "$v2" --match 'MyAmeba-*' --interface lo --discover-timeout 1 --wait-reboot 10 --json
echo "fleet upload with $n --ip addresses, --wait-reboot 10 --parallel 32:"
fleet fleet upload "$v2" "${ips[@]}" --interface lo --wait-reboot 10 --parallel 32 --json
echo "fleet upload with $n --ip addresses (no discovery, no reboot wait), parallel 16:"
fleet fleet upload "$v2" "${ips[@]}" --json
echo "farm ($n boards): peak RSS $(peak_rss_mib $farm) MiB"
