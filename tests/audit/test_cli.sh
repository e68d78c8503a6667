#!/usr/bin/env bash
# test_cli.sh: the `smbguard audit` command line: field order and types of the records (NDJSON, CSV),
# exit codes (decisions.md 7: 3 vulnerable, 1 error, 4 undecided, 0 clean, 2 usage), an unreadable file
# (a record, a message, no abort), --host grouping and standard input.
# Usage: test_cli.sh SMBGUARD SHARED_DIR
set -u
BIN=${1:?smbguard}
SHARED=${2:?shared dir}
D="$SHARED/hostdumps"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export LANG=C.UTF-8
unset LANGUAGE LC_ALL LC_MESSAGES
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
code() {  # name expected-rc args...
  local name=$1 want=$2; shift 2
  "$BIN" audit "$@" >"$WORK/out" 2>"$WORK/err"; local rc=$?
  [ $rc -eq "$want" ] && ok "$name: exit $rc" || { fail "$name: exit $rc, expected $want"; tail -3 "$WORK/err"; }
}

W10="$D/wesng_10_1809_x64_education_en-us_systeminfo.txt"
W7P="$D/wesng_7_sp1_x64_enterprise_fr_systeminfo_cmd.txt"
W7V="$D/wesng_7_sp1_x64_enterprise_en-us_A_systeminfo.txt"
W7T="$D/wesng_7_sp1_x64_enterprise_en-us_20190305_systeminfo.txt"

code "not affected + patched" 0 "$W10" "$W7P"
code "one vulnerable" 3 "$W10" "$W7V"
code "one undecided" 4 "$W10" "$W7T"
code "vulnerable wins over undecided" 3 "$W7T" "$D/wesng_7_sp1_x86_enterprise_en-us_systeminfo.txt"
code "no files" 2
code "unknown option" 2 --frobnicate "$W10"
code "--host without files" 2 "$W10" --host PC01
code "--help" 0 --help
grep -q 'Usage: smbguard audit' "$WORK/out" || fail "--help text"
"$BIN" --help | grep -q '^  audit ' && ok "audit in the main usage" || fail "audit missing from smbguard --help"

# unreadable file: its own unknown/unrecognised_listing record, a message, the others still decided, exit 1
"$BIN" audit -q --json "$WORK/u.json" "$W10" "$WORK/no-such-file.txt" >/dev/null 2>"$WORK/u.err"; rc=$?
[ $rc -eq 1 ] && ok "unreadable file: exit 1" || fail "unreadable file: exit $rc, expected 1"
grep -q 'no-such-file.txt' "$WORK/u.err" && ok "unreadable file: message on stderr" || fail "no message for the unreadable file"
python3 - "$WORK/u.json" <<'PY' && ok "unreadable file: its own unknown record, the other host decided" || fails=$((fails + 1))
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in recs if 'no-such-file' in ' '.join(r['sources'])]
good = [r for r in recs if r['verdict'] == 'not_affected']
if not (len(recs) == 2 and len(bad) == 1 and bad[0]['verdict'] == 'unknown'
        and bad[0]['reason'] == 'unrecognised_listing' and len(good) == 1):
    print('FAIL records: %s' % [(r['host'], r['verdict'], r['reason']) for r in recs]); sys.exit(1)
PY
# with a vulnerable host as well, 3 wins (a vulnerable host is never hidden behind an error)
code "unreadable file + vulnerable host" 3 "$W7V" "$WORK/no-such-file.txt"

# field order and types
"$BIN" audit -q --json "$WORK/f.json" --csv "$WORK/f.csv" "$W7P" "$W7V" "$W10" >/dev/null 2>&1
python3 - "$WORK/f.json" "$WORK/f.csv" <<'PY' && ok "NDJSON and CSV fields, order and types" || fails=$((fails + 1))
import csv, io, json, sys
order = ['host', 'domain', 'os', 'os_build', 'edition', 'arch', 'verdict', 'reason', 'evidence', 'confidence',
         'fix_kb', 'fix_title', 'prerequisites', 'reboot_pending', 'smb1_state', 'av_status', 'advice', 'sources']
recs = [json.loads(l, object_pairs_hook=lambda kv: kv) for l in open(sys.argv[1])]
err = []
for kv in recs:
    if [k for k, _ in kv] != order:
        err.append('JSON order %s' % [k for k, _ in kv])
    r = dict(kv)
    if r['verdict'] not in ('patched', 'vulnerable', 'not_affected', 'unknown'): err.append('verdict %r' % r['verdict'])
    if r['confidence'] not in ('low', 'medium', 'high'): err.append('confidence')
    if r['fix_kb'] is not None and not (r['fix_kb'].startswith('KB') and r['fix_kb'][2:].isdigit()): err.append('fix_kb %r' % r['fix_kb'])
    if r['reboot_pending'] not in (None, True, False): err.append('reboot_pending')
    if r['smb1_state'] not in (None, 'on', 'off'): err.append('smb1_state')
    if not isinstance(r['sources'], list) or not all(isinstance(s, str) for s in r['sources']): err.append('sources')
    if r['advice'] is not None and '\n' in r['advice']: err.append('advice has a newline')
    if r['verdict'] == 'patched' and r['fix_kb'] != 'KB4493472': err.append('patched fix_kb %r' % r['fix_kb'])
    if r['verdict'] == 'vulnerable' and (r['fix_kb'] != 'KB4012212' or ' | ' not in (r['advice'] or '')):
        err.append('vulnerable fix_kb/advice %r %r' % (r['fix_kb'], r['advice']))
raw = open(sys.argv[2], 'rb').read()
if not raw.startswith(b'\xef\xbb\xbf'): err.append('CSV without BOM')
rows = list(csv.reader(io.StringIO(raw.decode('utf-8-sig'))))
if rows[0] != order: err.append('CSV header %s' % rows[0])
if len(rows) != 4: err.append('CSV rows %d' % len(rows))
if err:
    print('FAIL ' + '; '.join(err)); sys.exit(1)
PY

# --host groups the files that follow it; files before it are grouped by their own names
Q="$D/wesng_7_sp1_x64_enterprise_en-us_20190305_qfe.txt"
"$BIN" audit -q --json "$WORK/g.json" "$W10" --host WIN7SP1X64 "$W7T" "$Q" >/dev/null 2>&1
python3 - "$WORK/g.json" <<'PY' && ok "--host NAME FILE... groups what follows" || fails=$((fails + 1))
import json, sys
recs = {r['host']: r for r in map(json.loads, open(sys.argv[1]))}
r = recs.get('WIN7SP1X64')
if len(recs) != 2 or not r or r['verdict'] != 'patched' or r['fix_kb'] != 'KB4467107' or len(r['sources']) != 2:
    print('FAIL %s' % [(h, x['verdict'], x['fix_kb'], x['sources']) for h, x in recs.items()]); sys.exit(1)
PY

# standard input
"$BIN" audit -q --json "$WORK/s.json" - <"$W7V" >/dev/null 2>&1; rc=$?
grep -q '"no_fixing_kb"' "$WORK/s.json" && [ $rc -eq 3 ] && ok "FILE '-' reads standard input" || fail "stdin: exit $rc"

# --json - takes stdout: no table then
"$BIN" audit -q --json - "$W10" >"$WORK/j.out" 2>/dev/null
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/j.out" && ok "--json - prints only NDJSON" || fail "--json - mixed output"

echo "test_cli: $fails failing"
[ $fails -eq 0 ]
