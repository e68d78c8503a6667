#!/usr/bin/env bash
# Usage (ctest does this): nsrun.sh THIS_SCRIPT SMBGUARD [LAB_RESPONDER]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_init "$@"
OUT=$LAB_TMP/scan.json
# Nothing listens on 127.0.0.2: RST on 445 and on 139 -> closed / refused (decisions.md 2 row 2).
# closed hosts still get their line in the JSON output (decisions.md 7).
run_scan "$OUT" 127.0.0.2
check "$OUT" --count 1 ip=127.0.0.2 verdict=closed reason=refused smb1=null ports_open=[] \
  doublepulsar=not_checked
expect_rc 0 "closed is decided"
