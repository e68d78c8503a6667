#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# impacket smbserver.py without -smb2support: SMB1 only; NTLMSSP version FF x 8 and a random
# 8-letter Native OS (decisions.md 3); the probe gets 0xC0000002 (lab-notes; impacket logs
# "Unsupported Transact command 35"). decisions.md 4: 0xC0000002 + non-Windows -> not_windows.
impacket_start i 127.0.0.2
run_scan "$OUT" 127.0.0.2
check "$OUT" --count 1 ip=127.0.0.2 port=445 verdict=not_windows reason=impacket smb1=true \
  "smb1_dialect=NT LM 0.12" smb2_dialects=[] doublepulsar=not_checked
expect_rc 0 "every host decided, none vulnerable"
