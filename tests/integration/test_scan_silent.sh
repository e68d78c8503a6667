#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# A listener on 445 that accepts and never answers: handshake done, no SMB reply before the deadline
# -> unknown / smb_timeout (decisions.md 2 row 4), exit 4 (undecided). --timeout is an absolute
# deadline per connection and a host uses at most three connections (decisions.md 1): bounded time.
silent_listener_start q 127.0.0.2
t0=$(now_ms)
run_scan "$OUT" 127.0.0.2 --timeout 2
wall=$(( $(now_ms) - t0 ))
check "$OUT" --count 1 ip=127.0.0.2 port=445 verdict=unknown reason=smb_timeout 'elapsed_ms<=7000'
expect_rc 4 "unknown host is undecided"
[ "$wall" -le $(( 9000 * SMBGUARD_TIME_SCALE )) ] || fail "scan took ${wall} ms with --timeout 2"
grep -qi undecided "$OUT.stderr" || fail "the undecided count is not printed on stderr (decisions.md 7)"
