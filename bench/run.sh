#!/usr/bin/env bash
# xntop throughput harness: offline pcap processing speed of xntop vs tcpdump
# and ndpiReader on the same files, in the same run, on the same machine.
#
#   bash bench/run.sh
#
# Steps: build release binaries -> generate bench/data/{mix,synth-1m}.pcap with
# pcapgen -> run every tool on every file RUNS times under /usr/bin/time ->
# bench/out/results.md (markdown table) + bench/out/raw.tsv (every run).
# Wall time is taken with bash's $EPOCHREALTIME around each run (µs resolution);
# user/sys CPU and peak RSS come from /usr/bin/time -f '%e %U %S %M'.
#
# Knobs (environment variables, all optional):
#   RUNS=3                       runs per (tool, file); the median wall time is used
#   BENCH_CORE=0                 core that single-threaded tools are pinned to (taskset)
#   BENCH_TOOLS="tcpdump ndpiReader xntop-1w xntop-2w"
#   BENCH_FILES="mix synth-1m"
#   MIX_MIN_PACKETS=2000000 MIX_MIN_FLOWS=100000   pcapgen mix minimums
#   SYNTH_FLOWS=1000000          flows in synth-1m.pcap (2 packets each)
#   SKIP_BUILD=1                 use the binaries already in the target dir
#   REUSE_DATA=1                 keep existing bench/data/*.pcap (default: regenerate)
#   XNTOP=/path/to/xntop         benchmark this xntop binary instead of target/release/xntop
#   CARGO_TARGET_DIR             honoured as usual (default: <repo>/target)
#   RUN_TIMEOUT=1200             seconds before one measured run is killed
#   NDPI_PCAP_DIR=...            mix source (default: ../shared/testdata/ndpi/pcap; if missing: pcaps/*.pcap)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BENCH="$ROOT/bench"
DATA="$BENCH/data"
OUT="$BENCH/out"
LOGS="$OUT/logs"
RUNS="${RUNS:-3}"
CORE="${BENCH_CORE:-0}"
TOOLS="${BENCH_TOOLS:-tcpdump ndpiReader xntop-1w xntop-2w}"
FILES="${BENCH_FILES:-mix synth-1m}"
MIX_MIN_PACKETS="${MIX_MIN_PACKETS:-2000000}"
MIX_MIN_FLOWS="${MIX_MIN_FLOWS:-100000}"
SYNTH_FLOWS="${SYNTH_FLOWS:-1000000}"
RUN_TIMEOUT="${RUN_TIMEOUT:-1200}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
PCAPGEN="$TARGET/release/pcapgen"
XNTOP_GIVEN="${XNTOP:-}"
XNTOP="${XNTOP:-$TARGET/release/xntop}"
NDPI_SRC="${NDPI_PCAP_DIR:-$ROOT/../shared/testdata/ndpi/pcap}"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ prerequisites
declare -A NEED=([tcpdump]=tcpdump [ndpiReader]=libndpi-bin [capinfos]=wireshark-common
                 [taskset]=util-linux [timeout]=coreutils [python3]=python3)
missing=()
for c in "${!NEED[@]}"; do command -v "$c" >/dev/null 2>&1 || missing+=("${NEED[$c]}"); done
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    log "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing packages: ${missing[*]} (apt-get install them)"
  fi
fi
NPROC="$(nproc)"
((CORE < NPROC)) || die "BENCH_CORE=$CORE but this machine has $NPROC cores"

# ------------------------------------------------------------------ build
HAVE_XNTOP=1
if [[ -z ${SKIP_BUILD:-} ]]; then
  log "cargo build --release -p xntop-engine -p xntop-pcapgen"
  if ! cargo build --release -p xntop-engine -p xntop-pcapgen; then
    log "building xntop-engine failed; building pcapgen alone"
    cargo build --release -p xntop-pcapgen || die "pcapgen does not build"
    [[ -n $XNTOP_GIVEN ]] || HAVE_XNTOP=0   # never benchmark a stale binary silently
  fi
fi
[[ -x $PCAPGEN ]] || die "$PCAPGEN missing (build failed?)"
if ((HAVE_XNTOP)) && [[ ! -x $XNTOP ]]; then HAVE_XNTOP=0; fi
((HAVE_XNTOP)) || log "xntop not built — its rows are skipped"

# ------------------------------------------------------------------ data
mkdir -p "$DATA" "$OUT" "$LOGS"
declare -A PKTS=() GEN=()

gen_mix() {
  local src=() f
  if [[ -d $NDPI_SRC ]]; then
    src=("$(cd "$NDPI_SRC" && pwd)")
    GEN[mix]="pcapgen mix --min-packets $MIX_MIN_PACKETS --min-flows $MIX_MIN_FLOWS shared/testdata/ndpi/pcap (nDPI test captures)"
  else
    for f in "$ROOT"/pcaps/*.pcap; do [[ $(basename "$f") == demo.pcap ]] || src+=("$f"); done
    ((${#src[@]})) || die "no input captures: neither $NDPI_SRC nor pcaps/*.pcap"
    GEN[mix]="pcapgen mix --min-packets $MIX_MIN_PACKETS --min-flows $MIX_MIN_FLOWS pcaps/{http,dns,ssh,misc}.pcap"
  fi
  if [[ -n ${REUSE_DATA:-} && -s $DATA/mix.pcap && -s $DATA/mix.gen.txt ]]; then
    log "reusing $DATA/mix.pcap"
  else
    log "generating mix.pcap from ${src[*]}"
    "$PCAPGEN" mix --out "$DATA/mix.pcap" --min-packets "$MIX_MIN_PACKETS" --min-flows "$MIX_MIN_FLOWS" \
        "${src[@]}" | tee "$DATA/mix.gen.txt" >&2
  fi
}

gen_synth() {
  GEN[synth-1m]="pcapgen synth --flows $SYNTH_FLOWS --packets-per-flow 2 (64-byte frames, all flows concurrent within 1 s)"
  if [[ -n ${REUSE_DATA:-} && -s $DATA/synth-1m.pcap && -s $DATA/synth-1m.gen.txt ]]; then
    log "reusing $DATA/synth-1m.pcap"
  else
    log "generating synth-1m.pcap ($SYNTH_FLOWS flows)"
    "$PCAPGEN" synth --out "$DATA/synth-1m.pcap" --flows "$SYNTH_FLOWS" --packets-per-flow 2 \
        | tee "$DATA/synth-1m.gen.txt" >&2
  fi
}

for f in $FILES; do
  case $f in
    mix) gen_mix ;;
    synth-1m) gen_synth ;;
    *) die "unknown file '$f' (known: mix synth-1m)" ;;
  esac
  # packet count: capinfos (independent of pcapgen); pcapgen's total as fallback
  n="$(capinfos -M -T -r -c "$DATA/$f.pcap" 2>/dev/null | awk -F'\t' '{print $2}' || true)"
  [[ $n =~ ^[0-9]+$ ]] || n="$(awk '/^packets:/ {print $2}' "$DATA/$f.gen.txt" || true)"
  [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "cannot count packets of $f.pcap"
  PKTS[$f]=$n
  log "$f.pcap: $n packets, $(stat -c %s "$DATA/$f.pcap") bytes"
done

# ------------------------------------------------------------------ measure
RAW="$OUT/raw.tsv"
printf 'tool\tfile\trun\twall_s\tuser_s\tsys_s\tmaxrss_kib\trc\tpackets_in_file\txntop_json\n' >"$RAW"

tool_cmd() {   # tool_cmd TOOL FILE RUN -> fills CMD array; returns 1 if the tool is unavailable
  local tool=$1 file=$2 run=$3 pcap="$DATA/$2.pcap"
  case $tool in
    tcpdump)    CMD=(taskset -c "$CORE" tcpdump -n -r "$pcap" -w /dev/null) ;;
    ndpiReader) CMD=(taskset -c "$CORE" ndpiReader -i "$pcap" -q) ;;
    xntop-1w)   ((HAVE_XNTOP)) || return 1
                CMD=("$XNTOP" -i "$pcap" --shutdown-when-done -w 0 -g "$CORE" --stats-json "$LOGS/$tool-$file-$run.json") ;;
    xntop-2w)   ((HAVE_XNTOP)) || return 1
                ((NPROC >= 2)) || return 1
                CMD=("$XNTOP" -i "$pcap" --shutdown-when-done -w 0 -g "0,1" --stats-json "$LOGS/$tool-$file-$run.json") ;;
    *) die "unknown tool '$tool'" ;;
  esac
}

show_cmd() {   # the command line with repo-relative paths, for the report
  local s="${CMD[*]}"
  s="${s//$DATA\//bench/data/}"; s="${s//$LOGS\//bench/out/logs/}"; s="${s//$TARGET\//target/}"
  printf '%s' "$s"
}

CMDS_FILE="$OUT/commands.txt"
: >"$CMDS_FILE"
for f in $FILES; do
  log "warming the page cache with $f.pcap"
  cat "$DATA/$f.pcap" >/dev/null
  for tool in $TOOLS; do
    if ! tool_cmd "$tool" "$f" 1; then
      [[ $tool == xntop-* ]] && log "xntop not built — skipping $tool on $f"
      continue
    fi
    grep -q "^$tool"$'\t' "$CMDS_FILE" || printf '%s\t%s\n' "$tool" "$(show_cmd)" >>"$CMDS_FILE"
    for run in $(seq 1 "$RUNS"); do
      tool_cmd "$tool" "$f" "$run"
      tf="$LOGS/$tool-$f-$run.time"
      rm -f "$LOGS/$tool-$f-$run.json"
      set +e
      t0=$EPOCHREALTIME
      /usr/bin/time -f '%e %U %S %M' -o "$tf" timeout "$RUN_TIMEOUT" "${CMD[@]}" >"$LOGS/$tool-$f-$run.log" 2>&1
      rc=$?
      t1=$EPOCHREALTIME
      set -e
      read -r _ user sys rss < <(tail -n 1 "$tf")
      # wall: µs-resolution clock around the run (time's %e only has 10 ms resolution)
      wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')
      json=""
      [[ -s $LOGS/$tool-$f-$run.json ]] && json="$LOGS/$tool-$f-$run.json"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$tool" "$f" "$run" "$wall" "$user" "$sys" "$rss" "$rc" "${PKTS[$f]}" "$json" >>"$RAW"
      log "$tool $f run $run: wall ${wall}s user ${user}s sys ${sys}s rss ${rss}KiB rc=$rc"
      ((rc == 0)) || log "  (non-zero exit; see $LOGS/$tool-$f-$run.log)"
    done
  done
done

# ------------------------------------------------------------------ report
versions() {
  printf -- '- tcpdump: %s\n' "$(tcpdump --version 2>&1 | head -n 1)"
  printf -- '- ndpiReader: %s (Debian libndpi-bin %s)\n' \
    "$(ndpiReader -h 2>&1 | grep -m1 -o 'nDPI [0-9.]*' || echo '?')" \
    "$(dpkg-query -W -f '${Version}' libndpi-bin 2>/dev/null || echo '?')"
  if ((HAVE_XNTOP)); then
    printf -- '- xntop: %s (%s)\n' "$("$XNTOP" --version 2>/dev/null | head -n 1 || echo '?')" \
      "git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no commit')$(git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || echo ', dirty')"
  else
    printf -- '- xntop: not built\n'
  fi
  printf -- '- CPU: %s, %s cores; kernel %s; RAM %s\n' \
    "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)" "$NPROC" "$(uname -r)" \
    "$(free -h 2>/dev/null | awk '/^Mem:/ {print $2}')"
}

FILES_MD=""
for f in $FILES; do
  FILES_MD+="- \`bench/data/$f.pcap\`: ${PKTS[$f]} packets, $(stat -c %s "$DATA/$f.pcap") bytes on disk; made by \`${GEN[$f]}\`"
  [[ $f == mix ]] && FILES_MD+="; $(grep -E '^flows \(approx' "$DATA/mix.gen.txt" | sed 's/^flows (approx, input flows x copies): /~/') flows (input 5-tuples × copies), $(awk '/^copies:/ {print $2}' "$DATA/mix.gen.txt" | tr -d ';') copies"
  [[ $f == synth-1m ]] && FILES_MD+="; $SYNTH_FLOWS flows"
  FILES_MD+=$'\n'
done

RAW="$RAW" OUTMD="$OUT/results.md" CMDS="$CMDS_FILE" SYNTH_FLOWS="$SYNTH_FLOWS" RUNS="$RUNS" CORE="$CORE" \
VERSIONS="$(versions)" FILES_MD="$FILES_MD" HAVE_XNTOP="$HAVE_XNTOP" python3 - <<'PY'
import csv, json, os, statistics, datetime

rows = list(csv.DictReader(open(os.environ["RAW"]), delimiter="\t"))
synth_flows = int(os.environ["SYNTH_FLOWS"])
groups = {}
for r in rows:
    groups.setdefault((r["tool"], r["file"]), []).append(r)

def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None

res = {}
for key, rs in groups.items():
    ok = [r for r in rs if r["rc"] == "0" and num(r["wall_s"]) is not None]
    d = {"runs": len(rs), "ok": len(ok), "packets": int(rs[0]["packets_in_file"]), "rcs": sorted({r["rc"] for r in rs})}
    if ok:
        d["wall"] = statistics.median(num(r["wall_s"]) for r in ok)
        d["cpu"] = statistics.median(num(r["user_s"]) + num(r["sys_s"]) for r in ok)
        d["rss_kib"] = max(num(r["maxrss_kib"]) for r in ok)
        d["pps"] = d["packets"] / d["wall"] if d["wall"] > 0 else float("inf")
        js = []
        for r in ok:
            if r["xntop_json"]:
                try:
                    js.append(json.load(open(r["xntop_json"])))
                except (OSError, ValueError):
                    pass
        d["json"] = js
    res[key] = d

def fmt_int(x):
    return f"{x:,.0f}"

def fmt_pps(x):
    return f"{x/1e6:.2f} M" if x >= 1e6 else f"{x/1e3:.1f} k"

files = []
for r in rows:
    if r["file"] not in files:
        files.append(r["file"])
tools = []
for r in rows:
    if r["tool"] not in tools:
        tools.append(r["tool"])

out = []
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
out.append("# xntop throughput results\n")
out.append(f"Measured {now} by `bash bench/run.sh`: each tool reads each capture file as fast as it can; "
           f"{os.environ['RUNS']} runs per cell under `/usr/bin/time -f '%e %U %S %M'` (user/sys CPU, peak RSS; "
           f"wall time from bash's µs clock around the run), page cache warm. "
           f"Single-threaded tools are pinned with `taskset -c {os.environ['CORE']}`; xntop pins its own workers with `-g`.\n")
out.append("Machine and versions:\n")
out.append(os.environ["VERSIONS"] + "\n")
out.append("Files:\n")
out.append(os.environ["FILES_MD"])
out.append("Commands (`FILE` = the capture, `RUN` = run number):\n")
out.append("| tool | command |\n| --- | --- |")
for line in open(os.environ["CMDS"]):
    tool, cmd = line.rstrip("\n").split("\t", 1)
    for f in files:
        cmd = cmd.replace(f"bench/data/{f}.pcap", "FILE").replace(f"-{f}-1.json", "-FILE-RUN.json")
    out.append(f"| {tool} | `{cmd}` |")
out.append("")
out.append("packets/s = packets in the file (capinfos) / median wall time. CPU s = median user+sys. "
           "Peak RSS = largest max-RSS of the runs. Ratios compare packets/s with tcpdump's and ndpiReader's on the same file.\n")

hdr = "| tool | file | packets | median wall s | packets/s | CPU s (user+sys) | peak RSS MiB | × tcpdump pps | × ndpiReader pps | RSS bytes per flow |"
out.append(hdr)
out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for f in files:
    base_t = res.get(("tcpdump", f), {}).get("pps")
    base_n = res.get(("ndpiReader", f), {}).get("pps")
    for t in tools:
        d = res.get((t, f))
        if not d:
            continue
        if "wall" not in d:
            out.append(f"| {t} | {f} | {fmt_int(d['packets'])} | failed (exit {','.join(d['rcs'])}) | | | | | | |")
            continue
        rt = f"{d['pps']/base_t:.2f}" if base_t else "—"
        rn = f"{d['pps']/base_n:.2f}" if base_n else "—"
        per_flow = "—"
        if f == "synth-1m" and (t.startswith("xntop") or t == "ndpiReader"):
            per_flow = fmt_int(d["rss_kib"] * 1024 / synth_flows)
        note = "" if d["ok"] == d["runs"] else f" ({d['ok']}/{d['runs']} ok)"
        out.append(f"| {t} | {f} | {fmt_int(d['packets'])} | {d['wall']:.3f}{note} | {fmt_pps(d['pps'])} | "
                   f"{d['cpu']:.2f} | {d['rss_kib']/1024:.1f} | {rt} | {rn} | {per_flow} |")
if os.environ.get("HAVE_XNTOP") != "1":
    out.append("| xntop | — | — | not built | | | | | | |")
out.append("")
out.append(f"RSS bytes per flow (synth-1m only) = peak RSS / {synth_flows:,} flows: an upper bound on the "
           "per-flow memory, since it also counts the binary, buffers and allocator slack.\n")

xs = [(t, f, d) for (t, f), d in res.items() if d.get("json")]
if xs:
    out.append("xntop's own `--stats-json` (median run): packets, flows, seconds and packets/s as xntop counted them:\n")
    out.append("| tool | file | packets | = packets in file? | bytes | flows | seconds | packets/s (self) |")
    out.append("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for t, f, d in sorted(xs, key=lambda x: (files.index(x[1]), tools.index(x[0]))):
        js = sorted(d["json"], key=lambda j: num(j.get("seconds")) or 0)
        j = js[len(js) // 2]
        def g(k, fmt=fmt_int):
            v = num(j.get(k))
            return fmt(v) if v is not None else "?"
        same = "yes" if num(j.get("packets")) == d["packets"] else "**no**"
        out.append(f"| {t} | {f} | {g('packets')} | {same} | {g('bytes')} | {g('flows')} | "
                   f"{g('seconds', lambda v: f'{v:.3f}')} | {g('packets_per_second', fmt_pps)} |")
    out.append("")
out.append("Raw numbers of every run: `bench/out/raw.tsv`; tool output: `bench/out/logs/`.")
open(os.environ["OUTMD"], "w").write("\n".join(out) + "\n")
PY
log "wrote $OUT/results.md"
cat "$OUT/results.md"
