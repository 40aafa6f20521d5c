#!/usr/bin/env bash
# xntop web-under-load benchmark (issue: flows API with a million live flows).
#
#   bash bench/web.sh
#
# 1. pcapgen makes bench/data/web-1m.pcap: 1,000,000 concurrent flows (half TCP, half UDP) between 50,000
#    clients and 62,500 servers, 2 packets each, spread over 1 s of packet time.
# 2. xntop replays it in a loop as fast as it can (--replay-loop --replay-topspeed): every pass touches every
#    flow again one second of packet time later, so all 1,000,000 flows stay live for the whole run. The worker
#    is pinned to WORKER_CORE with -g; the reader, aggregator and web server share the other core(s) (the
#    aggregator and web threads run at nice 10). Web on loopback with an API token.
# 3. bench/web_load.py waits for >= 1,000,000 live flows in the view, then alternates WINDOW-second windows
#    without and with web load (PAIRS pairs). Load = one keep-alive connection requesting
#    /api/v1/flows?sort=bytes back to back (the UI's flows table, first page), pinned to CLIENT_CORE at nice 19
#    so the load generator itself takes only idle CPU. Packet rate per window = change of the interface's
#    packet counter / wall time.
# 4. The same for a filtered request (flows of one host), for information.
# Results: bench/out/web.json (raw), bench/out/web.md (table); logs in bench/out/web-logs/.
#
# Knobs: WORKER_CORE=1 CLIENT_CORE=0 WINDOW=10 PAIRS=3 PORT=39300 SKIP_BUILD=1 REUSE_DATA=1 CARGO_TARGET_DIR
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BENCH="$ROOT/bench"
DATA="$BENCH/data"
OUT="$BENCH/out"
LOGS="$OUT/web-logs"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
XNTOP="$TARGET/release/xntop"
PCAPGEN="$TARGET/release/pcapgen"
WORKER_CORE="${WORKER_CORE:-1}"
CLIENT_CORE="${CLIENT_CORE:-0}"
WINDOW="${WINDOW:-10}"
PAIRS="${PAIRS:-3}"
PORT="${PORT:-39300}"
PCAP="$DATA/web-1m.pcap"
TOKEN="bench-web-token-0123456789"
XNTOP_PID=""

log() { printf '[web] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
cleanup() {
  if [[ -n $XNTOP_PID ]]; then kill -KILL "$XNTOP_PID" 2>/dev/null || true; fi
  rm -rf "${DATA_DIR:-}"
}
trap cleanup EXIT

for c in taskset nice python3 curl; do command -v "$c" >/dev/null || die "missing command: $c"; done
if [[ -z ${SKIP_BUILD:-} ]]; then
  log "cargo build --release -p xntop-engine -p xntop-pcapgen"
  cargo build --release -p xntop-engine -p xntop-pcapgen
fi
mkdir -p "$DATA" "$OUT" "$LOGS"
if [[ -z ${REUSE_DATA:-} || ! -s $PCAP ]]; then
  "$PCAPGEN" synth --out "$PCAP" --flows 1000000 --clients 50000 --packets-per-flow 2 --duration-ms 1000 \
    >"$LOGS/pcapgen.txt"
fi
DATA_DIR="$(mktemp -d)"

# run_xntop NAME PATH: one xntop run under load, web_load's JSON in $OUT/web-NAME.json.
run_case() {
  local name="$1" path="$2"
  "$XNTOP" -i "$PCAP" --replay-loop --replay-topspeed -g "$WORKER_CORE" \
    -w "127.0.0.1:$PORT" --api-token "$TOKEN" -d "$DATA_DIR" >"$LOGS/$name.out" 2>"$LOGS/$name.err" &
  XNTOP_PID=$!
  log "$name: xntop pid $XNTOP_PID; waiting for 1,000,000 live flows, then $PAIRS x (quiet, loaded) x ${WINDOW}s"
  nice -n 19 taskset -c "$CLIENT_CORE" python3 "$BENCH/web_load.py" --port "$PORT" --token "$TOKEN" \
    --path "$path" --window "$WINDOW" --pairs "$PAIRS" >"$OUT/web-$name.json"
  grep -E 'VmHWM|VmRSS' "/proc/$XNTOP_PID/status" >"$LOGS/$name.mem" || true
  kill -TERM "$XNTOP_PID"
  wait "$XNTOP_PID" || true
  XNTOP_PID=""
}

run_case sorted "/api/v1/flows?sort=bytes"
run_case host "/api/v1/flows?sort=bytes&host=10.0.0.7"

python3 - "$OUT" "$LOGS" <<'EOF'
import json, sys, pathlib
out, logs = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
rows = []
for name in ("sorted", "host"):
    r = json.loads((out / f"web-{name}.json").read_text())
    mem = (logs / f"{name}.mem").read_text().split() if (logs / f"{name}.mem").exists() else []
    hwm = f"{int(mem[1]) / 1024:.0f} MiB" if len(mem) > 1 else "?"
    l = r["latency_ms"]
    rows.append(
        f"| `{r['path']}` | {r['min_flows_active']:,} | {r['requests']:,} | {l['p50']:.2f} | {l['p99']:.2f} | "
        f"{l['max']:.1f} | {r['pps_quiet_median']:,.0f} | {r['pps_loaded_median']:,.0f} | "
        f"{100 * r['ratio_loaded_to_quiet']:.1f} % | {hwm} |"
    )
table = [
    "| request | live flows (min) | requests | p50 ms | p99 ms | max ms | pkt/s quiet (median) | pkt/s loaded (median) | loaded / quiet | xntop peak RSS |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    *rows,
]
(out / "web.md").write_text("\n".join(table) + "\n")
print("\n".join(table))
EOF
