#!/usr/bin/env bash
# The thousand-board campaign (issue 14): a `device farm` of N virtual boards on lo, then ROUNDS one-shot `discover`
# processes (3 s window each), one `upload --device NAME --wait-reboot`, and one `fleet upload --match 'MyAmeba-*'
# --wait-reboot` to all of them. Prints, per step, how many boards were found or updated, the wall time, the kernel's
# drops on port-5353 sockets during the step, and at the end the farm's CPU time. Loopback only, inside a private network
# namespace; every step is bounded by `timeout`. Usage: bench/farm-campaign.sh [N=1000] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
n=${1:-1000}
rounds=${2:-3}
cli=$(cli_dll)
work=$(mktemp -d)
dotnet "$cli" image make --version 1 -o "$work/v1.bin" >/dev/null
dotnet "$cli" image make --version 2 --size 64K -o "$work/v2.bin" >/dev/null

start_farm --count "$n" --image "$work/v1.bin" --dir "$work/boards" --base-ip 127.0.0.2 --interface lo

# step NAME COMMAND...: runs the command (at most 180 s), prints "NAME: <its summary line>, <wall> s, <drops> kernel drops".
step() {
  local name=$1; shift
  local drops0 start summary
  drops0=$(mdns_drops); start=$(date +%s.%N)
  summary=$("$@" 2>"$work/step.err") || true
  local drops=$(( $(mdns_drops) - drops0 ))
  [ "$drops" -ge 0 ] || drops="n/a (sockets closed)"   # a rebooting board's socket, and its counter, went away
  printf '%s: %s, %s s, %s kernel drops on port 5353\n' "$name" "$summary" "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')" "$drops"
}

discover_count() {
  timeout 60 dotnet "$cli" discover --interface lo --timeout 3 --json >"$work/found.json" || true
  python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print(f"found {len(b)} of {sys.argv[2]}")' "$work/found.json" "$n"
}
for r in $(seq "$rounds"); do step "discover round $r" discover_count; done

target=$(python3 -c 'import json,sys; b=sorted(x["name"] for x in json.load(open(sys.argv[1]))); print(b[len(b)//2] if b else "MyAmeba-001")' "$work/found.json")
by_name() {
  local out; out=$(timeout 120 dotnet "$cli" upload "$work/v2.bin" --device "$target" --interface lo --wait-reboot 20 2>&1); local rc=$?
  echo "exit $rc ($(echo "$out" | tail -n 1))"
}
step "upload --device $target --wait-reboot 20" by_name

fleet() {
  timeout 180 dotnet "$cli" fleet upload "$work/v2.bin" --match 'MyAmeba-*' --interface lo --discover-timeout 3 --wait-reboot 30 \
    --parallel 32 --json >"$work/fleet.json" || true
  python3 - "$work/fleet.json" "$n" <<'PY'
import collections, json, sys
boards = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{\"board\"")]
states = collections.Counter(b["state"] for b in boards)
print(f"updated {states.get('updated', 0)} of {sys.argv[2]} (found {len(boards)}; " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())) + ")")
PY
}
step "fleet upload --match 'MyAmeba-*' --wait-reboot 30 --parallel 32" fleet
echo "farm: $(cpu_seconds $farm) s CPU in all, peak RSS $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' /proc/$farm/status)"
