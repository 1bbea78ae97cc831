#!/usr/bin/env bash
# Floods on loopback (issue 14, item 4): a board (`mdns advertise`, the virtual board's responder) and a `discover --watch`
# run side by side while (1) a querier on port 5353 sends COUNT TXT queries for the board in 1.5 s (RFC 6762 §6 allows one
# multicast answer per record per second), and (2) COUNT responses announcing made-up boards arrive in 1.5 s. Prints the
# answers the query flood drew and the CPU the watch used in each phase. Inside a private network namespace; bounded.
# Usage: bench/mdns-flood.sh [COUNT=1200]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
count=${1:-1200}
cli=$(cli_dll)
attack="python3 $(pwd)/bench/mdns_attack.py"
work=$(mktemp -d)
dotnet "$cli" mdns advertise --name FloodBoard --port 5000 --ip 127.0.0.1 --interface lo >"$work/board.out" 2>&1 &
board=$!
dotnet "$cli" discover --watch --interface lo >"$work/watch.out" 2>&1 &
watch=$!
trap 'kill -TERM $board $watch 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 300); do grep -q "appeared: FloodBoard" "$work/watch.out" && break; sleep 0.05; done
grep -q "appeared: FloodBoard" "$work/watch.out" || { echo "the watch never saw the board" >&2; cat "$work/watch.out" >&2; exit 1; }
sleep 2   # past the announcements' second, so the first answer is not deferred by the one-second rule

cpu0=$(cpu_seconds $watch); start=$(date +%s.%N)
echo "TXT query flood: $($attack txt-flood FloodBoard "$count" 1.5)"
cpu1=$(cpu_seconds $watch); wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
echo "  discover --watch used $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", b - a}') s CPU in those $wall s"

cpu0=$(cpu_seconds $watch); start=$(date +%s.%N)
echo "made-up boards: $($attack junk 1.5 "$count")"
sleep 1   # let the watch finish what it received
cpu1=$(cpu_seconds $watch); wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
echo "  discover --watch used $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", b - a}') s CPU in those $wall s; it reported $(grep -c 'appeared: Junk-' "$work/watch.out" || true) of them"
kill -0 $board 2>/dev/null && kill -0 $watch 2>/dev/null && echo "board and watch still running; watch peak RSS $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' /proc/$watch/status)" \
  || echo "a process died" >&2
