#!/usr/bin/env bash
# The README's first command: the main job on a virtual board, no hardware needed. Builds, then runs the demo
# inside a private network namespace (loopback only): make v1 and v2, flash v1 by "USB", boot the virtual board,
# upload v2 over the air, watch it reboot into version 2.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--inside" ]; then
  # Inside the namespace: the board and the uploader must share it.
  cli="$2"; work="$3"
  cd "$work"
  run() { echo "\$ ameba-ota $*"; dotnet "$cli" "$@"; }
  run image make --version 1 -o v1.bin
  run image make --version 2 -o v2.bin
  run flash create board.bin
  run flash dap board.bin v1.bin
  echo "\$ ameba-ota device run --flash board.bin --port 5000 &"
  dotnet "$cli" device run --flash board.bin --port 5000 > board.log 2> board.err &
  board=$!
  wait_for() { for _ in $(seq 200); do grep -qx "$1" board.log 2>/dev/null && return 0; sleep 0.05; done; echo "demo: board never printed '$1'" >&2; cat board.log board.err >&2; kill "$board"; exit 1; }
  wait_for "Wait for client"
  run upload v2.bin --ip 127.0.0.1 --port 5000
  wait_for "This is version 2"
  kill -TERM "$board"; wait "$board" || true
  echo "--- the board's serial output:"
  cat board.log
  run flash boot board.bin
  exit 0
fi

netns="${AMEBAOTA_NETNS_RUN:-$(pwd)/../shared/bin/netns-run}"
dotnet build src/AmebaOta.Cli -c Release --verbosity quiet -nologo >/dev/null
cli="$(pwd)/src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$netns" bash "$(pwd)/scripts/demo.sh" --inside "$cli" "$work"
