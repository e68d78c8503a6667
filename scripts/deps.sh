#!/usr/bin/env bash
# Install everything smbguard's build and tests need on Debian 12, idempotently.
# Only missing packages are installed; `apt-get update` runs once, and only when something is missing.
# Installing samba must not leave a system smbd/nmbd/samba-dcerpcd running: any that appear during
# this run are stopped by PID (ones that were already running before are left alone).
set -euo pipefail

PKGS=(
  # build
  build-essential cmake ninja-build pkg-config libpcap-dev libsqlite3-dev libcjson-dev
  libcmocka-dev nettle-dev libuv1-dev libevent-dev clang libclang-rt-14-dev gettext
  # test peers and tools
  samba smbclient python3-impacket nmap tshark tcpdump iproute2 iptables util-linux procps python3
)

export DEBIAN_FRONTEND=noninteractive
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n env DEBIAN_FRONTEND=noninteractive); else
    echo "deps.sh: not root and no sudo; cannot install" >&2; exit 1; fi
fi

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  case "$st" in ii*) ;; *) missing+=("$p") ;; esac
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps.sh: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "deps.sh: installing: ${missing[*]}"

# PIDs of samba daemons running before we install anything: never touched.
samba_pids() { pgrep -x 'smbd|nmbd|samba|samba-dcerpcd|winbindd' 2>/dev/null || true; }
before=" $(samba_pids | tr '\n' ' ') "

# wireshark-common asks whether non-root users may capture: answer no, non-interactively.
if command -v debconf-set-selections >/dev/null 2>&1; then
  echo "wireshark-common wireshark-common/install-setuid boolean false" | "${SUDO[@]}" debconf-set-selections
fi
# Keep package scripts from starting services (no-op without systemd/sysv; harmless with them).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod 755 "$policy"; own_policy=1
fi
cleanup_policy() { if [ "$own_policy" = 1 ]; then "${SUDO[@]}" rm -f "$policy"; fi; }
trap cleanup_policy EXIT

APT_OPTS=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
"${SUDO[@]}" apt-get "${APT_OPTS[@]}" update -qq
"${SUDO[@]}" apt-get "${APT_OPTS[@]}" install -y -qq \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"

# Stop any system samba daemon that the install started (by PID, only new ones): same network
# namespace as us and the system configuration, so test instances (private smb.conf, own
# namespace) that happen to start meanwhile are never touched.
system_daemon() {
  local pid=$1 args
  [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ] || return 1
  args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  case "$args" in
    *--configfile=/etc/samba/smb.conf*) return 0 ;;
    *--configfile*|*" -s "*) return 1 ;;
  esac
  return 0
}
for pid in $(samba_pids); do
  case "$before" in *" $pid "*) continue ;; esac
  system_daemon "$pid" || continue
  echo "deps.sh: stopping samba daemon started by the install: pid $pid ($(cat /proc/"$pid"/comm 2>/dev/null))"
  "${SUDO[@]}" kill "$pid" 2>/dev/null || true
done
# With systemd, and only when this run installed samba, also stop and disable its units.
if [ -d /run/systemd/system ] && [[ " ${missing[*]} " == *" samba "* ]]; then
  "${SUDO[@]}" systemctl disable --now smbd nmbd samba-ad-dc 2>/dev/null || true
fi
echo "deps.sh: done"
