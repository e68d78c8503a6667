#!/usr/bin/env python3
# tests/watch/gen_synflood.py: the SYN-flood fixture of tests/watch/synflood.sh (label slow), written
# as a pcap stream to stdout (python3 stdlib only; nothing is stored).
#
#   gen_synflood.py SCAN_PCAP [N (2000000)] [RATE (100000 SYN/s)] [SEED (445)]
#
# N TCP SYNs to 10.44.5.5:445 from random spoofed sources (random IPv4 source address, random port
# >= 1024, random sequence number), RATE per second, nothing ever answered; in the middle of the
# flood, by timestamp, the frames of SCAN_PCAP (id2t_Win7_eternalblue_scan.pcap, read at run time
# from the shared captures), their relative timing kept, interleaved with the flood packets
# (the flood goes on while the scan runs: at 100,000 SYN/s about 49,000 flood SYNs fall inside the
# scan's 0.49 s). Ethernet, microsecond pcap. The spoofed sources avoid the scan's two addresses.
import random
import struct
import sys


def ip_csum(b):
    s = sum(struct.unpack("!10H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    e = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">"}.get(data[:4])
    if e is None or struct.unpack(e + "I", data[20:24])[0] != 1:
        raise SystemExit(f"{path}: want a microsecond Ethernet pcap")
    off, out = 24, []
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack_from(e + "IIII", data, off)
        out.append((sec * 1_000_000 + usec, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return out


def main():
    scan = read_pcap(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    rate = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 445)
    avoid = set()
    for _, fr, _ in scan:
        avoid.add(fr[26:30])
        avoid.add(fr[30:34])

    t0 = 1_494_800_000 * 1_000_000   # 2017-05-14 22:13:20 UTC, microseconds
    step = 1_000_000 / rate
    mid = t0 + int(n / 2 * step)
    s0 = scan[0][0]
    scan = [(mid + (ts - s0), fr, orig) for ts, fr, orig in scan]

    dst = bytes((10, 44, 5, 5))
    eth = b"\x00\x0c\x29\x44\x05\x05" + b"\x00\x50\x56\xc0\x00\x08" + b"\x08\x00"
    # IPv4 20 + TCP 20 (SYN, window 1024, no options): 54-byte frames
    rec = struct.Struct("<IIII")
    tcp_fixed = 6 + 20  # protocol + TCP length of the pseudo header
    out = sys.stdout.buffer
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    buf = []
    si = 0
    ipid = 0
    for i in range(n):
        ts = t0 + int(i * step)
        while si < len(scan) and scan[si][0] <= ts:
            sts, fr, orig = scan[si]
            buf.append(rec.pack(sts // 1_000_000, sts % 1_000_000, len(fr), orig) + fr)
            si += 1
        src = rnd.getrandbits(32).to_bytes(4, "big")
        while src in avoid or src[0] in (0, 127) or src[0] >= 224:
            src = rnd.getrandbits(32).to_bytes(4, "big")
        sport = rnd.randint(1024, 65535)
        seq = rnd.getrandbits(32)
        ipid = (ipid + 1) & 0xFFFF
        iph = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, ipid, 0x4000, 64, 6, 0, src, dst))
        struct.pack_into("!H", iph, 10, ip_csum(iph))
        tcp = bytearray(struct.pack("!HHIIBBHHH", sport, 445, seq, 0, 5 << 4, 0x02, 1024, 0, 0))
        w = struct.unpack("!10H", tcp) + struct.unpack("!4H", src + dst)
        s = sum(w) + tcp_fixed
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        struct.pack_into("!H", tcp, 16, (~s) & 0xFFFF)
        fr = eth + iph + tcp
        buf.append(rec.pack(ts // 1_000_000, ts % 1_000_000, 54, 54) + fr)
        if len(buf) >= 4096:
            out.write(b"".join(buf))
            buf.clear()
    for sts, fr, orig in scan[si:]:
        buf.append(rec.pack(sts // 1_000_000, sts % 1_000_000, len(fr), orig) + fr)
    out.write(b"".join(buf))
    out.flush()
    print(f"gen_synflood: {n} SYNs at {rate}/s, {len(scan)} scan frames from t+{(mid - t0) / 1e6:.3f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
