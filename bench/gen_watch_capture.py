#!/usr/bin/env python3
# bench/gen_watch_capture.py: assembles the big SMB-heavy benchmark capture of `smbguard watch`
# (issue 4) from shared captures, read in place. python3 stdlib only.
#
#   gen_watch_capture.py PCAPDIR OUT.pcap K|min:BYTES CAPTURE [CAPTURE...]
#
# Writes K copies (min:BYTES: the fewest copies that make OUT at least BYTES long) of the listed captures, one capture after the other, as ONE Ethernet pcap
# (microsecond timestamps). Every (copy, capture) instance is independent of every other:
#  * its own addresses: each unicast IPv4 address of the capture (in order of first appearance) is
#    rewritten to 10.<n/256>.<n%256>.<i+1>, n = the instance number, i = the address's index in that
#    capture; private and loopback addresses stay inside the home net, none becomes 192.168.56.20 or
#    172.16.99.5 (the WannaCry IPC$ path hosts). Multicast, broadcast and 0.0.0.0 are kept. IPv4
#    header and TCP/UDP checksums are updated incrementally (RFC 1624). IPv6 packets are kept as
#    they are (the chosen captures carry no TCP over IPv6: ICMPv6/mDNS only).
#  * its own time: the instance starts GAP seconds after the previous one ended (relative timing
#    inside a capture is kept), so no time window (worm scan 60 s, groom episode 60 s, flow
#    timeouts) spans two instances.
# So per-flow, per-host and per-episode alert counts of the whole file are the sums over instances.
# Input: pcap or pcapng (one link type per file). Link types read: Ethernet (VLAN tags kept), BSD null/loopback (given a synthetic Ethernet header).
# Prints "copies K packets N bytes N instances N" on stdout (bytes: captured packet bytes).
import ipaddress
import os
import struct
import sys

GAP = float(os.environ.get("BENCH_GAP", "300"))  # seconds between instances (env BENCH_GAP)
T0 = 1_500_000_000   # first instance starts here (2017-07-14)
KEEP_NET = [ipaddress.ip_network(n) for n in ("224.0.0.0/4", "240.0.0.0/4", "0.0.0.0/32")]


def read_pcapng(data):
    """Minimal pcapng: SHB, IDB (link type, if_tsresol), EPB, SPB; one link type per file."""
    off, e, ifs, pkts, linktype = 0, "<", [], [], None
    while off + 12 <= len(data):
        btype = struct.unpack_from(e + "I", data, off)[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            ifs = []
        blen = struct.unpack_from(e + "I", data, off + 4)[0]
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            lt = struct.unpack_from(e + "H", body)[0]
            res, o = 1e-6, 8
            while o + 4 <= len(body):
                code, ln = struct.unpack_from(e + "HH", body, o)
                if code == 0:
                    break
                if code == 9:
                    v = body[o + 4]
                    res = 2.0 ** -(v & 0x7F) if v & 0x80 else 10.0 ** -v
                o += 4 + ((ln + 3) & ~3)
            if linktype not in (None, lt):
                raise SystemExit("pcapng with several link types: not supported")
            linktype = lt
            ifs.append(res)
        elif btype == 6:
            iid, hi, lo, incl, orig = struct.unpack_from(e + "IIIII", body)
            pkts.append((((hi << 32) | lo) * ifs[iid], body[20:20 + incl], orig))
        elif btype == 3:
            orig = struct.unpack_from(e + "I", body)[0]
            pkts.append((pkts[-1][0] if pkts else 0.0, body[4:4 + min(orig, len(body) - 4)], orig))
        off += blen
    return linktype, pkts


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(data)
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"{path}: neither pcap nor pcapng")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off, pkts = 24, []
    hdr = struct.Struct(e + "IIII")
    while off + 16 <= len(data):
        sec, frac, incl, orig = hdr.unpack_from(data, off)
        off += 16
        ts = sec + frac / (1e9 if nano else 1e6)
        pkts.append((ts, data[off:off + incl], orig))
        off += incl
    return linktype, pkts


def to_ether(linktype, frame):
    """-> (Ethernet frame, offset of the L3 header, ethertype) or None for unknown frames."""
    if linktype == 1:
        off, et = 12, None
        while off + 2 <= len(frame):
            et = struct.unpack_from(">H", frame, off)[0]
            if et in (0x8100, 0x88A8, 0x9100):
                off += 4
                continue
            return frame, off + 2, et
        return frame, None, None
    if linktype in (0, 108):  # BSD null/loop: 4-byte family, host or network order
        fam = struct.unpack_from("<I", frame)[0]
        if fam > 0xFFFF:
            fam = struct.unpack_from(">I", frame)[0]
        et = 0x0800 if fam == 2 else 0x86DD if fam in (10, 24, 28, 30) else 0x0000
        eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + struct.pack(">H", et)
        return eth + frame[4:], 14, et
    raise SystemExit(f"link type {linktype} not supported by the generator")


def csum_adjust(csum, old, new):
    """RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') over the 16-bit words of old -> new."""
    s = (~csum) & 0xFFFF
    for i in range(0, len(old), 2):
        s += (~((old[i] << 8) | old[i + 1])) & 0xFFFF
        s += (new[i] << 8) | new[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def main():
    pcapdir, out, karg = sys.argv[1], sys.argv[2], sys.argv[3]
    names = sys.argv[4:]
    caps = []
    for n in names:
        lt, pkts = read_pcap(os.path.join(pcapdir, n))
        frames = []
        order = {}
        for ts, fr, orig in pkts:
            eth, l3, et = to_ether(lt, fr)
            frames.append((ts, eth, orig + (len(eth) - len(fr)), l3 if et == 0x0800 else None))
            if et == 0x0800 and l3 is not None and len(eth) >= l3 + 20:
                for a in (eth[l3 + 12:l3 + 16], eth[l3 + 16:l3 + 20]):
                    ip = ipaddress.IPv4Address(a)
                    if a not in order and not ip.is_multicast and ip != ipaddress.IPv4Address("255.255.255.255") \
                            and not any(ip in kn for kn in KEEP_NET):
                        order[a] = len(order)
        if len(order) > 254:
            raise SystemExit(f"{n}: more than 254 addresses")
        t0 = min(f[0] for f in frames)
        t1 = max(f[0] for f in frames)
        caps.append((n, frames, order, t0, t1))
    if karg.startswith("min:"):
        per_copy = sum(16 + len(f[1]) for c in caps for f in c[1])
        k = max(1, -(-(int(karg[4:]) - 24) // per_copy))
    else:
        k = int(karg)
    if k * len(caps) > 65535:
        raise SystemExit("too many instances")
    npk = nby = 0
    base = float(T0)
    rec = struct.Struct("<IIII")
    with open(out, "wb", buffering=1 << 22) as o:
        o.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        inst = 0
        for _ in range(k):
            for n, frames, order, t0, t1 in caps:
                inst += 1
                m = {a: bytes((10, inst >> 8, inst & 255, i + 1)) for a, i in order.items()}
                for ts, eth, orig, l3 in frames:
                    if l3 is not None and len(eth) >= l3 + 20:
                        b = bytearray(eth)
                        ihl = (b[l3] & 0x0F) * 4
                        old = bytes(b[l3 + 12:l3 + 20])
                        new = m.get(old[:4], old[:4]) + m.get(old[4:], old[4:])
                        if new != old:
                            b[l3 + 12:l3 + 20] = new
                            c = struct.unpack_from(">H", b, l3 + 10)[0]
                            struct.pack_into(">H", b, l3 + 10, csum_adjust(c, old, new))
                            proto = b[l3 + 9]
                            frag_off = struct.unpack_from(">H", b, l3 + 6)[0] & 0x1FFF
                            l4 = l3 + ihl
                            if frag_off == 0 and proto == 6 and len(b) >= l4 + 18:
                                c = struct.unpack_from(">H", b, l4 + 16)[0]
                                struct.pack_into(">H", b, l4 + 16, csum_adjust(c, old, new))
                            elif frag_off == 0 and proto == 17 and len(b) >= l4 + 8:
                                c = struct.unpack_from(">H", b, l4 + 6)[0]
                                if c:
                                    c = csum_adjust(c, old, new) or 0xFFFF
                                    struct.pack_into(">H", b, l4 + 6, c)
                        eth = bytes(b)
                    t = base + (ts - t0)
                    sec = int(t)
                    usec = int(round((t - sec) * 1e6))
                    if usec >= 1000000:
                        sec, usec = sec + 1, usec - 1000000
                    o.write(rec.pack(sec, usec, len(eth), max(orig, len(eth))))
                    o.write(eth)
                    npk += 1
                    nby += len(eth)
                base += (t1 - t0) + GAP
    print(f"copies {k} packets {npk} bytes {nby} instances {inst}")


if __name__ == "__main__":
    main()
