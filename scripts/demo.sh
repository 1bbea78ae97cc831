#!/usr/bin/env bash
# The README's first command: the Ameba OTA tutorial on a virtual board, no hardware needed. Builds, then runs
# `ameba-ota demo` inside a private network namespace (scripts/netns-run: loopback only): v1 and v2 are built, v1 is
# uploaded "by USB", the board boots and is found by mDNS, v2 goes over the air, then the recovery pin is held and
# released. Extra arguments go to `ameba-ota demo`; the exit code is the demo's. A failed build shows its errors.
set -euo pipefail
cd "$(dirname "$0")/.."
netns="${AMEBAOTA_NETNS_RUN:-$(pwd)/scripts/netns-run}"
command -v dotnet >/dev/null || { echo "demo.sh: 'dotnet' is not on the PATH: install the .NET 10 SDK (https://dot.net)" >&2; exit 127; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# The first build takes a minute or two (restore and compile); say so rather than sit silent. Later builds take seconds.
echo "demo.sh: building ameba-ota (dotnet build src/AmebaOta.Cli -c Release: a minute or two the first time, seconds after that) ..." >&2
dotnet build src/AmebaOta.Cli -c Release --verbosity quiet -nologo >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  grep -E ': (error|warning) ' "$log" | sort -u >&2 || cat "$log" >&2
  echo "demo.sh: the build failed (dotnet build src/AmebaOta.Cli -c Release exited $status); the errors are above" >&2
  exit "$status"
fi
rm -f "$log"
trap - EXIT
exec "$netns" dotnet "$(pwd)/src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota.dll" demo "$@"
