"""Random power cuts during OTA uploads to a `device run` board, through its control socket's `power-cut` (the cut tears
the next flash operation, then power comes back and the board boots). Each round sends an update (the exact bytes
`ameba-ota upload` sends, captured once) and arms the cut after a random number of bytes, then checks what the board
booted: a whole image (byte-identical to v1, v2 or v3, signature aside), a half-written one (partial), or nothing
(unbootable). Usage: power_cuts.py ROUNDS SEED [--presigned-as-is]"""
import os, random, sys, time
import lab

rounds, seed = int(sys.argv[1]), int(sys.argv[2])
as_is = "--presigned-as-is" in sys.argv
rng = random.Random(seed)
work = lab.work_dir()
board_path, v1, pristine = lab.make_board(work)
wires, known = {}, [lab.segments(open(v1, "rb").read())]
for version in (2, 3):
    path = os.path.join(work, f"v{version}.p.bin")
    lab.cli("image", "make", "--version", str(version), "--size", "64K", "--signed", "-o", path)
    data = open(path, "rb").read()
    known.append(lab.segments(data))
    # The product's path: what `ameba-ota upload` sends (signature cleared); --presigned-as-is: the stock upload_ota's bytes.
    wires[version] = lab.ota_header(data) + data if as_is else lab.capture_upload(path)[0]

board = lab.Board(work, board_path, lab.flash_timing_args("instant"))
log = lab.BoardLog(os.path.join(work, "board.err"))


def arm_power_cut():
    """`power-cut`, retried while the board is between two boots (it refuses then: nothing is powered to cut)."""
    for _ in range(100):
        if board.command("power-cut").startswith("ok"): return
        time.sleep(0.01)
    raise RuntimeError("the board refused power-cut for a second")


started = time.monotonic()
board.start()
counts = dict(tried=0, crashed=0, unbootable=0, partial=0, lost=0, updated=0, kept=0)
current = 1
for i in range(rounds):
    if not board.alive():
        counts["crashed"] += 1
        board.start()
    target = 3 if current == 2 else 2
    wire = wires[target]
    port = board.port()
    if port is None:
        counts["lost"] += 1; lab.restore(board, pristine); current = 1; continue
    counts["tried"] += 1
    # Anywhere in the transfer, or (one round in five) after the last byte: a cut in the verify / sign / mark-old steps.
    k = len(wire) if rng.random() < 0.2 else rng.randint(0, len(wire))
    mark = log.mark()
    try:
        s = lab.connect(port)
        s.sendall(wire[:k])
        time.sleep(rng.uniform(0, 0.1) if k == len(wire) else rng.choice([0, 0.001, 0.003]))
        arm_power_cut()
        try:
            s.sendall(wire[k:])
            s.shutdown(lab.socket.SHUT_WR)
        except OSError:
            pass
        s.close()
    except OSError:
        arm_power_cut()
    cut = log.wait_for(r"power cut", mark, 10)
    back = log.wait_for(r"OTA receiver listening on", cut or mark, 10) if cut else None
    if back is None:
        status = board.status() if board.alive() else ""
        if board.alive() and lab.booted(status) is None:
            counts["unbootable"] += 1
        else:
            counts["lost"] += 1
            tail = log.text()[mark:].strip().replace("\n", " | ")
            print(f"round {i}: the board did not come back after the cut (k={k} of {len(wire)}): {status} / {tail[-400:]}", file=sys.stderr)
        lab.restore(board, pristine); current = 1
        continue
    where = lab.booted(board.status())
    chip = open(board_path, "rb").read()
    if where is None:
        counts["unbootable"] += 1; lab.restore(board, pristine); current = 1; continue
    if not lab.whole_image_at(chip, where[0], known):
        counts["partial"] += 1; lab.restore(board, pristine); current = 1; continue
    counts["updated" if where[1] == target else "kept"] += 1
    current = where[1]
rss = board.rss_kib()
board.stop()
mode = "pre-signed images sent as is (the stock upload_ota)" if as_is else "pre-signed images as ameba-ota upload sends them"
print(f"power cuts during uploads ({mode}, 64 KiB, seed {seed}): tried {counts['tried']}, crashed {counts['crashed']}, "
      f"unbootable {counts['unbootable']}, booted a half-written image {counts['partial']}, lost {counts['lost']}; "
      f"whole image booted {counts['updated'] + counts['kept']} (new {counts['updated']}, old {counts['kept']}); "
      f"{time.monotonic() - started:.0f} s; board RSS at the end {rss / 1024:.1f} MiB")
