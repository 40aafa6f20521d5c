#!/usr/bin/env bash
# Long fuzz run: every property test of the project (wire decoder, pcap/pcapng reader, IPFIX/NetFlow collector
# parser, config parser) with many more cases than `cargo test` uses. Reports per target: cases, seconds, result.
# cargo-fuzz needs a nightly toolchain, which this project's machines do not have; the properties run on stable
# and shrink any failure to a minimal input that proptest prints (and records under proptest-regressions/).
#
#   bash bench/fuzz.sh            # 200,000 cases per property (~minutes)
#   CASES=2000000 bash bench/fuzz.sh
#   ONLY='framing|collector' bash bench/fuzz.sh   # only the targets matching an extended regex
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${CASES:-200000}"
ONLY="${ONLY:-}"
targets=(
  "xntop-wire:proptests"
  "xntop-wire:tests::arbitrary_bytes_never_panic"
  "xntop-wire:tests::mutated_packets_never_panic"
  "xntop-capture:tests::random_bytes_never_panic"
  "xntop-capture:tests::corrupted_captures_never_panic_and_end"
  "xntop-export:collector::tests::arbitrary_datagrams_never_panic"
  "xntop-export:collector::tests::corrupted_messages_never_panic"
  "xntop-export:collector::tests::arbitrary_times_never_pass_the_bounds"
  "xntop-export:framing::tests::valid_streams_cut_anywhere_come_out_whole"
  "xntop-export:framing::tests::arbitrary_streams_never_panic_and_stay_bounded"
  "xntop-engine:collector::tests::record_times_never_move_the_clock_past_the_wall_clock"
  "xntop-engine:config::tests::value_parsers_never_panic"
  "xntop-engine:config::tests::config_files_never_panic"
  "xntop-dpi:engine::tests::any_flow_ends_classified_or_given_up"
  "xntop-wire:cursor::tests"
  "xntop-dpi:protocols::tests"
  "xntop-dpi:protocols::quic::crypto"
  "xntop-dpi:protocols::quic::gquic::tests::never_panics"
  "xntop-dpi:protocols::ssh::parser::tests::never_panics"
  "xntop-dpi:protocols::dhcp::parser::tests::never_panics"
)
if [[ -n $ONLY ]]; then
  selected=()
  for t in "${targets[@]}"; do
    if [[ $t =~ $ONLY ]]; then selected+=("$t"); fi
  done
  targets=("${selected[@]}")
fi
crates=()
for t in "${targets[@]}"; do crates+=(-p "${t%%:*}"); done
cargo build --release --tests -q "${crates[@]}"
printf '| target | cases | seconds | result |\n| --- | ---: | ---: | --- |\n'
status=0
for t in "${targets[@]}"; do
  crate=${t%%:*}
  filter=${t#*:}
  kind=(--lib)
  [[ $crate == xntop-engine ]] && kind=(--bin xntop)
  start=$(date +%s.%N)
  if PROPTEST_CASES=$CASES cargo test --release -q -p "$crate" "${kind[@]}" "$filter" >/tmp/xntop-fuzz.log 2>&1; then
    result=ok
  else
    result="FAILED (see /tmp/xntop-fuzz.log)"
    status=1
  fi
  end=$(date +%s.%N)
  printf '| %s %s | %s | %.1f | %s |\n' "$crate" "$filter" "$CASES" "$(echo "$end - $start" | bc)" "$result"
done
exit $status
