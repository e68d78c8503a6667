#!/usr/bin/env python3
# gen_kbtable.py: compiles data/ms17010.csv (the MS17-010 knowledge table, see data/README.md) into C for
# src/audit/kbtable.c. Validates the table; any error is printed as FILE:LINE: message and exits 1.
"""Usage: gen_kbtable.py TABLE.csv [MORE.csv ...] OUT.c

Every CSV has the header family,record,key,value,kind,month,ubr,title,source; lines starting with '#'
and blank lines are comments. Output is deterministic: rows sorted by KB number per family."""
import csv
import re
import sys

FAMILIES = ['unknown', 'nt4', '2000', 'xp_x86', 'xp_x64_2003', 'vista_2008', '7_2008r2', '8', '2012',
            '81_2012r2', '10_1507', '10_1511', '10_1607_2016', 'shipped_fixed']
HEADER = ['family', 'record', 'key', 'value', 'kind', 'month', 'ubr', 'title', 'source']
EFFECTS = {'none': 'KBE_NONE', 'fixes': 'KBE_FIXES', 'trap': 'KBE_TRAP', 'unverified': 'KBE_UNVERIFIED'}
KINDS = {'security-only', 'monthly rollup', 'preview rollup', 'rollup', 'out-of-band', 'security update',
         'cumulative update'}
# info keys: kind of value and, for strings, the longest allowed (buffers in decide.h: fix_title[160],
# prerequisites[256], advice[1024])
INFO_KEYS = {
    'name': ('str', 80), 'covers': ('str', 255), 'srv_sys_fixed': ('ver', 0), 'srv_sys_fixed_ldr': ('ver', 0),
    'ubr_build': ('uint', 0), 'ubr_fixed': ('uint', 0), 'ubr_rollback_lo': ('uint', 0), 'ubr_rollback_hi': ('uint', 0),
    'min_sp': ('uint', 0), 'no_fix_levels': ('str', 255), 'smallest_fix': ('kb', 0),
    'smallest_fix_title': ('str', 159), 'prerequisites': ('str', 255), 'package_rule': ('str', 511),
    'smb1_off': ('str', 700),
}
REQUIRED_INFO = ('name', 'covers', 'prerequisites', 'smb1_off')
KB_RE = re.compile(r'^KB([1-9][0-9]{5,6})$')
VER_RE = re.compile(r'^([0-9]{1,5})\.([0-9]{1,5})\.([0-9]{1,5})\.([0-9]{1,5})$')
MONTH_RE = re.compile(r'^(199[0-9]|20[0-9]{2})-(0[1-9]|1[0-2])$')


class TableError(Exception):
    pass


def fail(where, msg):
    raise TableError(f'{where}: {msg}')


def cstr(s):
    """C string literal (UTF-8 bytes outside printable ASCII as 3-digit octal escapes), or NULL."""
    if s is None:
        return 'NULL'
    out = ['"']
    for b in s.encode('utf-8'):
        c = chr(b)
        if c in '"\\':
            out.append('\\' + c)
        elif 0x20 <= b < 0x7f and c != '?':  # '?' escaped: no trigraphs
            out.append(c)
        else:
            out.append('\\%03o' % b)
    out.append('"')
    return ''.join(out)


def read_rows(path):
    try:
        with open(path, encoding='utf-8', newline='') as fh:
            lines = fh.read().split('\n')
    except (OSError, UnicodeDecodeError) as e:
        raise TableError(f'{path}: cannot read: {e}')
    header_seen = False
    for no, line in enumerate(lines, 1):
        line = line.rstrip('\r')
        if not line.strip() or line.startswith('#'):
            continue
        where = f'{path}:{no}'
        try:
            fields = next(csv.reader([line], strict=True))
        except csv.Error as e:
            fail(where, f'bad CSV: {e}')
        if not header_seen:
            if fields != HEADER:
                fail(where, 'header must be ' + ','.join(HEADER))
            header_seen = True
            continue
        if len(fields) != len(HEADER):
            fail(where, f'{len(fields)} fields, expected {len(HEADER)}')
        yield where, dict(zip(HEADER, (f.strip() for f in fields)))
    if not header_seen:
        fail(path, 'no header line')


def parse_uint(where, what, s, lo=0, hi=0xFFFFFFFF):
    if not re.fullmatch(r'0|[1-9][0-9]{0,9}', s):
        fail(where, f'{what} {s!r} is not a number')
    v = int(s)
    if not lo <= v <= hi:
        fail(where, f'{what} {v} out of range {lo}..{hi}')
    return v


def load(paths):
    info = {f: {} for f in FAMILIES}          # family -> key -> (value, where)
    kbs = {f: {} for f in FAMILIES}           # family -> kb -> (row dict, where)
    first = {}                                # family -> where its first row is
    for path in paths:
        for where, r in read_rows(path):
            fam = r['family']
            if fam not in FAMILIES or fam == 'unknown':
                fail(where, f'unknown family {fam!r} (one of: {", ".join(FAMILIES[1:])})')
            first.setdefault(fam, where)
            if r['record'] == 'info':
                key, val = r['key'], r['value']
                if key not in INFO_KEYS:
                    fail(where, f'unknown info key {key!r}')
                if any(r[c] for c in ('kind', 'month', 'ubr', 'title')):
                    fail(where, 'info rows leave kind, month, ubr and title empty')
                if key in info[fam]:
                    fail(where, f'{fam}: info {key} repeated (first at {info[fam][key][1]})')
                typ, maxlen = INFO_KEYS[key]
                if not val:
                    fail(where, f'{key}: empty value')
                if typ == 'ver':
                    m = VER_RE.match(val)
                    if not m or any(int(x) > 65535 for x in m.groups()):
                        fail(where, f'{key} {val!r} is not a version a.b.c.d (each part <= 65535)')
                elif typ == 'uint':
                    parse_uint(where, key, val, 0, 0xFFFFFFFF)
                elif typ == 'kb':
                    if not KB_RE.match(val):
                        fail(where, f'{key} {val!r} is not a KB number KBnnnnnn[n]')
                elif len(val.encode('utf-8')) > maxlen:
                    fail(where, f'{key} is {len(val.encode("utf-8"))} bytes, at most {maxlen}')
                info[fam][key] = (val, where)
            elif r['record'] == 'kb':
                m = KB_RE.match(r['key'])
                if not m:
                    fail(where, f'{r["key"]!r} is not a KB number KBnnnnnn[n]')
                kb = int(m.group(1))
                if r['value'] not in EFFECTS:
                    fail(where, f'effect {r["value"]!r} is not one of {", ".join(EFFECTS)}')
                if r['kind'] not in KINDS:
                    fail(where, f'kind {r["kind"]!r} is not one of {", ".join(sorted(KINDS))}')
                if r['month'] and not MONTH_RE.match(r['month']):
                    fail(where, f'month {r["month"]!r} is not YYYY-MM')
                ubr = parse_uint(where, 'ubr', r['ubr'], 1, 0x7FFFFFFF) if r['ubr'] else 0
                if not r['title']:
                    fail(where, 'empty title')
                if not r['source']:
                    fail(where, 'empty source')
                row = {'kb': kb, 'effect': r['value'], 'kind': r['kind'], 'month': r['month'],
                       'title': r['title'], 'ubr': ubr}
                old = kbs[fam].get(kb)
                if old:
                    o, owhere = old
                    if o['effect'] != row['effect']:
                        fail(where, f'{fam} KB{kb}: effect {row["effect"]} here, {o["effect"]} at {owhere}')
                    if o['ubr'] != row['ubr'] or o['kind'] != row['kind']:
                        fail(where, f'{fam} KB{kb}: repeated with another kind/ubr (first at {owhere})')
                    print(f'{where}: warning: {fam} KB{kb} repeated (first at {owhere}); first kept',
                          file=sys.stderr)
                    continue
                kbs[fam][kb] = (row, where)
            else:
                fail(where, f'record {r["record"]!r} is neither info nor kb')
    # whole-table checks
    for fam in FAMILIES[1:]:
        fi = info[fam]
        at = first.get(fam, paths[0])
        for key in REQUIRED_INFO:
            if key not in fi:
                fail(at, f'family {fam}: no info row {key}')
        if ('ubr_build' in fi) != ('ubr_fixed' in fi):
            fail(fi.get('ubr_build', fi.get('ubr_fixed'))[1], f'{fam}: ubr_build and ubr_fixed go together')
        if ('ubr_rollback_lo' in fi) != ('ubr_rollback_hi' in fi):
            fail(at, f'{fam}: ubr_rollback_lo and ubr_rollback_hi go together')
        if 'ubr_rollback_lo' in fi and int(fi['ubr_rollback_lo'][0]) >= int(fi['ubr_rollback_hi'][0]):
            fail(fi['ubr_rollback_lo'][1], f'{fam}: empty rollback window')
        if 'srv_sys_fixed_ldr' in fi and 'srv_sys_fixed' not in fi:
            fail(fi['srv_sys_fixed_ldr'][1], f'{fam}: an LDR threshold needs the GDR one (srv_sys_fixed)')
        if ('smallest_fix' in fi) != ('smallest_fix_title' in fi):
            fail(at, f'{fam}: smallest_fix and smallest_fix_title go together')
        if 'smallest_fix' in fi:
            val, where = fi['smallest_fix']
            row = kbs[fam].get(int(val[2:]))
            if not row or row[0]['effect'] != 'fixes':
                fail(where, f'{fam}: smallest_fix {val} is not a "fixes" kb row of the family')
        for kb, (row, where) in kbs[fam].items():
            if row['ubr'] and 'ubr_build' not in fi:
                fail(where, f'{fam} KB{kb}: ubr given but the family has no ubr_build')
            if row['ubr'] and 'ubr_fixed' in fi and row['effect'] in ('fixes', 'none'):
                fixed = row['ubr'] >= int(fi['ubr_fixed'][0])
                if fixed != (row['effect'] == 'fixes'):
                    fail(where, f'{fam} KB{kb}: ubr {row["ubr"]} vs ubr_fixed {fi["ubr_fixed"][0]} '
                                f'contradicts effect {row["effect"]}')
    return info, kbs


def emit(info, kbs, sources):
    o = []
    o.append('/* kbtable_data.c: GENERATED by tools/gen_kbtable.py from ' + ', '.join(sources) + ';')
    o.append(' * do not edit. The MS17-010 knowledge table: per OS family, KB rows sorted by KB number. */')
    o.append('#include "audit/kbtable.h"')
    o.append('#include <stddef.h>')
    o.append('')
    o.append('extern const struct kb_info *const sg_kbtable_rows[OSF_COUNT];')
    o.append('extern const unsigned sg_kbtable_count[OSF_COUNT];')
    o.append('extern const struct family_info sg_kbtable_family[OSF_COUNT];')
    o.append('')
    for fam in FAMILIES[1:]:
        rows = [kbs[fam][k][0] for k in sorted(kbs[fam])]
        if not rows:
            continue
        o.append(f'static const struct kb_info kb_{fam}[{len(rows)}] = {{')
        for r in rows:
            o.append(f'    {{ {r["kb"]}u, {EFFECTS[r["effect"]]}, {cstr(r["kind"])}, {cstr(r["month"])}, '
                     f'{cstr(r["title"])}, {r["ubr"]} }},')
        o.append('};')
        o.append('')
    o.append('const struct kb_info *const sg_kbtable_rows[OSF_COUNT] = {')
    for fam in FAMILIES:
        o.append(f'    [OSF_{fam.upper()}] = ' + (f'kb_{fam},' if kbs[fam] else 'NULL,'))
    o.append('};')
    o.append('')
    o.append('const unsigned sg_kbtable_count[OSF_COUNT] = {')
    for fam in FAMILIES:
        o.append(f'    [OSF_{fam.upper()}] = {len(kbs[fam])}u,')
    o.append('};')
    o.append('')
    o.append('const struct family_info sg_kbtable_family[OSF_COUNT] = {')
    for fam in FAMILIES:
        fi = {k: v for k, (v, _) in info[fam].items()}
        if fam == 'unknown':
            fi = {'name': 'unknown OS'}
        g = fi.get
        o.append(f'    [OSF_{fam.upper()}] = {{')
        o.append(f'        .family = OSF_{fam.upper()},')
        o.append(f'        .name = {cstr(g("name"))},')
        o.append(f'        .srv_sys_fixed = {cstr(g("srv_sys_fixed"))},')
        o.append(f'        .srv_sys_fixed_ldr = {cstr(g("srv_sys_fixed_ldr"))},')
        o.append(f'        .ubr_build = {int(g("ubr_build", 0))}u,')
        o.append(f'        .ubr_fixed = {int(g("ubr_fixed", 0))}u,')
        o.append(f'        .smallest_fix = {int(g("smallest_fix", "KB0")[2:])}u,')
        o.append(f'        .smallest_fix_title = {cstr(g("smallest_fix_title"))},')
        o.append(f'        .prerequisites = {cstr(g("prerequisites"))},')
        o.append(f'        .smb1_off = {cstr(g("smb1_off"))},')
        o.append(f'        .id = {cstr(fam)},')
        o.append(f'        .covers = {cstr(g("covers"))},')
        o.append(f'        .min_sp = {int(g("min_sp", 0))}u,')
        o.append(f'        .no_fix_levels = {cstr(g("no_fix_levels"))},')
        o.append(f'        .package_rule = {cstr(g("package_rule"))},')
        o.append(f'        .ubr_rollback_lo = {int(g("ubr_rollback_lo", 0))}u,')
        o.append(f'        .ubr_rollback_hi = {int(g("ubr_rollback_hi", 0))}u,')
        o.append('    },')
    o.append('};')
    return '\n'.join(o) + '\n'


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    sources, out = argv[1:-1], argv[-1]
    try:
        info, kbs = load(sources)
    except TableError as e:
        print(f'gen_kbtable: {e}', file=sys.stderr)
        return 1
    names = [s.replace('\\', '/').split('/')[-1] for s in sources]
    text = emit(info, kbs, names)
    try:
        with open(out, 'w', encoding='utf-8', newline='\n') as fh:
            fh.write(text)
    except OSError as e:
        print(f'gen_kbtable: {out}: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
