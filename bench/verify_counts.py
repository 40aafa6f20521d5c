#!/usr/bin/env python3
"""Checks xntop's exact counting on many captures against independent tools.

For each capture: total packets and bytes must equal `capinfos`; per-conversation packets and bytes per direction
(TCP and UDP, summed over xntop's records) must equal tshark's own dissection. Captures default to
../shared/testdata/ndpi/pcap (nDPI's regression captures) when present, else pcaps/.

    python3 bench/verify_counts.py [--xntop target/release/xntop] [CAPTURE_OR_DIR ...] [--json report.json]

Known, explained differences are reported separately, not hidden: IP fragments (tshark reassembles a datagram and
counts it once on its last fragment; xntop counts every fragment in the datagram's flow) and captures that tshark
cannot read to the end (xntop stops at the first corrupt record with an error).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def capinfos(path):
    out = subprocess.run(["capinfos", "-M", "-c", "-d", path], capture_output=True, text=True)
    vals = {}
    for line in out.stdout.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            vals[k.strip()] = v.strip().split()[0] if v.strip() else ""
    return int(vals.get("Number of packets", -1)), int(vals.get("Data size", -1)), out.returncode


def conv_add(table, proto, a, b, packets, nbytes):
    key = (proto,) + ((a, b) if a <= b else (b, a))
    c = table[key]
    i = 0 if a <= b else 2
    c[i] += packets
    c[i + 1] += nbytes


def tshark_convs(path):
    fields = ["frame.len", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport",
              "udp.dstport", "ip.flags.mf", "ip.frag_offset"]
    cmd = ["tshark", "-r", path, "-n", "-Y", "(tcp or udp) and not icmp and not icmpv6", "-T", "fields",
           "-E", "occurrence=l"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True)
    table = defaultdict(lambda: [0, 0, 0, 0])
    fragmented = False
    for line in out.stdout.splitlines():
        f = line.split("\t")
        if len(f) != len(fields):
            continue
        if f[9] in ("1", "True") or (f[10] not in ("", "0")):
            fragmented = True
        src = f[1] or f[2]
        dst = f[3] or f[4]
        if f[5]:
            proto, sp, dp = "TCP", f[5], f[6]
        else:
            proto, sp, dp = "UDP", f[7], f[8]
        try:
            conv_add(table, proto, (src, int(sp)), (dst, int(dp)), 1, int(f[0]))
        except ValueError:
            continue
    return table, fragmented


def xntop_convs(records):
    table = defaultdict(lambda: [0, 0, 0, 0])
    for r in records:
        if r["proto"] not in ("TCP", "UDP"):
            continue
        a = (r["src_ip"], r["src_port"])
        b = (r["dst_ip"], r["dst_port"])
        conv_add(table, r["proto"], a, b, r["packets_c2s"], r["bytes_c2s"])
        conv_add(table, r["proto"], b, a, r["packets_s2c"], r["bytes_s2c"])
    return {k: v for k, v in table.items() if any(v)}


def run_xntop(xntop, path, tmp):
    flows = os.path.join(tmp, "flows.jsonl")
    stats = os.path.join(tmp, "stats.json")
    cmd = [xntop, "-i", path, "-F", "jsonl:" + flows, "--stats-json", stats, "-w", "0", "-g", "0",
           "--shutdown-when-done", "--tcp-idle", "31536000", "--udp-idle", "31536000", "--other-idle", "31536000",
           "--active-timeout", "0"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if "panicked" in p.stderr:
        raise SystemExit(f"PANIC on {path}: {p.stderr}")
    try:
        with open(stats) as fh:
            st = json.load(fh)
        with open(flows) as fh:
            recs = [json.loads(line) for line in fh]
    except (OSError, ValueError):
        return None, [], p.returncode, p.stderr.strip().splitlines()[-1:] or [""]
    return st, recs, p.returncode, p.stderr.strip().splitlines()[-1:] or [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("--xntop", default=os.path.join(ROOT, "target/release/xntop"))
    ap.add_argument("--json")
    args = ap.parse_args()
    inputs = args.inputs
    if not inputs:
        ndpi = os.path.join(os.path.dirname(ROOT), "shared/testdata/ndpi/pcap")
        inputs = [ndpi if os.path.isdir(ndpi) else os.path.join(ROOT, "pcaps")]
    files = []
    for i in inputs:
        if os.path.isdir(i):
            files += sorted(os.path.join(i, f) for f in os.listdir(i) if f.endswith((".pcap", ".pcapng", ".cap")))
        else:
            files.append(i)

    report = {"files": 0, "totals_equal": 0, "flows_equal": 0, "fragmented": [], "unreadable": [], "mismatch": []}
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            name = os.path.basename(path)
            report["files"] += 1
            cap_packets, cap_bytes, cap_rc = capinfos(path)
            st, recs, rc, last = run_xntop(args.xntop, path, tmp)
            if st is None:
                report["unreadable"].append({"file": name, "xntop": last[0]})
                continue
            totals_ok = st["packets"] == cap_packets and st["bytes"] == cap_bytes
            if rc != 0 or cap_rc != 0:
                # Both tools stopped early on a damaged file: compare what each could read.
                report["unreadable"].append({"file": name, "xntop": last[0], "xntop_packets": st["packets"],
                                             "capinfos_packets": cap_packets})
                continue
            report["totals_equal"] += totals_ok
            ours = xntop_convs(recs)
            theirs, fragmented = tshark_convs(path)
            flows_ok = ours == dict(theirs)
            report["flows_equal"] += flows_ok
            if totals_ok and flows_ok:
                continue
            diff = [k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k)]
            entry = {"file": name, "totals_ok": totals_ok, "xntop": [st["packets"], st["bytes"]],
                     "capinfos": [cap_packets, cap_bytes], "differing_flows": len(diff),
                     "example": [str(diff[0]), ours.get(diff[0]), theirs.get(diff[0])] if diff else None}
            (report["fragmented"] if fragmented and totals_ok else report["mismatch"]).append(entry)

    n = report["files"]
    print(f"captures: {n}")
    print(f"totals equal to capinfos: {report['totals_equal']}")
    print(f"per-flow packets/bytes equal to tshark: {report['flows_equal']}")
    print(f"with IP fragments (counted differently by design): {len(report['fragmented'])}")
    print(f"damaged captures (tools stop at the bad record): {len(report['unreadable'])}")
    print(f"unexplained mismatches: {len(report['mismatch'])}")
    for m in report["mismatch"]:
        print(f"  {m['file']}: totals_ok={m['totals_ok']} differing_flows={m['differing_flows']} e.g. {m['example']}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)
    return 1 if report["mismatch"] else 0


if __name__ == "__main__":
    sys.exit(main())
