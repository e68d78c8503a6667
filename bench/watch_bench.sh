#!/usr/bin/env bash
# bench/watch_bench.sh: the traffic benchmark of issue 4. Builds the release preset, assembles an
# SMB-heavy capture of at least SIZE_MB MB from the shared captures (bench/gen_watch_capture.py:
# K copies of 20 exploit + benign captures, every copy of every capture with its own addresses and
# its own time slot, so alert counts scale with K), then in the same run, warm cache, each pinned to
# one core with taskset, median of RUNS:
#   * the bare libpcap read loop (bench/pcap_loop.c): the limit;
#   * smbguard watch -q -r BIG --json FILE: its alert counts per signature must equal the table
#     (tests/watch/expected.tsv) times K (bench/watch_expect.py), or the run does not count;
#   * Suricata 7 --runmode single -k none, default /etc/suricata/suricata.yaml (SMB parser on, EVE
#     on), rules: tests/watch/suricata/*.rules when present, else -S /dev/null.
# Peak RSS of each from /usr/bin/time -v. Runs inside a private network namespace (nothing here
# uses the network; every helper dies with the script).
# Usage: bench/watch_bench.sh [SIZE_MB (300)] [--runs N (3)] [--no-build] [--no-suricata] [--keep]
#   env: BENCH_CPU (core to pin to; default the last one), TMPDIR (where the big capture goes)
# Needs: scripts/deps-bench.sh. Output: a report on stdout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SMBGUARD_BENCH_NS:-}" ]; then
  export SMBGUARD_BENCH_NS=1
  exec unshare --net --pid --fork --mount-proc --kill-child -- "$0" "$@"
fi
SIZE_MB=300; RUNS=3; BUILD=1; SURI=1; KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift ;;
    --no-build) BUILD=0 ;;
    --no-suricata) SURI=0 ;;
    --keep) KEEP=1 ;;
    [0-9]*) SIZE_MB=$1 ;;
    *) echo "usage: $0 [SIZE_MB] [--runs N] [--no-build] [--no-suricata] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
B=${SMBGUARD_BUILD:-$ROOT/build/release}
PCAPS=${SMBGUARD_SHARED:-$ROOT/../shared}/pcaps
TABLE=$ROOT/tests/watch/expected.tsv
CPU=${BENCH_CPU:-$(( $(nproc) - 1 ))}
MEMCAP_MB=64   # smbguard watch's default --memcap (64 MiB): the runs below do not pass one

if [ "$BUILD" = 1 ]; then
  (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build --preset release >/dev/null) \
    || { echo "release build failed" >&2; exit 1; }
fi
SG=$B/src/smbguard
[ -x "$SG" ] || { echo "no release build at $B: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
mkdir -p "$B/bench"
cc -O2 -o "$B/bench/pcap_loop" "$ROOT/bench/pcap_loop.c" -lpcap
LOOP=$B/bench/pcap_loop

T=$(mktemp -d "${TMPDIR:-/tmp}/smbguard-watch-bench.XXXXXX")
cleanup() { kill $(jobs -p) 2>/dev/null || true; [ "$KEEP" = 1 ] && echo "kept $T" >&2 || rm -rf "$T"; }
trap cleanup EXIT

# The capture set: every shared capture that carries SMB sessions and whose unicast addresses are all
# private (so the rewrite into 10.0.0.0/8 keeps each address inside the home net) and with no TCP
# over IPv6: exploits/scans/implants (11) and benign SMB1/SMB2/SMB3 traffic (9). Left out: the
# captures with public unicast peers (elcabezzonn_aug16_part2, _aug_16_par4, _more_netshare,
# _windows_miscellany, eternalsafety_eternalchampion, malcolm_protocols_DNS, zeek_dssetup), the ones
# with little or no SMB (tmnids_esteemedaudit, tmnids_eternalblue-failed-patched, the tiny
# ndpi_smb_frags/zeek_* handshakes), sv_smb-eicar (Linux cooked link type) and zeek_raw_ntlm_in_smb
# (the table does not say what its client offers: smb1.client_only undetermined).
CAPS="bofl_ms17-010.pcap eternalsafety_metasploit-ms017-010-win7x64.pcap eternalsafety_wannacry.pcap
id2t_Win7_eternalblue_exploit.pcap id2t_Win7_eternalblue_scan.pcap nixawk_MS17_010_xpsp3_msf.pcap
sop_eternalblue.pcapng tmnids_eternalblue-success-unpatched-win7.pcap tmnids_doublepulsar-backdoor-connect-win7.pcap
tmnids_eternalromance-doublepulsar-meterpreter.pcap tmnids_eternalromance-success-2008r2.pcap
sv_smb2-05_20171220_smb_mimikatz_copy_to_host.pcap sv_smb2-01_smb2-peter.pcap sv_dcerpc_zerologon_input.pcap
zeek_smb2_100_small_files.pcap elcabezzonn_psexec_cmd.pcap elcabezzonn_remote_copy_of_file.pcap
ndpi_smb_deletefile.pcap sv_smb-length-5770_input.pcap nixawk_cve-2017-7494-sambacry.pcap"
CAPS=$(echo $CAPS)

echo "# smbguard watch benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(uname -r))"
echo "load before: $(uptime | sed 's/.*load average/load average/')"
BIG=$T/big.pcap
read -r _ K _ NPK _ NBY _ NINST < <(python3 "$ROOT/bench/gen_watch_capture.py" "$PCAPS" "$BIG" "min:$((SIZE_MB * 1000000))" $CAPS)
FSZ=$(stat -c %s "$BIG")
echo "capture: $BIG, $FSZ bytes ($((FSZ / 1000000)) MB), $NPK packets, $NBY packet bytes: $K copies of $(echo $CAPS | wc -w) captures ($NINST instances)"
echo "  captures: $CAPS"
cat "$BIG" >/dev/null   # warm the page cache
echo "pinned to core $CPU (taskset); median of $RUNS; MB = 10^6 bytes of capture file; wall time includes start-up"

# run LABEL CMD...: RUNS timed runs; sets MED (median seconds) and RSS (max peak RSS, KiB)
run() {
  local label=$1; shift
  local times=() rsss=() i t0 t1 rc
  for i in $(seq "$RUNS"); do
    [ -n "${PRE:-}" ] && eval "$PRE"
    t0=$(date +%s.%N)
    set +e
    taskset -c "$CPU" /usr/bin/time -v -o "$T/time.$i" "$@" >"$T/out.$i" 2>"$T/err.$i"
    rc=$?
    set -e
    t1=$(date +%s.%N)
    if [ "$rc" != 0 ] && [ "$rc" != "${OKRC:-0}" ]; then
      echo "$label: exit $rc" >&2; tail -n 5 "$T/err.$i" >&2; exit 1
    fi
    times+=("$(echo "$t1 - $t0" | bc)")
    rsss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$T/time.$i")")
    [ -n "${POST:-}" ] && eval "$POST"
  done
  MED=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  RSS=$(printf '%s\n' "${rsss[@]}" | sort -g | tail -n 1)
  local mbs pps
  mbs=$(python3 -c "print(f'{$FSZ/1e6/$MED:.1f}')")
  pps=$(python3 -c "print(f'{$NPK/$MED:,.0f}')")
  echo "$label: median $(printf '%.3f' "$MED") s (runs: $(printf '%.3f ' "${times[@]}")s) = $mbs MB/s, $pps packets/s; peak RSS $((RSS / 1024)) MB"
}

run "bare libpcap loop" "$LOOP" "$BIG"
grep -q "^packets $NPK " "$T/out.1" || { echo "bare loop read $(cat "$T/out.1"), want $NPK packets" >&2; exit 1; }
LOOP_S=$MED

COUNTS_OK=1
OKRC=3 POST='python3 "$ROOT/bench/watch_expect.py" "$TABLE" "$K" "$SG" "$T/sg.json" $CAPS >"$T/cmp.$i" || COUNTS_OK=0' \
  run "smbguard watch" "$SG" watch -q -r "$BIG" --json "$T/sg.json"
SG_S=$MED; SG_RSS=$RSS
echo "  alert counts, run 1 of $RUNS (each run checked: $([ "$COUNTS_OK" = 1 ] && echo 'all equal' || echo 'NOT ALL EQUAL'); table $TABLE x $K):"
cat "$T/cmp.1"
for i in $(seq 2 "$RUNS"); do
  cmp -s <(sed 1d "$T/cmp.1") <(sed 1d "$T/cmp.$i") || { echo "  run $i differs:"; cat "$T/cmp.$i"; }
done
echo "  peak RSS $((SG_RSS / 1024)) MB vs --memcap $MEMCAP_MB MiB (default): $([ $((SG_RSS)) -le $((MEMCAP_MB * 1024)) ] && echo within || echo ABOVE)"

if [ "$SURI" = 1 ] && command -v suricata >/dev/null; then
  shopt -s nullglob
  RULES=("$ROOT"/tests/watch/suricata/*.rules)
  shopt -u nullglob
  if [ ${#RULES[@]} -gt 0 ]; then
    cat "${RULES[@]}" >"$T/all.rules"
    RF=$T/all.rules
    RDESC="$(grep -c '^[[:space:]]*alert' "$T/all.rules") rules from $(printf '%s ' "${RULES[@]#"$ROOT"/}")"
  else
    RF=/dev/null
    RDESC="no rules (-S /dev/null: tests/watch/suricata/*.rules absent)"
  fi
  mkdir -p "$T/suri"
  echo "suricata: $(suricata -V 2>&1 | head -n 1); $RDESC; default /etc/suricata/suricata.yaml (app-layer smb: $(awk '/^    smb:/ {f=1} f && /enabled:/ {print $2; exit}' /etc/suricata/suricata.yaml))"
  PRE='rm -rf "$T/suri"/*' run "suricata 7 --runmode single" \
    suricata --runmode single -k none -r "$BIG" -l "$T/suri" -S "$RF"
  SU_S=$MED
  grep -o 'read 1 file, [0-9]* packets, [0-9]* bytes' "$T/suri/suricata.log" | sed 's/^/  suricata: /' || true
  python3 - "$T/suri/eve.json" <<'PY'
import collections, json, sys
c = collections.Counter()
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("event_type") == "alert":
        c[r["alert"]["signature"]] += 1
print("  suricata alerts: " + (", ".join(f"{k} {v}" for k, v in c.most_common(12)) or "none"))
PY
  echo "ratio smbguard / suricata: $(python3 -c "print(f'{$SU_S/$SG_S:.1f}')")x (target >= 10x)"
else
  echo "suricata: skipped"
fi
echo "ratio smbguard / bare loop: $(python3 -c "print(f'{100*$LOOP_S/$SG_S:.0f}')") % of the loop's throughput (target >= 25 %)"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
[ "$COUNTS_OK" = 1 ] || echo "RESULT DOES NOT COUNT: smbguard's alert counts differ from the table x $K"
