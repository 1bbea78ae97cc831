#!/usr/bin/env bash
# The README's first command: the Ameba OTA tutorial on a virtual board, no hardware needed. Builds, then runs
# `ameba-ota demo` inside a private network namespace (loopback only): v1 and v2 are built, v1 is uploaded "by USB",
# the board boots and is found by mDNS, v2 goes over the air, then the recovery pin is held and released.
# Extra arguments go to `ameba-ota demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
netns="${AMEBAOTA_NETNS_RUN:-$(pwd)/../shared/bin/netns-run}"
dotnet build src/AmebaOta.Cli -c Release --verbosity quiet -nologo >/dev/null
exec "$netns" dotnet "$(pwd)/src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota.dll" demo "$@"
