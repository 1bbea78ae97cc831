#!/usr/bin/env bash
# Memory and start-up time of `ameba-ota device farm`: peak RSS (VmHWM) of the farm process once every board listens,
# for 1 board and for N boards (default 100), with fresh flash files and with reused ones; inside a private network
# namespace (loopback only). Usage: bench/farm-memory.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
n=${1:-100}
cli=$(cli_dll)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet "$cli" image make --version 1 -o "$work/v1.bin" >/dev/null

# Runs a farm of $1 boards in $2 until all listen, then prints "boards peak-rss-kB ready-s".
measure() {
  local count=$1 dir=$2
  dotnet "$cli" device farm --count "$count" --image "$work/v1.bin" --dir "$dir" --interface lo >/dev/null 2>"$work/err" &
  local pid=$!
  for _ in $(seq 1200); do grep -q "boards listening" "$work/err" && break; sleep 0.05; done
  sleep 1   # let the announcements and the first answers settle
  local hwm ready
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  ready=$(sed -n 's/.*ready in \([0-9.]*\) s.*/\1/p' "$work/err")
  kill -TERM "$pid"; wait "$pid"
  echo "$count $hwm $ready"
}

read -r _ base _ < <(measure 1 "$work/one")
for pass in created reused; do
  read -r _ peak ready < <(measure "$n" "$work/many")
  awk -v n="$n" -v peak="$peak" -v base="$base" -v ready="$ready" -v pass="$pass" 'BEGIN {
    printf "%d boards (flash files %s): peak RSS %.1f MiB = %.2f MiB per board; 1 board: %.1f MiB; added per board: %.2f MiB; ready in %s s\n",
      n, pass, peak / 1024, peak / 1024 / n, base / 1024, (peak - base) / 1024 / (n - 1), ready }'
done
