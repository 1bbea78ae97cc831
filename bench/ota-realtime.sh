#!/usr/bin/env bash
# Whole OTAs to a virtual board that keeps real flash time, next to the model's prediction, inside a private network
# namespace (loopback only) whose TCP buffers are 16 KiB (as the real-time tests use). For each profile and size: the
# time from connect to the board's "OTA success" line, and the model's erase + program + verify for that image.
# Then a fleet update of 100 farm boards at `typical`. Usage: bench/ota-realtime.sh [--no-fleet] [--no-slow] [--fleet-only]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh
enter_netns "$0" "$@"
small_tcp_buffers
exec python3 - "$(cli_dll)" "$@" <<'PY'
import json, os, re, resource, subprocess, sys, tempfile, threading, time
cli, args = sys.argv[1], sys.argv[2:]
work = tempfile.mkdtemp()
def run(*a, **kw): return subprocess.run(["dotnet", cli, *a], capture_output=True, text=True, cwd=work, **kw)
run("image", "make", "--version", "1", "-o", "v1.bin")

# Model: OtaTimeEstimate (erase + stream-write program + verify), same figures as src/AmebaOta/Flash/FlashTiming.cs.
PROFILES = {"typical": (0.045, 30e-6, 2.5e-6, 20e6), "slow": (0.400, 50e-6, 12e-6, 10e6)}
def model(profile, n):
    erase, first, nxt, read = PROFILES[profile]
    word = first + 3 * nxt
    sectors = (n - 1) // 4096 + 1
    return sectors * erase, (n + 3) // 4 * word, n / read + 3 * word

def one(profile, kib):
    n = kib * 1024
    run("image", "make", "--version", "2", "--size", f"{kib}K", "-o", "v2.bin", "--force")
    run("flash", "create", "board.bin", "--force"); run("flash", "dap", "board.bin", "v1.bin")
    board = subprocess.Popen(["dotnet", cli, "device", "run", "--flash", "board.bin", "--no-mdns", "--port", "5000",
                              "--no-stdin", "--flash-timing", profile], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = {}
    def read():
        for line in board.stdout:
            seen.setdefault(line.strip(), time.monotonic())
    threading.Thread(target=read, daemon=True).start()
    while "Wait for client" not in seen: time.sleep(0.01)
    t0 = time.monotonic()
    up = run("upload", "v2.bin", "--ip", "127.0.0.1", "--json")
    while "OTA success" not in seen and time.monotonic() - t0 < 300: time.sleep(0.005)
    board.terminate(); board.wait()
    j = json.loads(up.stdout)
    erase, program, verify = model(profile, n)
    got = seen.get("OTA success", float("nan")) - t0
    print(f"| {profile} | {kib} KiB | {got:.2f} s | {(erase + program + verify):.2f} s (erase {erase:.2f} + write {program:.2f} + verify {verify:.3f}) "
          f"| {got / (erase + program + verify) - 1:+.1%} | {j['eraseWaitMs'] / 1000:.2f} s | {j['durationMs'] / 1000:.2f} s |")

print("| profile | image | connect → `OTA success` | model: erase + write + verify | difference | host saw erase | host: connect → last byte acknowledged |")
print("|---|---|---:|---:|---:|---:|---:|")
if "--fleet-only" not in args:
    for profile in ["typical"] + ([] if "--no-slow" in args else ["slow"]):
        for kib in (64, 256, 480):
            one(profile, kib)

if "--no-fleet" not in args:
    run("image", "make", "--version", "2", "--size", "256K", "-o", "v2.bin", "--force")
    farm = subprocess.Popen(["dotnet", cli, "device", "farm", "--count", "100", "--image", "v1.bin", "--dir", "boards",
                             "--base-ip", "127.0.0.2", "--interface", "lo", "--flash-timing", "typical"],
                            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in farm.stderr:
        if "boards listening" in line: break
    ips = []
    for i in range(100): ips += ["--ip", f"127.0.{(2 + i) // 256}.{(2 + i) % 256}"]
    for parallel in (16, 100):
        t0 = time.monotonic()
        # Through a wrapper whose only child is the fleet process, so its peak RSS is that process's own.
        p = subprocess.run([sys.executable, "-c", "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
                            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)",
                            "dotnet", cli, "fleet", "upload", "v2.bin", *ips, "--parallel", str(parallel), "--wait-reboot", "--interface", "lo", "--json"],
                           cwd=work, capture_output=True, text=True)
        wall = time.monotonic() - t0
        rss = int(p.stderr.strip().splitlines()[-1]) / 1024
        boards = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{\"board\"")]
        updated = sum(b["state"] == "updated" for b in boards)
        print(f"fleet of 100 at typical, 256 KiB, --parallel {parallel}, --wait-reboot: exit {p.returncode}, {updated} of {len(boards)} updated "
              f"in {wall:.1f} s; fleet process peak RSS {rss:.0f} MiB")
        # The boards now run version 2; put version 1 back for the next round by uploading it.
        subprocess.run(["dotnet", cli, "fleet", "upload", "v1.bin", *ips, "--parallel", "100"], cwd=work, capture_output=True)
    with open(f"/proc/{farm.pid}/status") as f:
        hwm = next(l for l in f if l.startswith("VmHWM")).split()[1]
    print(f"farm (100 boards, typical): peak RSS {int(hwm) / 1024:.0f} MiB")
    farm.terminate(); farm.wait()
PY
