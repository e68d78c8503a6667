#!/usr/bin/env bash
# Differential test: smbguard vs nmap 7.93 (smb-vuln-ms17-010, smb-double-pulsar-backdoor) on the
# same lab, mapping of decisions.md 11 checked by nmapdiff.py; the comparison table is written to
# $LAB_TMP/nmap-diff.md, printed, and copied to $SMBGUARD_ARTIFACTS when that is set.
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"

# Peers, and nmap's outcome expected for each, written by hand from measurements on this lab
# (docs/testing.md): Samba answers the probe 0xC0000008 (nmap: "likely patched"); Samba with SMB1
# off cannot negotiate SMB1 (nmap still prints NOT VULNERABLE: never checked); impacket answers
# 0xC0000002, which nmap's check does not know (silent); a silent listener outlasts
# --script-timeout (silent).
samba_start s1 127.0.0.2 smb1on
samba_start s0 127.0.0.3 smb1off
impacket_start imp 127.0.0.4
silent_listener_start q 127.0.0.5
PASS1=(127.0.0.2=samba-smb1=NOT_VULNERABLE 127.0.0.3=samba-smb1-off=NOT_VULNERABLE
       127.0.0.4=impacket=SILENT 127.0.0.5=silent-listener=SILENT)
ADDRS=127.0.0.2-5
PASS2=()
REQUIRE=NOT_VULNERABLE,SILENT
if [ -n "$SMBGUARD_LAB" ] && [ -x "$SMBGUARD_LAB" ]; then
  lab_start unp 127.0.0.6 win7-unpatched
  lab_start imp7 127.0.0.7 win7-implanted
  lab_start pat 127.0.0.8 win7-patched-modelled
  lab_start den 127.0.0.9 2012r2-member-anon-denied
  ADDRS=127.0.0.2-9
  # nmap's default logins are NTLMSSP 'guest' then NTLMSSP anonymous. The Windows 7 these profiles
  # replay refuses NTLMSSP anonymous (id2t_Win7_eternalblue_scan.pcap frame 10, 0xC000006D) and
  # accepts only the plain null session (frame 12), to which nmap does not fall back: nmap never
  # reaches the probe (NOT VULNERABLE, never checked) while smbguard does (decisions.md 5).
  PASS1+=(127.0.0.6=lab:win7-unpatched=NOT_VULNERABLE 127.0.0.7=lab:win7-implanted=NOT_VULNERABLE
          127.0.0.8=lab:win7-patched-modelled=NOT_VULNERABLE
          127.0.0.9=lab:2012r2-member-anon-denied=NOT_VULNERABLE)
  # Second nmap run with basic security and no guest (smbbasic=1, smbnoguest=1): the plain null
  # session. Now nmap checks: VULNERABLE (0xC0000205; DoublePulsar MID 81), patched-modelled
  # 0xC0000008 ("likely patched").
  PASS2=(127.0.0.6=lab:win7-unpatched=VULNERABLE 127.0.0.7=lab:win7-implanted=VULNERABLE
         127.0.0.8=lab:win7-patched-modelled=NOT_VULNERABLE)
  REQUIRE=VULNERABLE,NOT_VULNERABLE,SILENT
else
  note "lab responder not built: no VULNERABLE rows (only real peers compared)"
fi

NM=$LAB_TMP/nmap
run_nmap() { # OUTBASE TARGETS [SCRIPT-ARGS]
  local t0; t0=$(now_ms)
  # -n: no DNS; -Pn: no host discovery; -d: debug log tells nmap's reasons apart; --script-timeout
  # bounds the silent listener. Only 127.0.0.0/8 inside this namespace.
  nmap -n -Pn -d -p445 --script smb-vuln-ms17-010,smb-double-pulsar-backdoor \
    --script-args "vulns.showall${3:+,$3}" --script-timeout 3s -oN "$1.txt" "$2" >"$1.debug" 2>&1 \
    || fail "nmap failed: $(tail -5 "$1.debug")"
  note "nmap ${3:-(default logins)} over $2: $(( $(now_ms) - t0 )) ms"
}
run_nmap "$NM" "$ADDRS"
PASSES=(--pass "default" "$NM.txt" "$NM.debug" "${PASS1[@]}")
if [ ${#PASS2[@]} -gt 0 ]; then
  run_nmap "$NM-basic" 127.0.0.6-8 "smbbasic=1,smbnoguest=1"
  PASSES+=(--pass "smbbasic" "$NM-basic.txt" "$NM-basic.debug" "${PASS2[@]}")
fi

OUT=$LAB_TMP/scan.json
if [ -n "${SMBGUARD:-}" ] && [ -x "$SMBGUARD" ]; then
  run_scan "$OUT" "$ADDRS" --timeout 2
else
  note "SCANNER-MISSING: only nmap's side is checked"
fi
rc=0
"$SMBGUARD_PY" "$LIB_DIR/nmapdiff.py" "$OUT" "$LAB_TMP/nmap-diff.md" --require "$REQUIRE" "${PASSES[@]}" || rc=$?
if [ -n "${SMBGUARD_ARTIFACTS:-}" ]; then
  mkdir -p "$SMBGUARD_ARTIFACTS" && cp "$LAB_TMP/nmap-diff.md" "$SMBGUARD_ARTIFACTS/" || true
  if [ -s "$OUT" ]; then cp "$OUT" "$SMBGUARD_ARTIFACTS/nmap-diff-smbguard.json" || true; fi
fi
[ "$rc" -eq 0 ] || fail "nmap differential: see the table above"
require_scanner
echo "ok: nmap differential"
