#!/usr/bin/env bash
# Captures real bulk TCP traffic for the live-capture benchmark's "bulk" load:
# curl downloads files from python3's http.server across a veth pair between
# two network namespaces, with TSO/GSO/GRO off so every frame is at most 1514
# bytes (what bench/xdpgen can send), and tcpdump records the client end.
# Downloads are rate-limited (25 MB/s each) and tcpdump has a 64 MiB buffer so
# that it keeps up: the script fails if tcpdump reports a kernel drop.
#
#   sudo bash bench/bulk_capture.sh OUT.pcap [DOWNLOADS] [MIB_EACH]
#
# Defaults: 4 parallel downloads of 4 MiB each (about 17 k frames, 18 MB).
# Root: it creates and deletes the namespaces xbc-srv-PID and xbc-cli-PID.
set -euo pipefail

OUT="${1:?usage: bulk_capture.sh OUT.pcap [DOWNLOADS] [MIB_EACH]}"
DOWNLOADS="${2:-4}"
MIB="${3:-4}"
[[ $(id -u) -eq 0 ]] || { echo "bulk_capture.sh: needs root (namespaces)" >&2; exit 1; }
for c in ip ethtool tcpdump curl python3; do
  command -v "$c" >/dev/null || { echo "bulk_capture.sh: missing $c" >&2; exit 1; }
done

SRV="xbc-srv-$$" CLI="xbc-cli-$$"
DIR="$(mktemp -d)"
TCPDUMP_PID="" HTTP_PID=""
cleanup() {
  [[ -n $HTTP_PID ]] && kill "$HTTP_PID" 2>/dev/null || true
  [[ -n $TCPDUMP_PID ]] && kill "$TCPDUMP_PID" 2>/dev/null || true
  ip netns del "$SRV" 2>/dev/null || true
  ip netns del "$CLI" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

ip netns add "$SRV"
ip netns add "$CLI"
ip link add veth-s netns "$SRV" type veth peer name veth-c netns "$CLI"
for ns in "$SRV" "$CLI"; do
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$SRV" addr add 10.77.0.1/24 dev veth-s
ip -n "$CLI" addr add 10.77.0.2/24 dev veth-c
ip netns exec "$SRV" ethtool -K veth-s tso off gso off gro off >/dev/null
ip netns exec "$CLI" ethtool -K veth-c tso off gso off gro off >/dev/null
ip -n "$SRV" link set veth-s up
ip -n "$CLI" link set veth-c up

for ((i = 0; i < DOWNLOADS; i++)); do
  head -c $((MIB << 20)) /dev/urandom >"$DIR/file$i"
done
ip netns exec "$SRV" python3 -m http.server 8080 --bind 10.77.0.1 --directory "$DIR" \
  >/dev/null 2>&1 &
HTTP_PID=$!
for ((i = 0; i < 50; i++)); do
  ip netns exec "$CLI" curl -s -o /dev/null http://10.77.0.1:8080/ && break
  sleep 0.1
done

ip netns exec "$CLI" tcpdump -i veth-c -w "$OUT" -s 0 -n -B 65536 --immediate-mode 'tcp port 8080' 2>"$DIR/tcpdump.err" &
TCPDUMP_PID=$!
for ((i = 0; i < 50; i++)); do
  grep -q "listening on" "$DIR/tcpdump.err" && break
  sleep 0.1
done
pids=()
for ((i = 0; i < DOWNLOADS; i++)); do
  ip netns exec "$CLI" curl -s --limit-rate 25M -o /dev/null "http://10.77.0.1:8080/file$i" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
sleep 0.5
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" 2>/dev/null || true
TCPDUMP_PID=""
count() { sed -n "s/^\([0-9]*\) packets* $1.*/\1/p" "$DIR/tcpdump.err"; }
captured="$(count captured)" received="$(count 'received by filter')" dropped="$(count 'dropped by kernel')"
if [[ -z $captured || $captured != "$received" || $dropped != 0 ]]; then
  rm -f "$OUT"
  echo "bulk_capture.sh: tcpdump captured ${captured:-?} of ${received:-?} packets (${dropped:-?} dropped by" \
    "the kernel); capture removed" >&2
  exit 1
fi
echo "bulk_capture.sh: $OUT: $DOWNLOADS downloads of $MIB MiB, $captured frames" >&2
