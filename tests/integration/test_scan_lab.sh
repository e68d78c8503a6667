#!/usr/bin/env bash
# Scanner against the project's lab responder (tests/lab), one profile per ctest test.
# Usage (ctest does this): nsrun.sh THIS_SCRIPT PROFILE SMBGUARD LAB_RESPONDER
# Expectations are written by hand from the captures each profile replays (decisions.md 11).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PROFILE=$1; shift
lab_init "$@"
OUT=$LAB_TMP/scan.json
A=127.0.0.2
if [ "$PROFILE" = win7-unpatched-139 ]; then
  # the same Windows 7 reached on 139 only (445 refused): NBSS session request first, the positive
  # session response is elcabezzonn_more_netshare.pcap frame 4672 (a Windows 7 7601).
  lab_start l "$A" win7-unpatched 139
else
  lab_start l "$A" "$PROFILE"
fi
run_scan "$OUT" "$A"
case "$PROFILE" in
  win7-unpatched-139)
    check "$OUT" --count 1 ip=$A port=139 ports_open=[139] verdict=vulnerable \
      reason=insuff_server_resources nt_status=0xC0000205 smb1=true
    expect_rc 3 "a vulnerable host"
    ;;
  win7-unpatched)
    # id2t_Win7_eternalblue_scan.pcap: frame 16 PeekNamedPipe -> 0xC0000205 (decisions.md 4),
    # frame 8 NTLMSSP 6.1.7601, frame 19 ping MID 65 -> 65, zero signature: clean (decisions.md 6).
    check "$OUT" --count 1 ip=$A port=445 verdict=vulnerable reason=insuff_server_resources \
      nt_status=0xC0000205 smb1=true build=6.1.7601 doublepulsar=clean
    expect_rc 3 "a vulnerable host"
    ;;
  win7-implanted)
    # tmnids_doublepulsar-backdoor-connect-win7.pcap frame 87: ping MID 65 -> 81 (delta 0x10),
    # signature 79 4b 5d a4 00 00 00 00 -> key 0x31F1CB56, x86 (decisions.md 6). The profile's
    # probe answer is the Windows 7 one (id2t frame 16, 0xC0000205): vulnerable as well.
    check "$OUT" --count 1 ip=$A doublepulsar=infected doublepulsar_key=0x31F1CB56 \
      doublepulsar_arch=x86 doublepulsar_mid_delta=16 smb1=true verdict=vulnerable
    expect_rc 3 "an infected host"
    ;;
  win7-patched-modelled)
    # The Windows 7 reply with only the status changed to 0xC0000008 (decisions.md 11), identified
    # as Windows by NTLMSSP 6.1.7601 -> patched / invalid_handle (decisions.md 4).
    check "$OUT" --count 1 ip=$A port=445 verdict=patched reason=invalid_handle \
      nt_status=0xC0000008 smb1=true build=6.1.7601 doublepulsar=clean
    expect_rc 0 "patched is decided"
    ;;
  2012r2-member-anon-denied)
    # eternalsafety_wannacry.pcap frames 219, 240: anonymous SESSION_SETUP -> 0xC0000022
    # -> access_denied (decisions.md 2 row 9, 5), undecided: exit 4.
    check "$OUT" --count 1 ip=$A port=445 verdict=access_denied nt_status=0xC0000022 smb1=true
    expect_rc 4 "access_denied is undecided"
    ;;
  win10-1511)
    # tmnids_doublepulsar-backdoor-connect-win7.pcap (port 139 side): NTLMSSP 10.0 build 10586,
    # SMB1 anonymous and IPC$ accepted (frames 46, 48), SMB2 anonymous refused (30, 63).
    # Rows: build 10586 < 15063 so never patched/shipped_fixed (row 5); SMB1 works so not
    # smb1_disabled (row 6); an SMB2 refusal never gives access_denied (decisions.md 5).
    # No capture holds this host's answer to the probe, so the profile gives none: row 11, unknown
    # (never patched: no evidence), exit 4.
    check "$OUT" --count 1 ip=$A build=10.0.10586 smb1=true 'verdict!=access_denied' \
      'verdict!=smb1_disabled' 'reason!=shipped_fixed' 'verdict!=not_windows' verdict=unknown
    expect_rc 4 "unknown is undecided"
    ;;
  win2019-smb1)
    # sv_smb-eicar-file_input.pcap (all Unicode): the ASCII null session has no captured reply, so
    # the lab closes; the scanner's Unicode retry gets the NTLMSSP CHALLENGE (frame 8: 10.0 build
    # 17763, Native OS "Windows Server 2019 Standard 17763") and the anonymous AUTHENTICATE is
    # accepted (frame 10). Build 17763 >= 15063: row 5, patched / shipped_fixed, even without IPC$
    # (the capture has none: the lab closes there, so no probe status and no ping answer).
    check "$OUT" --count 1 ip=$A port=445 verdict=patched reason=shipped_fixed build=10.0.17763 \
      smb1=true nt_status=null auth=anonymous 'doublepulsar!=clean' 'doublepulsar!=infected'
    expect_rc 0 "patched is decided"
    ;;
  xpsp3-unpatched)
    # nixawk_MS17_010_xpsp3_msf.pcap: null session accepted (frame 8), CHALLENGE 5.1 build 2600
    # (frame 4), IPC$ (frame 10), PeekNamedPipe -> 0xC0000205 WordCount 0 (frame 12): row 7,
    # vulnerable / insuff_server_resources (decisions.md 4). The capture holds no answer to the
    # Trans2 ping (Metasploit's check sent none), so the lab closes: doublepulsar unknown (6).
    check "$OUT" --count 1 ip=$A port=445 verdict=vulnerable reason=insuff_server_resources \
      nt_status=0xC0000205 smb1=true build=5.1.2600 native_os="Windows 5.1" auth=anonymous \
      doublepulsar=unknown
    expect_rc 3 "a vulnerable host"
    ;;
  *) fail "unknown profile $PROFILE" ;;
esac
