#!/usr/bin/env python3
"""Parsing and reporting for bench/live.sh.

  live_report.py header               TSV header line
  live_report.py row LOAD RECV RATE SECS BASE
                                      one TSV row from the logs BASE.gen*, BASE.err, BASE.time, BASE.window,
                                      BASE.link, BASE.peer
  live_report.py md TSV               markdown table
  live_report.py svg TSV              SVG plot: offered vs received pps per receiver and load
  live_report.py svg-cpu TSV          SVG plot: CPU ns per packet (traffic window) vs offered pps
"""

import glob
import json
import re
import sys

COLS = [
    "load", "receiver", "target_pps", "seconds", "sent", "gen_failed", "offered_pps", "received", "processed",
    "lost", "lost_pct", "xdp_seen", "xdp_redirected", "xdp_passed", "xdp_dropped", "socket_drops",
    "fill_ring_empty", "handoff_drops", "veth_rx_packets", "veth_rx_dropped", "peer_tx_dropped",
    "unaccounted", "user_s", "sys_s", "cpu_ns_per_pkt", "window_cpu_s", "window_ns_per_pkt",
]


def link_counters(path, direction):
    """(packets, dropped) of the RX or TX block of `ip -s link show` output."""
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        return (0, 0)
    for i, line in enumerate(lines):
        if line.strip().startswith(direction + ":") and "bytes" in line and i + 1 < len(lines):
            nums = lines[i + 1].split()
            return (int(nums[1]), int(nums[3]))
    return (0, 0)


def window_cpu_s(path):
    """CPU seconds between the two readings in BASE.window (generators start .. drain end)."""
    try:
        start, end = (int(x) for x in open(path, encoding="utf-8").read().split()[:2])
    except (OSError, ValueError):
        return 0.0
    return max(0, end - start) / 1e9


def row(load, recv, rate, secs, base):
    sent = failed = 0
    gen_secs = 0.0
    for g in sorted(glob.glob(base + ".gen[0-9]*")):
        if g.endswith(".err"):
            continue
        j = json.loads(open(g, encoding="utf-8").read())
        sent += j["sent"]
        failed += j["failed"]
        gen_secs = max(gen_secs, j["seconds"])
    err = open(base + ".err", encoding="utf-8", errors="replace").read()
    c = dict.fromkeys(COLS, 0)
    if recv == "tcpdump":
        m = re.search(r"(\d+) packets? captured", err)
        c["received"] = int(m.group(1)) if m else 0
        c["processed"] = c["received"]
        m = re.search(r"(\d+) packets? dropped by kernel", err)
        c["socket_drops"] = int(m.group(1)) if m else 0
    else:
        for m in re.finditer(r"xdp \S+: seen=(\d+) redirected=(\d+) passed=(\d+) dropped=(\d+)", err):
            c["xdp_seen"] += int(m.group(1))
            c["xdp_redirected"] += int(m.group(2))
            c["xdp_passed"] += int(m.group(3))
            c["xdp_dropped"] += int(m.group(4))
        for m in re.finditer(r"live \S+ queue \d+: (\d+) packets, (?:handed to another worker=\d+, )?hand-off drops=(\d+), (.*)", err):
            c["received"] += int(m.group(1))
            c["handoff_drops"] += int(m.group(2))
            sock = m.group(3)
            for key in ("rx_dropped", "rx_ring_full", "drops"):
                k = re.search(r"\b%s=(\d+)" % key, sock)
                if k:
                    c["socket_drops"] += int(k.group(1))
            k = re.search(r"fill_ring_empty=(\d+)", sock)
            if k:
                c["fill_ring_empty"] += int(k.group(1))
        c["processed"] = c["received"] - c["handoff_drops"]
    try:
        user, sys_ = (float(x) for x in open(base + ".time", encoding="utf-8").read().split()[-2:])
    except (OSError, ValueError):
        user = sys_ = 0.0
    c["veth_rx_packets"], c["veth_rx_dropped"] = link_counters(base + ".link", "RX")
    _, c["peer_tx_dropped"] = link_counters(base + ".peer", "TX")
    c.update(load=load, receiver=recv, target_pps=int(rate), seconds=secs, sent=sent, gen_failed=failed)
    c["offered_pps"] = round(sent / gen_secs) if gen_secs else 0
    c["lost"] = sent - c["processed"]
    c["lost_pct"] = "%.3f" % (100.0 * c["lost"] / sent) if sent else "0"
    c["unaccounted"] = (sent - c["received"] - c["socket_drops"] - c["xdp_dropped"] - c["xdp_passed"])
    c["user_s"], c["sys_s"] = "%.2f" % user, "%.2f" % sys_
    c["cpu_ns_per_pkt"] = round((user + sys_) * 1e9 / c["processed"]) if c["processed"] else 0
    window = window_cpu_s(base + ".window")
    c["window_cpu_s"] = "%.3f" % window
    c["window_ns_per_pkt"] = round(window * 1e9 / c["processed"]) if c["processed"] else 0
    return "\t".join(str(c[k]) for k in COLS)


def read_tsv(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[1:] if line.strip()]


def md(path):
    rows = read_tsv(path)
    out = [
        "| load | receiver | target pps | offered (sent) | offered pps | received | lost | lost % | drops: socket"
        " / XDP / hand-off / fill-ring-empty | unaccounted | CPU ns / pkt, traffic | CPU s, whole life"
        " | CPU ns / pkt, whole life |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|",
    ]
    for r in rows:
        target = "max" if r["target_pps"] == "0" else "{:,}".format(int(r["target_pps"]))
        cpu = float(r["user_s"]) + float(r["sys_s"])
        out.append(
            "| {} | {} | {} | {:,} | {:,} | {:,} | {:,} | {} | {} / {} / {} / {} | {:,} | {:,} | {:.2f} | {:,} |"
            .format(
                r["load"], r["receiver"], target, int(r["sent"]), int(r["offered_pps"]), int(r["received"]),
                int(r["lost"]), r["lost_pct"], r["socket_drops"], r["xdp_dropped"], r["handoff_drops"],
                r["fill_ring_empty"], int(r["unaccounted"]), int(r["window_ns_per_pkt"]), cpu,
                int(r["cpu_ns_per_pkt"])))
    return "\n".join(out) + "\n"


def svg(path):
    """Offered vs received and processed packets/s, one line per receiver and load."""
    series = {}
    for r in read_tsv(path):
        secs = float(r["seconds"]) or 1.0
        series.setdefault("%s (%s)" % (r["receiver"], r["load"]), []).append(
            (int(r["offered_pps"]), int(r["processed"]) / secs))
    xmax = max([x for s in series.values() for x, _ in s] + [1]) * 1.05
    return plot(series, "Live capture on veth: offered vs received (packets/s)", "offered (generator sent / s)",
                "received and processed / s", xmax, xmax, diagonal="no loss")


def svg_cpu(path):
    """CPU per packet while traffic flows, against the offered rate, one line per receiver and load."""
    series = {}
    for r in read_tsv(path):
        series.setdefault("%s (%s)" % (r["receiver"], r["load"]), []).append(
            (int(r["offered_pps"]), int(r["window_ns_per_pkt"])))
    xmax = max([x for s in series.values() for x, _ in s] + [1]) * 1.05
    ymax = max([y for s in series.values() for _, y in s] + [1]) * 1.05
    return plot(series, "Live capture on veth: receiver CPU per packet while traffic flows (ns)",
                "offered (generator sent / s)", "CPU ns per packet", xmax, ymax)


def plot(series, title, xlabel, ylabel, xmax, ymax, diagonal=None):
    """A line plot of `series` ({name: [(x, y)]}) as SVG text; x in packets/s (shown in thousands)."""
    w, h, ml, mr, mt, mb = 800, 480, 80, 260, 40, 60
    pw, ph = w - ml - mr, h - mt - mb

    def px(x):
        return ml + pw * x / xmax

    def py(y):
        return mt + ph * (1 - y / ymax)

    def ticks(vmax):
        step = 10 ** max(0, len(str(int(vmax))) - 1)
        if vmax / step < 4:
            step = max(1, step // 2)
        return range(0, int(vmax) + 1, step)

    scale_y = 1000 if ymax >= 10_000 else 1
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
         'font-size="12">' % (w, h),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="22" font-size="15">%s</text>' % (ml, title)]
    for t in ticks(xmax):
        o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (px(t), mt, px(t), mt + ph))
        o.append('<text x="%.1f" y="%d" text-anchor="middle">%dk</text>' % (px(t), mt + ph + 18, t // 1000))
    for t in ticks(ymax):
        o.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (ml, py(t), ml + pw, py(t)))
        o.append('<text x="%d" y="%.1f" text-anchor="end">%d%s</text>'
                 % (ml - 6, py(t) + 4, t // scale_y, "k" if scale_y > 1 else ""))
    o.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>' % (ml, mt, pw, ph))
    if diagonal:
        o.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999" stroke-dasharray="4 4"/>'
                 % (px(0), py(0), px(xmax), py(xmax)))
    o.append('<text x="%d" y="%d" text-anchor="middle">%s</text>' % (ml + pw // 2, h - 15, xlabel))
    o.append('<text x="18" y="%d" text-anchor="middle" transform="rotate(-90 18 %d)">%s</text>'
             % (mt + ph // 2, mt + ph // 2, ylabel))
    for i, (name, pts) in enumerate(series.items()):
        col = colors[i % len(colors)]
        pts.sort()
        o.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                 % (col, " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in pts)))
        for x, y in pts:
            o.append('<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>' % (px(x), py(y), col))
        ly = mt + 20 + 22 * i
        o.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>'
                 % (ml + pw + 15, ly, ml + pw + 40, ly, col))
        o.append('<text x="%d" y="%d">%s</text>' % (ml + pw + 46, ly + 4, name))
    if diagonal:
        ly = mt + 20 + 22 * len(series)
        o.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999" stroke-dasharray="4 4"/>'
                 % (ml + pw + 15, ly, ml + pw + 40, ly))
        o.append('<text x="%d" y="%d">%s</text>' % (ml + pw + 46, ly + 4, diagonal))
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "header":
        print("\t".join(COLS))
    elif cmd == "row" and len(sys.argv) == 7:
        print(row(*sys.argv[2:7]))
    elif cmd == "md" and len(sys.argv) == 3:
        sys.stdout.write(md(sys.argv[2]))
    elif cmd == "svg" and len(sys.argv) == 3:
        sys.stdout.write(svg(sys.argv[2]))
    elif cmd == "svg-cpu" and len(sys.argv) == 3:
        sys.stdout.write(svg_cpu(sys.argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
