"""Hostile TCP sessions against the OTA receiver of a `device run` board: garbage headers, short headers, lying and huge
lengths, bad checksums, trailing bytes, slowloris, half-open connections, resets at random points, connection floods.
After each session the board is reset (as a user would after "OTA failed!!") and must boot and listen again.
A header whose length runs past the end of the chip makes a stock board erase round to sector 0 (docs/reference section 6, step 6:
no end-of-flash check) and brick: those sessions are counted apart as the reproduced quirk (the host refuses to send
such images), and the chip is restored. Usage: fuzz_receiver.py SESSIONS SEED"""
import os, random, struct, sys, time
import lab

sessions, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
work = lab.work_dir()
board_path, v1, pristine = lab.make_board(work)
v2_path = os.path.join(work, "v2.bin")
lab.cli("image", "make", "--version", "2", "--size", "16K", "-o", v2_path)
v2 = open(v2_path, "rb").read()
OTA_ADDRESS, CHIP = 0x80000, 0x100000
RECEIVE_TIMEOUT = 0.3

board = lab.Board(work, board_path, ["--receive-timeout", str(RECEIVE_TIMEOUT), *lab.flash_timing_args("instant")])
log = lab.BoardLog(os.path.join(work, "board.err"))


def garbage(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def end(s):
    """Ends a session the way a client might: FIN, RST, or just dropping the socket after a while."""
    how = rng.choice(["fin", "rst", "linger"])
    try:
        if how == "fin": s.shutdown(lab.socket.SHUT_WR); time.sleep(0.01); s.close()
        elif how == "rst": lab.reset_close(s)
        else: time.sleep(RECEIVE_TIMEOUT * 1.5); s.close()
    except OSError:
        pass


def session(port):
    """Runs one hostile session; returns (family, declared length the board reads)."""
    family = rng.choice(["garbage", "short-header", "lying-length", "huge-length", "bad-checksum", "trailing-bytes",
                         "slowloris", "half-open", "rst-mid-upload", "flood"])
    header = lab.ota_header(v2)
    declared = len(v2)
    try:
        s = lab.connect(port)
    except OSError:
        return family + " (no connection)", 0
    try:
        if family == "garbage":
            data = garbage(rng.randint(12, 3000))
            declared = struct.unpack_from("<I", data, 8)[0]
            s.sendall(data); end(s)
        elif family == "short-header":
            data = garbage(rng.randint(0, 11))
            padded = data + b"\0" * (12 - len(data))
            declared = struct.unpack_from("<I", padded, 8)[0]
            s.sendall(data); end(s)
        elif family == "lying-length":
            declared = rng.randint(1, CHIP - OTA_ADDRESS)
            s.sendall(struct.pack("<III", rng.getrandbits(32), 0, declared) + v2[:rng.randint(0, min(len(v2), declared))]); end(s)
        elif family == "huge-length":
            declared = rng.choice([CHIP - OTA_ADDRESS + 1, 0x100000, 0x7FFFFFFF, 0xFFFFFFFF, rng.getrandbits(32)])
            s.sendall(struct.pack("<III", 0, 0, declared) + garbage(rng.randint(0, 2000))); end(s)
        elif family == "bad-checksum":
            s.sendall(struct.pack("<III", (sum(v2) + rng.randint(1, 1000)) & 0xFFFFFFFF, 0, len(v2)) + v2); end(s)
        elif family == "trailing-bytes":
            s.sendall(header + v2 + garbage(rng.randint(1, 600))); end(s)
        elif family == "slowloris":
            s.sendall(header)
            for _ in range(rng.randint(1, 8)):
                s.sendall(v2[:1]); time.sleep(RECEIVE_TIMEOUT * rng.uniform(0.2, 0.8))
            time.sleep(RECEIVE_TIMEOUT * 1.5); s.close()
        elif family == "half-open":
            time.sleep(RECEIVE_TIMEOUT * rng.uniform(0.5, 2)); end(s)
        elif family == "rst-mid-upload":
            s.sendall(header + v2[:rng.randint(0, len(v2))]); lab.reset_close(s)
        else:  # flood: the board accepts one client (backlog 1); the others queue and are reset
            # Everything random is drawn first, so a connection that fails does not shift the rest of the campaign.
            extra = rng.randint(2, 6)
            payloads = [garbage(rng.randint(0, 40)) for _ in range(extra + 1)]
            endings = [rng.random() for _ in range(extra + 1)]
            conns = [s]
            for _ in range(extra):
                try: conns.append(lab.connect(port, timeout=0.5))
                except OSError: conns.append(None)
            # The board serves the first connection (it was queued first): its first 12 bytes are the header it reads.
            declared = struct.unpack_from("<I", (payloads[0] + b"\0" * 12)[:12], 8)[0]
            for o, payload, ending in zip(conns, payloads, endings):
                if o is None: continue
                try:
                    o.sendall(payload)
                    if ending < 0.5: o.shutdown(lab.socket.SHUT_WR); o.close()
                    else: lab.reset_close(o)
                except OSError:
                    pass
    except OSError:
        pass
    return family, declared


def wraps(declared):
    sectors = (declared - 1) // 4096 + 1 if declared else 0
    return OTA_ADDRESS + sectors * 4096 > CHIP


started = time.monotonic()
board.start()
counts = dict(tried=0, crashed=0, unbootable=0, lost=0, quirk=0)
families = {}
for i in range(sessions):
    port = board.port()
    if port is None:
        board.command("reset")
        port = board.port(board.wait_listening(10))
    counts["tried"] += 1
    family, declared = session(port)
    families[family] = families.get(family, 0) + 1
    time.sleep(0.02)
    mark = log.mark()
    if not board.alive():
        counts["crashed"] += 1
        lab.restore(board, pristine); continue
    before = lab.boots(board.status())
    board.command("reset")
    back = lab.wait_rebooted(board, log, mark, before, 20)
    status = board.status()
    where = lab.booted(status)
    if back is None or where is None:
        if where is None and family in ("garbage", "short-header", "huge-length", "flood") and wraps(declared):
            counts["quirk"] += 1
        elif where is None:
            counts["unbootable"] += 1
            print(f"session {i} ({family}, length {declared:#x}): the board boots nothing: {status}", file=sys.stderr)
        else:
            counts["lost"] += 1
            print(f"session {i} ({family}): the board did not listen again after a reset: {status}", file=sys.stderr)
        lab.restore(board, pristine)
        continue
    chip = open(board_path, "rb").read()
    if not lab.whole_image_at(chip, where[0], [lab.segments(open(v1, "rb").read()), lab.segments(v2)]):
        counts["unbootable"] += 1
        print(f"session {i} ({family}): the board started a half-written image: {status}", file=sys.stderr)
        lab.restore(board, pristine)
rss = board.rss_kib()
board.stop()
print(f"TCP receiver fuzz (seed {seed}): tried {counts['tried']} hostile sessions, crashed {counts['crashed']}, "
      f"unbootable {counts['unbootable']}, lost {counts['lost']}; bricked by the stock erase-past-the-end quirk "
      f"(declared length past the chip's end, reproduced on purpose) {counts['quirk']}, chip restored each time; "
      f"{time.monotonic() - started:.0f} s; board RSS at the end {rss / 1024:.1f} MiB; families: "
      + ", ".join(f"{k} {v}" for k, v in sorted(families.items())))
