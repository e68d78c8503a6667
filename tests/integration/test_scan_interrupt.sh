#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
# Ctrl-C prints what was found so far: hosts already decided keep their verdicts, hosts in flight
# are written as unknown / interrupted, the summary and undecided count still go to stderr, and the
# exit code follows the usual rules (4: undecided hosts). The silent listeners would otherwise hold
# the scan for the whole --timeout.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
samba_start s 127.0.0.2 smb1on
for a in 127.0.0.3 127.0.0.4; do silent_listener_start "q${a##*.}" "$a"; done
t0=$(now_ms)
set +e
"$SMBGUARD" scan 127.0.0.2-4 --timeout 60 --json "$OUT" >"$LAB_TMP/out" 2>"$LAB_TMP/err" &
pid=$!
# wait until Samba's record is out, then interrupt
for _ in $(seq 200); do grep -q 127.0.0.2 "$OUT" 2>/dev/null && break; sleep 0.05; done
kill -INT "$pid"
wait "$pid"
rc=$?
set -e
ms=$(( $(now_ms) - t0 ))
cat "$LAB_TMP/err" >&2
[ "$ms" -lt 30000 ] || fail "the scan did not stop on SIGINT (took ${ms} ms)"
check "$OUT" --count 3 ip=127.0.0.2 verdict=not_windows reason=samba
check "$OUT" ip=127.0.0.3 verdict=unknown reason=interrupted
check "$OUT" ip=127.0.0.4 verdict=unknown reason=interrupted
grep -q "undecided: 2" "$LAB_TMP/err" || fail "no undecided count on stderr"
grep -q "interrupted" "$LAB_TMP/err" || fail "the summary does not say the scan was interrupted"
[ "$rc" = 4 ] || fail "exit code $rc, expected 4"
