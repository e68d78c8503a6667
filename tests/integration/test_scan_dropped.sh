#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# SYNs to 127.0.0.2 (every TCP port: 445 and the 139 fallback) are dropped by iptables in this
# namespace: no SYN-ACK/RST before the deadline -> unreachable / tcp_timeout (decisions.md 2 row 1).
drop_syns 127.0.0.2
t0=$(now_ms)
run_scan "$OUT" 127.0.0.2 --timeout 2
wall=$(( $(now_ms) - t0 ))
check "$OUT" --count 1 ip=127.0.0.2 verdict=unreachable reason=tcp_timeout ports_open=[] smb1=null
expect_rc 4 "unreachable host is undecided"
[ "$wall" -le $(( 15000 * SMBGUARD_TIME_SCALE )) ] || fail "scan took ${wall} ms with --timeout 2"
