#!/usr/bin/env python3
"""probe.py: tiny raw checks the harness self-test uses (never a second scanner).

  probe.py connect ADDR PORT [TIMEOUT]   prints open | refused | timeout
  probe.py banner ADDR PORT [TIMEOUT]    connects, sends an SMB1 negotiate, prints the first bytes
                                         back as hex, or "silent" when none arrive before TIMEOUT
  probe.py smb1neg ADDR [PORT]           SMB1 negotiate offering only "NT LM 0.12"; prints
                                         "proto=smb1 status=0x... wc=N dialect=0xNNNN secmode=0xNN"
                                         or "proto=smb2 ..." or "closed"
"""
import socket
import struct
import sys


def smb1_negotiate(dialects=(b"NT LM 0.12",)):
    body = b"".join(b"\x02" + d + b"\x00" for d in dialects)
    hdr = b"\xffSMB" + bytes([0x72]) + b"\x00" * 4 + bytes([0x18]) + struct.pack("<H", 0xC853)
    hdr += b"\x00" * 12 + struct.pack("<HHHH", 0, 0xFEFF, 0, 0)  # TID PID UID MID
    smb = hdr + b"\x00" + struct.pack("<H", len(body)) + body
    return struct.pack(">I", len(smb)) + smb


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        c = s.recv(n - len(buf))
        if not c:
            break
        buf += c
    return buf


def main(a):
    mode, addr = a[1], a[2]
    port = int(a[3]) if len(a) > 3 else 445
    tmo = float(a[4]) if len(a) > 4 else 2.0
    s = socket.socket()
    s.settimeout(tmo)
    try:
        s.connect((addr, port))
    except ConnectionRefusedError:
        print("refused")
        return 0
    except (socket.timeout, TimeoutError):
        print("timeout")
        return 0
    if mode == "connect":
        print("open")
        return 0
    s.sendall(smb1_negotiate())
    try:
        head = recv_exact(s, 4)
    except (socket.timeout, TimeoutError):
        print("silent")
        return 0
    except ConnectionResetError:
        print("closed")
        return 0
    if mode == "banner":
        print(head.hex() if head else "closed")
        return 0
    if len(head) < 4:
        print("closed")
        return 0
    if head[0] != 0:
        print(f"not_nbss first={head.hex()}")
        return 0
    n = struct.unpack(">I", head)[0] & 0x1FFFF
    msg = recv_exact(s, n)
    if msg[:4] == b"\xfeSMB":
        dialect = struct.unpack_from("<H", msg, 64 + 4)[0] if len(msg) >= 70 else -1
        print(f"proto=smb2 dialect=0x{dialect:04x}")
        return 0
    if msg[:4] != b"\xffSMB":
        print(f"not_smb first={msg[:8].hex()}")
        return 0
    status = struct.unpack_from("<I", msg, 5)[0]
    wc = msg[32]
    dialect = struct.unpack_from("<H", msg, 33)[0] if wc >= 1 else -1
    secmode = msg[35] if wc >= 17 else -1
    print(f"proto=smb1 status=0x{status:08x} wc={wc} dialect=0x{dialect:04x} secmode=0x{secmode & 0xff:02x}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
