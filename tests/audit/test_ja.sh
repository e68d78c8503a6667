#!/usr/bin/env bash
# test_ja.sh: Japanese output of `smbguard audit` through gettext on a machine with only C.UTF-8:
# LANG=C.UTF-8 LANGUAGE=ja, --lang ja, the fall-backs to English, table alignment by display width,
# the CSV/JSON language rule, and that every advice line of the shared listings has a translation.
# Usage: test_ja.sh SMBGUARD SHARED_DIR
set -u
BIN=${1:?smbguard}
SHARED=${2:?shared dir}
D="$SHARED/hostdumps"
XP="$D/wesng_xp_rtm_x86_professional_en-us_systeminfo.txt"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
run() { env -i PATH="$PATH" "$@"; }

# exact strings from po/ja.po
J_VERDICT='脆弱 (要対応)'
J_HEADER='判定'
J_REASON='この Windows のバージョン / サービス パックには MS17-010 の修正が公開されていません。'
J_ADVICE='まず SP1 か SP2 を、次に SP3 を、その後 KB4012598 をインストールしてください (SP3 より前には修正がありません)'
J_TODO='対処:'

expect_ja() {  # name file
  local name=$1 f=$2 s
  for s in "$J_VERDICT" "$J_HEADER" "$J_REASON" "$J_ADVICE" "$J_TODO"; do
    grep -qF -- "$s" "$f" || { fail "$name: missing '$s'"; sed 's/^/     | /' "$f" | head -30; return; }
  done
  ok "$name"
}
expect_en() {
  local name=$1 f=$2
  if grep -q '[^ -~]' "$f"; then fail "$name: non-ASCII output"; head -5 "$f"; return; fi
  grep -qF 'VULNERABLE' "$f" || { fail "$name: no English verdict"; return; }
  ok "$name"
}

run LANG=C.UTF-8 LANGUAGE=ja "$BIN" audit "$XP" >"$WORK/a.out" 2>"$WORK/a.err"; rc=$?
expect_ja "LANG=C.UTF-8 LANGUAGE=ja" "$WORK/a.out"
[ $rc -eq 3 ] || fail "exit code $rc, expected 3 (vulnerable)"
grep -qF 'ファイル数:' "$WORK/a.err" && grep -qF 'undecided: 0' "$WORK/a.err" || fail "Japanese summary / undecided count on stderr: $(cat "$WORK/a.err")"

run LANG=C "$BIN" audit --lang ja "$XP" >"$WORK/b.out" 2>/dev/null
expect_ja "--lang ja with LANG=C" "$WORK/b.out"
run "$BIN" audit --lang ja "$XP" >"$WORK/b2.out" 2>/dev/null
expect_ja "--lang ja with no locale variables" "$WORK/b2.out"
run LANG=ja_JP.UTF-8 "$BIN" audit "$XP" >"$WORK/c.out" 2>/dev/null
expect_ja "LANG=ja_JP.UTF-8 (locale not installed)" "$WORK/c.out"

run LANG=C.UTF-8 "$BIN" audit "$XP" >"$WORK/d.out" 2>/dev/null
expect_en "LANG=C.UTF-8 without LANGUAGE: English" "$WORK/d.out"
run LC_ALL=C LANGUAGE=ja "$BIN" audit "$XP" >"$WORK/e.out" 2>/dev/null
expect_en "LC_ALL=C LANGUAGE=ja: English (gettext ignores LANGUAGE under C)" "$WORK/e.out"
run LANG=C.UTF-8 LANGUAGE=ja "$BIN" audit --lang en "$XP" >"$WORK/f.out" 2>/dev/null
expect_en "--lang en beats LANGUAGE=ja" "$WORK/f.out"
run "$BIN" audit --lang fr "$XP" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "--lang fr is a usage error" || fail "--lang fr: exit $rc, expected 2"

# every listing at once: table alignment by display width, and no advice line left in English
run LANG=C.UTF-8 LANGUAGE=ja "$BIN" audit "$D"/* >"$WORK/all.out" 2>/dev/null
python3 - "$WORK/all.out" <<'PY' || fails=$((fails + 1))
import sys, unicodedata
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in 'WF' else 0 if unicodedata.combining(c) else 1 for c in s)
table = []
for l in lines:
    if not l.strip():
        break
    table.append(l)
hdr = table[0]
# display columns where header cells start (after runs of >= 2 spaces)
starts, i = [], 0
while i < len(hdr):
    if hdr[i] != ' ' and i >= 2 and hdr[i-1] == ' ' and hdr[i-2] == ' ':
        starts.append(width(hdr[:i]))
    i += 1
bad = []
for l in table[1:]:
    for col in starts:
        # find the character index at display column col
        w, k = 0, 0
        while k < len(l) and w < col:
            w += width(l[k]); k += 1
        if w != col or k < 2 or l[k-1] != ' ' or l[k-2] != ' ' or (k < len(l) and l[k] == ' '):
            bad.append(l); break
if len(starts) != 5 or bad:
    print('FAIL table not aligned by display width (%d column starts):' % len(starts))
    for l in [hdr] + bad[:5]:
        print('     | ' + l)
    sys.exit(1)
print('ok   table of %d rows aligned by display width (Japanese cells count 2 columns)' % (len(table) - 1))
english = [l for l in lines if l.startswith('   - ') and all(ord(c) < 128 for c in l)]
if english:
    print('FAIL advice lines without a Japanese translation (advice.c and cmd_audit.c/ja.po out of step):')
    for l in sorted(set(english)):
        print('     | ' + l)
    sys.exit(1)
print('ok   every advice line of the shared listings is translated')
PY

# CSV follows --lang (people read it in a spreadsheet); JSON stays English (tools read it)
run LANG=C.UTF-8 "$BIN" audit --lang ja -q --csv "$WORK/o.csv" --json "$WORK/o.json" "$XP" >/dev/null 2>&1
grep -qF "$J_ADVICE" "$WORK/o.csv" && ok "CSV advice in Japanese" || fail "CSV advice not Japanese"
if grep -q '[^ -~]' "$WORK/o.json"; then fail "JSON has non-ASCII text"; else ok "JSON stays English"; fi
grep -q '"verdict":"vulnerable"' "$WORK/o.json" || grep -q '"verdict": *"vulnerable"' "$WORK/o.json" || fail "JSON verdict code"

echo "test_ja: $fails failing"
[ $fails -eq 0 ]
