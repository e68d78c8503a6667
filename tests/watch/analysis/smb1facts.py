#!/usr/bin/env python3
"""smb1.in_use / smb1.client_only / smb.exposed / smb.worm_scan facts from smbscan.py output."""
import sys, re, ipaddress
from collections import defaultdict
HOME = [ipaddress.ip_network(n) for n in ('10.0.0.0/8','172.16.0.0/12','192.168.0.0/16','100.64.0.0/10','fc00::/7','fe80::/10','169.254.0.0/16')]
def home(ip):
    a = ipaddress.ip_address(ip); return any(a in n for n in HOME)
ev = [l.split(None, 5) for l in open(sys.argv[1])]
flows = {}; in_use = {}; offers = defaultdict(list); per_src = defaultdict(list); smb1_srv_req = {}
for e in ev:
    fr, cli, _, srv, what = int(e[0]), e[1], e[2], e[3], e[4]; rest = e[5] if len(e) > 5 else ''
    key = cli + ' -> ' + srv
    cip = cli.rsplit(':', 1)[0]; sip = srv.rsplit(':', 1)[0]
    if what == 'FLOW':
        m = re.search(r'syn=(\S+) synack=(\S+).*t0=(\S+)', rest)
        flows[key] = (m.group(1), m.group(2), float(m.group(3)))
        per_src[cip].append((float(m.group(3)), sip, fr))
    elif what == 'NEG_REQ':
        d = re.search(r'dialects=(.*?) flags2', rest).group(1)
        offers[cip].append((fr, 'SMB 2' in d, key))
    elif what == 'SMB2_NEG_REQ':
        # a groom header (FE 'SMB' + zeros, never completed) parses as an SMB2
        # NEGOTIATE with DialectCount 0: it offers nothing
        if re.search(r'dialects=\S', rest):
            offers[cip].append((fr, True, key))
    elif what == 'NEG_RSP':
        m = re.search(r'wc=(\d+) idx=(\d+)', rest)
        if int(m.group(2)) != 0xFFFF and key not in in_use:
            in_use[key] = (fr, 'wc=%s idx=%s' % m.groups())
for k, v in in_use.items():
    print('smb1.in_use\t%s\tframe=%d %s' % (k, v[0], v[1]))
for c, lst in offers.items():
    if not any(x[1] for x in lst):
        print('smb1.client_only\t%s\tnegotiates=%d first_frame=%d servers=%s' % (c, len(lst), lst[0][0], ','.join(sorted({x[2].split(' -> ')[1] for x in lst}))))
for k, (syn, synack, t) in flows.items():
    cip = k.split(' -> ')[0].rsplit(':', 1)[0]; sip = k.split(' -> ')[1].rsplit(':', 1)[0]
    if not home(cip) and synack != 'None':
        print('smb.exposed(inbound)\t%s\tsynack=%s' % (k, synack))
    if home(cip) and not home(sip):
        print('smb.exposed(outbound)\t%s\tsyn=%s' % (k, syn))
    if not home(cip) and not home(sip):
        print('note: both ends outside home net\t%s' % k)
for s, lst in per_src.items():
    lst.sort(); best = 0
    for i, (t, d, fr) in enumerate(lst):
        ds = {x[1] for x in lst if t <= x[0] < t + 60}
        best = max(best, len(ds))
    print('worm_scan_input\t%s\tmax distinct dst in 60 s=%d (all: %s)' % (s, best, ','.join(sorted({x[1] for x in lst}))))
