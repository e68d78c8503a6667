#!/usr/bin/env bash
# test_ja.sh EXE SHARED: the watch summary in Japanese (LANGUAGE=ja with only C.UTF-8, and --lang ja),
# English with --lang en; the counters line and the EVE output are the same in both languages.
set -euo pipefail
exe=$1 pcap=$2/pcaps/tmnids_doublepulsar-backdoor-connect-win7.pcap
[ -r "$pcap" ] || { echo "SKIP: $pcap missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
rc=0; LANG=C.UTF-8 LANGUAGE=ja "$exe" watch -r "$pcap" --json "$tmp/ja.json" 2> "$tmp/ja.err" || rc=$?
[ "$rc" -eq 3 ] || fail "exit $rc with LANGUAGE=ja, want 3"
grep -q "^確認されたホスト:" "$tmp/ja.err" || fail "no Japanese host heading"; 
grep -q "感染 .*1: 192.168.198.203 (doublepulsar.implant_reply)" "$tmp/ja.err" || fail "infected host line"
grep -q "重大度 1  \[終了コード 3\]" "$tmp/ja.err" || fail "severity line"
rc=0; LANG=C.UTF-8 LANGUAGE=ja "$exe" watch --lang en -r "$pcap" --json "$tmp/en.json" 2> "$tmp/en.err" || rc=$?
[ "$rc" -eq 3 ] || fail "exit $rc with --lang en"
grep -q "^hosts seen:" "$tmp/en.err" || fail "--lang en is not English"
grep -q "  infected .*1: 192.168.198.203" "$tmp/en.err" || fail "English infected line"
rc=0; "$exe" watch --lang ja -r "$pcap" 2> "$tmp/ja2.err" || rc=$?
grep -q "^確認されたホスト:" "$tmp/ja2.err" || fail "--lang ja in the C locale"
[ "$(grep '^counters:' "$tmp/ja.err")" = "$(grep '^counters:' "$tmp/en.err")" ] || fail "counters line differs"
cmp -s "$tmp/ja.json" "$tmp/en.json" || fail "EVE output depends on the language"
rc=0; "$exe" watch --lang fr -r "$pcap" 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "--lang fr: exit $rc, want 2"
echo ok
