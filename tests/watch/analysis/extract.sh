#!/bin/sh
# Reproduce the readings behind tests/watch/expected.tsv.
# usage: tests/watch/analysis/extract.sh [OUTDIR]   (reads ../shared/pcaps; writes only OUTDIR)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pcaps=${PCAPS:-$here/../../../../shared/pcaps}
out=${1:-/tmp/smbguard-watch-readings}
mkdir -p "$out"
for f in "$pcaps"/*; do
  b=$(basename "$f")
  tshark -r "$f" -n -Y 'tcp.port==445 || tcp.port==139' -T fields -E separator=/t \
    -e frame.number -e frame.time_epoch -e ip.src -e ipv6.src -e tcp.srcport \
    -e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.flags -e tcp.seq_raw -e tcp.payload > "$out/$b.tcp"
  python3 "$here/smbscan.py" "$out/$b.tcp" > "$out/$b.ev"
  python3 "$here/smb1facts.py" "$out/$b.ev" > "$out/$b.facts"
  # kill-switch labels in DNS / HTTP (expected: no output for any shared capture)
  tshark -r "$f" -n -Y 'dns || http.request' -T fields -e dns.qry.name -e http.host \
    | tr '\t,' '\n\n' | grep -iE 'iuqerfsodp9|ifferfsodp9|ayylmaotjhsstasdf|iuqssfsodp9|wergweb' \
    | sed "s|^|$b: |" || true
done
# the .tcp dumps hold payload hex: delete them when done
echo "readings in $out (*.ev, *.facts); remove $out/*.tcp after use"
