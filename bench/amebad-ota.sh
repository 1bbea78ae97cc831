#!/usr/bin/env bash
# AmebaD: whole updates of a 1,000,000-byte image to a virtual AmebaD (device run, OTA_Basic) that keeps real flash time,
# next to the model (AmebaDOtaTime: erase + 12-byte program commands + word read-back, as `image info` prints it), inside a
# private network namespace (loopback only, TCP buffers 16 KiB). The push is sent as Realtek's DownloadServer sends it
# (the 12-byte preamble, then the OTA_All.bin in 1 KiB pieces, then it waits for the close), or with `ameba-ota upload`
# when that knows AmebaD (--upload). Usage: bench/amebad-ota.sh [--no-slow] [--upload] [SIZE]   (default 1000000 bytes)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
small_tcp_buffers
exec python3 - "$(cli_dll)" "$@" <<'PY'
import json, re, socket, struct, subprocess, sys, tempfile, threading, time
cli, args = sys.argv[1], sys.argv[2:]
size = next((int(a) for a in args if a.isdigit()), 1000000)
work = tempfile.mkdtemp()
def run(*a): return subprocess.run(["dotnet", cli, *a], capture_output=True, text=True, cwd=work, check=True)
run("image", "make", "--family", "amebad", "--version", "1", "-o", "v1.bin")
run("image", "make", "--family", "amebad", "--version", "2", "--size", str(size), "--ota-all", "-o", "OTA_All.bin")
info = run("image", "info", "OTA_All.bin").stdout
model = {m.group(1) or "typical": (float(m.group(2)), float(m.group(3)), float(m.group(4)), float(m.group(5)))
         for m in re.finditer(r"(?:(slow) flash: |typical flash: )([\d.]+) s erase \(nothing read meanwhile\) \+ ([\d.]+) s write \+ ([\d.]+) s verify = ([\d.]+) s", info)}

def push(port, data):
    pre = struct.pack("<III", sum(data) & 0xFFFFFFFF, 0, len(data))
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(pre)
    for i in range(0, len(data), 1024): s.sendall(data[i:i + 1024])
    s.shutdown(socket.SHUT_WR)
    while s.recv(256): pass

def one(profile):
    run("flash", "create", "board.bin", "--family", "amebad", "--force"); run("flash", "dap", "board.bin", "v1.bin")
    board = subprocess.Popen(["dotnet", cli, "device", "run", "--flash", "board.bin", "--no-mdns", "--port", "8082", "--no-stdin",
                              "--sketch-delays", "short", "--flash-timing", profile], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = {}
    def read():
        for line in board.stdout: seen.setdefault(line.strip(), time.monotonic())
    threading.Thread(target=read, daemon=True).start()
    while "Waiting for client ..." not in seen: time.sleep(0.01)
    t0 = time.monotonic()
    if "--upload" in args:
        up = subprocess.run(["dotnet", cli, "upload", "OTA_All.bin", "--ip", "127.0.0.1", "--json", "--db", "none"], cwd=work, capture_output=True, text=True)
        uploads.append((profile, up.returncode, json.loads(up.stdout) if up.returncode == 0 else up.stderr.strip()))
    else: push(8082, open(f"{work}/OTA_All.bin", "rb").read())
    closed = time.monotonic() - t0
    while "[MODULE_BOOT-LEVEL_INFO]:OTA2 USE" not in seen and time.monotonic() - t0 < 600: time.sleep(0.005)
    board.terminate(); board.wait()
    erased = seen.get("Update file size: %d bytes, start addr:08106000" % size, float("nan")) - t0
    rebooted = seen.get("[MODULE_BOOT-LEVEL_INFO]:OTA2 USE", float("nan")) - t0
    e, w, v, total = model[profile]
    print(f"| {profile} | {size:,} bytes | {erased:.2f} s | {e + w:.2f} s (erase {e:.1f} + write {w:.1f}) | {closed:.2f} s | "
          f"{rebooted:.2f} s | {total:.2f} s | {rebooted / total - 1:+.1%} |")

print("| flash | image | connect → `Update file size` | model: erase + write | connect → board's close | connect → `OTA2 USE` | model: whole update | difference |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
uploads = []
for profile in ["typical"] + ([] if "--no-slow" in args else ["slow"]):
    one(profile)
if uploads:
    # What `ameba-ota upload --json` itself reports: the erase as the host sees it (no acknowledgement beyond the board's
    # window), the last acknowledgement, the board's close after it, and the stall budget it allowed.
    print()
    print("| flash | `upload` exit | host: erase wait | model: erase | host: last ack | board's close after the last ack | stall budget |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for profile, code, up in uploads:
        if code != 0: print(f"| {profile} | {code} | {up} | | | | |"); continue
        e = model[profile][0]
        print(f"| {profile} | {code} | {up['eraseWaitMs'] / 1000:.2f} s | {e:.2f} s | {up['durationMs'] / 1000:.2f} s | "
              f"{up['boardClosedMs']:.0f} ms | {up['stallTimeoutS']:.0f} s |")
PY
