"""A long run of OTA updates to one `device run` board, alternating v2 and v3 (the exact bytes `ameba-ota upload`
sends, captured once; with --cli every update is a whole `ameba-ota upload` process). After each update the board must
boot the new version from 0x80000 and listen again; its RSS is sampled every 50 updates.
Usage: soak.py UPDATES SIZE [--cli]"""
import os, sys, time
import lab

updates, size = int(sys.argv[1]), sys.argv[2]
use_cli = "--cli" in sys.argv
work = lab.work_dir()
board_path, v1, _ = lab.make_board(work)
paths, wires = {}, {}
for version in (2, 3):
    paths[version] = os.path.join(work, f"v{version}.bin")
    lab.cli("image", "make", "--version", str(version), "--size", size, "-o", paths[version])
    wires[version] = lab.capture_upload(paths[version])[0]

timing = lab.flash_timing_args("instant")
board = lab.Board(work, board_path, timing)
log = lab.BoardLog(os.path.join(work, "board.err"))
started = time.monotonic()
board.start()
counts = dict(tried=0, crashed=0, unbootable=0, lost=0, updated=0)
samples = [(0, board.rss_kib())]
durations = []
for i in range(1, updates + 1):
    if not board.alive():
        counts["crashed"] += 1
        break
    target = 2 if i % 2 else 3
    port = board.port()
    counts["tried"] += 1
    t0 = time.monotonic()
    try:
        if use_cli:
            lab.cli("upload", paths[target], "--ip", "127.0.0.1", "--port", str(port), "--timeout", "10")
        else:
            s = lab.connect(port); s.sendall(wires[target]); s.shutdown(lab.socket.SHUT_WR); s.close()
    except (OSError, RuntimeError) as e:
        print(f"update {i}: {e}", file=sys.stderr)
    status = board.wait_listening(10, booted=(0x80000, target))
    if status is None:
        status = board.status()
        counts["unbootable" if lab.booted(status) is None else "lost"] += 1
        print(f"update {i}: the board did not come back with version {target}: {status}", file=sys.stderr)
        board.command("reset"); board.wait_listening(10)
        continue
    durations.append(time.monotonic() - t0)
    counts["updated"] += 1
    if i % 50 == 0: samples.append((i, board.rss_kib()))
board.stop()
durations.sort()
first, last = samples[0][1], samples[-1][1]
print(f"soak ({'ameba-ota upload processes' if use_cli else 'captured ameba-ota upload bytes'}, {size} images, "
      f"flash timing {timing[1] if timing else 'instant (default)'}): tried {counts['tried']}, updated {counts['updated']}, "
      f"crashed {counts['crashed']}, unbootable {counts['unbootable']}, lost {counts['lost']}; "
      f"update to reboot median {durations[len(durations) // 2] * 1000:.0f} ms; {time.monotonic() - started:.0f} s; "
      f"board RSS first {first / 1024:.1f} MiB, last {last / 1024:.1f} MiB, max {max(r for _, r in samples) / 1024:.1f} MiB")
print("RSS every 50 updates (MiB): " + " ".join(f"{r / 1024:.1f}" for _, r in samples))
