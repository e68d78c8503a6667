#!/usr/bin/env bash
# Demo: install, build (release preset), start a small loopback lab in its own network namespace,
# scan it, print the table, clean everything up.
#   127.0.0.2  Samba, SMB1 on            127.0.0.3  Samba, SMB1 off
#   127.0.0.4  impacket smbserver.py     127.0.0.5  TCP listener answering non-SMB bytes
#   127.0.0.6-10  the lab responder (build/release/tests/lab/smbguard-lab), when built:
#                 win7-unpatched, win7-implanted, win7-patched-modelled, win10-1511,
#                 2012r2-member-anon-denied
# Then: smbguard scan 127.0.0.1-20 (127.0.0.1 and the unused addresses are closed).
# Nothing leaves the namespace; every process started dies with it. Exit 0 when the demo ran.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ "${1:-}" != --in-namespace ]; then
  cd "$ROOT"
  bash scripts/deps.sh
  cmake --preset release
  cmake --build --preset release
  exec "$ROOT/tests/integration/nsrun.sh" "$ROOT/scripts/demo.sh" --in-namespace
fi

# Inside the namespace (PID 1 of it).
. "$ROOT/tests/integration/lib.sh"
SG=$ROOT/build/release/src/smbguard
LABBIN=$ROOT/build/release/tests/lab/smbguard-lab
lab_init "$SG" "$LABBIN"
[ -x "$SG" ] || fail "scanner not built: $SG"

samba_start smb1-on 127.0.0.2 smb1on
samba_start smb1-off 127.0.0.3 smb1off
impacket_start impacket 127.0.0.4
junk_listener_start junk 127.0.0.5
if [ -x "$LABBIN" ]; then
  n=6
  for p in win7-unpatched win7-implanted win7-patched-modelled win10-1511 2012r2-member-anon-denied; do
    lab_start "$p" "127.0.0.$n" "$p"
    n=$((n + 1))
  done
else
  note "lab responder not built ($LABBIN): skipping the Windows profiles"
fi

echo
echo "== smbguard scan 127.0.0.1-20"
rc=0
"$SG" scan 127.0.0.1-20 --timeout 3 || rc=$?
echo
echo "== smbguard exit code: $rc (0 all clear, 3 vulnerable/infected found, 4 some hosts undecided)"
exit 0
