#!/bin/sh
# run_selftest.sh: lab.selftest body, run inside `unshare --net --pid --fork --mount-proc`: brings lo up,
# starts smbguard-lab on 127.0.0.x / ::1, waits for "ready", replays the captures, then a bulk /22 mix.
set -u
LAB=$1 CLIENT=$2 SHARED=$3
export SMBGUARD_SHARED="$SHARED"
ip link set lo up || exit 1
sysctl -qw net.ipv4.icmp_ratelimit=0
TMP=$(mktemp -d) || exit 1
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# Waits until the responder printed "ready" (no sleeping on a guess).
start() {
    mkfifo "$TMP/out"
    "$LAB" "$@" >"$TMP/out" &
    PID=$!
    read -r line <"$TMP/out" || line=
    rm -f "$TMP/out"
    [ "$line" = ready ] || { echo "smbguard-lab did not start"; exit 1; }
}
stop() { kill "$PID"; wait "$PID"; rc=$?; PID=; [ $rc -eq 0 ] || { echo "smbguard-lab exit $rc"; exit 1; }; }

start --listen 127.0.0.11:445/win7-unpatched --listen 127.0.0.11:139/win7-unpatched \
      --listen '[::1]:445/win7-unpatched' --listen 127.0.0.12:445/win7-implanted \
      --listen 127.0.0.13:445/win7-patched-modelled --listen 127.0.0.14:445/2012r2-member-anon-denied \
      --listen 127.0.0.15:139/win10-1511 --listen 127.0.0.16:445/win2019-smb1 \
      --listen 127.0.0.17:445/xpsp3-unpatched --listen 127.0.0.21:445/win7-unpatched/silent \
      --listen 127.0.0.22:445/win7-unpatched/garbage --listen 127.0.0.23:445/win7-unpatched/drip
"$CLIENT" replay || exit 1
stop

MIX=win7-unpatched=40,win7-patched-modelled=30,closed=10,win7-implanted=10,win10-1511=10
"$LAB" --hosts 127.1.0.0/22 --port 445 --mix "$MIX" --print-mix >"$TMP/mix" || exit 1
# Hand-computed: 1024 * pct / 100 floored (409, 307, 102, 102, 102 = 1022), the 2 left over go to
# the first entries in --mix order.
printf 'win7-unpatched 410\nwin7-patched-modelled 308\nclosed 102\nwin7-implanted 102\nwin10-1511 102\ntotal 1024\n' >"$TMP/want"
cmp -s "$TMP/mix" "$TMP/want" || { echo "FAIL --print-mix"; cat "$TMP/mix"; exit 1; }
echo "ok   --print-mix counts"
"$LAB" --hosts 127.1.0.0/22 --port 445 --mix "$MIX" --print-map >"$TMP/map" || exit 1
for p in win7-unpatched win7-patched-modelled closed win7-implanted win10-1511; do
    grep -c " $p\$" "$TMP/map" | tr '\n' ' '
done | grep -qx '410 308 102 102 102 ' || { echo "FAIL --print-map disagrees with --print-mix"; exit 1; }
start --hosts 127.1.0.0/22 --port 445 --mix "$MIX"
"$CLIENT" bulk "$TMP/map" 445 || exit 1
stop
echo "lab.selftest: passed"
