#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# Samba with SMB1 on: a real SMB1 server that is not Windows. decisions.md 2 row 8 (not_windows),
# 3 rule 2 (Native LanMan "Samba ..."), 6 (non-Windows hosts: doublepulsar not_checked).
# Why: lab-notes measured Samba answering the negotiate with WordCount 17 (NT LM 0.12) and also SMB2
# (smbclient lists shares over SMB2; nmap smb-protocols lists 2.0.2 .. 3.1.1); signing not required
# by default (nmap smb-security-mode: "message_signing: disabled").
samba_start s 127.0.0.2 smb1on
run_scan "$OUT" 127.0.0.2
check "$OUT" --count 1 ip=127.0.0.2 port=445 verdict=not_windows reason=samba \
  smb1=true "smb1_dialect=NT LM 0.12" smb2_dialects:nonempty doublepulsar=not_checked \
  'native_lanman~=Samba' signing_required_smb1=false signing_required_smb2=false
expect_rc 0 "every host decided, none vulnerable"
