"""Shared pieces of the fault campaigns: a `device run` board driven through its control socket, the OTA protocol
spoken by hand (so a campaign decides exactly when each byte goes out), and checks that the board boots a whole image.
Loopback only: the scripts run inside a private network namespace (bench/netns.sh). AMEBAOTA_CLI may name
another build's ameba-ota.dll."""
import os, re, socket, struct, subprocess, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("AMEBAOTA_CLI") or os.path.join(ROOT, "src/AmebaOta.Cli/bin/Release/net10.0/ameba-ota.dll")


def cli(*args, check=True):
    """Runs ameba-ota; returns the completed process."""
    p = subprocess.run(["dotnet", CLI, *args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"ameba-ota {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def flash_timing_args(profile):
    """['--flash-timing', profile] when `device run` has that option (it is being added), else []."""
    helptext = cli("device", "run", "--help", check=False).stdout
    return ["--flash-timing", profile] if "--flash-timing" in helptext else []


class Board:
    """A virtual board (`ameba-ota device run`) with a control socket, no mDNS, on 127.0.0.1 at a free port."""

    def __init__(self, workdir, flash, extra=()):
        self.workdir, self.flash = workdir, flash
        self.sock_path = os.path.join(workdir, "board.sock")
        self.extra = list(extra)
        self.proc = None
        self.control = None
        self.restarts = 0

    def start(self):
        if os.path.exists(self.sock_path): os.unlink(self.sock_path)
        self.stderr = open(os.path.join(self.workdir, "board.err"), "ab")
        self.proc = subprocess.Popen(["dotnet", CLI, "device", "run", "--flash", self.flash, "--port", "0", "--no-mdns",
                                      "--no-stdin", "--control", self.sock_path, *self.extra],
                                     stdout=subprocess.DEVNULL, stderr=self.stderr, cwd=self.workdir)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None: raise RuntimeError(f"device run exited with {self.proc.returncode}")
            try:
                self.control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.control.connect(self.sock_path)
                self.control_file = self.control.makefile("rw", encoding="utf-8", newline="\n")
                break
            except OSError:
                self.control.close(); self.control = None
                time.sleep(0.05)
        if self.control is None: raise RuntimeError("the control socket never appeared")
        return self.wait_listening()

    def command(self, line):
        self.control_file.write(line + "\n"); self.control_file.flush()
        reply = self.control_file.readline()
        if not reply: raise RuntimeError("the control socket closed")
        return reply.strip()

    def status(self):
        return self.command("status")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_listening(self, timeout=15.0, booted=None):
        """Polls `status` until the board listens (and, if given, has booted image `booted` = (address, version)).
        Returns the status line, or None on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.status()
            if "listening 127.0.0.1:" in s and (booted is None or f"booted 0x{booted[0]:x} version {booted[1]} " in s):
                return s
            time.sleep(0.01)
        return None

    def port(self, status=None):
        m = re.search(r"listening 127\.0\.0\.1:(\d+)", status or self.status())
        return int(m.group(1)) if m else None

    def stop(self):
        if self.alive():
            try: self.command("quit")
            except (OSError, RuntimeError): pass
            try: self.proc.wait(10)
            except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()
        if self.control: self.control.close(); self.control = None

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"): return int(line.split()[1])
        return 0


def boots(status):
    m = re.search(r"boots (\d+)", status)
    return int(m.group(1)) if m else -1


def wait_rebooted(board, log, mark, boots_before, timeout):
    """After a reset or a cut: the position of the board's next 'listening' note after `mark`, or None once the board has
    booted again and stopped with nothing to run (status 'booted nothing') or `timeout` passed."""
    deadline = time.monotonic() + timeout
    rx = re.compile(r"OTA receiver listening on")
    while time.monotonic() < deadline:
        m = rx.search(log.text(), mark)
        if m: return m.end()
        status = board.status()
        if boots(status) > boots_before and booted(status) is None and "booted nothing" in status: return None
        time.sleep(0.01)
    return None


def booted(status):
    """(address, version) the status line says the board booted, or None when it booted nothing."""
    m = re.search(r"booted 0x([0-9a-f]+) version (\d+)", status)
    return (int(m.group(1), 16), int(m.group(2))) if m else None


def ota_header(image):
    return struct.pack("<III", sum(image) & 0xFFFFFFFF, 0, len(image))


def connect(port, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def reset_close(s):
    """Closes with a RST (SO_LINGER 0), as a host that gives up must."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def segments(image_file_bytes):
    """Image 2 header + body (+ Image 3) of an ota.bin-format file, signature words masked."""
    length = struct.unpack_from("<I", image_file_bytes, 0)[0]
    end = 16 + length
    if end + 16 <= len(image_file_bytes):
        l3, load3 = struct.unpack_from("<II", image_file_bytes, end)
        if l3 not in (0, 0xFFFFFFFF) and load3 == 0x30000000: end += 16 + l3
    seg = bytearray(image_file_bytes[:end]); seg[8:16] = b"\0" * 8
    return bytes(seg)


def whole_image_at(flash_bytes, address, known):
    """True when the image at `address` of the chip is byte-identical (signature aside) to one of `known` (segments())."""
    for seg in known:
        chunk = bytearray(flash_bytes[address:address + len(seg)])
        if len(chunk) != len(seg): continue
        chunk[8:16] = b"\0" * 8
        if bytes(chunk) == seg: return True
    return False


def work_dir():
    return tempfile.mkdtemp(prefix="amebaota-campaign-")


def capture_upload(image_path, *extra):
    """The exact bytes `ameba-ota upload IMAGE` puts on the wire (header + image as sent), caught by a sink on 127.0.0.1."""
    import threading
    server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
    got = bytearray()

    def sink():
        c, _ = server.accept()
        while True:
            d = c.recv(65536)
            if not d: break
            got.extend(d)
        c.close()

    t = threading.Thread(target=sink); t.start()
    p = cli("upload", image_path, "--ip", "127.0.0.1", "--port", str(server.getsockname()[1]), *extra)
    t.join(10); server.close()
    return bytes(got), p.stderr.strip()


class BoardLog:
    """The board's stderr notes, read incrementally: where the last power cut and the last 'listening' note are."""

    def __init__(self, path):
        self.path = path

    def text(self):
        with open(self.path, "r", encoding="utf-8", errors="replace") as f: return f.read()

    def mark(self):
        return len(self.text())

    def wait_for(self, pattern, after, timeout):
        """Position just past the first match of regex `pattern` after offset `after`, or None on timeout."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while time.monotonic() < deadline:
            m = rx.search(self.text(), after)
            if m: return m.end()
            time.sleep(0.01)
        return None


def make_board(work, flash_extra=(), image_args=("--version", "1")):
    """A flash file with v1 written as by USB (flash create + flash dap)."""
    v1 = os.path.join(work, "v1.bin")
    cli("image", "make", *image_args, "-o", v1)
    board = os.path.join(work, "board.bin")
    cli("flash", "create", board)
    cli("flash", "dap", board, v1)
    with open(board, "rb") as f: pristine = f.read()
    return board, v1, pristine


def restore(board_obj, pristine):
    """Stops the board, puts the pristine chip back, starts it again (after an unbootable outcome)."""
    board_obj.stop()
    with open(board_obj.flash, "wb") as f: f.write(pristine)
    board_obj.restarts += 1
    return board_obj.start()
