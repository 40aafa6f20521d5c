#!/usr/bin/env bash
# Records the small demo/test captures in pcaps/ from REAL programs talking to
# each other across a veth pair between two private network namespaces.
#
#   sudo bash pcaps/record.sh        (must run as root: netns, veth, tcpdump)
#
# Topology (only inside namespaces this script creates; nothing leaves the box):
#
#   netns xnt-cli  [xnt-c0 10.77.0.1/24 fd77::1/64] <--veth--> [xnt-s0 10.77.0.2/24 fd77::2/64]  netns xnt-srv
#
# tcpdump captures on the client-side veth (xnt-c0). Each output file gets its
# own tcpdump run; servers are started and confirmed listening (via `ss` inside
# the server namespace, which puts nothing on the wire) before tcpdump starts.
#
# Outputs (overwritten on every run; timestamps and random bytes differ):
#   pcaps/http.pcap  nginx (ports 80, 8081) + curl, one fetch over IPv6
#   pcaps/dns.pcap   dnsmasq (ports 53, 5300) + dig: A/AAAA/MX/TXT/NXDOMAIN, UDP + one TCP
#   pcaps/ssh.pcap   sshd (ports 22, 2222) + ssh running `true` / `echo hi`
#   pcaps/misc.pcap  ping v4/v6, UDP echo (python), TCP RST, redis (6379, 16379)
#   pcaps/demo.pcap  mergecap of the four above, in time order
#   pcaps/README.md  regenerated table (capinfos numbers, package versions)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${XNT_PCAP_OUT:-$HERE}"

NS_CLI=xnt-cli
NS_SRV=xnt-srv
IF_CLI=xnt-c0
IF_SRV=xnt-s0
V4_CLI=10.77.0.1
V4_SRV=10.77.0.2
V6_CLI=fd77::1
V6_SRV=fd77::2

log() { printf '[record] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, veth, tcpdump)"

# ---------------------------------------------------------------- tools
# command -> Debian package providing it
declare -A NEED=(
  [ip]=iproute2 [ss]=iproute2 [tcpdump]=tcpdump [capinfos]=wireshark-common
  [mergecap]=wireshark-common [nginx]=nginx-light [dnsmasq]=dnsmasq-base
  [dig]=bind9-dnsutils [sshd]=openssh-server [ssh]=openssh-client
  [ssh-keygen]=openssh-client [curl]=curl [ping]=iputils-ping
  [redis-server]=redis-server [redis-cli]=redis-tools [python3]=python3
  [openssl]=openssl
)
PATH="$PATH:/usr/sbin:/sbin"
missing=()
for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}")
done
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing missing packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
PY=/usr/bin/python3
[[ -x $PY ]] || PY="$(command -v python3)"
# The QUIC and FTP peers come from PyPI into a venv: Debian splits venv support out of python3.
if ! "$PY" -c 'import ensurepip' 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi

# ---------------------------------------------------------------- state + cleanup
WORK="$(mktemp -d /tmp/xnt-record.XXXXXX)"
chmod 755 "$WORK"           # nginx workers (nobody) must read the docroot
PIDS=()                     # background processes we started
TCPDUMP_PID=""

ns_kill_all() {             # kill every process still inside one of OUR namespaces
  local ns=$1 p
  ip netns list 2>/dev/null | grep -qw "^$ns" || return 0
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
}

teardown_net() {
  ns_kill_all "$NS_CLI"
  ns_kill_all "$NS_SRV"
  ip netns del "$NS_CLI" 2>/dev/null || true
  ip netns del "$NS_SRV" 2>/dev/null || true
  ip link del "$IF_CLI" 2>/dev/null || true   # in case a veth leaked into the root ns
}

cleanup() {
  local rc=$?
  set +e
  if [[ -n $TCPDUMP_PID ]]; then kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null; fi
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  teardown_net
  if ((rc != 0)); then
    log "failed (rc=$rc); logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cli() { ip netns exec "$NS_CLI" "$@"; }
srv() { ip netns exec "$NS_SRV" "$@"; }

bg_srv() {                  # bg_srv NAME cmd... : start a server in the server ns
  local name=$1; shift
  ip netns exec "$NS_SRV" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
}

# wait_listen PROTO PORT: poll ss inside the server ns (no packets on the wire)
wait_listen() {
  local proto=$1 port=$2
  for _ in $(seq 1 100); do
    if srv ss -H -l -n "-${proto}" "sport = :$port" 2>/dev/null | grep -q .; then return 0; fi
    sleep 0.1
  done
  die "nothing listening on $proto/$port in $NS_SRV (see $WORK/*.log)"
}

stop_servers() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}

capture_start() {           # capture_start NAME
  local name=$1
  : >"$WORK/tcpdump-$name.log"
  ip netns exec "$NS_CLI" tcpdump -i "$IF_CLI" -n -s 0 -U --immediate-mode -Z root \
      -w "$WORK/$name.pcap" 2>"$WORK/tcpdump-$name.log" &
  TCPDUMP_PID=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$WORK/tcpdump-$name.log" && { sleep 0.2; return 0; }
    kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump exited: $(cat "$WORK/tcpdump-$name.log")"
    sleep 0.1
  done
  die "tcpdump did not start listening"
}

capture_stop() {            # capture_stop NAME : SIGINT, wait, move into place
  local name=$1
  sleep 1.5                 # let trailing FIN/ACKs land and libpcap flush its ring block
  kill -INT "$TCPDUMP_PID"
  wait "$TCPDUMP_PID" || true
  TCPDUMP_PID=""
  mv -f "$WORK/$name.pcap" "$OUT/$name.pcap"
  log "$name.pcap: $(grep -E 'packets (captured|received)' "$WORK/tcpdump-$name.log" | tr '\n' ' ')"
}

# ---------------------------------------------------------------- network
log "setting up namespaces $NS_CLI <-> $NS_SRV"
teardown_net                # idempotent: remove leftovers of an interrupted run
ip netns add "$NS_CLI"
ip netns add "$NS_SRV"
ip link add "$IF_CLI" netns "$NS_CLI" type veth peer name "$IF_SRV" netns "$NS_SRV"
for ns in "$NS_CLI" "$NS_SRV"; do
  ip -n "$ns" link set lo up
  # quiet IPv6 autoconf chatter (router solicitations) so captures are about the apps
  ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
      net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 || true
done
ip -n "$NS_CLI" addr add "$V4_CLI/24" dev "$IF_CLI"
ip -n "$NS_SRV" addr add "$V4_SRV/24" dev "$IF_SRV"
ip -n "$NS_CLI" addr add "$V6_CLI/64" dev "$IF_CLI" nodad
ip -n "$NS_SRV" addr add "$V6_SRV/64" dev "$IF_SRV" nodad
ip -n "$NS_CLI" link set "$IF_CLI" up
ip -n "$NS_SRV" link set "$IF_SRV" up
sleep 1                     # let link-up MLD/NDP noise pass before the first capture

# ---------------------------------------------------------------- http
log "http: nginx + curl"
mkdir -p "$WORK/nginx/html" "$WORK/nginx/tmp" "$WORK/nginx/logs"
cat >"$WORK/nginx/html/index.html" <<'EOF'
<!doctype html>
<html><head><title>xntop test page</title></head>
<body><h1>xntop</h1><p>Served by nginx inside the xnt-srv network namespace.</p></body></html>
EOF
printf 'hello from xntop over port 8081\n' >"$WORK/nginx/html/hello.txt"
head -c 6000 /dev/urandom | base64 >"$WORK/nginx/html/blob.txt"   # a few segments
chmod -R a+rX "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 64; }
http {
    access_log $WORK/nginx/logs/access.log;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    default_type text/plain;
    types { text/html html; text/plain txt; }
    server {
        listen 80;
        listen [::]:80;
        listen 8081;
        listen [::]:8081;
        server_name www.xnt.test;
        root $WORK/nginx/html;
        index index.html;
    }
}
EOF
bg_srv nginx nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
wait_listen t 80
wait_listen t 8081
capture_start http
CURL=(curl -sS -o /dev/null -w '%{http_code} %{size_download}B %{url_effective}\n' --max-time 5 -A 'xntop-record/1.0')
cli "${CURL[@]}" "http://$V4_SRV/"                                  >&2
cli "${CURL[@]}" -H 'Host: www.xnt.test' "http://$V4_SRV/blob.txt"  >&2
cli "${CURL[@]}" "http://$V4_SRV/missing"                           >&2   # 404
cli "${CURL[@]}" "http://$V4_SRV:8081/hello.txt"                    >&2
cli "${CURL[@]}" "http://[$V6_SRV]/"                                >&2   # IPv6
cli "${CURL[@]}" "http://[$V6_SRV]:8081/hello.txt"                  >&2   # IPv6
capture_stop http
stop_servers

# ---------------------------------------------------------------- dns
log "dns: dnsmasq + dig"
# shellcheck disable=SC2054  # commas belong to dnsmasq option values
DNSMASQ_COMMON=(
  --keep-in-foreground --no-resolv --no-hosts --no-poll --conf-file=/dev/null
  --bind-interfaces --listen-address="$V4_SRV" --listen-address="$V6_SRV"
  --except-interface=lo --user=root --log-queries --log-facility=-
  --local=/xnt.test/
  --address=/example.test/10.77.0.9
  --host-record=www.xnt.test,10.77.0.2,fd77::2
  --host-record=mail.xnt.test,10.77.0.25
  --mx-host=xnt.test,mail.xnt.test,10
  --txt-record=xnt.test,"v=spf1 -all"
  --txt-record=_xntop.xnt.test,"xntop demo capture"
)
bg_srv dnsmasq53   dnsmasq "${DNSMASQ_COMMON[@]}" --port=53   --pid-file="$WORK/dnsmasq53.pid"
bg_srv dnsmasq5300 dnsmasq "${DNSMASQ_COMMON[@]}" --port=5300 --pid-file="$WORK/dnsmasq5300.pid"
wait_listen u 53
wait_listen t 53
wait_listen u 5300
capture_start dns
DIG=(dig +tries=1 +time=2 +nocookie)
cli "${DIG[@]}" "@$V4_SRV" www.xnt.test A            +short >&2
cli "${DIG[@]}" "@$V4_SRV" www.xnt.test AAAA         +short >&2
cli "${DIG[@]}" "@$V4_SRV" xnt.test MX               +short >&2
cli "${DIG[@]}" "@$V4_SRV" xnt.test TXT              +short >&2
cli "${DIG[@]}" "@$V4_SRV" host.example.test A       +short >&2
cli "${DIG[@]}" "@$V4_SRV" nope.xnt.test A | grep -o 'status: [A-Z]*' >&2   # NXDOMAIN
cli "${DIG[@]}" "@$V4_SRV" www.xnt.test A +tcp       +short >&2             # DNS over TCP
cli "${DIG[@]}" "@$V6_SRV" www.xnt.test AAAA         +short >&2             # over IPv6
cli "${DIG[@]}" "@$V4_SRV" -p 5300 _xntop.xnt.test TXT +short >&2
cli "${DIG[@]}" "@$V4_SRV" -p 5300 mail.xnt.test A   +short >&2
capture_stop dns
stop_servers

# ---------------------------------------------------------------- ssh
log "ssh: sshd + ssh"
mkdir -p "$WORK/ssh" /run/sshd
chmod 700 "$WORK/ssh"
ssh-keygen -q -t ed25519 -N '' -C xnt-host -f "$WORK/ssh/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C xnt-client -f "$WORK/ssh/id_ed25519"
cp "$WORK/ssh/id_ed25519.pub" "$WORK/ssh/authorized_keys"
chmod 600 "$WORK/ssh/authorized_keys"
cat >"$WORK/ssh/sshd_config" <<EOF
Port 22
Port 2222
ListenAddress $V4_SRV
ListenAddress $V6_SRV
HostKey $WORK/ssh/host_ed25519
PidFile $WORK/ssh/sshd.pid
AuthorizedKeysFile $WORK/ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
X11Forwarding no
AllowTcpForwarding no
EOF
srv /usr/sbin/sshd -t -f "$WORK/ssh/sshd_config"
bg_srv sshd /usr/sbin/sshd -D -e -f "$WORK/ssh/sshd_config"
wait_listen t 22
wait_listen t 2222
capture_start ssh
SSH=(ssh -F /dev/null -i "$WORK/ssh/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes
     -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
     -o ConnectTimeout=5)
cli "${SSH[@]}" -p 22   "root@$V4_SRV" true
cli "${SSH[@]}" -p 2222 "root@$V4_SRV" echo hi >&2
capture_stop ssh
stop_servers

# ---------------------------------------------------------------- misc
log "misc: ping, udp, tcp rst, redis"
cat >"$WORK/udp_echo.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(b"echo:" + data, peer)
EOF
cat >"$WORK/udp_client.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for i in range(3):
    s.sendto(b"xntop udp ping %d" % i, (sys.argv[1], int(sys.argv[2])))
    print(s.recvfrom(2048)[0].decode(), file=sys.stderr)
EOF
cat >"$WORK/tcp_rst.py" <<'EOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
    print("unexpected: connected", file=sys.stderr)
except ConnectionRefusedError:
    print("connection refused (RST) as expected", file=sys.stderr)
EOF
bg_srv udpecho "$PY" "$WORK/udp_echo.py" "$V4_SRV" 9999
mkdir -p "$WORK/redis6379" "$WORK/redis16379"
for port in 6379 16379; do
  bg_srv "redis$port" redis-server --port "$port" --bind "$V4_SRV $V6_SRV" --protected-mode no \
      --save '' --appendonly no --daemonize no --dir "$WORK/redis$port" --logfile ''
done
wait_listen u 9999
wait_listen t 6379
wait_listen t 16379
capture_start misc
cli ping -c 3 -i 0.2 -W 2 "$V4_SRV" >/dev/null
cli ping -6 -c 3 -i 0.2 -W 2 "$V6_SRV" >/dev/null
cli "$PY" "$WORK/udp_client.py" "$V4_SRV" 9999
cli "$PY" "$WORK/tcp_rst.py" "$V4_SRV" 9              # closed port -> RST
for port in 6379 16379; do
  cli redis-cli -h "$V4_SRV" -p "$port" PING >&2
  cli redis-cli -h "$V4_SRV" -p "$port" SET xntop:key "value-$port" >&2
  cli redis-cli -h "$V4_SRV" -p "$port" GET xntop:key >&2
done
cli redis-cli -h "$V6_SRV" -p 6379 PING >&2          # one over IPv6
capture_stop misc
stop_servers

# ---------------------------------------------------------------- tls
log "tls: nginx (TLS on 443 and 8443) + curl"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=www.xnt.test" -addext "subjectAltName=DNS:www.xnt.test,DNS:quic.xnt.test" \
    -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
chmod 644 "$WORK/tls.key"
cat >"$WORK/nginx/nginx-tls.conf" <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $WORK/nginx/nginx-tls.pid;
error_log $WORK/nginx/logs/error-tls.log warn;
events { worker_connections 64; }
http {
    access_log $WORK/nginx/logs/access-tls.log;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    default_type text/plain;
    server {
        listen 443 ssl http2;
        listen 8443 ssl;
        server_name www.xnt.test;
        ssl_certificate $WORK/tls.crt;
        ssl_certificate_key $WORK/tls.key;
        root $WORK/nginx/html;
        index index.html;
    }
}
EOF
bg_srv nginx-tls nginx -c "$WORK/nginx/nginx-tls.conf" -p "$WORK/nginx"
wait_listen t 443
wait_listen t 8443
capture_start tls
cli curl -sS -k -o /dev/null --resolve "www.xnt.test:443:$V4_SRV" -A xntop-record/1.0 https://www.xnt.test/
cli curl -sS -k -o /dev/null --resolve "www.xnt.test:8443:$V4_SRV" -A xntop-record/1.0 --http1.1 https://www.xnt.test:8443/hello.txt
capture_stop tls
stop_servers

# ---------------------------------------------------------------- quic
log "quic: aioquic server and client (HTTP/3 ALPN) on UDP 4433"
"$PY" -m venv "$WORK/venv" >/dev/null
"$WORK/venv/bin/pip" install -q "aioquic==1.2.0" "pyftpdlib==2.0.1" >"$WORK/pip.log" 2>&1 ||
  die "pip install failed (see $WORK/pip.log)"
cat >"$WORK/quic.py" <<'PYEOF'
"""Minimal HTTP/3-ALPN QUIC peer: `quic.py server HOST PORT CERT KEY` or `quic.py client HOST PORT NAME`."""
import asyncio
import ssl
import sys

from aioquic.asyncio import connect, serve
from aioquic.quic.configuration import QuicConfiguration


async def server(host, port, cert, key):
    cfg = QuicConfiguration(is_client=False, alpn_protocols=["h3"])
    cfg.load_cert_chain(cert, key)
    await serve(host, int(port), configuration=cfg)
    await asyncio.Future()


async def client(host, port, name):
    cfg = QuicConfiguration(is_client=True, alpn_protocols=["h3"], server_name=name, verify_mode=ssl.CERT_NONE)
    async with connect(host, int(port), configuration=cfg) as c:
        await c.ping()


if __name__ == "__main__":
    role, *args = sys.argv[1:]
    asyncio.run(server(*args) if role == "server" else client(*args))
PYEOF
bg_srv quic "$WORK/venv/bin/python" "$WORK/quic.py" server "$V4_SRV" 4433 "$WORK/tls.crt" "$WORK/tls.key"
wait_listen u 4433
capture_start quic
cli "$WORK/venv/bin/python" "$WORK/quic.py" client "$V4_SRV" 4433 quic.xnt.test
capture_stop quic
stop_servers

# ---------------------------------------------------------------- ftp
log "ftp: pyftpdlib on 2121 + curl (passive)"
mkdir -p "$WORK/ftp"
printf 'hello from xntop over ftp\n' >"$WORK/ftp/hello.txt"
chmod -R a+rX "$WORK/ftp"
bg_srv ftp "$WORK/venv/bin/python" -m pyftpdlib -i "$V4_SRV" -p 2121 -d "$WORK/ftp"
wait_listen t 2121
capture_start ftp
cli curl -sS -o /dev/null "ftp://$V4_SRV:2121/hello.txt"
capture_stop ftp
stop_servers

# ---------------------------------------------------------------- demo + README
mergecap -F pcap -w "$OUT/demo.pcap" "$OUT/http.pcap" "$OUT/dns.pcap" "$OUT/ssh.pcap" "$OUT/misc.pcap" \
    "$OUT/tls.pcap" "$OUT/quic.pcap" "$OUT/ftp.pcap"
log "demo.pcap merged"

for f in http dns ssh misc tls quic ftp; do
  sz=$(stat -c %s "$OUT/$f.pcap")
  ((sz < 100 * 1024)) || die "$f.pcap is $sz bytes (limit 100 KiB)"
done
sz=$(stat -c %s "$OUT/demo.pcap")
((sz < 200 * 1024)) || die "demo.pcap is $sz bytes (limit 200 KiB)"

ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo '?'; }
# capinfos -T -r: tab-separated, no header; columns: file, encapsulation, packets, data bytes
cap() {
  capinfos -M -T -r -c -d -E "$1" 2>/dev/null | awk -F'\t' -v sz="$(stat -c %s "$1")" '{
    lt = ($2 == "ether") ? "Ethernet (DLT 1)" : $2
    print $3" | "$4" | "sz" | "lt }'
}

row() { # row FILE PROGRAMS
  # shellcheck disable=SC2016  # literal backticks (markdown)
  printf '| `%s` | %s | %s |\n' "$1" "$2" "$(cap "$OUT/$1")"
}

{
  cat <<EOF
# pcaps/

Small captures of **real programs** talking over a veth pair between two
network namespaces made by \`record.sh\` (client \`xnt-cli\` = 10.77.0.1 / fd77::1,
server \`xnt-srv\` = 10.77.0.2 / fd77::2). tcpdump ($(ver tcpdump)) captured on the
client-side veth with \`-s 0 -U\`; nothing left the machine.

Re-running \`sudo bash pcaps/record.sh\` (root needed) recreates every file and
this README; timestamps, MAC addresses, ports, keys and other random bytes differ
between runs, the shape of the traffic does not.

| file | how it was made | packets | bytes (frame data) | file size | link type |
| --- | --- | ---: | ---: | ---: | --- |
EOF
  row http.pcap "nginx $(ver nginx-light) (static files, listen 80 + 8081, v4+v6) and curl $(ver curl): GET /, /blob.txt, a 404, :8081/hello.txt, and / + :8081 over IPv6"
  row dns.pcap "dnsmasq $(ver dnsmasq-base) (two instances: port 53 and 5300; \`--no-resolv --local=/xnt.test/ --address=/example.test/10.77.0.9 --host-record ...\`) and dig $(ver bind9-dnsutils): A, AAAA, MX, TXT, wildcard A, NXDOMAIN over UDP, one A over TCP (\`+tcp\`), one AAAA over IPv6, two queries to :5300"
  row ssh.pcap "OpenSSH sshd $(ver openssh-server) on ports 22 and 2222 (throw-away ed25519 host and client keys) and ssh $(ver openssh-client): \`ssh root@10.77.0.2 true\` on 22, \`echo hi\` on 2222"
  row misc.pcap "ping $(ver iputils-ping) (3× ICMPv4, 3× ICMPv6 echo), UDP echo with python3 $(ver python3) (3 datagrams to :9999), TCP connect to closed port 9 (SYN → RST), redis-server $(ver redis-server) on 6379 and 16379 with redis-cli $(ver redis-tools) (PING, SET, GET each; one PING over IPv6)"
  row tls.pcap "nginx $(ver nginx-light) with TLS on 443 (HTTP/2) and 8443 (self-signed P-256 certificate for www.xnt.test) and curl $(ver curl) (OpenSSL $(ver openssl)): GET / over h2 on 443, /hello.txt over HTTP/1.1 on 8443, SNI www.xnt.test"
  row quic.pcap "aioquic 1.2.0 (PyPI, in a venv) server and client on UDP 4433: one QUIC v1 connection, ALPN h3, SNI quic.xnt.test, a PING, close"
  row ftp.pcap "pyftpdlib 2.0.1 (PyPI) on port 2121 (anonymous, read-only) and curl $(ver curl): passive-mode RETR hello.txt (control on 2121, data on the port EPSV announced)"
  row demo.pcap "\`mergecap -F pcap\` (wireshark-common $(ver wireshark-common)) of the seven files above in time order — the embedded demo capture"
  cat <<EOF

Packets and bytes are from \`capinfos -c -d\`; "bytes" is the sum of the frame
lengths (Ethernet frames without FCS; nothing was truncated: \`-s 0\`), "file
size" includes the pcap headers. Every file is classic libpcap (microsecond
timestamps); the link type is Ethernet (DLT_EN10MB = 1). Besides the
application traffic each file also holds the ARP / IPv6 neighbour discovery
that the kernel did on its own.

Other tools: iproute2 $(ver iproute2) (\`ip netns\`, veth), Linux kernel $(uname -r).
\`record.sh\` apt-installs any of the packages named above that is missing
(Debian 12 images usually lack \`iputils-ping\`).

## hostile/

\`hostile/hostile.pcap\` is not recorded traffic: \`hostile/make.py\` (scapy) writes it
byte by byte, one deliberately broken frame per decoder check (lying IPv4
lengths, IHL < 5, TCP data offset past the end, a 9-deep IPv6 extension chain,
truncated headers, zero-length and runt frames, a bad version nibble, a cut
VLAN tag) plus well-formed frames that carry hostile payloads (a DNS
compression loop, TLS and QUIC length overflows, a 9000-byte jumbo frame).
\`hostile/expect.json\` holds the count per reason that the test
\`engine/engine/tests/hostile.rs\` checks xntop's counters against.
EOF
} >"$OUT/README.md"
log "wrote $OUT/README.md"
capinfos -T -m -c -d "$OUT"/{http,dns,ssh,misc,tls,quic,ftp,demo}.pcap >&2
log "done"
