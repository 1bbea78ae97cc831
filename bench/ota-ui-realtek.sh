#!/usr/bin/env bash
# `serve --ota-ui` next to Realtek's own server (the Next.js app of tests/realtek-ota-ui, run unchanged by
# scripts/realtek-ota-ui.sh; install it first: scripts/realtek-ota-ui.sh install), measured the same way: N virtual
# AmebaPro2 boards (`device farm --family amebapro2`, 127.0.0.2 …, beating every 3.5 s to 127.0.0.1:3000), inside a
# private network namespace (loopback only). For each server in turn:
#  1. every board beating, none updating, over a 30 s window after a 10 s warm-up: boards its GET /api/connectedclients
#     lists (heard within 4.5 s), the server's CPU and memory;
#  2. a 256 KiB ota.bin on the server, then `start_ota` sent to every board at once (the 9 bytes, from this script, as
#     Realtek's page does with one fetch per selected board): time until every board printed the new build's
#     "This is version N", and until every one is listed idle again from a heartbeat after that; the server's CPU over
#     the update and its peak RSS.
# Both servers are triggered and watched by the same script, so the figures differ only by the server.
# Usage: bench/ota-ui-realtek.sh [N]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${AMEBAOTA_IN_NETNS:-}" ]; then
  dotnet build src/AmebaOta.Cli -c Release --verbosity quiet -nologo >/dev/null
  scripts/realtek-ota-ui.sh dir >/dev/null
  AMEBAOTA_IN_NETNS=1 exec "${AMEBAOTA_NETNS_RUN:-$(pwd)/scripts/netns-run}" "$0" "$@"
fi
n=${1:-200}
cli="$(pwd)/src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota.dll"
work=$(mktemp -d)
image() { dotnet "$cli" image make --family amebapro2 --version "$1" --server 127.0.0.1:3000 --timestamp "$2" "${@:3}" -o "$work/v$1.bin" >/dev/null; }
image 1 1700000000
image 2 1700000100 --size 262148
image 3 1700000200 --size 262148

dotnet "$cli" device farm --family amebapro2 --count "$n" --image "$work/v1.bin" --dir "$work/boards" --base-ip 127.0.0.2 \
  --sketch-delays short >"$work/farm.out" 2>"$work/farm.err" &
farm=$!
server=""
trap 'kill -TERM $farm 2>/dev/null; [ -z "$server" ] || kill -KILL $server 2>/dev/null; wait $farm 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 2400); do grep -q "boards listening" "$work/farm.err" && break; sleep 0.05; done
grep -q "boards listening" "$work/farm.err" || { echo "the farm did not start" >&2; cat "$work/farm.err" >&2; exit 1; }
sed -n 's/^\[farm\] \(all .*\)/farm: \1/p' "$work/farm.err"

# Measures the server (pid $1) with the farm's boards; $2 is the version now on it.
measure() {
  python3 - "$1" "$n" "$2" "$work/farm.out" <<'PY'
import json, os, socket, sys, threading, time, urllib.request
pid, n, version, serial = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
tick = os.sysconf("SC_CLK_TCK")
def tree(p):
    kids = []
    for t in os.listdir(f"/proc/{p}/task"):
        try: kids += [int(c) for c in open(f"/proc/{p}/task/{t}/children").read().split()]
        except OSError: pass
    return [p] + [q for k in kids for q in tree(k)]
def cpu():
    total = 0
    for p in tree(pid):
        fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / tick
def status(key):
    return sum(int(l.split()[1]) for p in tree(pid) for l in open(f"/proc/{p}/status") if l.startswith(key)) / 1024
def listed():
    with urllib.request.urlopen("http://127.0.0.1:3000/api/connectedclients", timeout=10) as r:
        return {e["ip"]: (e["OTA_state"], e["timestamp"]) for e in json.load(r)["recentEntries"]}
def booted():
    return sum(1 for l in open(serial, errors="replace") if l.rstrip().endswith(f"This is version {version}"))
for _ in range(600):
    try: listed(); break
    except OSError: time.sleep(0.1)
time.sleep(10)
c0, t0, counts, seen = cpu(), time.monotonic(), [], set()
while time.monotonic() - t0 < 30:
    now = listed(); counts.append(len(now)); seen |= set(now); time.sleep(1)
c1, t1 = cpu(), time.monotonic()
print(f"  idle: {min(counts)} to {max(counts)} of {n} boards listed (one poll a second); server CPU {100 * (c1 - c0) / (t1 - t0):.1f}% of one core; "
      f"RSS {status('VmRSS'):.1f} MiB")

boards = sorted(seen)
if len(boards) != n: print(f"  only {len(boards)} of {n} boards were ever listed", file=sys.stderr)
before, echoed = booted(), []
def trigger(ip):
    try:
        with socket.create_connection((ip, 5000), timeout=5) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.sendall(b"start_ota"); s.settimeout(3)
            if s.recv(64): echoed.append(ip)
    except OSError: pass
c0, start = cpu(), time.monotonic()
threads = [threading.Thread(target=trigger, args=(ip,)) for ip in boards]
for t in threads: t.start()
for t in threads: t.join()
done_at = all_idle_at = None
while time.monotonic() - start < 600:
    if done_at is None and booted() - before >= n: done_at, wall = time.monotonic(), time.time() * 1000
    if done_at is not None:
        now = listed()
        if all(ip in now and now[ip][0] == "OTA_STATE_IDLE" and now[ip][1] >= wall - 1000 for ip in boards):
            all_idle_at = time.monotonic(); break
    time.sleep(0.2)
c1 = cpu()
span = lambda at: f"{at - start:.1f} s" if at else "never (600 s)"
print(f"  update: {len(echoed)} of {n} echoed start_ota; all {booted() - before} booted v{version} after {span(done_at)}, all listed idle again after "
      f"{span(all_idle_at)}; server CPU {100 * (c1 - c0) / ((all_idle_at or time.monotonic()) - start):.1f}% of one core over it; "
      f"peak RSS {status('VmHWM'):.1f} MiB")
PY
}

# SIGTERM; Next.js's handler exits only once every connection has closed (server.close), which under the boards'
# traffic can take long: SIGKILL after 5 s.
stop() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

echo "ameba-ota serve --ota-ui v2.bin (256 KiB), $n boards:"
dotnet "$cli" serve --ota-ui "$work/v2.bin" --port 3000 --no-watch >"$work/serve.out" 2>&1 &
server=$!
measure "$server" 2
stop "$server"

echo "Realtek's ameba-OTA-UI (Next.js $(node -p 'require(process.argv[1]).version' "$(scripts/realtek-ota-ui.sh dir)/node_modules/next/package.json"), node $(node --version)), v3.bin (256 KiB) uploaded, $n boards:"
mkdir -p "$work/realtek"
scripts/realtek-ota-ui.sh start --port 3000 --root "$work/realtek" >"$work/realtek.out" 2>&1 &
server=$!
for _ in $(seq 600); do curl -s -o /dev/null http://127.0.0.1:3000/api/connectedclients && break; sleep 0.1; done
curl -s -F "files=@$work/v3.bin" http://127.0.0.1:3000/api/uploadfile | grep -q '"success":true' || { echo "the upload to Realtek's server failed" >&2; exit 1; }
measure "$server" 3
stop "$server"
server=""
awk '/VmHWM/ {printf "farm (%d boards): peak RSS %.1f MiB\n", '"$n"', $2 / 1024}' "/proc/$farm/status"
