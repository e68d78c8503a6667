# lib.sh: helpers for integration tests. Source it from a test script that runs under nsrun.sh.
#
# Every helper binds a 127.0.0.x address inside the test's own network namespace and records the PID
# of what it starts; lab_cleanup (run on EXIT) stops them by PID. The namespace dying kills anything
# missed (samba-dcerpcd and rpcd_* detach from smbd, but stay inside the PID namespace).
#
# Functions:
#   lab_init [SMBGUARD [LAB]]        temp dir ($LAB_TMP), EXIT trap, checks we are in a namespace;
#                                    sets SMBGUARD (scanner) and SMBGUARD_LAB (lab responder, may be "")
#   lab_start NAME ADDR PROFILE [PORT]  the lab responder (tests/lab) with PROFILE on ADDR:PORT (445)
#   lab_addr ADDR                    ip addr add ADDR/32 dev lo (smbd only binds existing addresses)
#   samba_start NAME ADDR PROFILE [smb.conf lines...]
#        PROFILE: smb1on | smb1off | smb1only | signing   (+ guest IPC$ on all of them); extra
#        lines come last and so override ("smb ports = 139": waits for that port instead of 445)
#        sets SAMBA_PID_<NAME>, SAMBA_CONF_<NAME>, records start time in SAMBA_START_MS_<NAME>
#   samba_stop NAME                  stop that smbd and its samba-dcerpcd/rpcd_* helpers, by PID
#   impacket_start NAME ADDR         impacket smbserver.py (SMB1 only, no -smb2support) on ADDR:445
#   junk_listener_start NAME ADDR [PORT]    answers any connection with non-SMB bytes
#   silent_listener_start NAME ADDR [PORT]  accepts and never answers
#   drop_syns ADDR [PORT...]         iptables DROP for TCP SYNs to ADDR (all ports when none given)
#   wait_port ADDR PORT [SECONDS]    bounded poll (ss -ltn, no connection made) until listening
#   lab_stop_pid PID                 TERM, bounded wait, then KILL
#   now_ms                           wall clock in ms
#   run_scan OUT ADDR... [-- ARGS]   run the scanner: "$SMBGUARD" scan TARGETS --json OUT ARGS;
#                                    sets SCAN_RC, prints stdout/stderr; fails the test with a
#                                    clear message if the binary is missing
#   check ARGS...                    python3 check.py ARGS (asserts on the JSON output)
#   fail MSG / note MSG

SMBGUARD_PY=${SMBGUARD_PY:-/usr/bin/python3}
[ -x "$SMBGUARD_PY" ] || SMBGUARD_PY=python3
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMPACKET_SMBSERVER=${IMPACKET_SMBSERVER:-/usr/share/doc/python3-impacket/examples/smbserver.py}
# SMBGUARD_TIME_SCALE stretches waits under sanitizers/valgrind (decisions.md 11).
SMBGUARD_TIME_SCALE=${SMBGUARD_TIME_SCALE:-1}

LAB_PIDS=()
LAB_ADDRS=()

note() { echo "# $*" >&2; }
fail() { echo "FAIL: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

lab_init() {
  SMBGUARD=${1:-${SMBGUARD:-}}
  SMBGUARD_LAB=${2:-${SMBGUARD_LAB:-}}
  if [ "${SMBGUARD_IN_NS:-}" != 1 ] || [ $$ -ne 1 ]; then
    fail "run me through tests/integration/nsrun.sh (own network/pid namespace); refusing to bind addresses here"
  fi
  LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sglab.XXXXXX")
  chmod 755 "$LAB_TMP"
  trap lab_cleanup EXIT
  trap 'exit 143' TERM INT
}

lab_cleanup() {
  local rc=$?
  local p f
  if [ "$rc" -ne 0 ]; then
    for f in "$LAB_TMP"/lab-*/out.log; do
      [ -s "$f" ] || continue
      echo "--- lab responder log $(basename "$(dirname "$f")") (last 40 lines)" >&2
      tail -n 40 "$f" >&2
    done
  fi
  for p in "${LAB_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${LAB_PIDS[@]}"; do lab_wait_gone "$p" 2 || kill -9 "$p" 2>/dev/null || true; done
  # samba-dcerpcd / rpcd_* helpers of our instances (they detach from smbd)
  local conf
  for conf in "$LAB_TMP"/*/smb.conf; do
    [ -e "$conf" ] || continue
    for p in $(pgrep -f -- "--configfile=$conf" 2>/dev/null || true); do kill -9 "$p" 2>/dev/null || true; done
  done
  if [ -n "${LAB_KEEP:-}" ]; then note "kept $LAB_TMP"; else rm -rf "$LAB_TMP"; fi
  exit "$rc"
}

lab_wait_gone() { # PID SECONDS
  local pid=$1 i n=$(( ${2:-2} * 20 ))
  for ((i = 0; i < n; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  return 1
}

lab_stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  lab_wait_gone "$pid" 3 || kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

lab_addr() {
  local a=$1
  ip -4 addr show dev lo | grep -q "inet $a/" || ip addr add "$a/32" dev lo
  LAB_ADDRS+=("$a")
}

# wait_port ADDR PORT [SECONDS] [PID]: poll the listening sockets (no connection made).
wait_port() {
  local addr=$1 port=$2 secs=${3:-10} pid=${4:-}
  local i n=$(( secs * SMBGUARD_TIME_SCALE * 50 ))
  for ((i = 0; i < n; i++)); do
    if ss -Hltn "sport = :$port" 2>/dev/null | awk '{print $4}' | grep -qE "^($addr|0\.0\.0\.0|\*|\[::\]):$port\$"; then
      return 0
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "process $pid exited before $addr:$port was listening" >&2
      return 1
    fi
    sleep 0.02
  done
  echo "timeout: nothing listening on $addr:$port after ${secs}s" >&2
  return 1
}

# samba_start NAME ADDR PROFILE [extra smb.conf lines]
samba_start() {
  local name=$1 addr=$2 profile=$3; shift 3
  local d="$LAB_TMP/samba-$name"
  mkdir -p "$d"/{lock,state,cache,pid,private,log,ncalrpc,share,binddns}
  chmod 755 "$d/share"
  echo "hello from $name" >"$d/share/readme.txt"
  local proto
  case "$profile" in
    smb1on)   proto=$'server min protocol = NT1' ;;
    smb1off)  proto=$'server min protocol = SMB2_02' ;;
    smb1only) proto=$'server min protocol = NT1\n   server max protocol = NT1' ;;
    signing)  proto=$'server min protocol = NT1\n   server signing = mandatory' ;;
    *) fail "samba_start: unknown profile $profile" ;;
  esac
  lab_addr "$addr"
  local conf="$d/smb.conf"
  {
    cat <<EOC
[global]
   netbios name = LAB$(echo "$name" | tr '[:lower:]-' '[:upper:]_' | cut -c1-12)
   workgroup = LABGROUP
   server string = smbguard lab $name
   server role = standalone server
   interfaces = $addr/32
   bind interfaces only = yes
   smb ports = 445
   disable netbios = yes
   $proto
   map to guest = Bad User
   restrict anonymous = 0
   guest account = nobody
   lock directory = $d/lock
   state directory = $d/state
   cache directory = $d/cache
   pid directory = $d/pid
   private dir = $d/private
   ncalrpc dir = $d/ncalrpc
   binddns dir = $d/binddns
   passdb backend = tdbsam:$d/private/passdb.tdb
   log file = $d/log/log.%m
   log level = 1
   max log size = 1000
   load printers = no
   printing = bsd
   printcap name = /dev/null
   disable spoolss = yes
   usershare path =
   dns proxy = no
EOC
    local l
    for l in "$@"; do echo "   $l"; done
    cat <<EOC

[share]
   path = $d/share
   read only = yes
   guest ok = yes
EOC
  } >"$conf"
  local waitport=445 l2
  for l2 in "$@"; do
    if [[ "$l2" =~ ^smb\ ports\ *=\ *([0-9]+) ]]; then waitport=${BASH_REMATCH[1]}; fi
  done
  local t0; t0=$(now_ms)
  # setsid: own process session (smbd must not share the test's session/process group)
  setsid smbd --foreground --no-process-group --debug-stdout -s "$conf" >"$d/smbd.out" 2>&1 </dev/null &
  local pid=$!
  LAB_PIDS+=("$pid")
  printf -v "SAMBA_PID_${name//-/_}" '%s' "$pid"
  printf -v "SAMBA_CONF_${name//-/_}" '%s' "$conf"
  if ! wait_port "$addr" "$waitport" 15 "$pid"; then
    tail -n 30 "$d/smbd.out" >&2
    fail "samba $name ($profile) did not start on $addr"
  fi
  local ms=$(( $(now_ms) - t0 ))
  printf -v "SAMBA_START_MS_${name//-/_}" '%s' "$ms"
  note "samba $name ($profile) on $addr:$waitport pid $pid, listening after ${ms} ms"
}

samba_stop() {
  local name=$1 var pid conf p
  var="SAMBA_PID_${name//-/_}"; pid=${!var:-}
  var="SAMBA_CONF_${name//-/_}"; conf=${!var:-}
  [ -n "$pid" ] && lab_stop_pid "$pid"
  if [ -n "$conf" ]; then
    for p in $(pgrep -f -- "--configfile=$conf" 2>/dev/null || true); do lab_stop_pid "$p"; done
  fi
}

# impacket_start NAME ADDR: impacket's smbserver.py (SMB1 only: no -smb2support) on ADDR:445.
impacket_start() {
  local name=$1 addr=$2
  local d="$LAB_TMP/impacket-$name"
  mkdir -p "$d/share"
  echo "hello from $name" >"$d/share/readme.txt"
  local t0; t0=$(now_ms)
  ( cd "$d" && exec setsid /usr/bin/python3 "$IMPACKET_SMBSERVER" -ip "$addr" -port 445 SHARE "$d/share" \
      >"$d/out.log" 2>&1 </dev/null ) &
  local pid=$!
  LAB_PIDS+=("$pid")
  printf -v "IMPACKET_PID_${name//-/_}" '%s' "$pid"
  if ! wait_port "$addr" 445 15 "$pid"; then
    tail -n 30 "$d/out.log" >&2
    fail "impacket $name did not start on $addr"
  fi
  note "impacket $name on $addr:445 pid $pid, listening after $(( $(now_ms) - t0 )) ms"
}

# lab_start NAME ADDR PROFILE: the project's lab responder (tests/lab, $SMBGUARD_LAB) on ADDR:445.
# Waits (bounded) for its "ready" line and for the port.
lab_start() {
  local name=$1 addr=$2 profile=$3 port=${4:-445}
  [ -n "${SMBGUARD_LAB:-}" ] && [ -x "$SMBGUARD_LAB" ] || fail "lab responder not built (SMBGUARD_LAB=${SMBGUARD_LAB:-})"
  local d="$LAB_TMP/lab-$name"
  mkdir -p "$d"
  local t0; t0=$(now_ms)
  setsid "$SMBGUARD_LAB" --listen "$addr:$port" --profile "$profile" --verbose >"$d/out.log" 2>&1 </dev/null &
  local pid=$!
  LAB_PIDS+=("$pid")
  local i n=$(( 10 * SMBGUARD_TIME_SCALE * 50 ))
  for ((i = 0; i < n; i++)); do
    grep -q ready "$d/out.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$d/out.log" >&2; fail "lab responder $profile exited"; }
    sleep 0.02
  done
  wait_port "$addr" "$port" 5 "$pid" || { cat "$d/out.log" >&2; fail "lab responder $profile not listening on $addr:$port"; }
  note "lab responder $name ($profile) on $addr:$port pid $pid, ready after $(( $(now_ms) - t0 )) ms"
}

# A python3 TCP server. MODE junk: reply to the first bytes (or after 0.2 s of silence) with an
# HTTP error and close. MODE silent: accept, read and discard, never answer, never close.
_py_listener() {
  local mode=$1 name=$2 addr=$3 port=${4:-445}
  local d="$LAB_TMP/$mode-$name"
  mkdir -p "$d"
  setsid "$SMBGUARD_PY" - "$mode" "$addr" "$port" >"$d/out.log" 2>&1 </dev/null <<'PY' &
import socket, socketserver, sys
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
class H(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        if mode == "junk":
            s.settimeout(0.2)
            try:
                s.recv(65536)
            except OSError:
                pass
            s.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        s.settimeout(None)
        while True:
            try:
                if not s.recv(65536):
                    return
            except OSError:
                return
class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128
S((addr, port), H).serve_forever()
PY
  local pid=$!
  LAB_PIDS+=("$pid")
  wait_port "$addr" "$port" 10 "$pid" || { cat "$d/out.log" >&2; fail "$mode listener on $addr:$port did not start"; }
  note "$mode listener $name on $addr:$port pid $pid"
}
junk_listener_start() { _py_listener junk "$@"; }
silent_listener_start() { _py_listener silent "$@"; }

# drop_syns ADDR [PORT...]: drop TCP SYNs to ADDR (only these ports, or all TCP ports).
drop_syns() {
  local addr=$1; shift
  command -v iptables >/dev/null || fail "iptables missing (scripts/deps.sh installs it)"
  if [ $# -eq 0 ]; then
    iptables -w -I INPUT -d "$addr/32" -p tcp --syn -j DROP
  else
    local p
    for p in "$@"; do iptables -w -I INPUT -d "$addr/32" -p tcp --syn --dport "$p" -j DROP; done
  fi
  note "dropping TCP SYNs to $addr ${*:-(all ports)}"
}

# Scanner. SMBGUARD must be set (CMake passes the path as the test's first argument).
require_scanner() {
  [ -n "${SMBGUARD:-}" ] || fail "SMBGUARD (scanner path) not set"
  if [ ! -x "$SMBGUARD" ]; then
    echo "SCANNER-MISSING: $SMBGUARD is not built; this test needs the scanner" >&2
    exit 1
  fi
}

# run_scan OUT TARGET [ARGS...]: sets SCAN_RC; stdout/stderr saved to OUT.stdout / OUT.stderr.
run_scan() {
  local out=$1; shift
  local target=$1; shift
  require_scanner
  local t0; t0=$(now_ms)
  set +e
  "$SMBGUARD" scan "$target" --json "$out" "$@" >"$out.stdout" 2>"$out.stderr"
  SCAN_RC=$?
  set -e
  SCAN_MS=$(( $(now_ms) - t0 ))
  note "smbguard scan $target --json $out $* -> exit $SCAN_RC in ${SCAN_MS} ms"
  sed 's/^/  stdout: /' "$out.stdout" >&2
  sed 's/^/  stderr: /' "$out.stderr" >&2
  if [ -s "$out" ]; then sed 's/^/  json: /' "$out" >&2; fi
}

check() { "$SMBGUARD_PY" "$LIB_DIR/check.py" "$@"; }

expect_rc() { # EXPECTED WHY
  [ "$SCAN_RC" -eq "$1" ] || fail "exit code $SCAN_RC, expected $1 ($2)"
}
