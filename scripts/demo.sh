#!/usr/bin/env bash
# The README's first command: the main job on a virtual board, no hardware needed. Builds, then runs the demo
# inside a private network namespace (loopback only).
set -euo pipefail
cd "$(dirname "$0")/.."
netns="${AMEBAOTA_NETNS_RUN:-$(pwd)/../shared/bin/netns-run}"
dotnet build src/AmebaOta.Cli -c Release --verbosity quiet -nologo >/dev/null
cli="$(pwd)/src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
run() { echo "\$ ameba-ota $*"; "$netns" dotnet "$cli" "$@"; }
run image make --version 1 -o v1.bin
run flash create board.bin
run flash dap board.bin v1.bin
run flash boot board.bin
