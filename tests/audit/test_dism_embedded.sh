#!/usr/bin/env bash
# test_dism_embedded.sh: `smbguard audit` end to end on the synthetic DISM package lists (English list and
# table, Japanese CP932 / UTF-16LE, a collector dism-packages section) and Windows Embedded 8 Standard
# systeminfos (KB4012217 fixes it, KB4012598 does not): verdict, reason, fix_kb, reboot_pending, evidence.
# Usage: test_dism_embedded.sh SMBGUARD SHARED_DIR (SHARED_DIR unused: the fixtures are in the tree)
set -u
BIN=${1:?smbguard}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
FX="$(cd "$(dirname "$0")/../fixtures/audit" && pwd)"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export LANG=C.UTF-8
unset LANGUAGE LC_ALL LC_MESSAGES
cd "$FX" || exit 1

# name | expected exit | verdict | reason | fix_kb | reboot_pending (true/false/null) | evidence substrings (";" = all of) | args
ROWS=$(cat <<'T'
DISM alone: no host, no OS|4|unknown|os_unknown|-|null|no OS version in synthetic_dism_en.txt;KB numbers never guess the OS|synthetic_dism_en.txt
DISM + cut systeminfo: Installed fix|0|patched|fixing_kb|KB4012212|null|KB4012212 (synthetic_dism_en.txt:24)|--host CUT-PC synthetic_systeminfo_cut.txt synthetic_dism_en.txt
DISM Install Pending|3|vulnerable|reboot_pending|KB4012212|true|KB4012212 (synthetic_dism_pending.txt:14) is installed;DISM Install Pending: KB4012212|--host CUT-PC synthetic_systeminfo_cut.txt synthetic_dism_pending.txt
DISM table UTF-16LE: fix only Staged / Uninstall Pending|3|vulnerable|no_fixing_kb|KB4012212|null|complete list synthetic_dism_table_utf16le.txt;KB4015546 (synthetic_dism_table_utf16le.txt:15)|--host CUT-PC synthetic_systeminfo_cut.txt synthetic_dism_table_utf16le.txt
DISM Japanese CP932|3|vulnerable|reboot_pending|KB4012212|true|KB4012212 (synthetic_dism_ja_cp932.txt:14) is installed;DISM Install Pending: KB4015549|--host CUT-PC synthetic_systeminfo_cut.txt synthetic_dism_ja_cp932.txt
DISM Japanese UTF-16LE|3|vulnerable|reboot_pending|KB4012212|true|KB4012212 (synthetic_dism_ja_utf16le.txt:14) is installed;DISM Install Pending: KB4015549|--host CUT-PC synthetic_systeminfo_cut.txt synthetic_dism_ja_utf16le.txt
Japanese DISM alone|4|unknown|os_unknown|-|true|no OS version in synthetic_dism_ja_cp932.txt|synthetic_dism_ja_cp932.txt
collector dism-packages section|0|patched|fixing_kb|KB4012215|false|KB4012215 (synthetic_collector_dism.txt:34)|synthetic_collector_dism.txt
Embedded 8 Standard + KB4012217|0|patched|fixing_kb|KB4012217|null|KB4012217 (synthetic_systeminfo_embedded8_4012217.txt:14);Server 2012|synthetic_systeminfo_embedded8_4012217.txt
Embedded 8 Standard + KB4012598 only|3|vulnerable|no_fixing_kb|KB4012214|null|no fixing KB for Windows Embedded 8 Standard;complete list synthetic_systeminfo_embedded8_4012598.txt|synthetic_systeminfo_embedded8_4012598.txt
T
)

fails=0
n=0
while IFS='|' read -r name rc verdict reason fixkb reboot ev args; do
  [ -n "$name" ] || continue
  n=$((n + 1))
  # shellcheck disable=SC2086
  "$BIN" audit -q --json "$WORK/o$n.json" $args >/dev/null 2>"$WORK/e$n"; got=$?
  if python3 - "$WORK/o$n.json" "$got" "$rc" "$verdict" "$reason" "$fixkb" "$reboot" "$ev" <<'PY'
import json, sys
path, got, rc, verdict, reason, fixkb, reboot, ev = sys.argv[1:9]
recs = [json.loads(l) for l in open(path, encoding='utf-8') if l.strip()]
err = []
if got != rc: err.append('exit %s, expected %s' % (got, rc))
if len(recs) != 1: err.append('%d records, expected 1' % len(recs))
else:
    r = recs[0]
    if r['verdict'] != verdict: err.append('verdict %s, expected %s' % (r['verdict'], verdict))
    if r['reason'] != reason: err.append('reason %s, expected %s' % (r['reason'], reason))
    want_kb = None if fixkb == '-' else fixkb
    if r['fix_kb'] != want_kb: err.append('fix_kb %s, expected %s' % (r['fix_kb'], want_kb))
    want_rb = {'true': True, 'false': False, 'null': None}[reboot]
    if r['reboot_pending'] is not want_rb: err.append('reboot_pending %s, expected %s' % (r['reboot_pending'], want_rb))
    for part in ev.split(';'):
        if part not in (r['evidence'] or ''): err.append('evidence lacks %r' % part)
    if err: err.append('evidence was: %s' % r['evidence'])
if err:
    print('       ' + '\n       '.join(err)); sys.exit(1)
PY
  then echo "ok   $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
done <<<"$ROWS"

echo "test_dism_embedded: $n rows, $fails failing"
[ "$n" -eq 10 ] && [ $fails -eq 0 ]
