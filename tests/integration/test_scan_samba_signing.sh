#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# Samba with server signing = mandatory: nmap smb-security-mode says "message_signing: required"
# (measured); the SMB1 negotiate SecurityMode has 0x08 and the SMB2 negotiate SecurityMode has
# SIGNING_REQUIRED. Still Samba: not_windows.
samba_start s 127.0.0.2 signing
run_scan "$OUT" 127.0.0.2
check "$OUT" --count 1 ip=127.0.0.2 verdict=not_windows reason=samba smb1=true \
  signing_required_smb1=true signing_required_smb2=true
expect_rc 0 "every host decided, none vulnerable"
