#!/usr/bin/env bash
# The mDNS fuzz campaign (issue 14): malformed and hostile packets in families (bench/mdns_attack.py fuzz: random bytes,
# truncations, bit flips, compression loops, forward pointers, absurd counts, rdlength overruns, bad label types, names
# over 255 bytes, bad NSEC bitmaps, TC known answers without a query, question storms), PER_FAMILY of each, at a running
# virtual board (`device run`) with a `discover --watch` next to it. Prints tried / crashed (a process died) / lost (the
# board no longer resolves, or the watch reported it gone). Inside a private network namespace; bounded.
# Usage: bench/mdns-fuzz.sh [PER_FAMILY=1000] [SEED=6762]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
per=${1:-1000}
seed=${2:-6762}
cli=$(cli_dll)
work=$(mktemp -d)
dotnet "$cli" image make --version 1 --name FuzzBoard -o "$work/v1.bin" >/dev/null
dotnet "$cli" flash create "$work/board.bin" >/dev/null
dotnet "$cli" flash dap "$work/board.bin" "$work/v1.bin" >/dev/null
dotnet "$cli" device run --flash "$work/board.bin" --interface lo --no-stdin >"$work/board.out" 2>&1 &
board=$!
dotnet "$cli" discover --watch --interface lo >"$work/watch.out" 2>&1 &
watch=$!
trap 'kill -TERM $board $watch 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 400); do grep -q "appeared: FuzzBoard" "$work/watch.out" && break; sleep 0.05; done
grep -q "appeared: FuzzBoard" "$work/watch.out" || { echo "the watch never saw the board" >&2; tail "$work/board.out" "$work/watch.out" >&2; exit 1; }

start=$(date +%s.%N)
python3 bench/mdns_attack.py fuzz "$per" "$seed" >"$work/families"
wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
tried=$(awk '{t += $2} END {print t}' "$work/families")
crashed=0
kill -0 $board 2>/dev/null || { crashed=$((crashed + 1)); echo "the board died:" >&2; tail "$work/board.out" >&2; }
kill -0 $watch 2>/dev/null || { crashed=$((crashed + 1)); echo "the watch died:" >&2; tail "$work/watch.out" >&2; }
lost=0
timeout 30 dotnet "$cli" discover --interface lo --device FuzzBoard --timeout 5 >/dev/null || lost=$((lost + 1))
grep -q "disappeared: FuzzBoard" "$work/watch.out" && lost=$((lost + 1))
echo "families: $(awk '{printf "%s%s", sep, $1; sep=", "}' "$work/families")"
echo "tried $tried packets in $wall s ($(wc -l <"$work/families") families of $per), crashed $crashed, lost $lost"
echo "board CPU $(cpu_seconds $board 2>/dev/null || echo ?) s, watch CPU $(cpu_seconds $watch 2>/dev/null || echo ?) s"
[ "$crashed" -eq 0 ] && [ "$lost" -eq 0 ]
