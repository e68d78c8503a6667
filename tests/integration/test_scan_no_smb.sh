#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# A TCP listener on 445 that answers an HTTP error to anything: handshake done, bytes that are not
# NBSS+SMB -> no_smb / not_smb_reply (decisions.md 2 row 3).
junk_listener_start j 127.0.0.2
run_scan "$OUT" 127.0.0.2 --timeout 2
check "$OUT" --count 1 ip=127.0.0.2 port=445 verdict=no_smb reason=not_smb_reply smb1=null
expect_rc 0 "no_smb is decided"
