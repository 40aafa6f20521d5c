#!/usr/bin/env python3
"""Web-under-load measurement for bench/web.sh.

Talks to a running xntop (a capture replayed in a loop at full speed) over its REST API:

1. waits until the view holds at least --min-flows live flows;
2. alternates windows without and with web load (quiet, loaded, quiet, loaded, ...). Each window's packet rate is
   the change of /api/v1/interfaces' packet counter over the window's wall time (two requests per window);
   during a loaded window one keep-alive connection requests --path back to back and every request's latency
   is recorded (client side: connect once, send, read the whole body);
3. prints one JSON object: per-window rates, latency percentiles of the loaded windows, and the ratio of the
   median loaded rate to the median quiet rate.

Only the standard library: runs on a fresh Debian python3.
"""

import argparse
import http.client
import json
import statistics
import sys
import time


def conn(host, port):
    return http.client.HTTPConnection(host, port, timeout=30)


def get(c, path, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"web_load: GET {path}: HTTP {r.status}: {body[:200]!r}")
    return body


def counters(c, token):
    ifs = json.loads(get(c, "/api/v1/interfaces", token))
    return sum(i["packets"] for i in ifs), sum(i["flows_active"] for i in ifs)


def percentile(sorted_ms, p):
    if not sorted_ms:
        return None
    k = min(len(sorted_ms) - 1, max(0, round(p / 100 * len(sorted_ms) + 0.5) - 1))
    return sorted_ms[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", default="")
    ap.add_argument("--path", default="/api/v1/flows?sort=bytes")
    ap.add_argument("--min-flows", type=int, default=1_000_000)
    ap.add_argument("--warmup-timeout", type=float, default=300)
    ap.add_argument("--window", type=float, default=10, help="seconds per window")
    ap.add_argument("--pairs", type=int, default=3, help="(quiet, loaded) window pairs")
    a = ap.parse_args()

    probe = conn(a.host, a.port)
    deadline = time.monotonic() + a.warmup_timeout
    while True:
        try:
            _, flows = counters(probe, a.token)
        except (OSError, http.client.HTTPException):
            probe = conn(a.host, a.port)
            flows = 0
        if flows >= a.min_flows:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"web_load: only {flows} live flows after {a.warmup_timeout} s")
        time.sleep(1)

    windows = []
    latencies = []
    flows_seen = []
    load = conn(a.host, a.port)
    for _ in range(a.pairs):
        for loaded in (False, True):
            p0, f0 = counters(probe, a.token)
            t0 = time.monotonic()
            n = 0
            if loaded:
                while time.monotonic() - t0 < a.window:
                    s = time.perf_counter()
                    body = get(load, a.path, a.token)
                    latencies.append((time.perf_counter() - s) * 1000)
                    n += 1
                    if n == 1:
                        page = json.loads(body)
                        flows_seen.append(page["total"])
            else:
                time.sleep(a.window)
            p1, f1 = counters(probe, a.token)
            dt = time.monotonic() - t0
            windows.append(
                {
                    "loaded": loaded,
                    "seconds": round(dt, 3),
                    "packets": p1 - p0,
                    "pps": (p1 - p0) / dt,
                    "requests": n,
                    "flows_active": min(f0, f1),
                }
            )
    quiet = [w["pps"] for w in windows if not w["loaded"]]
    busy = [w["pps"] for w in windows if w["loaded"]]
    lat = sorted(latencies)
    out = {
        "path": a.path,
        "windows": windows,
        "requests": len(lat),
        "flows_in_pages": flows_seen,
        "latency_ms": {
            "p50": percentile(lat, 50),
            "p90": percentile(lat, 90),
            "p99": percentile(lat, 99),
            "max": lat[-1] if lat else None,
        },
        "pps_quiet_median": statistics.median(quiet),
        "pps_loaded_median": statistics.median(busy),
        "ratio_loaded_to_quiet": statistics.median(busy) / statistics.median(quiet),
        "min_flows_active": min(w["flows_active"] for w in windows),
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
