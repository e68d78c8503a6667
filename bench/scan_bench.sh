#!/usr/bin/env bash
# bench/scan_bench.sh: the scanner benchmark of issue 2. A lab of loopback hosts in a private network
# namespace (the lab responder binds one listener per address; `closed` addresses stay unbound), a
# known mix of profiles, scanned in full by smbguard (release build), its verdict counts checked
# against the mix; in the same run nmap's smb-vuln-ms17-010 + smb-double-pulsar-backdoor on 256 and
# 4,096 of the same hosts; then the 127.0.0.0/8 RSS run (stopped after 30 s, RSS sampled).
# Usage: bench/scan_bench.sh [PREFIX_LEN (16)] [--no-nmap] [--no-slash8]    Output: a report on stdout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SMBGUARD_BENCH_NS:-}" ]; then
  export SMBGUARD_BENCH_NS=1
  exec unshare --net --pid --fork --mount-proc --kill-child -- "$0" "$@"
fi
PFX=16; NMAP=1; SLASH8=1
for a in "$@"; do
  case "$a" in
    --no-nmap) NMAP=0 ;;
    --no-slash8) SLASH8=0 ;;
    [0-9]*) PFX=$a ;;
  esac
done
B=${SMBGUARD_BUILD:-$ROOT/build/release}
SG=$B/src/smbguard
LAB=$B/tests/lab/smbguard-lab
[ -x "$SG" ] && [ -x "$LAB" ] || { echo "build the release preset first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
MIX="win7-unpatched=40,win7-patched-modelled=30,closed=10,win7-implanted=10,win10-1511=10"
NET=127.1.0.0/$PFX
T=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT

# sysctls inside this namespace only
ip link set lo up
SYSCTLS="net.ipv4.icmp_ratelimit=0 net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535"
for s in $SYSCTLS; do sysctl -qw "$s"; done
ulimit -n "$(ulimit -Hn)"

echo "# smbguard scan benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -r))"
echo "sysctls (namespace only): $SYSCTLS; open files: $(ulimit -n)"
echo "lab: $NET, mix $MIX"
"$LAB" --hosts "$NET" --port 445 --mix "$MIX" --print-mix >"$T/mix"
mkfifo "$T/ready"
"$LAB" --hosts "$NET" --port 445 --mix "$MIX" >"$T/ready" 2>"$T/lab.err" &
read -r _ <"$T/ready"

# expected verdict counts from the mix (hand mapping, decisions.md 2):
#   win7-unpatched -> vulnerable; win7-implanted -> vulnerable (+ doublepulsar infected);
#   win7-patched-modelled -> patched; closed -> closed; win10-1511 -> unknown (the capture holds
#   no answer to the probe, so the responder closes there)
python3 - "$T/mix" >"$T/expected" <<'PY'
import sys
m = dict(l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith('total'))
m = {k: int(v) for k, v in m.items()}
exp = {'vulnerable': m['win7-unpatched'] + m['win7-implanted'], 'patched': m['win7-patched-modelled'],
       'closed': m['closed'], 'unknown': m['win10-1511'], 'infected': m['win7-implanted']}
print(' '.join(f'{k}={v}' for k, v in sorted(exp.items())))
PY

count() { # NDJSON -> "closed=.. infected=.. patched=.. ..."
  python3 - "$1" <<'PY'
import json, sys, collections
c = collections.Counter()
for l in open(sys.argv[1]):
    r = json.loads(l); c[r['verdict']] += 1
    if r['doublepulsar'] == 'infected': c['infected'] += 1
print(' '.join(f'{k}={v}' for k, v in sorted(c.items())))
PY
}

run_sg() { # LABEL TARGET
  local label=$1 target=$2
  /usr/bin/time -f "%e %M %U %S" -o "$T/time" "$SG" scan "$target" --json "$T/out.json" --no-table --no-progress -q ${SG_EXTRA:-} \
    >/dev/null 2>"$T/sg.err" || true
  read -r el rss us sy < <(tail -n 1 "$T/time")
  local n; n=$(wc -l <"$T/out.json")
  echo "$label: $n hosts in ${el} s = $(python3 -c "print(round($n/$el))") hosts/s; peak RSS $((rss / 1024)) MB; CPU user ${us} s, sys ${sy} s"
  SG_EL=$el
}

lab_cpu() { # user+system seconds of the responder and its workers so far
  local t=0 p
  for p in $(pgrep -f "smbguard-lab --hosts"); do
    t=$(( t + $(awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null || echo 0) ))
  done
  echo "scale=2; $t / $(getconf CLK_TCK)" | bc
}
c0=$(lab_cpu)
run_sg "smbguard $NET" "$NET"
echo "  lab responder CPU during the scan: $(echo "$(lab_cpu) - $c0" | bc) s"
got=$(count "$T/out.json"); want=$(cat "$T/expected")
echo "  verdicts: $got"
echo "  expected: $want"
if [ "$got" != "$want" ]; then echo "  RESULT DOES NOT COUNT: verdict counts differ from the mix" ; fi
FULL_EL=$SG_EL

if [ "$NMAP" = 1 ] && command -v nmap >/dev/null; then
  for n in 256 4096; do
    last=$(python3 -c "import ipaddress; print(ipaddress.ip_address('127.1.0.0') + $n - 1)")
    tgt="127.1.0.0-$(echo "$last" | cut -d. -f3).0-255"
    [ "$n" = 256 ] && tgt=127.1.0.0/24
    [ "$n" = 4096 ] && tgt=127.1.0.0/20
    /usr/bin/time -f "%e %M" -o "$T/ntime" nmap -n -Pn -sT -p445 --script smb-vuln-ms17-010,smb-double-pulsar-backdoor \
      --script-args vulns.showall -oN "$T/nmap.$n" "$tgt" >/dev/null 2>&1 || true
    read -r nel nrss < <(tail -n 1 "$T/ntime")
    nv=$(grep -c "State: VULNERABLE" "$T/nmap.$n" || true)
    run_sg "smbguard $tgt" "$tgt"
    echo "nmap $tgt: ${nel} s = $(python3 -c "print(round($n/$nel))") hosts/s (peak RSS $((nrss / 1024)) MB; VULNERABLE lines: $nv); smbguard is $(python3 -c "print(round($nel/$SG_EL, 1))")x faster"
  done
fi

if [ "$SLASH8" = 1 ]; then
  # RSS bound with 127.0.0.0/8 in the target list: stopped after 30 s, RSS sampled every 0.5 s
  "$SG" scan 127.0.0.0/8 --json /dev/null --no-table --no-progress --timeout 1 >/dev/null 2>"$T/s8.err" &
  pid=$!
  max=0
  for _ in $(seq 60); do
    sleep 0.5
    r=$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${r:-0}" -gt "$max" ] && max=$r
  done
  kill -INT $pid; wait $pid || true
  echo "smbguard 127.0.0.0/8 for 30 s: peak RSS $((max / 1024)) MB (sampled); $(grep -o '[0-9]* hosts in [0-9.]* s' "$T/s8.err" || true)"
fi
