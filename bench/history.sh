#!/usr/bin/env bash
# The flow history's benchmark: the store's ingest rate on one thread against the JSON-lines writer in the same
# run, top-10 hosts by bytes over 24 h holding 20 M flows, a 5-minute drill-down, disk bytes per flow
# (engine/history/examples/history_bench.rs); then the benchmark mix replayed by xntop with the history on and
# off (--no-history), alternating, and the ratio of their packets/s.
#
#   bash bench/history.sh
#
# Knobs: FLOWS=20000000 (store), JSONL_FLOWS=2000000, RUNS=5 (mix replays per setting), BENCH_CORE=1 (the
# worker's core), REUSE_DATA=1 (keep bench/data/mix.pcap), HISTORY_DIR (default bench/out/history-bench).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$ROOT/bench/out"
DATA="$ROOT/bench/data"
FLOWS="${FLOWS:-20000000}"
JSONL_FLOWS="${JSONL_FLOWS:-2000000}"
RUNS="${RUNS:-5}"
CORE="${BENCH_CORE:-1}"
DIR="${HISTORY_DIR:-$OUT/history-bench}"
mkdir -p "$OUT" "$DATA"

cargo build --release -p xntop-engine -p xntop-pcapgen -p xntop-history --example history_bench >&2
echo "== store (history_bench, $FLOWS flows)"
"$TARGET/release/examples/history_bench" "$DIR" "$FLOWS" "$JSONL_FLOWS" | tee "$OUT/history-store.txt"
rm -rf "$DIR"

if [[ ! -f $DATA/mix.pcap || -z ${REUSE_DATA:-} ]]; then
  src="$ROOT/../shared/testdata/ndpi/pcap"
  if [[ -d $src ]]; then inputs=("$src"); else inputs=("$ROOT"/pcaps/{http,dns,ssh,misc}.pcap); fi
  "$TARGET/release/pcapgen" mix --out "$DATA/mix.pcap" --min-packets 2000000 --min-flows 100000 "${inputs[@]}" >&2
fi

echo "== the mix with history on and off ($RUNS runs each, alternating, worker on core $CORE)"
rate() { # prints packets/s of one run
  local data; data=$(mktemp -d)
  "$TARGET/release/xntop" -i "$DATA/mix.pcap" --shutdown-when-done -w 0 -g "$CORE" -d "$data" \
    --stats-json "$data/stats.json" "$@" 2>"$data/err" >/dev/null
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["packets_per_second"])' "$data/stats.json"
  grep -h "  history " "$data/err" >&2 || true
  rm -rf "$data"
}
on=(); off=()
for ((i = 0; i < RUNS; i++)); do
  on+=("$(rate)")
  off+=("$(rate --no-history)")
done
python3 - "${on[*]}" "${off[*]}" <<'PY' | tee "$OUT/history-mix.txt"
import statistics, sys
on = [float(x) for x in sys.argv[1].split()]
off = [float(x) for x in sys.argv[2].split()]
mo, mf = statistics.median(on), statistics.median(off)
print(f"history on:  {' '.join(f'{x/1e6:.2f}' for x in on)} M packets/s (median {mo/1e6:.2f})")
print(f"history off: {' '.join(f'{x/1e6:.2f}' for x in off)} M packets/s (median {mf/1e6:.2f})")
print(f"on/off: {100*mo/mf:.1f} %")
PY
