#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
# --all-dialects against real Samba: by default smb2_dialects holds only the dialect chosen from an
# offer of all (3.1.1 for Samba 4.17); with --all-dialects every dialect Samba accepts, one
# connection each, as nmap's smb-protocols lists them (lab-notes: 2.0.2 .. 3.1.1). With SMB2 capped
# at 2.1 the list stops there.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
samba_start a 127.0.0.2 smb1on
samba_start b 127.0.0.3 smb1on "server max protocol = SMB2_10"
run_scan "$OUT" 127.0.0.2
check "$OUT" --count 1 ip=127.0.0.2 'smb2_dialects=["3.1.1"]'
run_scan "$OUT" 127.0.0.2-3 --all-dialects
check "$OUT" --count 2 ip=127.0.0.2 'smb2_dialects=["2.0.2","2.1","3.0","3.0.2","3.1.1"]'
check "$OUT" ip=127.0.0.3 'smb2_dialects=["2.0.2","2.1"]'
expect_rc 0 "decided"
