#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# Samba with SMB1 off (server min protocol = SMB2_02): lab-notes measured the SMB1-only negotiate
# answered with DialectIndex 0xFFFF; SMB2 works. decisions.md 2 row 6: smb1_disabled / smb1_refused.
samba_start s 127.0.0.2 smb1off
run_scan "$OUT" 127.0.0.2
check "$OUT" --count 1 ip=127.0.0.2 port=445 verdict=smb1_disabled reason=smb1_refused \
  smb1=false smb1_dialect=null smb2_dialects:nonempty
expect_rc 0 "smb1_disabled is a decided verdict"
