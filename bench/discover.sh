#!/usr/bin/env bash
# Times `ameba-ota discover --device MyAmeba` end to end (process start included) against `ameba-ota mdns advertise`,
# on loopback inside a private network namespace. Usage: bench/discover.sh [RUNS] [--native]   (default 20 runs)
# --native times the AOT executable (artifacts/native/ameba-ota, published first if missing) instead of the JIT build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${AMEBAOTA_IN_NETNS:-}" ] && [ "${2:-}" = "--native" ] && [ ! -x artifacts/native/ameba-ota ]; then
  dotnet publish src/AmebaOta.Cli -c Release -r linux-x64 -p:PublishAot=true -o artifacts/native -nologo >/dev/null
fi
source bench/netns.sh
enter_netns "$0" "$@"
runs=${1:-20}
cli=$(cli_dll)
if [ "${2:-}" = "--native" ]; then finder=("$(pwd)/artifacts/native/ameba-ota"); kind=native; else finder=(dotnet "$cli"); kind=JIT; fi
dotnet "$cli" mdns advertise --name MyAmeba --port 5000 --ip 127.0.0.1 --interface lo >/dev/null &
adv=$!
trap 'kill -TERM $adv 2>/dev/null; wait $adv 2>/dev/null || true' EXIT
"${finder[@]}" discover --interface lo --device MyAmeba --timeout 5 >/dev/null   # waits until advertised; warms the disk cache
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "${finder[@]}" discover --interface lo --device MyAmeba --timeout 3 >/dev/null
  times+=($(( ($(date +%s%N) - start) / 1000000 )))
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "discover --device MyAmeba ('"$kind"'), %d runs: median %d ms, min %d ms, max %d ms (process start included)\n", NR, a[int((NR+1)/2)], a[1], a[NR]}'
