#!/usr/bin/env bash
# Behaviour check for refactors: runs two xntop binaries on every capture under pcaps/ (subfolders included) and in
# the nDPI captures (../shared/testdata/ndpi/pcap, when present) and diffs their flow records, sorted.
#
#   bash bench/diff_records.sh OLD_BIN NEW_BIN [OUT_DIR]
#
# Prints one line per capture that differs (with the first differing lines) and a summary; exits 1 on any
# difference, 2 on a usage error. Runs two captures at a time.
set -euo pipefail

old=${1:-}
new=${2:-}
out=${3:-/tmp/xntop-diff-records}
if [[ ! -x "$old" || ! -x "$new" ]]; then
    echo "usage: bash bench/diff_records.sh OLD_BIN NEW_BIN [OUT_DIR] (both must be executable)" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"

captures=()
for dir in "$here/pcaps" "$here/../shared/testdata/ndpi/pcap"; do
    [[ -d "$dir" ]] || continue
    while IFS= read -r -d '' f; do captures+=("$f"); done < <(find "$dir" -type f \
        \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
done
if [[ ${#captures[@]} -eq 0 ]]; then
    echo "no captures found under $here/pcaps" >&2
    exit 2
fi

# One capture through one binary: its records, sorted (the order of records is not part of the behaviour).
run() {
    local bin=$1 pcap=$2 dest=$3
    "$bin" -i "$pcap" -F "jsonl:$dest.raw" --shutdown-when-done -w 0 >/dev/null 2>"$dest.err" || true
    sort "$dest.raw" >"$dest" 2>/dev/null || : >"$dest"
    rm -f "$dest.raw"
}
export -f run

i=0
for pcap in "${captures[@]}"; do
    i=$((i + 1))
    echo "$i $pcap"
done | xargs -P 2 -L 1 bash -c '
    n=$0; pcap=$1; base="'"$out"'/$n"
    run "'"$old"'" "$pcap" "$base.old"
    run "'"$new"'" "$pcap" "$base.new"
'

differ=0
records=0
i=0
for pcap in "${captures[@]}"; do
    i=$((i + 1))
    records=$((records + $(wc -l <"$out/$i.new")))
    if ! cmp -s "$out/$i.old" "$out/$i.new"; then
        differ=$((differ + 1))
        echo "DIFF ${pcap#"$here/"}: $(wc -l <"$out/$i.old") vs $(wc -l <"$out/$i.new") records"
        diff "$out/$i.old" "$out/$i.new" | head -4 | cut -c1-300
    fi
done
echo "${#captures[@]} captures, $records records (new binary), $differ captures differ"
[[ $differ -eq 0 ]]
