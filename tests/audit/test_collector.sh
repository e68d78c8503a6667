#!/usr/bin/env bash
# test_collector.sh: builds smbguard collector files (docs/collector-format.md: UTF-16LE with BOM, CRLF,
# header + #smbguard-begin/#smbguard-end sections) at test time from real listings in ../shared/hostdumps
# plus srv-sys-version / reboot-pending / smb1 sections, and checks the verdicts (srv.sys decides, high).
# Usage: test_collector.sh SMBGUARD SHARED_DIR
set -u
BIN=${1:?smbguard}
SHARED=${2:?shared dir}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$BIN" "$SHARED/hostdumps" "$WORK" <<'PY'
import json, os, subprocess, sys
binp, dumps, work = sys.argv[1:4]

def text(name, enc):
    raw = open(os.path.join(dumps, name), 'rb').read()
    if raw[:2] == b'\xff\xfe':
        return raw[2:].decode('utf-16-le')
    return raw.decode(enc)

def section(name, body):
    body = body.replace('\r\n', '\n').replace('\r', '\n').rstrip('\n')
    return '#smbguard-begin %s\n%s\n#smbguard-end %s\n' % (name, body, name)

def collector(path, header, sections):
    t = header + '\n' + ''.join(sections)
    with open(path, 'wb') as f:
        f.write(b'\xff\xfe' + t.replace('\n', '\r\n').encode('utf-16-le'))

def audit(path, extra=()):
    out = path + '.json'
    p = subprocess.run([binp, 'audit', '-q', '--json', out] + list(extra) + [path], capture_output=True, text=True)
    recs = [json.loads(l) for l in open(out, encoding='utf-8')] if os.path.exists(out) else []
    return p.returncode, recs, p.stderr

fails = 0
def check(name, rc, recs, want):
    global fails
    probs = []
    if len(recs) != 1:
        probs.append('%d records' % len(recs))
    else:
        r = recs[0]
        for k, v in want.items():
            if k == 'evidence':
                for s in v:
                    if s not in (r.get('evidence') or ''):
                        probs.append('evidence lacks %r: %r' % (s, r.get('evidence')))
            elif r.get(k) != v:
                probs.append('%s=%r, expected %r' % (k, r.get(k), v))
    print(('ok   ' if not probs else 'FAIL ') + name)
    for p in probs:
        print('     ' + p)
    fails += bool(probs)

A7 = 'wesng_7_sp1_x64_enterprise_en-us_A_systeminfo.txt'       # complete list, no fixing KB
FR7 = 'wesng_7_sp1_x64_enterprise_fr_systeminfo_cmd.txt'        # KB4493472 (2019-04 rollup) listed
CUT7 = 'wesng_7_sp1_x64_enterprise_en-us_20190305_systeminfo.txt'  # cut at [245]
QFE7 = 'wesng_7_sp1_x64_enterprise_en-us_20190305_qfe.txt'      # KB4467107 (2018-11 rollup), UTF-16LE

# 1. the list alone says vulnerable (no_fixing_kb); srv.sys at the threshold overrides it: patched, high
f1 = os.path.join(work, 'WIN7SP1X64.smbguard.txt')
collector(f1, '#smbguard-collector v1 host=WIN7SP1X64 domain=WORKGROUP time=2018-09-07T10:00:00Z ui_language=en-US', [
    section('systeminfo', text(A7, 'ascii')),
    section('srv-sys-version', '6.1.7601.23689\npath=C:\\Windows\\Sysnative\\drivers\\srv.sys'),
    section('reboot-pending', '#check cbs-reboot-pending\nabsent\n#check wu-reboot-required\nabsent'),
    section('smb1', 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\n    SMB1    REG_DWORD    0x0'),
])
rc, recs, err = audit(f1)
check('srv.sys 6.1.7601.23689 decides over a list without a fixing KB', rc, recs, {
    'host': 'WIN7SP1X64', 'verdict': 'patched', 'reason': 'srv_sys_fixed', 'confidence': 'high',
    'smb1_state': 'off',
    'evidence': ['srv.sys 6.1.7601.23689', '6.1.7601.23689']})
if rc != 0:
    print('FAIL exit code %d for a patched host, expected 0 (%s)' % (rc, err.strip())); fails += 1

# 2. the list names a fixing rollup but srv.sys is older: vulnerable, fix_installed_not_active, high
f2 = os.path.join(work, 'WIN-IDKKFN87EL8.smbguard.txt')
collector(f2, '#smbguard-collector v1 host=WIN-IDKKFN87EL8 domain=WORKGROUP time=2019-05-02T08:00:00Z ui_language=fr-FR', [
    section('systeminfo', text(FR7, 'cp850')),
    section('srv-sys-version', '6.1.7601.23571\npath=C:\\Windows\\System32\\drivers\\srv.sys'),
])
rc, recs, err = audit(f2)
check('srv.sys below 6.1.7601.23689 with KB4493472 listed', rc, recs, {
    'verdict': 'vulnerable', 'reason': 'fix_installed_not_active', 'confidence': 'high', 'fix_kb': 'KB4493472',
    'evidence': ['6.1.7601.23571', 'KB4493472']})
if rc != 3:
    print('FAIL exit code %d for a vulnerable host, expected 3' % rc); fails += 1

# 3. sections merged: a cut systeminfo + the complete wmic qfe of the same day: patched by KB4467107
f3 = os.path.join(work, 'merge.smbguard.txt')
collector(f3, '#smbguard-collector v1 host=WIN7SP1X64 domain=WORKGROUP time=2019-03-05T21:30:00Z ui_language=en-US', [
    section('systeminfo', text(CUT7, 'ascii')),
    section('wmic-qfe', text(QFE7, 'utf-16-le')),
])
rc, recs, err = audit(f3)
check('cut systeminfo + wmic-qfe section: KB4467107', rc, recs, {
    'host': 'WIN7SP1X64', 'verdict': 'patched', 'reason': 'fixing_kb', 'fix_kb': 'KB4467107', 'evidence': ['KB4467107']})

# 4. srv.sys absent on Windows 7 (a 32-bit collector looking at SysWOW64): unknown srv_sys_missing
f4 = os.path.join(work, 'absent.smbguard.txt')
collector(f4, '#smbguard-collector v1 host=WIN7SP1X64 domain=WORKGROUP time=2018-09-07T10:00:00Z', [
    section('systeminfo', text(A7, 'ascii')),
    section('srv-sys-version', 'absent\npath=C:\\Windows\\SysWOW64\\drivers\\srv.sys'),
])
rc, recs, err = audit(f4)
check('srv.sys absent on Windows 7', rc, recs, {'verdict': 'unknown', 'reason': 'srv_sys_missing'})

# 5. the same collector file, also through stdin ("-")
out = os.path.join(work, 'stdin.json')
p = subprocess.run([binp, 'audit', '-q', '--json', out, '-'], stdin=open(f1, 'rb'), capture_output=True)
recs = [json.loads(l) for l in open(out, encoding='utf-8')] if os.path.exists(out) else []
check('collector file on stdin', p.returncode, recs, {'verdict': 'patched', 'reason': 'srv_sys_fixed', 'confidence': 'high'})

print('test_collector: %d failing' % fails)
sys.exit(1 if fails else 0)
PY
