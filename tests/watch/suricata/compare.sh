#!/usr/bin/env bash
# tests/watch/suricata/compare.sh: the shared captures through Suricata 7 with our restatement of
# the public signatures (restated.rules), in two setups, next to `smbguard watch` and the
# hand-written table ../expected.tsv. Informational (docs/suricata-comparison.md): differences
# between the tools are documentation, not failures.
#
#   compare.sh SMBGUARD PCAPS_DIR [REPORT_FILE [TABLE]]
#
# TABLE defaults to ../expected.tsv (the shared captures); for the generated fixtures give
# ../generated_expected.tsv and the directory gen_fixtures.py wrote.
#
# Setups (both with the default /etc/suricata/suricata.yaml, or $SURICATA_YAML, and -S restated.rules
# only):
#   default  as configured: pcap-file checksum-checks auto, stream.checksum-validation yes,
#            stream.midstream false, stream.async-oneside false
#   tuned    -k none --set stream.midstream=true --set stream.async-oneside=true
# Per capture it prints: our expected exploit-side detections, smbguard's alerts (and whether they
# equal the table), each setup's alerts as original SID(distinct flows), and caught yes/no.
#
# Exit: 0 after a complete comparison, 77 (skip) when suricata (or python3) is absent, 1 on script
# errors: a rule file Suricata will not load, a Suricata run that fails, smbguard exiting with
# anything but 0 or 3 (the comparison would be meaningless), a missing table or capture directory.
# Environment: SURICATA (binary), SURICATA_YAML, PYTHON, JOBS (parallel captures, default 2),
# KEEP_TMP=1 keeps the temp dir.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "${1-}" = "--worker" ]; then
  # One capture: suricata default, suricata tuned, smbguard. Runs under xargs -P.
  cap=$2
  name=$(basename "$cap")
  d=$CMP_TMP/$name
  mkdir -p "$d/default" "$d/tuned"
  for setup in default tuned; do
    extra=()
    if [ "$setup" = tuned ]; then
      extra=(-k none --set stream.midstream=true --set stream.async-oneside=true)
    fi
    if ! "$SURICATA" -c "$SURICATA_YAML" -S "$CMP_RULES" -r "$cap" -l "$d/$setup" "${extra[@]}" \
         >"$d/$setup/stdout" 2>"$d/$setup/stderr"; then
      echo "ERROR: suricata ($setup) failed on $name:" >&2
      tail -5 "$d/$setup/stderr" >&2
      exit 1
    fi
    [ -f "$d/$setup/eve.json" ] || { echo "ERROR: suricata ($setup) wrote no eve.json for $name" >&2; exit 1; }
  done
  rc=0
  extra=()
  # Extra watch options some fixtures are run with (as in check_expected.py EXTRA_ARGS).
  [ "$name" = killswitch_dns_resolver.pcap ] && extra=(--resolver 10.1.1.53)
  "$CMP_SMBGUARD" watch -q -r "$cap" --json "$d/smbguard.json" "${extra[@]}" >/dev/null 2>"$d/smbguard.stderr" || rc=$?
  echo "$rc" >"$d/smbguard.rc"
  if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
    echo "ERROR: smbguard watch exited $rc on $name:" >&2
    tail -5 "$d/smbguard.stderr" >&2
    exit 1
  fi
  exit 0
fi

if [ $# -lt 2 ]; then
  echo "usage: $0 SMBGUARD PCAPS_DIR [REPORT_FILE [TABLE]]" >&2
  exit 1
fi
smbguard=$1
pcaps=$2
report=${3-}

SURICATA=${SURICATA:-$(command -v suricata || true)}
if [ -z "$SURICATA" ] || ! [ -x "$SURICATA" ]; then
  echo "SKIP: suricata not installed (optional comparison)"
  exit 77
fi
PYTHON=${PYTHON:-$(command -v python3 || true)}
if [ -z "$PYTHON" ]; then
  echo "SKIP: python3 not found"
  exit 77
fi
SURICATA_YAML=${SURICATA_YAML:-/etc/suricata/suricata.yaml}
rules=$here/restated.rules
table=${4:-$here/../expected.tsv}
for f in "$smbguard" "$rules" "$table" "$SURICATA_YAML"; do
  [ -e "$f" ] || { echo "ERROR: missing $f" >&2; exit 1; }
done
[ -d "$pcaps" ] || { echo "ERROR: no capture directory $pcaps" >&2; exit 1; }

tmp=$(mktemp -d /tmp/smbguard-suricata.XXXXXX)
if [ "${KEEP_TMP-}" = 1 ]; then
  echo "temp dir kept: $tmp" >&2
else
  trap 'rm -rf "$tmp"' EXIT
fi

# 1. The rules load (suricata -T), as shipped and with the commented-out rules enabled too.
sed 's/^#DISABLED# //' "$rules" >"$tmp/all-enabled.rules"
for r in "$rules" "$tmp/all-enabled.rules"; do
  mkdir -p "$tmp/T"
  if ! "$SURICATA" -T -c "$SURICATA_YAML" -S "$r" -l "$tmp/T" >"$tmp/T/out" 2>&1; then
    echo "ERROR: suricata -T rejects $r:" >&2
    grep -E '^(E|W):' "$tmp/T/out" >&2 || tail -20 "$tmp/T/out" >&2
    exit 1
  fi
done
nrules=$(grep -c '^alert' "$rules")
ndis=$(grep -c '^#DISABLED# alert' "$rules")

# 2. Every capture, JOBS at a time.
export CMP_TMP=$tmp/runs CMP_RULES=$rules CMP_SMBGUARD=$smbguard SURICATA SURICATA_YAML
mkdir -p "$CMP_TMP"
start=$(date +%s)
find "$pcaps" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 |
  sort -z | xargs -0 -r -n1 -P "${JOBS:-2}" bash "$here/compare.sh" --worker
elapsed=$(( $(date +%s) - start ))

# 3. The report.
{
  echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -sr), ${elapsed} s for all captures"
  echo "Suricata: $("$SURICATA" -V 2>/dev/null | head -1) ($SURICATA), config $SURICATA_YAML"
  echo "Rules: $rules ($nrules enabled, $ndis commented out as in the source rule sets; all load in suricata -T)"
  echo "smbguard: $("$smbguard" --version 2>/dev/null | head -1) ($smbguard, sha256 $(sha256sum "$smbguard" | cut -c1-16)..., built $(date -u -r "$smbguard" '+%Y-%m-%d %H:%M UTC'))"
  echo "default: suricata -c $SURICATA_YAML -S restated.rules -r CAPTURE -l DIR"
  echo "tuned:   suricata -c $SURICATA_YAML -S restated.rules -r CAPTURE -l DIR -k none --set stream.midstream=true --set stream.async-oneside=true"
  echo "smbguard: smbguard watch -q -r CAPTURE --json FILE"
  echo "Captures: $pcaps; table: $table"
  echo
  "$PYTHON" "$here/compare_report.py" "$table" "$rules" "$CMP_TMP"
} >"$tmp/report.md"
cat "$tmp/report.md"
if [ -n "$report" ]; then
  cp "$tmp/report.md" "$report"
fi
exit 0
