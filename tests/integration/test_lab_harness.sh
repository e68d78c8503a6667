#!/usr/bin/env bash
# Harness self-test (no scanner needed): every lab peer answers the way lab-notes.md and the scanner
# tests assume. Checked with independent clients: a raw SMB1 negotiate (probe.py), smbclient, nmap.
# Prints how long each peer took to start listening.
# Usage (ctest does this): nsrun.sh THIS_SCRIPT [SMBGUARD [LAB_RESPONDER]]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
P() { "$SMBGUARD_PY" "$LIB_DIR/probe.py" "$@"; }
expect() { # WHAT GOT PATTERN
  if [[ "$2" =~ $3 ]]; then note "ok: $1: $2"; else fail "$1: got '$2', expected /$3/"; fi
}

t0=$(now_ms)
samba_start on 127.0.0.2 smb1on
samba_start off 127.0.0.3 smb1off
samba_start only 127.0.0.4 smb1only
samba_start sign 127.0.0.5 signing
impacket_start imp 127.0.0.6
junk_listener_start j 127.0.0.7
silent_listener_start q 127.0.0.8
drop_syns 127.0.0.9
note "lab of 8 peers up in $(( $(now_ms) - t0 )) ms"

# Raw SMB1 negotiate offering only NT LM 0.12 (lab-notes "What each real peer answers").
expect "samba smb1 on: negotiate" "$(P smb1neg 127.0.0.2)" '^proto=smb1 status=0x00000000 wc=17 dialect=0x0000 secmode=0x03$'
expect "samba smb1 off: negotiate" "$(P smb1neg 127.0.0.3)" '^proto=smb1 status=0x00000000 wc=1 dialect=0xffff'
expect "samba smb1 only: negotiate" "$(P smb1neg 127.0.0.4)" '^proto=smb1 status=0x00000000 wc=17 dialect=0x0000'
# SecurityMode 0x08 = signatures required
expect "samba signing: negotiate" "$(P smb1neg 127.0.0.5)" '^proto=smb1 status=0x00000000 wc=17 dialect=0x0000 secmode=0x0f$'
expect "impacket: negotiate" "$(P smb1neg 127.0.0.6)" '^proto=smb1 status=0x00000000 wc=17 dialect=0x0000'
expect "junk listener" "$(P banner 127.0.0.7 445 2)" '^48545450' # "HTTP"
expect "silent listener" "$(P banner 127.0.0.8 445 0.5)" '^silent$'
expect "dropped SYNs 445" "$(P connect 127.0.0.9 445 0.5)" '^timeout$'
expect "dropped SYNs 139" "$(P connect 127.0.0.9 139 0.5)" '^timeout$'
expect "closed 445" "$(P connect 127.0.0.10 445 0.5)" '^refused$'
expect "closed 139" "$(P connect 127.0.0.10 139 0.5)" '^refused$'

# smbclient: SMB1 share listing on/only/impacket; SMB2 listing on/off; SMB2 fails on smb1only.
smb1() { timeout 20 smbclient -N -g -L "//$1" -m NT1 --option='client min protocol=NT1' 2>&1 || true; }
smb2() { timeout 20 smbclient -N -g -L "//$1" 2>&1 || true; }
expect "smbclient SMB1 samba on" "$(smb1 127.0.0.2 | grep -c '^IPC|IPC\$')" '^1$'
expect "smbclient SMB2 samba on" "$(smb2 127.0.0.2 | grep -c '^IPC|IPC\$')" '^1$'
expect "smbclient SMB1 samba off" "$(smb1 127.0.0.3 | grep -c 'protocol negotiation failed')" '^1$'
expect "smbclient SMB2 samba off" "$(smb2 127.0.0.3 | grep -c '^IPC|IPC\$')" '^1$'
expect "smbclient SMB1 samba only" "$(smb1 127.0.0.4 | grep -c '^IPC|IPC\$')" '^1$'
expect "smbclient SMB2 samba only" "$(smb2 127.0.0.4 | grep -c 'protocol negotiation failed')" '^1$'
expect "smbclient SMB1 impacket" "$(smb1 127.0.0.6 | grep -c '^Disk|SHARE|')" '^1$'

# nmap: dialects and signing (one run over the four Samba peers).
NM=$LAB_TMP/nmap-harness.txt
t1=$(now_ms)
nmap -n -Pn -p445 --script smb-protocols,smb-security-mode,smb2-security-mode -oN "$NM" 127.0.0.2-5 >/dev/null 2>&1 || fail "nmap failed"
note "nmap smb-protocols/security-mode over 4 Samba peers: $(( $(now_ms) - t1 )) ms"
host_block() { awk -v h="Nmap scan report for $1" '$0==h{p=1;next} /^Nmap scan report/{p=0} p' "$NM"; }
expect "nmap samba on: SMB1" "$(host_block 127.0.0.2 | grep -c 'NT LM 0.12')" '^1$'
expect "nmap samba on: SMB2 dialects" "$(host_block 127.0.0.2 | grep -cE '^\|_?\s+(202|2:0:2)$')" '^1$'
expect "nmap samba off: no SMB1" "$(host_block 127.0.0.3 | grep -c 'NT LM 0.12')" '^0$'
expect "nmap samba only: SMB1" "$(host_block 127.0.0.4 | grep -c 'NT LM 0.12')" '^1$'
expect "nmap samba only: no SMB2" "$(host_block 127.0.0.4 | grep -cE '^\|_?\s+(202|2:0:2)$')" '^0$'
expect "nmap samba signing: SMB1 required" "$(host_block 127.0.0.5 | grep -c 'message_signing: required')" '^1$'
expect "nmap samba signing: SMB2 required" "$(host_block 127.0.0.5 | grep -c 'enabled and required')" '^1$'
expect "nmap samba on: signing not required" "$(host_block 127.0.0.2 | grep -c 'message_signing: disabled')" '^1$'

if [ -n "$SMBGUARD_LAB" ] && [ -x "$SMBGUARD_LAB" ]; then
  lab_start unp 127.0.0.11 win7-unpatched
  expect "lab win7-unpatched: negotiate" "$(P smb1neg 127.0.0.11)" '^proto=smb1 status=0x00000000 wc=17'
fi

# Stop by PID and check nothing is left listening.
samba_stop on; samba_stop off; samba_stop only; samba_stop sign
expect "samba stopped" "$(P connect 127.0.0.2 445 0.5)" '^refused$'
echo "ok: lab harness ($(( $(now_ms) - t0 )) ms)"
