#!/usr/bin/env bash
# Example CI job for firmware over the air: start a virtual Ameba in the background, upload a freshly built image, wait for
# the board to reboot (--wait-reboot), and fail unless the board boots the new image. Loopback only: run it inside a private
# network namespace (scripts/netns-run) or on a runner without other boards.
#
#   scripts/ci-ota-example.sh [VERSION]          (default 2)
#   AMEBA_OTA="dotnet path/to/ameba-ota.dll" scripts/ci-ota-example.sh    (the command to run; default: ameba-ota on PATH)
#
# With real hardware, replace step 1 by your board's name and step 2 by your build (its ota.bin), and drop step 4's
# `flash boot` (the board's serial output is the proof there).
set -euo pipefail
read -ra ameba <<< "${AMEBA_OTA:-ameba-ota}"
version=${1:-2}
name="CiBoard-$$-$RANDOM"
work=$(mktemp -d)
board=""
cleanup() { [ -n "$board" ] && kill -TERM "$board" 2>/dev/null && wait "$board" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "1. a virtual board named $name running version 1 (as after a USB upload)"
"${ameba[@]}" image make --version 1 --name "$name" -o "$work/v1.bin" >/dev/null
"${ameba[@]}" flash create "$work/board.bin" >/dev/null
"${ameba[@]}" flash dap "$work/board.bin" "$work/v1.bin" >/dev/null
"${ameba[@]}" device run --flash "$work/board.bin" --port 0 --interface lo >"$work/serial.log" 2>"$work/notes.log" &
board=$!
for _ in $(seq 200); do grep -q "Wait for client" "$work/serial.log" && break; sleep 0.05; done
grep -q "Wait for client" "$work/serial.log" || { echo "the board did not start" >&2; cat "$work/notes.log" >&2; exit 1; }

echo "2. build: version $version"
"${ameba[@]}" image make --version "$version" --name "$name" -o "$work/ota.bin" >/dev/null

echo "3. upload over the air and wait for the reboot"
"${ameba[@]}" upload "$work/ota.bin" --device "$name" --interface lo --discover-timeout 10 --wait-reboot 30

echo "4. check the board runs version $version"
for _ in $(seq 200); do grep -q "This is version $version" "$work/serial.log" && break; sleep 0.05; done
grep -q "This is version $version" "$work/serial.log" || { echo "FAIL: the board's serial output never says 'This is version $version'" >&2; exit 1; }
kill -TERM "$board"; wait "$board" || true; board=""      # the board writes its flash back on the way out
"${ameba[@]}" flash boot "$work/board.bin" --json >"$work/boot.json"
grep -q "\"version\": $version," "$work/boot.json" || { echo "FAIL: the flash does not boot version $version" >&2; cat "$work/boot.json" >&2; exit 1; }
echo "OK: the board rebooted into version $version"
