#!/usr/bin/env bash
# nsrun.sh CMD [ARGS...]: run CMD in a private network + PID + mount namespace.
#  - only lo exists (brought up here), so traffic cannot leave the machine;
#  - net.ipv4.icmp_ratelimit=0 in that namespace (closed-port probes get their ICMP at once);
#  - CMD is PID 1 of the namespace: when it exits (or unshare is killed: --kill-child) the kernel
#    kills every helper it started (smbd, samba-dcerpcd, rpcd_*, python listeners, nmap);
#  - /var/log/samba, /run/samba and /var/run/samba get private tmpfs mounts, because samba-dcerpcd
#    writes there whatever `log file` says.
# Exit code: CMD's.
set -euo pipefail
if [ $# -eq 0 ]; then echo "usage: nsrun.sh CMD [ARGS...]" >&2; exit 2; fi

if [ -z "${SMBGUARD_IN_NS:-}" ]; then
  extra=()
  if [ "$(id -u)" -ne 0 ]; then extra=(--user --map-root-user); fi
  export SMBGUARD_IN_NS=1
  exec unshare "${extra[@]}" --net --pid --fork --mount-proc --kill-child -- "$0" "$@"
fi

# Inside the namespace now.
ip link set lo up
sysctl -qw net.ipv4.icmp_ratelimit=0
for d in /var/log/samba /run/samba; do
  if [ -d "$d" ]; then mount -t tmpfs -o mode=0755,size=16m tmpfs "$d" 2>/dev/null || true; fi
done
exec "$@"
