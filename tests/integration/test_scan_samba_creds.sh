#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
# Supplied credentials (decisions.md 5) against real Samba that refuses anonymous and guest and
# requires signing: the NTLMv2 login works and the signed SMB1 session reaches the MS17-010 probe;
# a wrong password trips the circuit breaker so the credential is not tried on the next host.
# Samba is not Windows, and credentials go only to Windows hosts: the test hook
# SMBGUARD_TEST_CREDS_ANY_HOST=1 lifts that one rule so a real server can check our NTLMv2 and
# signing bytes (no free Windows server exists for this).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
for a in 127.0.0.2 127.0.0.3; do
  samba_start "c${a##*.}" "$a" signing "map to guest = Never" "restrict anonymous = 2"
done
# the Unix user "daemon" exists on Debian; give it a Samba password in each private passdb
for n in c2 c3; do
  conf_var="SAMBA_CONF_$n"
  printf 'Secret-123\nSecret-123\n' | smbpasswd -c "${!conf_var}" -s -a daemon >/dev/null
done
export SMBGUARD_TEST_CREDS_ANY_HOST=1

# 1. no credentials: Samba accepts the anonymous session but refuses it IPC$; it is identified as
#    Samba before that matters (row 8 precedes row 9), and the probe is never reached
run_scan "$OUT" 127.0.0.2
check "$OUT" --count 1 ip=127.0.0.2 verdict=not_windows reason=samba signing_required_smb1=true auth=anonymous \
  nt_status=null
expect_rc 0 "decided"

# 2. right password in an auth file: NTLMv2 + signed session reach the probe; Samba answers
#    0xC0000008 and is not Windows
AUTH=$LAB_TMP/auth
printf 'username = daemon\npassword = Secret-123\ndomain = LABGROUP\n' >"$AUTH"
chmod 644 "$AUTH"
set +e
"$SMBGUARD" scan 127.0.0.2 --auth-file "$AUTH" --json "$OUT" >/dev/null 2>"$LAB_TMP/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "a world-readable --auth-file must be refused with exit 2, got $rc"
grep -q "readable by group or others" "$LAB_TMP/err" || fail "no reason given for refusing the auth file"
chmod 600 "$AUTH"
run_scan "$OUT" 127.0.0.2 --auth-file "$AUTH"
check "$OUT" --count 1 ip=127.0.0.2 verdict=not_windows reason=samba auth=user nt_status=0xC0000008
expect_rc 0 "decided"

# 3. wrong password from the environment: the first failure disables the credential everywhere
export SMBGUARD_USER=daemon SMBGUARD_PASSWORD=wrong SMBGUARD_DOMAIN=LABGROUP
run_scan "$OUT" 127.0.0.2-3 --max-parallel 1
check "$OUT" --count 2
for a in 127.0.0.2 127.0.0.3; do
  check "$OUT" ip=$a verdict=not_windows auth=anonymous nt_status=null
done
grep -q "credentials were disabled after STATUS_LOGON_FAILURE on 127.0.0.2" "$OUT.stderr" || \
  fail "the circuit breaker did not say it tripped on the first host"
[ "$(grep -c 'credentials refused' "$OUT.stderr")" = 1 ] || fail "credentials were refused more than once"
expect_rc 0 "decided"
