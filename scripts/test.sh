#!/usr/bin/env bash
# Install what is missing, configure and build with the `ci` preset (ASan+UBSan, -Werror), and run the
# fast tests (unit, integration, ...). Exit code: ctest's.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/deps.sh
cmake --preset ci
cmake --build --preset ci
rc=0
ctest --preset ci -L fast -j2 --output-on-failure || rc=$?
exit "$rc"
