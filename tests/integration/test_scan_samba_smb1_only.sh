#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# Samba with SMB1 only (server max protocol = NT1): smbclient's default SMB2 connect fails with
# NT_STATUS_CONNECTION_DISCONNECTED (measured), so no SMB2 dialect; identified as Samba (row 8).
samba_start s 127.0.0.2 smb1only
run_scan "$OUT" 127.0.0.2
check "$OUT" --count 1 ip=127.0.0.2 verdict=not_windows reason=samba smb1=true \
  "smb1_dialect=NT LM 0.12" smb2_dialects=[] doublepulsar=not_checked
expect_rc 0 "every host decided, none vulnerable"
