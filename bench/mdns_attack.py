#!/usr/bin/env python3
"""Hostile mDNS traffic for the bench campaigns, on loopback only (224.0.0.251:5353 via lo, source 127.0.0.1).

  mdns_attack.py txt-flood NAME COUNT SECONDS   QM TXT queries for NAME._arduino._tcp.local from port 5353, spread over
                                                SECONDS; prints queries sent and multicast TXT answers heard (until 1.5 s after)
  mdns_attack.py junk SECONDS COUNT             COUNT responses announcing made-up boards (PTR + SRV + TXT + A), over SECONDS
  mdns_attack.py fuzz PER_FAMILY SEED           malformed packets in families, PER_FAMILY each; prints "family tried" lines

Standard library only. Every packet is sent to the group on lo; nothing can leave a namespace that has only lo.
"""
import random
import select
import socket
import struct
import sys
import time

GROUP = ("224.0.0.251", 5353)
TYPE = "_arduino._tcp.local"


def mdns_socket(bind_port=5353):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", bind_port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(GROUP[0]) + socket.inet_aton("127.0.0.1"))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    return s


def name(text):
    out = b""
    for label in text.split("."):
        raw = label.encode()
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def header(flags=0, qd=0, an=0, ns=0, ar=0, ident=0):
    return struct.pack(">HHHHHH", ident, flags, qd, an, ns, ar)


def question(qname, qtype, qclass=1):
    return name(qname) + struct.pack(">HH", qtype, qclass)


def record(rname, rtype, data, ttl=120, rclass=1):
    return name(rname) + struct.pack(">HHIH", rtype, rclass, ttl, len(data)) + data


def skip_name(p, i):
    while i < len(p):
        n = p[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += 1 + n
    return len(p)


def is_txt_answer_for(p, owner):
    """A response whose answer section is exactly one TXT record named owner (what a TXT query draws)."""
    if len(p) < 12 or not p[2] & 0x80:
        return False
    qd, an = struct.unpack(">HH", p[4:8])
    if qd != 0 or an != 1:
        return False
    i = 12
    start = i
    i = skip_name(p, i)
    if i + 10 > len(p):
        return False
    rtype = struct.unpack(">H", p[i:i + 2])[0]
    return rtype == 16 and p[start:start + len(owner)].lower() == owner.lower()


def txt_flood(board, count, seconds):
    s = mdns_socket()
    owner = name(f"{board}.{TYPE}")[:-1]
    query = header(qd=1) + question(f"{board}.{TYPE}", 16)
    answers = 0
    start = time.monotonic()
    sent = 0
    end = start + seconds + 1.5
    while time.monotonic() < end:
        due = min(count, int((time.monotonic() - start) / seconds * count) + 1)
        while sent < due:
            s.sendto(query, GROUP)
            sent += 1
        ready, _, _ = select.select([s], [], [], 0.001)
        while ready:
            p = s.recv(9000)
            answers += is_txt_answer_for(p, owner)
            ready, _, _ = select.select([s], [], [], 0)
    print(f"sent {sent} TXT queries in {seconds} s, heard {answers} multicast TXT answers")


def junk(seconds, count):
    s = mdns_socket(0)
    rnd = random.Random(14)
    start = time.monotonic()
    for k in range(count):
        inst = f"Junk-{rnd.getrandbits(48):012x}"
        host = f"junk-{k}.local"
        full = f"{inst}.{TYPE}"
        p = header(0x8400, an=4) + record(TYPE, 12, name(full), 4500) + \
            record(full, 33, struct.pack(">HHH", 0, 0, 5000) + name(host)) + \
            record(full, 16, b"\x14board=ameba_rtl8195a", 4500) + record(host, 1, bytes([127, 1, k >> 8 & 255, k & 255]))
        s.sendto(p, GROUP)
        lag = start + seconds * (k + 1) / count - time.monotonic()
        if lag > 0:
            time.sleep(lag)
    print(f"sent {count} responses announcing made-up boards in {time.monotonic() - start:.2f} s")


def valid_response(rnd):
    inst = f"Fz{rnd.getrandbits(24):06x}.{TYPE}"
    return header(0x8400, an=4) + record(TYPE, 12, name(inst), 4500) + \
        record(inst, 33, struct.pack(">HHH", 0, 0, 5000) + name("fz.local")) + \
        record(inst, 16, b"\x05a=b=c", 4500) + record("fz.local", 1, bytes([127, 0, 9, 9]))


def families(rnd):
    """name -> packet maker; every packet is malformed or hostile (none is a valid goodbye for a real board)."""
    def mutate(p, n):
        b = bytearray(p)
        for _ in range(n):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return bytes(b)

    def long_name_chain():
        body = bytearray(header(0x8400, an=2))
        prev = None
        for _ in range(8):
            at = len(body)
            body += bytes([40]) + b"a" * 40 + (bytes([0xC0 | prev >> 8, prev & 255]) if prev is not None else b"\0")
            prev = at
        return bytes(body) + struct.pack(">BB", 0xC0 | prev >> 8, prev & 255) + struct.pack(">HHIH", 1, 1, 120, 4) + b"\1\2\3\4"

    return {
        "random-bytes": lambda: bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 600))),
        "truncated-response": lambda: valid_response(rnd)[:rnd.randrange(0, 120)],
        "bit-flipped-response": lambda: mutate(valid_response(rnd), rnd.randrange(1, 6)),
        "compression-loop": lambda: header(qd=1) + bytes([0xC0, 12]) + struct.pack(">HH", 12, 1),
        "forward-pointer": lambda: header(0x8400, an=1) + bytes([0xC0, 40]) + struct.pack(">HHIH", 1, 1, 120, 4) + b"\1\2\3\4" + b"\0" * 30,
        "absurd-counts": lambda: header(rnd.randrange(65536), 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF) + bytes(rnd.randrange(256) for _ in range(40)),
        "rdlength-overrun": lambda: header(0x8400, an=1) + name(f"x.{TYPE}") + struct.pack(">HHIH", 16, 1, 120, 60000) + b"\3abc",
        "bad-label-types": lambda: header(qd=1) + bytes([rnd.choice([0x40, 0x80, 0x41]), 1, 2, 3]) + struct.pack(">HH", 12, 1),
        "name-over-255": long_name_chain,
        "nsec-bad-bitmap": lambda: header(0x8400, an=1) + name("fz.local") + struct.pack(">HHIH", 47, 1, 120, 4) + b"\0\0\x40\xff",
        "tc-known-answers-without-query": lambda: header(0x0200, an=3) + b"".join(
            record(TYPE, 12, name(f"Nobody{rnd.randrange(10**6)}.{TYPE}"), 4500) for _ in range(3)),
        "question-storm": lambda: header(qd=200) + b"".join(question(f"q{i}.local", 255) for i in range(200)),
    }


def fuzz(per_family, seed):
    rnd = random.Random(seed)
    s = mdns_socket(0)
    for fam, make in families(rnd).items():
        for k in range(per_family):
            s.sendto(make(), GROUP)
            if k % 50 == 49:
                time.sleep(0.01)   # ~5000 packets/s: a flood, not a kernel-buffer test
        print(f"{fam} {per_family}")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "txt-flood":
        txt_flood(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "junk":
        junk(float(sys.argv[2]), int(sys.argv[3]))
    elif cmd == "fuzz":
        fuzz(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
