#!/usr/bin/env bash
# scripts/deps-bench.sh: installs what the benchmarks in bench/ and the slow watch tests need, on
# Debian 12 (bookworm), as root. Idempotent: run it as often as you like. Not called by CI.
#   * suricata 7 from bookworm-backports (the comparison peer of bench/watch_bench.sh; Debian 12 main
#     ships 6.0): adds /etc/apt/sources.list.d/backports.sources when no bookworm-backports source
#     exists yet;
#   * tcpreplay (bench/watch_live.sh), tshark/wireshark-common (mergecap, capinfos), libpcap-dev and
#     a C compiler (bench/pcap_loop.c), time (/usr/bin/time -v: peak RSS), bc, util-linux (taskset, unshare),
#     iproute2 (ip netns, veth), python3, cmake + ninja (the release build), nmap (bench/scan_bench.sh).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "deps-bench.sh: run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

. /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] || echo "deps-bench.sh: written for Debian 12 (bookworm), this is ${PRETTY_NAME:-unknown}" >&2

if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat >/etc/apt/sources.list.d/backports.sources <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  echo "deps-bench.sh: added /etc/apt/sources.list.d/backports.sources"
  UPDATE=1
fi

PKGS="tcpreplay tshark wireshark-common libpcap-dev gcc make cmake ninja-build python3 time bc util-linux iproute2 procps nmap"
missing=""
for p in $PKGS; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"; done
sv=$(dpkg-query -W -f='${Version}' suricata 2>/dev/null || true)
need_suri=1
case "$sv" in 1:7.*|7.*) need_suri=0 ;; esac

if [ -n "$missing" ] || [ "$need_suri" = 1 ]; then
  if [ "${UPDATE:-0}" = 1 ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ] \
     || ! apt-cache policy suricata 2>/dev/null | grep -q bookworm-backports; then
    apt-get update
  fi
  # tshark asks whether non-root users may capture: keep the default (no)
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  [ -n "$missing" ] && apt-get install -y --no-install-recommends $missing
  [ "$need_suri" = 1 ] && apt-get install -y --no-install-recommends -t bookworm-backports suricata
fi
echo "deps-bench.sh: suricata $(dpkg-query -W -f='${Version}' suricata), tcpreplay $(dpkg-query -W -f='${Version}' tcpreplay), tshark $(dpkg-query -W -f='${Version}' tshark): ok"
