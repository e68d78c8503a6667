#!/usr/bin/env python3
# gen_fixtures.py: writes the generated `smbguard watch` fixtures of tests/watch/README.md as pcap
# files into a directory (python3 standard library only); expectations are in generated_expected.tsv.
"""Usage: gen_fixtures.py OUTDIR [--shared DIR] [--list]

OUTDIR   directory to write <fixture>.pcap files into (created if missing)
--shared directory holding pcaps/ (default: $SMBGUARD_SHARED or /work/shared); needed for the
         fixtures that replay frames of shared captures
--list   print "fixture<TAB>linktype<TAB>frames<TAB>notes" for every file written

Addresses are RFC 1918 / RFC 5737. Output is deterministic (fixed timestamps, no randomness).
"""
import os
import struct
import sys

# ---------------------------------------------------------------- pcap files

LINK_NULL, LINK_EN10MB, LINK_RAW, LINK_SLL, LINK_SLL2 = 0, 1, 101, 113, 276


def read_pcap(path):
    """Returns (linktype, [(ts, frame_bytes)]) of a classic pcap file (either byte order, us/ns)."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        raise ValueError('%s: not a classic pcap file' % path)
    nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
    linktype = struct.unpack(e + 'I', data[20:24])[0] & 0x0FFFFFFF
    off, frames = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(e + 'IIII', data[off:off + 16])
        off += 16
        frames.append((sec + frac / (1e9 if nano else 1e6), data[off:off + incl]))
        off += incl
    return linktype, frames


def write_pcap(path, linktype, frames):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, linktype))
        for ts, fr in frames:
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            if usec >= 1000000:
                sec, usec = sec + 1, usec - 1000000
            f.write(struct.pack('<IIII', sec, usec, len(fr), len(fr)))
            f.write(fr)


# ---------------------------------------------------------------- packet building

def ip4(a):
    return bytes(int(x) for x in a.split('.'))


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, ttl=64, frag_off=0, mf=False, df=True):
    flags = (0x4000 if df and not mf and frag_off == 0 else 0) | (0x2000 if mf else 0)
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident & 0xFFFF,
                    flags | (frag_off // 8), ttl, proto, 0, ip4(src), ip4(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload


def tcp_seg(src, dst, sport, dport, seq, ack, flags, payload=b'', win=64240):
    h = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, win, 0, 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack('!BBH', 0, 6, len(h) + len(payload))
    c = csum(pseudo + h + payload)
    return h[:16] + struct.pack('!H', c) + h[18:] + payload


def udp_dgram(src, dst, sport, dport, payload):
    h = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0)
    pseudo = ip4(src) + ip4(dst) + struct.pack('!BBH', 0, 17, 8 + len(payload))
    c = csum(pseudo + h + payload) or 0xFFFF
    return h[:6] + struct.pack('!H', c) + payload


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def mac(ip):
    return b'\x02\x00' + ip4(ip)


def ether(ip_pkt, vlans=()):
    """Ethernet II around an IPv4 packet; vlans = [(tpid, vid), ...] outermost first."""
    src, dst = ip_pkt[12:16], ip_pkt[16:20]
    h = b'\x02\x00' + dst + b'\x02\x00' + src
    for tpid, vid in vlans:
        h += struct.pack('!HH', tpid, vid)
    return h + b'\x08\x00' + ip_pkt


class Capture:
    """A list of (ts, IPv4 packet) plus remembered frame numbers (1-based, as tshark counts)."""

    def __init__(self):
        self.pkts = []
        self.marks = {}

    def add(self, ts, pkt, mark=None):
        self.pkts.append((ts, pkt))
        if mark:
            self.marks.setdefault(mark, []).append(len(self.pkts))
        return len(self.pkts)

    def sorted(self):
        # stable sort by time keeps the order of packets added at the same instant
        order = sorted(range(len(self.pkts)), key=lambda i: self.pkts[i][0])
        renum = {old + 1: new + 1 for new, old in enumerate(order)}
        self.pkts = [self.pkts[i] for i in order]
        self.marks = {k: [renum[v] for v in vs] for k, vs in self.marks.items()}
        return self

    def eth_frames(self):
        return [(ts, ether(p)) for ts, p in self.pkts]


class Tcp:
    """One TCP connection with correct sequence numbers; segments are cut at the MSS."""

    def __init__(self, cap, cli, cport, srv, sport, t, isn_c=1000, isn_s=5000, mss=1460):
        self.cap, self.cli, self.cport, self.srv, self.sport = cap, cli, cport, srv, sport
        self.t, self.cseq, self.sseq, self.mss = t, isn_c, isn_s, mss
        self.ident = {cli: 0x100, srv: 0x200}

    def _pkt(self, from_cli, flags, payload=b'', mark=None, dt=0.0002):
        self.t += dt
        if from_cli:
            a, b, pa, pb, seq, ack = self.cli, self.srv, self.cport, self.sport, self.cseq, self.sseq
        else:
            a, b, pa, pb, seq, ack = self.srv, self.cli, self.sport, self.cport, self.sseq, self.cseq
        self.ident[a] += 1
        seg = tcp_seg(a, b, pa, pb, seq, ack if flags & ACK else 0, flags, payload)
        n = self.cap.add(self.t, ipv4(a, b, 6, seg, ident=self.ident[a]), mark)
        adv = len(payload) + (1 if flags & (SYN | FIN) else 0)
        if from_cli:
            self.cseq += adv
        else:
            self.sseq += adv
        return n

    def handshake(self, answer=True):
        self._pkt(True, SYN)
        if answer:
            self._pkt(False, SYN | ACK)
            self._pkt(True, ACK)

    def send(self, from_cli, data, mark=None):
        """Sends data in MSS-sized segments; mark goes on the segment that completes the data."""
        chunks = [data[i:i + self.mss] for i in range(0, len(data), self.mss)] or [b'']
        last = None
        for i, c in enumerate(chunks):
            last = self._pkt(from_cli, PSH | ACK if i == len(chunks) - 1 else ACK, c,
                             mark if i == len(chunks) - 1 else None)
        return last

    def c2s(self, data, mark=None):
        return self.send(True, data, mark)

    def s2c(self, data, mark=None):
        return self.send(False, data, mark)

    def close(self):
        self._pkt(True, FIN | ACK)
        self._pkt(False, FIN | ACK)
        self._pkt(True, ACK)


# ---------------------------------------------------------------- DNS and HTTP

KS_IUQERF = 'iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea'
KS_IFFERF = 'ifferfsodp9ifjaposdfjhgosurijfaewrwergwea'
KS_AYYLMAO = 'ayylmaotjhsstasdfasdfasdfasdfasdfasdfasdf'
KS_IUQSSF = 'iuqssfsodp9ifjaposdfjhgosurijfaewrwergwea'
KS_WWW = 'www.%s.com' % KS_IUQERF


def dns_name(name):
    out = b''
    for label in name.split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def dns_query(txid, name, qtype=1):
    return struct.pack('!HHHHHH', txid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack('!HH', qtype, 1)


def dns_answer(txid, name, addr=None, rcode=0):
    """Response echoing the question; one A record (compressed name c0 0c) unless addr is None."""
    an = 1 if addr else 0
    m = struct.pack('!HHHHHH', txid, 0x8180 | rcode, 1, an, 0, 0) + dns_name(name) + struct.pack('!HH', 1, 1)
    if addr:
        m += b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 300, 4) + ip4(addr)
    return m


def dns_exchange(cap, t, cli, cport, srv, name, txid, addr=None, rcode=0, mark=None):
    cap.add(t, ipv4(cli, srv, 17, udp_dgram(cli, srv, cport, 53, dns_query(txid, name)), ident=txid), mark)
    cap.add(t + 0.02, ipv4(srv, cli, 17, udp_dgram(srv, cli, 53, cport, dns_answer(txid, name, addr, rcode)),
                           ident=txid + 1), mark and mark + '.reply')


CLIENT, RESOLVER, UPSTREAM = '10.1.1.10', '10.1.1.53', '198.51.100.53'
SINKHOLE = '203.0.113.80'
T0 = 1494590400.0   # 2017-05-12 12:00:00 UTC


def fx_killswitch_dns_success(_shared):
    cap = Capture()
    names = [KS_WWW, KS_IFFERF.upper() + '.com', KS_AYYLMAO + '.test', 'x.%s.local' % KS_IUQSSF]
    for i, n in enumerate(names):
        dns_exchange(cap, T0 + i, CLIENT, 50001 + i, RESOLVER, n, 0x1001 + i, addr=SINKHOLE, mark='query%d' % i)
    return LINK_EN10MB, cap.eth_frames(), cap


def fx_killswitch_dns_nxdomain(_shared):
    cap = Capture()
    dns_exchange(cap, T0, CLIENT, 50011, RESOLVER, KS_WWW, 0x2001, addr=None, rcode=3, mark='query')
    return LINK_EN10MB, cap.eth_frames(), cap


def fx_killswitch_dns_answer_only(_shared):
    """A capture of one direction: only the resolver's answers reach the sensor. The kill-switch answer
    (sinkhole A record) twice (a duplicate frame), then a near-miss name's answer."""
    cap = Capture()
    for i in range(2):
        cap.add(T0 + i * 0.001, ipv4(RESOLVER, CLIENT, 17, udp_dgram(RESOLVER, CLIENT, 53, 50031,
                                                                        dns_answer(0x5001, KS_WWW, SINKHOLE)),
                                     ident=0x5001), 'answer')
    cap.add(T0 + 1, ipv4(RESOLVER, CLIENT, 17, udp_dgram(RESOLVER, CLIENT, 53, 50032,
                                                          dns_answer(0x5002, KS_IUQERF + 'a.com', SINKHOLE)),
                         ident=0x5002), 'nearmiss')
    return LINK_EN10MB, cap.eth_frames(), cap


def fx_killswitch_dns_tcp(_shared):
    cap = Capture()
    c = Tcp(cap, CLIENT, 50021, RESOLVER, 53, T0)
    c.handshake()
    q = dns_query(0x3001, KS_WWW)
    c.c2s(struct.pack('!H', len(q)) + q, mark='query')
    a = dns_answer(0x3001, KS_WWW, SINKHOLE)
    c.s2c(struct.pack('!H', len(a)) + a, mark='reply')
    c.close()
    return LINK_EN10MB, cap.eth_frames(), cap


def fx_killswitch_dns_resolver(_shared):
    cap = Capture()
    dns_exchange(cap, T0, RESOLVER, 40001, UPSTREAM, KS_WWW, 0x4001, addr=SINKHOLE, mark='query')
    return LINK_EN10MB, cap.eth_frames(), cap


def fx_killswitch_dns_nearmiss(_shared):
    cap = Capture()
    names = [KS_IUQERF + 'a.com',                          # 42 characters
             'a' + KS_IUQERF + '.com',                     # one character in front
             KS_IUQERF[:20] + '.' + KS_IUQERF[20:] + '.com']  # split across two labels
    for i, n in enumerate(names):
        dns_exchange(cap, T0 + i, CLIENT, 50031 + i, RESOLVER, n, 0x5001 + i, rcode=3, mark='query%d' % i)
    return LINK_EN10MB, cap.eth_frames(), cap


def http_get(host):
    return ('GET / HTTP/1.1\r\nUser-Agent: Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)\r\n'
            'Host: %s\r\nCache-Control: no-cache\r\n\r\n' % host).encode()


def fx_killswitch_http(status):
    def build(_shared):
        cap = Capture()
        c = Tcp(cap, CLIENT, 49200, SINKHOLE, 80, T0)
        c.handshake()
        c.c2s(http_get(KS_WWW), mark='request')
        reason = {200: 'OK', 503: 'Service Unavailable'}[status]
        body = b'' if status == 200 else b'busy'
        c.s2c(('HTTP/1.1 %d %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % (status, reason, len(body))).encode()
              + body, mark='response')
        c.close()
        return LINK_EN10MB, cap.eth_frames(), cap
    return build


# ---------------------------------------------------------------- worm sweep

def fx_worm_sweep_fast(_shared):
    cap = Capture()
    # source 1: 10.0.0.1-30 within 10 s (0.3 s apart); odd targets answer SYN-ACK (scanner RSTs)
    for i in range(1, 31):
        t = T0 + (i - 1) * 0.3
        c = Tcp(cap, '10.0.0.100', 40000 + i, '10.0.0.%d' % i, 445, t)
        c._pkt(True, SYN, mark='src1.syn')
        if i % 2:
            c._pkt(False, SYN | ACK)
            c._pkt(True, RST)
    # source 2: 20 internal hosts, one every 6 s (never 20 in 60 s)
    for i in range(1, 21):
        c = Tcp(cap, '10.0.0.101', 41000 + i, '10.0.2.%d' % i, 445, T0 + (i - 1) * 6.0)
        c.handshake()
        c.close()
    # source 3: 5 public addresses in 30 s, all answered (outbound SMB to the Internet)
    for i in range(1, 6):
        c = Tcp(cap, '10.0.0.102', 42000 + i, '198.51.100.%d' % i, 445, T0 + (i - 1) * 6.0)
        c.handshake()
        c.close()
    cap.sorted()
    return LINK_EN10MB, cap.eth_frames(), cap


# ---------------------------------------------------------------- replays of shared captures

def shared_ip_frames(shared, name, first=1, last=None):
    """Returns [(ts, ip_packet)] of an Ethernet capture's frames first..last (1-based)."""
    lt, frames = read_pcap(os.path.join(shared, 'pcaps', name))
    if lt != LINK_EN10MB:
        raise ValueError('%s: link type %d, want Ethernet' % (name, lt))
    out = []
    for ts, fr in frames[first - 1:last]:
        off, et = 12, struct.unpack('!H', fr[12:14])[0]
        while et in (0x8100, 0x88A8):
            off += 4
            et = struct.unpack('!H', fr[off:off + 2])[0]
        if et != 0x0800:
            raise ValueError('%s: non-IPv4 frame' % name)
        ip = fr[off + 2:]
        tot = struct.unpack('!H', ip[2:4])[0]
        out.append((ts, ip[:tot]))     # drop Ethernet padding
    return out


ID2T_SCAN = 'id2t_Win7_eternalblue_scan.pcap'
TM_DP = 'tmnids_doublepulsar-backdoor-connect-win7.pcap'


def fx_vlan(vlans):
    def build(shared):
        pkts = shared_ip_frames(shared, ID2T_SCAN)
        return LINK_EN10MB, [(ts, ether(p, vlans)) for ts, p in pkts], None
    return build


def sll2(ip):
    return struct.pack('!HHIHBB8s', 0x0800, 0, 2, 1, 0, 6, b'\x02\x00' + ip[12:16] + b'\0\0') + ip


def sll(ip):
    return struct.pack('!HHH8sH', 0, 1, 6, b'\x02\x00' + ip[12:16] + b'\0\0', 0x0800) + ip


def bsd_null(ip):
    return struct.pack('<I', 2) + ip


def fx_linktype(linktype, wrap):
    def build(shared):
        pkts = shared_ip_frames(shared, TM_DP, 77, 94)
        return linktype, [(ts, wrap(p)) for ts, p in pkts], None
    return build


def fragment(ip, pieces):
    """Splits an IPv4 packet into fragments given [(offset, length)] over its payload (offsets and
    lengths multiple of 8 except the last); returns the fragment packets in the given order."""
    hl = (ip[0] & 0x0F) * 4
    src, dst = '.'.join(map(str, ip[12:16])), '.'.join(map(str, ip[16:20]))
    ident, proto, payload = struct.unpack('!H', ip[4:6])[0], ip[9], ip[hl:]
    out = []
    for off, ln in pieces:
        end = min(off + ln, len(payload))
        out.append(ipv4(src, dst, proto, payload[off:end], ident=ident, ttl=ip[8], frag_off=off,
                        mf=end < len(payload), df=False))
    return out


def fx_ip_fragments(shared):
    """id2t scan flow: IPv4 packets over 200 bytes in 3 fragments sent last, first, middle; the
    probe (frame 15) and its reply (16) in overlapping fragments with a duplicate."""
    frames = []
    for n, (ts, ip) in enumerate(shared_ip_frames(shared, ID2T_SCAN), 1):
        plen = len(ip) - 20
        if len(ip) > 200:
            third = (plen // 3) // 8 * 8
            a, b, c = fragment(ip, [(0, third), (third, third), (2 * third, plen - 2 * third)])
            for i, f in enumerate((c, a, b)):
                frames.append((ts + i * 1e-5, ether(f)))
        elif n in (15, 16):
            # 0-40, 32-80 (overlaps 8 bytes, same content), 80-end, then 0-40 again (duplicate)
            parts = fragment(ip, [(0, 40), (32, 48), (80, plen - 80), (0, 40)])
            for i, f in enumerate(parts):
                frames.append((ts + i * 1e-5, ether(f)))
        else:
            frames.append((ts, ether(ip)))
    return LINK_EN10MB, frames, None


def rewrite(ip, src=None, dst=None, sport=None, dport=None, tshift=0):
    """Copy of an IPv4/TCP packet with addresses/ports replaced and both checksums recomputed."""
    b = bytearray(ip)
    hl = (b[0] & 0x0F) * 4
    if src:
        b[12:16] = ip4(src)
    if dst:
        b[16:20] = ip4(dst)
    if sport is not None:
        b[hl:hl + 2] = struct.pack('!H', sport)
    if dport is not None:
        b[hl + 2:hl + 4] = struct.pack('!H', dport)
    b[10:12] = b'\0\0'
    b[10:12] = struct.pack('!H', csum(bytes(b[:hl])))
    if b[9] == 6:
        b[hl + 16:hl + 18] = b'\0\0'
        seg = bytes(b[hl:])
        b[hl + 16:hl + 18] = struct.pack('!H', csum(bytes(b[12:20]) + struct.pack('!BBH', 0, 6, len(seg)) + seg))
    return bytes(b)


def fx_worm_sweep_indicators(shared):
    """The id2t scan flow (MSF PeekNamedPipe probe) against 192.168.189.140 and again, 1 s later,
    against 192.168.189.141 (addresses, port and checksums rewritten; the tree path still names .140)."""
    pkts = shared_ip_frames(shared, ID2T_SCAN)
    frames = [(ts, ether(p)) for ts, p in pkts]
    a, b = ip4('192.168.189.138'), ip4('192.168.189.140')
    for ts, p in pkts:
        if p[12:16] == a:
            q = rewrite(p, dst='192.168.189.141', sport=37124)
        else:
            q = rewrite(p, src='192.168.189.141', dport=37124)
        frames.append((ts + 1.0, ether(q)))
    return LINK_EN10MB, frames, None


ID2T_EXPLOIT = 'id2t_Win7_eternalblue_exploit.pcap'


def fx_midstream_oneway(shared):
    """id2t exploit flow 192.168.189.138:39598 -> .140:445, client-to-server packets only, from the
    first packet after the NT Trans primary (source frame 13) on."""
    cap = Capture()
    for n, (ts, p) in enumerate(shared_ip_frames(shared, ID2T_EXPLOIT), 1):
        hl = (p[0] & 0x0F) * 4
        if n <= 13 or p[9] != 6 or p[12:16] != ip4('192.168.189.138'):
            continue
        sport, dport = struct.unpack('!HH', p[hl:hl + 4])
        if (sport, dport) == (39598, 445):
            cap.add(ts, p, mark='src%d' % n if n in (15, 320) else None)
    return LINK_EN10MB, cap.eth_frames(), cap


# ---------------------------------------------------------------- SMB1 transactions

SMB_NEGOTIATE, SMB_SESSION_SETUP, SMB_TREE_CONNECT = 0x72, 0x73, 0x75
SMB_TRANS, SMB_TRANS_SEC, SMB_TRANS2, SMB_TRANS2_SEC, SMB_NT_TRANS, SMB_NT_TRANS_SEC = \
    0x25, 0x26, 0x32, 0x33, 0xA0, 0xA1


class Smb1:
    def __init__(self, pid=0x0F00, uid=0, tid=0):
        self.pid, self.uid, self.tid = pid, uid, tid

    def msg(self, cmd, words, data, mid, reply=False, status=0):
        flags = 0x98 if reply else 0x18
        flags2 = 0xC807 if reply else 0xC007    # long names, EAs, security signatures?, NT status
        flags2 &= ~0x8000                        # ASCII strings (no Unicode) keep offsets simple
        h = b'\xffSMB' + struct.pack('<BIBHH8sHHHHH', cmd, status, flags, flags2, 0, b'\0' * 8, 0,
                                      self.tid, self.pid, self.uid, mid)
        assert len(words) % 2 == 0
        body = h + bytes([len(words) // 2]) + words + struct.pack('<H', len(data)) + data
        return struct.pack('!I', len(body)) + body     # NBSS session message

    @staticmethod
    def data_start(wc):
        return 32 + 1 + 2 * wc + 2


def trans_primary(s, cmd, mid, setup, name, params, data, tpc, tdc, max_data=1024):
    """Trans / Trans2 primary: parameters and data 4-aligned after the name."""
    wc = 14 + len(setup)
    start = Smb1.data_start(wc)
    pad1 = (-(start + len(name))) % 4
    poff = start + len(name) + pad1
    pad2 = (-(poff + len(params))) % 4
    doff = poff + len(params) + pad2
    words = struct.pack('<HHHHBBHIHHHHHBB', tpc, tdc, 64, max_data, 0, 0, 0, 0, 0,
                        len(params), poff, len(data), doff, len(setup), 0)
    words += b''.join(struct.pack('<H', x) for x in setup)
    return s.msg(cmd, words, name + b'\0' * pad1 + params + b'\0' * pad2 + data, mid)


def trans_secondary(s, cmd, mid, tpc, tdc, data, ddisp, fid=None):
    wc = 8 if fid is None else 9
    start = Smb1.data_start(wc)
    pad = (-start) % 4
    words = struct.pack('<HHHHHHHH', tpc, tdc, 0, 0, 0, len(data), start + pad, ddisp)
    if fid is not None:
        words += struct.pack('<H', fid)
    return s.msg(cmd, words, b'\0' * pad + data, mid)


def nt_trans_primary(s, mid, function, setup, params, data, tpc, tdc):
    wc = 19 + len(setup) // 2
    start = Smb1.data_start(wc)
    pad1 = (-start) % 4
    poff = start + pad1
    pad2 = (-(poff + len(params))) % 4
    doff = poff + len(params) + pad2
    words = struct.pack('<BHIIIIIIIIBH', 0, 0, tpc, tdc, 0, 4096, len(params), poff, len(data), doff,
                        len(setup) // 2, function) + setup
    return s.msg(SMB_NT_TRANS, words, b'\0' * pad1 + params + b'\0' * pad2 + data, mid)


def nt_trans_secondary(s, mid, tpc, tdc, data, ddisp):
    start = Smb1.data_start(18)
    pad = (-start) % 4
    words = struct.pack('<3sIIIIIIIIB', b'\0' * 3, tpc, tdc, 0, 0, 0, len(data), start + pad, ddisp, 0)
    return s.msg(SMB_NT_TRANS_SEC, words, b'\0' * pad + data, mid)


def trans_final(s, cmd, mid, status=0):
    if status:
        return s.msg(cmd, b'', b'', mid, reply=True, status=status)
    if cmd == SMB_NT_TRANS:
        words = struct.pack('<3sIIIIIIIIB', b'\0' * 3, 0, 0, 0, Smb1.data_start(18), 0, 0,
                            Smb1.data_start(18), 0, 0)
    else:
        words = struct.pack('<HHHHHHHHHBB', 0, 0, 0, 0, Smb1.data_start(10), 0, 0, Smb1.data_start(10), 0, 0, 0)
    return s.msg(cmd, words, b'', mid, reply=True)


def pattern(n, seed):
    return bytes((i * 7 + seed) & 0xFF for i in range(n))


def smb1_session(c, s, server):
    """Negotiate (NT LM 0.12 accepted, WC 17), anonymous session setup WC 13, tree connect IPC$."""
    c.c2s(s.msg(SMB_NEGOTIATE, b'', b'\x02NT LM 0.12\0', 1), mark='negotiate')
    neg = struct.pack('<HBHHIIIIQhB', 0, 0x03, 50, 1, 16644, 65536, 0, 0x0000E3FC, 0, 0, 8)
    c.s2c(s.msg(SMB_NEGOTIATE, neg, b'\x11\x22\x33\x44\x55\x66\x77\x88WORKGROUP\0', 1, reply=True),
          mark='negotiate.reply')
    ss = struct.pack('<BBHHHHIHHII', 0xFF, 0, 0, 16644, 50, 0, 0, 0, 0, 0, 0x000000D4)
    c.c2s(s.msg(SMB_SESSION_SETUP, ss, b'\0\0Unix\0Samba\0', 2))
    s.uid = 0x0800
    c.s2c(s.msg(SMB_SESSION_SETUP, struct.pack('<BBHH', 0xFF, 0, 0, 1), b'Unix\0Samba\0WORKGROUP\0', 2, reply=True))
    path = ('\\\\%s\\IPC$' % server).encode() + b'\0'
    c.c2s(s.msg(SMB_TREE_CONNECT, struct.pack('<BBHHH', 0xFF, 0, 0, 0, 1), b'\0' + path + b'?????\0', 3))
    s.tid = 0x0801
    c.s2c(s.msg(SMB_TREE_CONNECT, struct.pack('<BBHH', 0xFF, 0, 0, 1), b'IPC\0', 3, reply=True))


def interim(s, cmd, mid):
    return s.msg(cmd, b'', b'', mid, reply=True)


def fx_multifragment(oob):
    def build(_shared):
        cap = Capture()
        cli, srv = '192.168.50.10', '192.168.50.20'
        c = Tcp(cap, cli, 49500, srv, 445, T0)
        c.handshake()
        s = Smb1()
        smb1_session(c, s, srv)
        fid = 0x4000
        # Trans TransactNmPipe, TDC 9000: primary + 0x26 at DD 3000 and 6000
        tdc = 9000
        d = pattern(tdc, 1)
        c.c2s(trans_primary(s, SMB_TRANS, 10, [0x0026, fid], b'\\PIPE\\\0', b'', d[:3000], 0, tdc), mark='trans')
        c.s2c(interim(s, SMB_TRANS, 10))
        for dd in (3000, 6000):
            c.c2s(trans_secondary(s, SMB_TRANS_SEC, 10, 0, tdc, d[dd:dd + 3000], dd), mark='trans.sec')
        c.s2c(trans_final(s, SMB_TRANS, 10))
        # Trans2 SET_FILE_INFORMATION, TDC 60000: primary 4000 + 7 x 0x33 of 8000
        tdc = 60000
        d = pattern(tdc, 2)
        params = struct.pack('<HHH', fid, 0x0101, 0)
        c.c2s(trans_primary(s, SMB_TRANS2, 11, [0x0008], b'\0', params, d[:4000], len(params), tdc),
              mark='trans2')
        c.s2c(interim(s, SMB_TRANS2, 11))
        for dd in range(4000, tdc, 8000):
            c.c2s(trans_secondary(s, SMB_TRANS2_SEC, 11, len(params), tdc, d[dd:dd + 8000], dd, fid=0xFFFF),
                  mark='trans2.sec')
        c.s2c(trans_final(s, SMB_TRANS2, 11))
        # NT Trans IOCTL, TDC 0x20000: primary 3072 + 8 x 0xA1 of 16000 (the last ends at TDC)
        tdc = 0x20000
        d = pattern(tdc + 1, 3)
        setup = struct.pack('<IHBB', 0x0011C017, fid, 1, 0)     # FSCTL_PIPE_TRANSCEIVE
        c.c2s(nt_trans_primary(s, 12, 0x0002, setup, b'', d[:3072], 0, tdc), mark='nttrans')
        c.s2c(interim(s, SMB_NT_TRANS, 12))
        offs = list(range(3072, tdc, 16000))
        for i, dd in enumerate(offs):
            n = 16000 + (1 if oob and i == len(offs) - 1 else 0)   # oob: DD+DC = TDC+1
            c.c2s(nt_trans_secondary(s, 12, 0, tdc, d[dd:dd + n], dd),
                  mark='nttrans.sec.oob' if n == 16001 else 'nttrans.sec')
        c.s2c(trans_final(s, SMB_NT_TRANS, 12, status=0xC000000D if oob else 0))
        c.close()
        return LINK_EN10MB, cap.eth_frames(), cap
    return build


# ---------------------------------------------------------------- share encryption

SMB_NT_CREATE = 0xA2


def utf16(s):
    return s.encode('utf-16-le')


class Smb1Wire:
    """SMB1 messages with a chosen Flags2 (Unicode or OEM strings) and AndX chains."""

    def __init__(self, unicode, pid=0x0F10, uid=0, tid=0):
        self.unicode, self.pid, self.uid, self.tid = unicode, pid, uid, tid

    def header(self, cmd, mid, reply=False, status=0):
        flags2 = 0xC807 if reply else 0xC007    # Unicode, NT status, long names
        if not self.unicode:
            flags2 &= ~0x8000
        return b'\xffSMB' + struct.pack('<BIBHH8sHHHHH', cmd, status, 0x98 if reply else 0x18, flags2, 0,
                                         b'\0' * 8, 0, self.tid, self.pid, self.uid, mid)

    @staticmethod
    def block(words, data):
        assert len(words) % 2 == 0
        return bytes([len(words) // 2]) + words + struct.pack('<H', len(data)) + data

    def string(self, at, text):
        """A string placed at SMB offset at: Unicode strings get the pad byte to a 2-aligned offset."""
        if self.unicode:
            return (b'\0' if at % 2 else b'') + utf16(text) + b'\0\0'
        return text.encode() + b'\0'

    def msg(self, cmd, mid, blocks, reply=False, status=0):
        """blocks = [(cmd, words_fn(andx_cmd, andx_off), data_fn(data_at))]: an AndX chain."""
        h = self.header(cmd, mid, reply, status)
        body, at = b'', len(h)
        sizes = []
        # two passes: block sizes do not depend on AndXOffset (fixed-size words)
        for i, (_c, wf, df) in enumerate(blocks):
            w = wf(0xFF, 0)
            d = df(at + 1 + len(w) + 2)
            sizes.append((at, len(w), len(d)))
            at += 1 + len(w) + 2 + len(d)
        for i, (_c, wf, df) in enumerate(blocks):
            nxt = blocks[i + 1][0] if i + 1 < len(blocks) else 0xFF
            off = sizes[i + 1][0] if i + 1 < len(blocks) else 0
            w = wf(nxt, off)
            body += self.block(w, df(sizes[i][0] + 1 + len(w) + 2))
        m = h + body
        return struct.pack('!I', len(m)) + m


def smb1_negotiate_pair(c, s, mid):
    c.c2s(s.msg(SMB_NEGOTIATE, mid, [(SMB_NEGOTIATE, lambda a, o: b'', lambda at: b'\x02NT LM 0.12\0')]),
          mark='negotiate')
    neg = struct.pack('<HBHHIIIIQhB', 0, 0x03, 50, 1, 16644, 65536, 0, 0x0000E3FC, 0, 0, 8)
    c.s2c(s.msg(SMB_NEGOTIATE, mid, [(SMB_NEGOTIATE, lambda a, o: neg, lambda at: b'\x11\x22\x33\x44\x55\x66\x77\x88')],
                reply=True), mark='negotiate.reply')


def ss_words(a, o):
    return struct.pack('<BBHHHHIHHII', a, 0, o, 16644, 50, 0, 0, 0, 0, 0, 0x000000D4)


def ss_data(s):
    return lambda at: (b'\0' if s.unicode and at % 2 else b'') + b''.join(
        (utf16(x) + b'\0\0') if s.unicode else (x.encode() + b'\0') for x in ('', '', 'Unix', 'Samba'))


def tc_req(s, path):
    return (SMB_TREE_CONNECT, lambda a, o: struct.pack('<BBHHH', a, 0, o, 0, 1),
            lambda at: b'\0' + s.string(at + 1, path) + b'?????\0')


def tc_rsp(s):
    return (SMB_TREE_CONNECT, lambda a, o: struct.pack('<BBHH', a, 0, o, 1),
            lambda at: b'A:\0' + s.string(at + 3, 'NTFS'))


def nt_create_req(s, name):
    nlen = len(utf16(name)) if s.unicode else len(name)
    words = lambda a, o: struct.pack('<BBHBHIIIqIIIIIB', a, 0, o, 0, nlen, 0x16, 0, 0x0002019F, 0, 0x80, 7, 5,
                                      0x44, 2, 0)
    return s.msg(SMB_NT_CREATE, 0, [(SMB_NT_CREATE, words, lambda at: s.string(at, name))])


def nt_create_rsp(s, fid):
    words = lambda a, o: struct.pack('<BBHBHI4QIqqHHB', a, 0, o, 0, fid, 2, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0)
    return (SMB_NT_CREATE, words, lambda at: b'')


def smb1_create(c, s, mid, name, fid):
    m = bytearray(nt_create_req(s, name))
    m[4 + 30:4 + 32] = struct.pack('<H', mid)
    c.c2s(bytes(m), mark='create:' + name)
    c.s2c(s.msg(SMB_NT_CREATE, mid, [nt_create_rsp(s, fid)], reply=True))


SE_NAMES = ['Projects\\a.docx.WNCRY', 'Projects\\b.WNCRYT', 'Projects\\@Please_Read_Me@.txt', '@WanaDecryptor@.exe']
SE_NEAR = ['x.wncry.bak', 'WNCRY.txt']   # must not count


def fx_share_encryption_smb1(_shared):
    """Client 192.168.60.10, server 192.168.60.20. Flow 1 (Unicode): session setup chained with the
    tree connect to \\\\192.168.60.20\\Docs (TID 0x0801), NT_CREATE of the 4 WannaCry names, the 2 near
    misses and report.docx; plain tree connect to \\\\192.168.60.20\\Public (TID 0x0802), NT_CREATE of
    notes.txt.WNCRY, @Please_Read_Me@.txt and WNCRY.txt. Flow 2 (OEM strings): tree connect to
    \\\\192.168.60.20\\DOCS (same share, TID 0x0901), NT_CREATE c.xlsx.WNCRY."""
    cap = Capture()
    cli, srv = '192.168.60.10', '192.168.60.20'
    c = Tcp(cap, cli, 49301, srv, 445, T0)
    c.handshake()
    s = Smb1Wire(True)
    smb1_negotiate_pair(c, s, 1)
    docs, public = '\\\\%s\\Docs' % srv, '\\\\%s\\Public' % srv
    c.c2s(s.msg(SMB_SESSION_SETUP, 2, [(SMB_SESSION_SETUP, ss_words, ss_data(s)), tc_req(s, docs)]), mark='ss+tc')
    s.uid, s.tid = 0x0800, 0x0801
    ss_rsp = (SMB_SESSION_SETUP, lambda a, o: struct.pack('<BBHH', a, 0, o, 1), ss_data(s))
    c.s2c(s.msg(SMB_SESSION_SETUP, 2, [ss_rsp, tc_rsp(s)], reply=True), mark='ss+tc.reply')
    mid, fid = 10, 0x4000
    for n in SE_NAMES + SE_NEAR + ['report.docx']:
        smb1_create(c, s, mid, n, fid)
        mid, fid = mid + 1, fid + 1
    s.tid = 0
    c.c2s(s.msg(SMB_TREE_CONNECT, mid, [tc_req(s, public)]), mark='tc2')
    s.tid = 0x0802
    c.s2c(s.msg(SMB_TREE_CONNECT, mid, [tc_rsp(s)], reply=True), mark='tc2.reply')
    mid += 1
    for n in ['notes.txt.WNCRY', '@Please_Read_Me@.txt', 'WNCRY.txt']:
        smb1_create(c, s, mid, n, fid)
        mid, fid = mid + 1, fid + 1
    c.close()
    # flow 2: the same client and share (upper case), OEM strings
    c = Tcp(cap, cli, 49302, srv, 445, c.t + 0.5)
    c.handshake()
    s = Smb1Wire(False, pid=0x0F20)
    smb1_negotiate_pair(c, s, 1)
    c.c2s(s.msg(SMB_SESSION_SETUP, 2, [(SMB_SESSION_SETUP, ss_words, ss_data(s))]))
    s.uid = 0x0800
    c.s2c(s.msg(SMB_SESSION_SETUP, 2, [(SMB_SESSION_SETUP, lambda a, o: struct.pack('<BBHH', a, 0, o, 1),
                                        ss_data(s))], reply=True))
    c.c2s(s.msg(SMB_TREE_CONNECT, 3, [tc_req(s, '\\\\%s\\DOCS' % srv)]), mark='f2.tc')
    s.tid = 0x0901
    c.s2c(s.msg(SMB_TREE_CONNECT, 3, [tc_rsp(s)], reply=True))
    smb1_create(c, s, 4, 'c.xlsx.WNCRY', 0x5000)
    c.close()
    return LINK_EN10MB, cap.eth_frames(), cap


SMB2_NEG, SMB2_SESS, SMB2_TCON, SMB2_CREATE, SMB2_CLOSE, SMB2_SETINFO = 0, 1, 3, 5, 6, 0x11
SMB2_RSP, SMB2_RELATED = 0x1, 0x4


def smb2_hdr(cmd, mid, tid=0, sid=0, flags=0, status=0, nxt=0):
    return struct.pack('<4sHHIHHIIQIIQ16s', b'\xfeSMB', 64, 0, status, cmd, 1, flags, nxt, mid, 0xFEFF, tid, sid,
                       b'\0' * 16)


def smb2_compound(parts):
    """parts = [(cmd, mid, tid, sid, flags, body)]: one NBSS message, NextCommand 8-aligned."""
    out = b''
    for i, (cmd, mid, tid, sid, flags, body) in enumerate(parts):
        last = i == len(parts) - 1
        ln = 64 + len(body)
        pad = 0 if last else (-ln) % 8
        out += smb2_hdr(cmd, mid, tid, sid, flags, 0, 0 if last else ln + pad) + body + b'\0' * pad
    return struct.pack('!I', len(out)) + out


def smb2_msg(cmd, mid, body, tid=0, sid=0, flags=0):
    return smb2_compound([(cmd, mid, tid, sid, flags, body)])


def smb2_create_body(name):
    n = utf16(name)
    return struct.pack('<HBBIQQIIIIIHHII', 57, 0, 0, 2, 0, 0, 0x0012019F, 0x80, 7, 5, 0x44, 120, len(n), 0, 0) + \
        (n or b'\0')


def smb2_create_rsp(fid):
    return struct.pack('<HBBI4QqqII16sII', 89, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0x80, 0, fid, 0, 0) + b'\0'


def smb2_rename_body(fid, new):
    n = utf16(new)
    info = struct.pack('<B7sQI', 0, b'\0' * 7, 0, len(n)) + n
    return struct.pack('<HBBIHHI16s', 33, 1, 10, len(info), 96, 0, 0, fid) + info


def smb2_close_body(fid):
    return struct.pack('<HHI16s', 24, 0, 0, fid)


CLOSE_RSP = struct.pack('<HHI4QqqI', 60, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def fx_share_encryption_smb2(_shared):
    """Client 192.168.70.10, server 192.168.70.20, SMB 2.1. Tree connect \\\\192.168.70.20\\Finance
    (TreeId 5): CREATE of the 4 WannaCry names and the 2 near misses; CREATE budget.xlsx then SET_INFO
    FileRenameInformation to Q1\\budget.xlsx.WNCRY; a related compound CREATE plan.pptx + SET_INFO rename
    to plan.pptx.WNCRY (TreeId 0xFFFFFFFF: inherited) + CLOSE; a rename to WNCRY.txt. Tree connect
    \\\\192.168.70.20\\HR (TreeId 9): CREATE staff.pdf.WNCRYT, rename to staff.pdf.WNCRY, CREATE
    @Please_Read_Me@.txt."""
    cap = Capture()
    cli, srv = '192.168.70.10', '192.168.70.20'
    c = Tcp(cap, cli, 50100, srv, 445, T0)
    c.handshake()
    guid = bytes(range(16))
    c.c2s(smb2_msg(SMB2_NEG, 0, struct.pack('<HHHHI16sQHH', 36, 2, 1, 0, 0, guid, 0, 0x0202, 0x0210)),
          mark='negotiate')
    c.s2c(smb2_msg(SMB2_NEG, 0, struct.pack('<HHHH16sIIIIQQHHI', 65, 1, 0x0210, 0, guid[::-1], 0, 65536, 65536,
                                              65536, 0, 0, 128, 0, 0) + b'\0', flags=SMB2_RSP), mark='negotiate.reply')
    sid = 0x0000100000000001
    c.c2s(smb2_msg(SMB2_SESS, 1, struct.pack('<HBBIIHHQ', 25, 0, 1, 0, 0, 88, 0, 0) + b'\0'))
    c.s2c(smb2_msg(SMB2_SESS, 1, struct.pack('<HHHH', 9, 1, 72, 0) + b'\0', sid=sid, flags=SMB2_RSP))
    mid = [2]

    def nxt():
        mid[0] += 1
        return mid[0] - 1

    def tcon(path, tid):
        p = utf16(path)
        m = nxt()
        c.c2s(smb2_msg(SMB2_TCON, m, struct.pack('<HHHH', 9, 0, 72, len(p)) + p, sid=sid), mark='tcon:' + path)
        c.s2c(smb2_msg(SMB2_TCON, m, struct.pack('<HBBIII', 16, 1, 0, 0, 0, 0x001F01FF), tid=tid, sid=sid,
                       flags=SMB2_RSP))

    fids = [0x100]

    def create(tid, name):
        m, fid = nxt(), struct.pack('<QQ', fids[0], 1)
        fids[0] += 1
        c.c2s(smb2_msg(SMB2_CREATE, m, smb2_create_body(name), tid=tid, sid=sid), mark='create:' + name)
        c.s2c(smb2_msg(SMB2_CREATE, m, smb2_create_rsp(fid), tid=tid, sid=sid, flags=SMB2_RSP))
        return fid

    def rename(tid, fid, new):
        m = nxt()
        c.c2s(smb2_msg(SMB2_SETINFO, m, smb2_rename_body(fid, new), tid=tid, sid=sid), mark='rename:' + new)
        c.s2c(smb2_msg(SMB2_SETINFO, m, struct.pack('<H', 2), tid=tid, sid=sid, flags=SMB2_RSP))

    def close(tid, fid):
        m = nxt()
        c.c2s(smb2_msg(SMB2_CLOSE, m, smb2_close_body(fid), tid=tid, sid=sid))
        c.s2c(smb2_msg(SMB2_CLOSE, m, CLOSE_RSP, tid=tid, sid=sid, flags=SMB2_RSP))

    tcon('\\\\%s\\Finance' % srv, 5)
    for n in SE_NAMES + SE_NEAR:
        close(5, create(5, n))
    fid = create(5, 'Q1\\budget.xlsx')
    rename(5, fid, 'Q1\\budget.xlsx.WNCRY')
    close(5, fid)
    # related compound: CREATE + SET_INFO (rename) + CLOSE; the later ones name no tree (0xFFFFFFFF)
    m0 = mid[0]
    mid[0] += 3
    related = b'\xff' * 16
    c.c2s(smb2_compound([(SMB2_CREATE, m0, 5, sid, 0, smb2_create_body('Q1\\plan.pptx')),
                         (SMB2_SETINFO, m0 + 1, 0xFFFFFFFF, sid, SMB2_RELATED,
                          smb2_rename_body(related, 'Q1\\plan.pptx.WNCRY')),
                         (SMB2_CLOSE, m0 + 2, 0xFFFFFFFF, sid, SMB2_RELATED, smb2_close_body(related))]),
          mark='compound')
    fid = struct.pack('<QQ', 0x1FF, 1)
    c.s2c(smb2_compound([(SMB2_CREATE, m0, 5, sid, SMB2_RSP, smb2_create_rsp(fid)),
                         (SMB2_SETINFO, m0 + 1, 5, sid, SMB2_RSP | SMB2_RELATED, struct.pack('<H', 2) + b'\0'),
                         (SMB2_CLOSE, m0 + 2, 5, sid, SMB2_RSP | SMB2_RELATED, CLOSE_RSP)]))
    fid = create(5, 'memo.txt')
    rename(5, fid, 'WNCRY.txt')      # near miss as a rename target
    close(5, fid)
    tcon('\\\\%s\\HR' % srv, 9)
    fid = create(9, 'staff.pdf.WNCRYT')
    rename(9, fid, 'staff.pdf.WNCRY')
    close(9, fid)
    close(9, create(9, '@Please_Read_Me@.txt'))
    c.close()
    return LINK_EN10MB, cap.eth_frames(), cap


# ---------------------------------------------------------------- main

FIXTURES = [
    ('killswitch_dns_success', fx_killswitch_dns_success),
    ('killswitch_dns_nxdomain', fx_killswitch_dns_nxdomain),
    ('killswitch_dns_answer_only', fx_killswitch_dns_answer_only),
    ('killswitch_dns_tcp', fx_killswitch_dns_tcp),
    ('killswitch_dns_resolver', fx_killswitch_dns_resolver),
    ('killswitch_dns_nearmiss', fx_killswitch_dns_nearmiss),
    ('killswitch_http_success', fx_killswitch_http(200)),
    ('killswitch_http_failure', fx_killswitch_http(503)),
    ('worm_sweep_fast', fx_worm_sweep_fast),
    ('vlan_8021q', fx_vlan([(0x8100, 100)])),
    ('vlan_qinq', fx_vlan([(0x88A8, 200), (0x8100, 100)])),
    ('sll2', fx_linktype(LINK_SLL2, sll2)),
    ('sll', fx_linktype(LINK_SLL, sll)),
    ('rawip', fx_linktype(LINK_RAW, lambda ip: ip)),
    ('bsd_null', fx_linktype(LINK_NULL, bsd_null)),
    ('ip_fragments', fx_ip_fragments),
    ('worm_sweep_indicators', fx_worm_sweep_indicators),
    ('midstream_oneway', fx_midstream_oneway),
    ('legit_multifragment_trans', fx_multifragment(False)),
    ('oob_secondary_unknown', fx_multifragment(True)),
    ('share_encryption_smb1', fx_share_encryption_smb1),
    ('share_encryption_smb2', fx_share_encryption_smb2),
]


def main(argv):
    args = list(argv[1:])
    listing = '--list' in args
    if listing:
        args.remove('--list')
    shared = os.environ.get('SMBGUARD_SHARED', '/work/shared')
    if '--shared' in args:
        i = args.index('--shared')
        shared = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    outdir = args[0]
    os.makedirs(outdir, exist_ok=True)
    for name, build in FIXTURES:
        linktype, frames, cap = build(shared)
        write_pcap(os.path.join(outdir, name + '.pcap'), linktype, frames)
        if listing:
            marks = ' '.join('%s=%s' % (k, ','.join(map(str, v))) for k, v in sorted((cap.marks if cap else {}).items()))
            print('%s\t%d\t%d\t%s' % (name, linktype, len(frames), marks))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
