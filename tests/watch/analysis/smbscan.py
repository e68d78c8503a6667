#!/usr/bin/env python3
"""Independent reading of the shared captures for tests/watch/expected.tsv.

Input: the per-frame TCP dump written by extract.sh (tshark fields, one line per
TCP segment on 139/445). This script does its own per-direction reassembly and
its own NBSS/SMB1/SMB2 parsing (it does not trust tshark's SMB dissector, which
gives up on several exploit packets), and prints every event that matters for
decisions.md section 9, with the frame number (tshark's count) of the segment
that completes the message.

It never writes packet payloads anywhere; it only prints header fields and at
most 8 bytes of a security blob / NBSS header.

usage: smbscan.py DUMP.tcp [--verbose]
"""
import struct
import sys
from collections import defaultdict, OrderedDict

PORTS = (139, 445)


def load(path):
    flows = OrderedDict()  # key (cli, cport, srv, sport) -> dict
    for line in open(path):
        p = line.rstrip('\n').split('\t')
        if len(p) < 11:
            p += [''] * (11 - len(p))
        fno, t, s4, s6, sp, d4, d6, dp, flags, seq, pay = p[:11]
        src = s4 or s6
        dst = d4 or d6
        if ',' in src:  # tunnelled / ICMP-quoted: take the inner (last) address
            src = src.split(',')[-1]
            dst = dst.split(',')[-1]
        sp = int(sp.split(',')[-1]); dp = int(dp.split(',')[-1])
        flags = int(flags.split(',')[-1], 16)
        seq = int(seq.split(',')[-1])
        pay = bytes.fromhex(pay.split(',')[-1]) if pay else b''
        fno = int(fno); t = float(t)
        # direction from ports and flags, never from addresses
        if dp in PORTS and sp not in PORTS:
            key, d = (src, sp, dst, dp), 'c2s'
        elif sp in PORTS and dp not in PORTS:
            key, d = (dst, dp, src, sp), 's2c'
        else:  # both well-known: SYN decides, else lower port is server
            if flags & 0x12 == 0x02 or dp < sp:
                key, d = (src, sp, dst, dp), 'c2s'
            else:
                key, d = (dst, dp, src, sp), 's2c'
        f = flows.get(key)
        if f is None:
            f = flows[key] = {'c2s': [], 's2c': [], 'syn': None, 'synack': None,
                              'first': fno, 'first_t': t, 'last_t': t, 'frames': 0}
        f['frames'] += 1
        f['last_t'] = t
        if flags & 0x12 == 0x02 and f['syn'] is None:
            f['syn'] = fno
        if flags & 0x12 == 0x12 and f['synack'] is None:
            f['synack'] = fno
        syn = 1 if flags & 0x02 else 0
        f[d].append((seq + syn, pay, fno, t))
    return flows


def reassemble(segs):
    """Return list of (bytes, [(offset, frame)...]) chunks separated by gaps."""
    segs = [s for s in segs if s[1]]
    if not segs:
        return []
    # order by sequence number (relative to the first seen), stable by frame
    base = segs[0][0]
    def rel(s):
        return (s[0] - base) & 0xffffffff if ((s[0] - base) & 0xffffffff) < 0x80000000 else -(((base - s[0]) & 0xffffffff))
    segs = sorted(segs, key=lambda s: (rel(s), s[2]))
    chunks = []
    cur = bytearray(); marks = []; nxt = None
    for s in segs:
        r = rel(s)
        data = s[1]
        if nxt is None:
            nxt = r
        if r > nxt:  # gap
            chunks.append((bytes(cur), marks))
            cur = bytearray(); marks = []; nxt = r
        if r < nxt:
            cut = nxt - r
            if cut >= len(data):
                continue  # retransmission
            data = data[cut:]
        marks.append((len(cur), s[2], s[3]))
        cur += data
        nxt += len(data)
    chunks.append((bytes(cur), marks))
    return chunks


def frame_at(marks, off):
    fr = marks[0][1]; t = marks[0][2]
    for o, f, tt in marks:
        if o <= off:
            fr, t = f, tt
        else:
            break
    return fr, t


def is_hdr(buf, i):
    return (i + 8 <= len(buf) and buf[i] in (0, 0x85, 0x81, 0x82, 0x83, 0x84)
            and buf[i + 4:i + 8] in (b'\xffSMB', b'\xfeSMB', b'\xfdSMB'))


def messages(chunks, first_chunk_is_start):
    """Yield (msg_bytes, end_frame, t, complete, announced_len, start_frame)."""
    out = []
    for ci, (buf, marks) in enumerate(chunks):
        i = 0
        if not (ci == 0 and first_chunk_is_start):
            # resynchronise: first plausible NBSS+SMB header
            while i < len(buf) and not is_hdr(buf, i):
                i += 1
        while i + 4 <= len(buf):
            typ = buf[i]
            ln = ((buf[i + 1] & 1) << 16) | (buf[i + 2] << 8) | buf[i + 3]
            if typ != 0:  # session request / keepalive etc.
                out.append((buf[i:i + 4 + ln], frame_at(marks, i + 3 + ln if i + 3 + ln < len(buf) else len(buf) - 1), True, ln, typ, frame_at(marks, i)[0]))
                i += 4 + ln
                continue
            end = i + 4 + ln
            complete = end <= len(buf)
            msg = buf[i + 4:min(end, len(buf))]
            fr = frame_at(marks, min(end, len(buf)) - 1)
            out.append((msg, fr, complete, ln, 0, frame_at(marks, i)[0]))
            if not complete:
                break
            i = end
    return out


def u16(b, o):
    return struct.unpack_from('<H', b, o)[0] if o + 2 <= len(b) else None


def u32(b, o):
    return struct.unpack_from('<I', b, o)[0] if o + 4 <= len(b) else None


def bswap32(x):
    return struct.unpack('<I', struct.pack('>I', x))[0]


def dp_key(s):
    return ((s << 1) ^ bswap32(s)) & 0xffffffff


def cstr(b, o, uni):
    if uni:
        if o % 2:  # caller passes absolute SMB offset for alignment
            o += 1
        e = o
        while e + 1 < len(b) and b[e:e + 2] != b'\0\0':
            e += 2
        return b[o:e].decode('utf-16-le', 'replace')
    e = b.find(b'\0', o)
    if e < 0:
        e = len(b)
    return b[o:e].decode('latin-1')


ANDX = {0x73, 0x75, 0x2F, 0xA2, 0x2E, 0x24, 0x2D, 0x74}


def parse_smb1(m):
    h = {}
    h['cmd'] = m[4]; h['status'] = u32(m, 5); h['flags'] = m[9]; h['flags2'] = u16(m, 10)
    h['sig'] = m[14:22]; h['tid'] = u16(m, 24); h['pid'] = u16(m, 26); h['uid'] = u16(m, 28)
    h['mid'] = u16(m, 30); h['resp'] = bool(m[9] & 0x80)
    cmds = []
    cmd = m[4]; off = 32
    seen = 0
    while off < len(m) and seen < 8:
        seen += 1
        wc = m[off]
        words = m[off + 1: off + 1 + 2 * wc]
        bc = u16(m, off + 1 + 2 * wc)
        boff = off + 3 + 2 * wc
        cmds.append({'cmd': cmd, 'wc': wc, 'words': words, 'bc': bc, 'boff': boff, 'off': off})
        if cmd in ANDX and wc >= 2 and words[0] != 0xFF:
            nxt = words[0]; noff = u16(words, 2)
            if noff is None or noff <= off or noff >= len(m):
                break
            cmd, off = nxt, noff
        else:
            break
    h['cmds'] = cmds
    return h


def trans_fields(c, kind):
    w = c['words']
    if kind in (0x25, 0x32):
        if len(w) < 28:
            return None
        tpc, tdc, mpc, mdc = struct.unpack_from('<HHHH', w, 0)
        msc = w[8]; tflags = u16(w, 10); timeout = w[12:16]
        pc, po, dc, do = struct.unpack_from('<HHHH', w, 18)
        sc = w[26]
        setup = [u16(w, 28 + 2 * k) for k in range(sc) if 28 + 2 * k + 2 <= len(w)]
        return dict(tpc=tpc, tdc=tdc, mpc=mpc, mdc=mdc, timeout=timeout, pc=pc, po=po, dc=dc, do=do, sc=sc, setup=setup)
    if kind == 0xA0:
        if len(w) < 38:
            return None
        tpc, tdc, mpc, mdc, pc, po, dc, do = struct.unpack_from('<IIIIIIII', w, 3)
        sc = w[35]; fn = u16(w, 36)
        setup = [u16(w, 38 + 2 * k) for k in range(sc) if 38 + 2 * k + 2 <= len(w)]
        return dict(tpc=tpc, tdc=tdc, mpc=mpc, mdc=mdc, pc=pc, po=po, dc=dc, do=do, sc=sc, fn=fn, setup=setup)
    if kind in (0x26, 0x33):
        if len(w) < 16:
            return None
        tpc, tdc, pc, po, pd, dc, do, dd = struct.unpack_from('<HHHHHHHH', w, 0)
        return dict(tpc=tpc, tdc=tdc, pc=pc, po=po, pd=pd, dc=dc, do=do, dd=dd)
    if kind == 0xA1:
        if len(w) < 35:
            return None
        tpc, tdc, pc, po, pd, dc, do, dd = struct.unpack_from('<IIIIIIII', w, 3)
        return dict(tpc=tpc, tdc=tdc, pc=pc, po=po, pd=pd, dc=dc, do=do, dd=dd)
    return None


def main():
    path = sys.argv[1]
    verbose = '--verbose' in sys.argv
    flows = load(path)
    ev = []

    def E(fr, key, what, **kw):
        ev.append((fr, key, what, kw))

    for key, f in flows.items():
        cli = '%s:%d' % (key[0], key[1]); srv = '%s:%d' % (key[2], key[3])
        fk = '%s -> %s' % (cli, srv)
        started = f['syn'] is not None
        E(f['first'], fk, 'FLOW', syn=f['syn'], synack=f['synack'], frames=f['frames'],
          t0='%.6f' % f['first_t'], t1='%.6f' % f['last_t'])
        cch = reassemble(f['c2s']); sch = reassemble(f['s2c'])
        cm = messages(cch, started); sm = messages(sch, started)
        cbytes = sum(len(b) for b, _ in cch)
        if started and cm:
            m0 = cm[0]
            if m0[4] == 0 and m0[3] >= 0x8000:
                E(m0[5], fk, 'GROOM?', announced=hex(m0[3]), got=len(m0[0]), complete=m0[2],
                  head=m0[0][:4].hex(), client_bytes=cbytes, server_msgs=len(sm))
        if not started and cm:
            m0 = cm[0]
            if m0[4] == 0 and m0[3] >= 0x8000:
                E(m0[5], fk, 'BIGFIRST-midstream', announced=hex(m0[3]), got=len(m0[0]))
        # per-direction SMB parsing, interleaved by frame
        allm = [(mm[1][0], 'c2s', mm) for mm in cm] + [(mm[1][0], 's2c', mm) for mm in sm]
        allm.sort(key=lambda x: x[0])
        for fr, d, mm in allm:
            msg, (efr, t), complete, ln, typ, sfr = mm
            if typ != 0:
                E(efr, fk, 'NBSS', type=hex(typ), dir=d)
                continue
            if not complete and d == 'c2s' and len(msg) >= 4 and ln >= 0x8000:
                pass
            if msg[:4] == b'\xfeSMB' and len(msg) >= 64:
                cmd = u16(msg, 12); flags = u32(msg, 16); status = u32(msg, 8)
                resp = bool(flags & 1)
                if cmd == 0 and not resp:
                    dc = u16(msg, 64 + 2)
                    dl = [hex(u16(msg, 64 + 36 + 2 * k)) for k in range(dc or 0) if 64 + 36 + 2 * k + 2 <= len(msg)]
                    E(efr, fk, 'SMB2_NEG_REQ', dialects=','.join(dl), dir=d)
                elif cmd == 0 and resp:
                    E(efr, fk, 'SMB2_NEG_RSP', dialect=hex(u16(msg, 64 + 4) or 0), status=hex(status), dir=d)
                elif cmd == 5 and not resp:
                    no = u16(msg, 64 + 44); nl = u16(msg, 64 + 46)
                    name = msg[no:no + nl].decode('utf-16-le', 'replace') if no else ''
                    E(efr, fk, 'SMB2_CREATE', name=name)
                elif cmd == 0x11 and not resp:
                    # SET_INFO FileRenameInformation (class 1, info 10)
                    if msg[66] == 1 and msg[67] == 10:
                        bo = u16(msg, 64 + 8)
                        nl = u32(msg, bo + 16) or 0
                        E(efr, fk, 'SMB2_RENAME', name=msg[bo + 20:bo + 20 + nl].decode('utf-16-le', 'replace'))
                continue
            if msg[:4] != b'\xffSMB' or len(msg) < 33:
                if verbose:
                    E(efr, fk, 'OTHER', dir=d, head=msg[:8].hex(), complete=complete, ln=ln)
                continue
            h = parse_smb1(msg)
            resp = (d == 's2c')
            if h['resp'] != resp and verbose:
                E(efr, fk, 'DIR-MISMATCH', flags=hex(h['flags']))
            base = dict(mid=h['mid'], pid=hex(h['pid']), tid=hex(h['tid']), uid=hex(h['uid']))
            c = h['cmds'][0]
            cmd = h['cmd']
            st = '0x%08x' % h['status']
            if not complete:
                E(efr, fk, 'TRUNC', cmd=hex(cmd), dir=d, announced=ln, got=len(msg))
            for c in h['cmds']:
                cmd = c['cmd']
                if cmd == 0x72 and not resp:
                    bo = c['boff']; bs = msg[bo:bo + (c['bc'] or 0)]
                    dl = [x[1:].decode('latin-1') for x in bs.split(b'\0') if x]
                    E(efr, fk, 'NEG_REQ', dialects='|'.join(dl), flags2=hex(h['flags2']), **base)
                elif cmd == 0x72 and resp:
                    E(efr, fk, 'NEG_RSP', wc=c['wc'], idx=u16(c['words'], 0), status=st)
                elif cmd == 0x73 and not resp:
                    w = c['words']
                    info = dict(wc=c['wc'], flags2=hex(h['flags2']), bc=c['bc'])
                    if c['wc'] == 12:
                        bl = u16(w, 14); caps = u32(w, 20)
                        blob = msg[c['boff']:c['boff'] + 2]
                        info.update(caps=hex(caps), bloblen=bl, blob16=u16(blob, 0) if len(blob) == 2 else None, vc=u16(w, 8))
                        E(efr, fk, 'SS12', **info, **base)
                    else:
                        E(efr, fk, 'SS', **info, **base)
                elif cmd == 0x73 and resp:
                    E(efr, fk, 'SS_RSP', wc=c['wc'], status=st, **base)
                elif cmd == 0x75 and not resp:
                    w = c['words']
                    pl = u16(w, 6) or 0
                    uni = bool(h['flags2'] & 0x8000)
                    po = c['boff'] + pl
                    path_ = cstr(msg, po, uni)
                    E(efr, fk, 'TREE', path=path_, **base)
                elif cmd == 0xA2 and not resp:
                    w = c['words']
                    nl = u16(w, 5)
                    uni = bool(h['flags2'] & 0x8000)
                    o = c['boff']
                    name = cstr(msg, o, uni)
                    E(efr, fk, 'NTCREATE', name=name, **base)
                elif cmd == 0x2F and not resp:
                    E(efr, fk, 'WRITE_ANDX', fid=u16(c['words'], 4), **base)
                elif cmd in (0x25, 0x32, 0xA0, 0x26, 0x33, 0xA1):
                    if resp:
                        E(efr, fk, 'RSP_%02X' % cmd, status=st, wc=c['wc'], sig=h['sig'].hex(), **base)
                        continue
                    tf = trans_fields(c, cmd)
                    if tf is None:
                        E(efr, fk, 'REQ_%02X_short' % cmd, wc=c['wc'], **base)
                        continue
                    if cmd == 0x25:
                        name = cstr(msg, c['boff'] + (1 if (h['flags2'] & 0x8000) else 0), bool(h['flags2'] & 0x8000))
                        E(efr, fk, 'TRANS', setup=[hex(x) for x in tf['setup']], mpc=tf['mpc'], mdc=tf['mdc'], tdc=tf['tdc'], dc=tf['dc'], name=name, flags2=hex(h['flags2']), timeout=tf['timeout'].hex(), **base)
                    elif cmd == 0x32:
                        tsum = sum(tf['timeout']) & 0xff
                        E(efr, fk, 'TRANS2', sub=[hex(x) for x in tf['setup']], tsum=hex(tsum), timeout=tf['timeout'].hex(), tdc=tf['tdc'], dc=tf['dc'], **base)
                    elif cmd == 0xA0:
                        dstart = msg[tf['do']:tf['do'] + 4] if tf['do'] and tf['dc'] else b''
                        E(efr, fk, 'NTTRANS', fn=tf['fn'], sc=tf['sc'], tdc=tf['tdc'], dc=tf['dc'], fea=u32(dstart, 0) if len(dstart) == 4 else None, **base)
                    else:
                        oob = tf['dd'] + tf['dc'] > tf['tdc'] or tf['pd'] + tf['pc'] > tf['tpc']
                        E(efr, fk, 'SEC_%02X' % cmd, dd=tf['dd'], dc=tf['dc'], tdc=tf['tdc'], pd=tf['pd'], pc=tf['pc'], tpc=tf['tpc'], oob=oob, **base)
                elif verbose:
                    E(efr, fk, 'CMD_%02X%s' % (cmd, '_RSP' if resp else ''), status=st, **base)
    ev.sort(key=lambda e: e[0])
    for fr, fk, what, kw in ev:
        print('%6d  %-46s %-14s %s' % (fr, fk, what, ' '.join('%s=%s' % (k, v) for k, v in kw.items())))


if __name__ == '__main__':
    main()
