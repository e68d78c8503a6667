#!/usr/bin/env bash
# Differential test: smbguard vs nmap 7.93 (smb-vuln-ms17-010, smb-double-pulsar-backdoor) on the
# same lab, mapping of decisions.md 11 checked by nmapdiff.py; the comparison table is written to
# $LAB_TMP/nmap-diff.md and printed (and kept in $SMBGUARD_ARTIFACTS when set).
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"

# Peers and the nmap outcome expected for each, written by hand from measurements on this lab
# (docs/testing.md): Samba answers the probe 0xC0000008 (nmap: "likely patched"); Samba with SMB1
# off cannot negotiate SMB1 (nmap still prints NOT VULNERABLE: never checked); impacket answers
# 0xC0000002, which nmap's check does not know (silent); a silent listener makes nmap time out.
samba_start s1 127.0.0.2 smb1on
samba_start s0 127.0.0.3 smb1off
impacket_start imp 127.0.0.4
silent_listener_start q 127.0.0.5
SPECS=(127.0.0.2=samba-smb1=NOT_VULNERABLE 127.0.0.3=samba-smb1-off=NOT_VULNERABLE
       127.0.0.4=impacket=SILENT 127.0.0.5=silent-listener=SILENT)
ADDRS=127.0.0.2-5
if [ -n "$SMBGUARD_LAB" ] && [ -x "$SMBGUARD_LAB" ]; then
  lab_start unp 127.0.0.6 win7-unpatched
  lab_start imp7 127.0.0.7 win7-implanted
  lab_start pat 127.0.0.8 win7-patched-modelled
  lab_start den 127.0.0.9 2012r2-member-anon-denied
  SPECS+=(127.0.0.6=lab:win7-unpatched=VULNERABLE 127.0.0.7=lab:win7-implanted=VULNERABLE
          127.0.0.8=lab:win7-patched-modelled=NOT_VULNERABLE
          127.0.0.9=lab:2012r2-member-anon-denied=NOT_VULNERABLE)
  ADDRS=127.0.0.2-9
else
  note "lab responder not built: VULNERABLE rows skipped (only real peers compared)"
fi

NM=$LAB_TMP/nmap
t0=$(now_ms)
# -n: no DNS; -Pn: no host discovery; --script-timeout bounds the silent listener (nmap then prints
# nothing for it: silent). Only 127.0.0.0/8 inside this namespace.
nmap -n -Pn -d -p445 --script smb-vuln-ms17-010,smb-double-pulsar-backdoor \
  --script-args vulns.showall --script-timeout 3s -oN "$NM.txt" "$ADDRS" >"$NM.debug" 2>&1 || fail "nmap failed: $(tail -5 "$NM.debug")"
note "nmap over $ADDRS: $(( $(now_ms) - t0 )) ms"

OUT=$LAB_TMP/scan.json
if [ -n "${SMBGUARD:-}" ] && [ -x "$SMBGUARD" ]; then
  run_scan "$OUT" "$ADDRS" --timeout 2
else
  note "SCANNER-MISSING: only nmap's side is checked"
fi
rc=0
"$SMBGUARD_PY" "$LIB_DIR/nmapdiff.py" "$NM.txt" "$NM.debug" "$OUT" "$LAB_TMP/nmap-diff.md" "${SPECS[@]}" || rc=$?
if [ -n "${SMBGUARD_ARTIFACTS:-}" ]; then
  mkdir -p "$SMBGUARD_ARTIFACTS" && cp "$LAB_TMP/nmap-diff.md" "$NM.txt" "$SMBGUARD_ARTIFACTS/" || true
  [ -s "$OUT" ] && cp "$OUT" "$SMBGUARD_ARTIFACTS/nmap-diff-smbguard.json" || true
fi
[ "$rc" -eq 0 ] || fail "nmap differential: see the table above"
require_scanner
