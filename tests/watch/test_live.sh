#!/usr/bin/env bash
# test_live.sh EXE SHARED: `smbguard watch -i lo` end to end, inside its own namespace (run through
# tests/integration/nsrun.sh): the frames of id2t_Win7_eternalblue_scan.pcap are sent on lo with a
# packet socket, Ctrl-C (SIGINT) ends the capture on a now quiet link (before the fix it never
# returned: ctest's TIMEOUT is the hang guard, the time is only printed), and the user sees what the
# table says for that capture (probe, vulnerable response, DoublePulsar ping; exit 3) plus in_iface.
set -euo pipefail
exe=$1 shared=$2
pcap=$shared/pcaps/id2t_Win7_eternalblue_scan.pcap
[ -r "$pcap" ] || { echo "SKIP: $pcap missing"; exit 77; }
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$exe" watch -i lo --json "$tmp/eve.json" 2> "$tmp/err" &
pid=$!
# ready when it says it is listening (the capture is active and filtered), not after a sleep
for _ in $(seq 1 200); do
  grep -q "listening on lo" "$tmp/err" && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/err"; echo "FAIL: watch -i lo exited early"; exit 1; }
  sleep 0.05
done
/usr/bin/python3 - "$pcap" <<'PY'
import socket, struct, sys
data = open(sys.argv[1], 'rb').read()
le = data[:4] == b'\xd4\xc3\xb2\xa1'
e = '<' if le else '>'
link = struct.unpack(e + 'I', data[20:24])[0]
assert link == 1, link  # Ethernet
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('lo', 0))
off, n = 24, 0
while off + 16 <= len(data):
    incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
    s.send(data[off + 16:off + 16 + incl])
    off += 16 + incl
    n += 1
print(f"sent {n} frames", file=sys.stderr)
PY
# the kernel hands a TPACKET_V3 block over after at most its 100 ms timeout: let that pass, then Ctrl-C
sleep 0.5
t0=$(date +%s%N)
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
cat "$tmp/err"
echo "exit $rc, stopped ${ms} ms after SIGINT"
[ "$rc" -eq 3 ] || { echo "FAIL: exit $rc, want 3 (vulnerable response seen)"; exit 1; }
/usr/bin/python3 - "$tmp/eve.json" <<'PY'
import collections, json, sys
c = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event_type"] == "alert":
        c[r["alert"]["signature"]] += 1
        assert r.get("in_iface") == "lo" and "pcap_filename" not in r, r
want = {"ms17_010.probe": 1, "ms17_010.vulnerable_response": 1, "doublepulsar.ping": 1}
bad = {k: (c[k], v) for k, v in want.items() if c[k] != v}
if bad or c["doublepulsar.implant_reply"]:
    print("FAIL", dict(c)); sys.exit(1)
print("ok", dict(c))
PY
