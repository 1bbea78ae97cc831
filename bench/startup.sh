#!/usr/bin/env bash
# Start-up (`ameba-ota --version`) and whole-process `upload` (256 KiB, to a TCP sink on 127.0.0.1 that drains and closes) of
# the native (AOT) build and the JIT build, measured with hyperfine inside a private network namespace (loopback only).
# Needs hyperfine (apt-get install -y hyperfine). Usage: bench/startup.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
native_dir="$(pwd)/artifacts/native"
if [ -z "${AMEBAOTA_IN_NETNS:-}" ]; then
  command -v hyperfine >/dev/null || { echo "needs hyperfine: apt-get install -y hyperfine" >&2; exit 1; }
  dotnet build src/AmebaOta.Cli -c Release --verbosity quiet -nologo >/dev/null
  dotnet publish src/AmebaOta.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$native_dir" --verbosity quiet -nologo >/dev/null
  AMEBAOTA_IN_NETNS=1 exec "${AMEBAOTA_NETNS_RUN:-$(pwd)/scripts/netns-run}" "$0" "$@"
fi
runs=${1:-30}
native="$native_dir/ameba-ota"
jit_dll="$(pwd)/src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota.dll"
jit_host="$(pwd)/src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota"
work=$(mktemp -d)
"$native" image make --version 2 --size 256K -o "$work/v2.bin" >/dev/null
python3 - "$work/port" <<'PY' &
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
def drain(c):
    while c.recv(65536): pass
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=drain, args=(c,), daemon=True).start()
PY
sink=$!
trap 'kill $sink 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
ls -l "$native" | awk '{printf "native executable: %.1f MiB\n", $5 / 1048576}'
hyperfine -N --warmup 3 --runs "$runs" --style basic --export-markdown "$work/startup.md" \
  -n "native --version" "$native --version" \
  -n "JIT apphost --version" "$jit_host --version" \
  -n "JIT dotnet ameba-ota.dll --version" "dotnet $jit_dll --version" \
  -n "native upload 256 KiB" "$native upload $work/v2.bin -i 127.0.0.1 -p $port" \
  -n "JIT apphost upload 256 KiB" "$jit_host upload $work/v2.bin -i 127.0.0.1 -p $port" >/dev/null
cat "$work/startup.md"
