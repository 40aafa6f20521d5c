#!/usr/bin/env bash
# xntop live-capture harness: how many packets xntop (AF_XDP, AF_PACKET) and
# tcpdump receive from a veth pair at offered rates, where the rest is
# dropped, and what each receiver's CPU time per received packet is.
#
#   sudo bash bench/live.sh
#
# Per (load, receiver, rate): a fresh netns + veth pair (2 queues; the host end
# here, the peer end in the namespace) -> the receiver started on the host
# end pinned to core RX_CORE under /usr/bin/time -> bench/xdpgen (our AF_XDP
# TX generator) sends the frames of the load's capture from the peer end, one
# generator per queue (rate split evenly), pinned to core GEN_CORE, for
# LIVE_DURATION seconds -> 1 s to drain -> receiver stopped (SIGTERM xntop,
# SIGINT tcpdump) -> its end summary parsed. The receiver's CPU time is also
# read (from /proc/PID/task/*/schedstat) when the generators start and after
# the drain: the steady-state cost per packet, apart from start-up (XDP
# program load, UMEM population) and exit.
# Results: bench/out/live.tsv (one row per run), bench/out/live.md (table),
# bench/out/live.svg (offered vs received per receiver and load),
# bench/out/live-cpu.svg (CPU per packet vs offered rate); logs in
# bench/out/live-logs/.
#
# Knobs (environment variables, all optional):
#   LIVE_RATES="50000 100000 200000 400000 0"   offered pps (0 = generator max)
#   LIVE_DURATION=5             seconds each generator sends
#   LIVE_RECEIVERS="xntop-xdp xntop-packet tcpdump"
#   LIVE_LOADS="demo bulk"      traffic: demo = pcaps/demo.pcap (small packets,
#                               a new flow every ~17 packets, DPI on most);
#                               bulk = real HTTP downloads captured by
#                               bench/bulk_capture.sh into bench/out/bulk.pcap
#                               (made on first use); or a path to a capture of
#                               Ethernet frames <= 1514 bytes
#   LIVE_QUEUES=2               veth queues; one generator per queue
#   GEN_CORE=0 RX_CORE=1        cores of the generators and of the receiver
#   SKIP_BUILD=1                use the binaries already in the target dir
#   CARGO_TARGET_DIR            honoured as usual (default: <repo>/target)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BENCH="$ROOT/bench"
OUT="$BENCH/out"
LOGS="$OUT/live-logs"
RATES="${LIVE_RATES:-50000 100000 200000 400000 0}"
DURATION="${LIVE_DURATION:-5}"
RECEIVERS="${LIVE_RECEIVERS:-xntop-xdp xntop-packet tcpdump}"
LOADS="${LIVE_LOADS:-demo bulk}"
QUEUES="${LIVE_QUEUES:-2}"
GEN_CORE="${GEN_CORE:-0}"
RX_CORE="${RX_CORE:-1}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
XNTOP="$TARGET/release/xntop"
XDPGEN="$TARGET/release/xdpgen"
TSV="$OUT/live.tsv"

TAG="$$"
NS="xlb$TAG"
HOST="xlbh$TAG"
PEER="xlbp$TAG"
TIME_PID=""
RX_PID=""

log() { printf '[live] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, veth, XDP)"
for c in ip tcpdump taskset python3 pgrep; do
  command -v "$c" >/dev/null 2>&1 || die "missing command: $c"
done
[[ -x /usr/bin/time ]] || die "missing /usr/bin/time (apt-get install time)"

if [[ -z ${SKIP_BUILD:-} ]]; then
  log "cargo build --release -p xntop-engine -p xntop-xdpgen"
  cargo build --release -p xntop-engine -p xntop-xdpgen
fi
[[ -x $XNTOP && -x $XDPGEN ]] || die "missing $XNTOP or $XDPGEN (build failed?)"

veth_down() {
  ip link del "$HOST" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
}

cleanup() {
  if [[ -n $RX_PID ]]; then kill -KILL "$RX_PID" 2>/dev/null || true; fi
  if [[ -n $TIME_PID ]]; then wait "$TIME_PID" 2>/dev/null || true; fi
  veth_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

veth_up() {
  veth_down
  ip netns add "$NS"
  ip link add "$HOST" numrxqueues "$QUEUES" numtxqueues "$QUEUES" type veth \
    peer name "$PEER" numrxqueues "$QUEUES" numtxqueues "$QUEUES"
  ip link set "$PEER" netns "$NS"
  # No IPv6: no solicitations of the kernel's own mixed with the generated packets.
  sysctl -qw "net.ipv6.conf.$HOST.disable_ipv6=1"
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$PEER.disable_ipv6=1"
  ip link set "$HOST" up
  ip -n "$NS" link set "$PEER" up
}

# load_pcap LOAD: the capture a load sends (made first when it is the bulk one).
load_pcap() {
  case "$1" in
    demo) echo "$ROOT/pcaps/demo.pcap" ;;
    bulk)
      [[ -s $OUT/bulk.pcap ]] || bash "$BENCH/bulk_capture.sh" "$OUT/bulk.pcap" >&2
      echo "$OUT/bulk.pcap" ;;
    *) echo "$1" ;;
  esac
}

# cpu_ns PID: CPU time (user + system, ns) of every thread of PID so far.
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'
}

# run_one LOAD RECEIVER RATE: one measured run, appends a row to $TSV.
run_one() {
  local load="$1" recv="$2" rate="$3"
  local pcap base="$LOGS/$(basename "$1" .pcap)-$2-$3"
  pcap="$(load_pcap "$load")"
  [[ -r $pcap ]] || die "no capture $pcap"
  local -a cmd
  local ready sig
  case "$recv" in
    xntop-xdp)
      cmd=("$XNTOP" -i "$HOST" --capture xdp --xdp-mode native -g "$RX_CORE" -w 0)
      ready="capturing on" sig=TERM ;;
    xntop-packet)
      cmd=("$XNTOP" -i "$HOST" --capture packet -g "$RX_CORE" -w 0)
      ready="capturing on" sig=TERM ;;
    tcpdump)
      cmd=(tcpdump -i "$HOST" -w /dev/null -n -s 0)
      ready="listening on" sig=INT ;;
    *) die "unknown receiver $recv" ;;
  esac
  veth_up
  rm -f "$base".*
  taskset -c "$RX_CORE" /usr/bin/time -f '%U %S' -o "$base.time" "${cmd[@]}" \
    >/dev/null 2>"$base.err" &
  TIME_PID=$!
  local i
  for ((i = 0; i < 200; i++)); do
    grep -q "$ready" "$base.err" 2>/dev/null && break
    kill -0 "$TIME_PID" 2>/dev/null || die "$recv exited: $(cat "$base.err")"
    sleep 0.1
  done
  grep -q "$ready" "$base.err" || die "$recv did not start: $(cat "$base.err")"
  RX_PID="$(pgrep -P "$TIME_PID" | head -n1)"
  [[ -n $RX_PID ]] || die "no $recv process under /usr/bin/time"
  sleep 0.5
  cpu_ns "$RX_PID" >"$base.window"
  local q per=$((rate / QUEUES))
  local -a gens=()
  for ((q = 0; q < QUEUES; q++)); do
    ip netns exec "$NS" taskset -c "$GEN_CORE" "$XDPGEN" "$PEER" "$pcap" \
      --rate "$per" --seconds "$DURATION" --queue "$q" >"$base.gen$q" 2>"$base.gen$q.err" &
    gens+=($!)
  done
  local g
  for g in "${gens[@]}"; do wait "$g" || die "xdpgen failed: $(cat "$base".gen*.err)"; done
  ip -s link show "$HOST" >"$base.link"
  ip -n "$NS" -s link show "$PEER" >"$base.peer"
  sleep 1
  cpu_ns "$RX_PID" >>"$base.window"
  kill -s "$sig" "$RX_PID"
  wait "$TIME_PID" || log "$recv exited with status $?"
  TIME_PID="" RX_PID=""
  veth_down
  python3 "$BENCH/live_report.py" row "$(basename "$load" .pcap)" "$recv" "$rate" "$DURATION" "$base" >>"$TSV"
  tail -n1 "$TSV" >&2
}

mkdir -p "$OUT" "$LOGS"
python3 "$BENCH/live_report.py" header >"$TSV"
for load in $LOADS; do
  for recv in $RECEIVERS; do
    for rate in $RATES; do
      log "$load: $recv at ${rate} pps (0 = max) for ${DURATION}s"
      run_one "$load" "$recv" "$rate"
    done
  done
done
{
  echo "<!-- bash bench/live.sh; $(date -u +%Y-%m-%dT%H:%M:%SZ); $(uname -r); $(nproc) cores -->"
  python3 "$BENCH/live_report.py" md "$TSV"
} >"$OUT/live.md"
python3 "$BENCH/live_report.py" svg "$TSV" >"$OUT/live.svg"
python3 "$BENCH/live_report.py" svg-cpu "$TSV" >"$OUT/live-cpu.svg"
log "wrote $TSV, $OUT/live.md, $OUT/live.svg, $OUT/live-cpu.svg"
