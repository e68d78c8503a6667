#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
# Samba (SMB1 on) listening on 139 only: 445 is refused, so the scanner falls back to NetBIOS
# session service on 139 (decisions.md 1: NBSS session request to *SMBSERVER, which smbd accepts).
# Both ports were tried: ports_open records the state of both, `port` is the one that decided.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
samba_start s 127.0.0.2 smb1on "smb ports = 139"
wait_port 127.0.0.2 139 5 || fail "samba not on 139"
run_scan "$OUT" 127.0.0.2
check "$OUT" --count 1 ip=127.0.0.2 port=139 ports_open=[139] verdict=not_windows reason=samba \
  smb1=true
expect_rc 0 "decided"
