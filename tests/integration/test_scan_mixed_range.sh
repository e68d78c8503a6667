#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# One range over a mixed lab: one line per target (closed included), exit codes by the worst host
# (decisions.md 7): all decided -> 0; add an undecided host -> 4.
samba_start on 127.0.0.2 smb1on
samba_start off 127.0.0.3 smb1off
impacket_start imp 127.0.0.4
junk_listener_start j 127.0.0.5
# 127.0.0.6: nothing (closed)
run_scan "$OUT" 127.0.0.2-6
check "$OUT" --count 5 ip=127.0.0.2 verdict=not_windows reason=samba
check "$OUT" ip=127.0.0.3 verdict=smb1_disabled
check "$OUT" ip=127.0.0.4 verdict=not_windows reason=impacket
check "$OUT" ip=127.0.0.5 verdict=no_smb
check "$OUT" ip=127.0.0.6 verdict=closed
expect_rc 0 "all five decided, none vulnerable"
grep -qi undecided "$OUT.stderr" || fail "the undecided count is not printed on stderr (decisions.md 7)"

silent_listener_start q 127.0.0.7
OUT2=$LAB_TMP/scan2.json
OUT=$OUT2 run_scan "$OUT2" 127.0.0.2-7 --timeout 2
check "$OUT2" --count 6 ip=127.0.0.7 verdict=unknown reason=smb_timeout
check "$OUT2" ip=127.0.0.2 verdict=not_windows reason=samba
expect_rc 4 "one host undecided (unknown), none vulnerable"
# Field list and JSON types of decisions.md 7 over six kinds of host (samba, smb1 off, impacket,
# no_smb, closed, unknown).
check "$OUT2" --schema
