#!/usr/bin/env bash
# run_hostdumps.sh: runs `smbguard audit --json OUT FILE...` for every row of expected.tsv (the real host
# listings in ../shared/hostdumps) and compares verdict, reason and evidence with the hand-written table.
# Usage: run_hostdumps.sh SMBGUARD SHARED_DIR EXPECTED_TSV. Prints every mismatch; exit 1 if any.
set -u
BIN=${1:?smbguard binary}
SHARED=${2:?shared dir}
TSV=${3:?expected.tsv}
DUMPS="$SHARED/hostdumps"
[ -d "$DUMPS" ] || { echo "run_hostdumps: $DUMPS missing"; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$BIN" "$DUMPS" "$TSV" "$WORK" <<'PY'
import json, os, subprocess, sys
binp, dumps, tsv, work = sys.argv[1:5]
rows = [l.rstrip('\n').split('\t') for l in open(tsv, encoding='utf-8')
        if l.strip() and not l.startswith('#')]
hdr, rows = rows[0], rows[1:]
fail = 0
seen = set()
for n, row in enumerate(rows, 1):
    args, verdict, reason, match = row[0], row[1], row[2], row[3]
    toks = args.split()
    argv, i = [], 0
    while i < len(toks):
        if toks[i] == '--host':
            argv += ['--host', toks[i + 1]]
            i += 2
            continue
        seen.add(toks[i])
        argv.append(os.path.join(dumps, toks[i]))
        i += 1
    out = os.path.join(work, 'out%d.json' % n)
    p = subprocess.run([binp, 'audit', '-q', '--json', out] + argv, capture_output=True, text=True)
    recs = []
    if os.path.exists(out):
        recs = [json.loads(l) for l in open(out, encoding='utf-8') if l.strip()]
    problems = []
    if p.returncode not in (0, 1, 3, 4):
        problems.append('exit code %d (stderr: %s)' % (p.returncode, p.stderr.strip()[-300:]))
    if len(recs) != 1:
        problems.append('%d records, expected 1 host: %s' % (len(recs), [(r.get('host'), r.get('verdict')) for r in recs]))
    if recs:
        r = recs[0]
        if r.get('verdict') != verdict:
            problems.append('verdict %s, expected %s' % (r.get('verdict'), verdict))
        if r.get('reason') != reason:
            problems.append('reason %s, expected %s' % (r.get('reason'), reason))
        ev = r.get('evidence') or ''
        for part in match.split(';'):
            alts = [a for a in part.split('|') if a]
            if alts and not any(a in ev for a in alts):
                problems.append('evidence lacks %r' % part)
        want_rc = {'vulnerable': 3, 'unknown': 4, 'patched': 0, 'not_affected': 0}[verdict]
        if len(recs) == 1 and p.returncode != want_rc:
            problems.append('exit code %d, expected %d' % (p.returncode, want_rc))
        if problems:
            problems.append('evidence was: %s' % ev)
    status = 'ok  ' if not problems else 'FAIL'
    print('%s %2d %s -> %s/%s' % (status, n, args, verdict, reason))
    for pr in problems:
        print('       ' + pr)
    fail += bool(problems)
missing = sorted(set(os.listdir(dumps)) - seen)
for m in missing:
    print('FAIL    no row for %s' % m)
fail += len(missing)
print('run_hostdumps: %d rows, %d failing' % (len(rows), fail))
sys.exit(1 if fail else 0)
PY
