#!/usr/bin/env python3
"""Scores xntop's DPI on nDPI's regression captures (../shared/testdata/ndpi) with the suite's score.py.

Runs `xntop -i <pcap> -F jsonl:-` once per capture (two at a time), tags every record with its capture's name,
and hands the candidate file to score.py. Also runs ndpiReader (Debian's libndpi-bin) on the same captures when
asked (--peer), so both scores come from the same data in the same run.

  python3 bench/dpi_score.py [--xntop target/release/xntop] [--out /tmp/dpi] [--top 40] [--peer]
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, '..', '..', 'shared', 'testdata', 'ndpi'))


def run_xntop(xntop, pcap):
    r = subprocess.run([xntop, '-i', pcap, '-F', 'jsonl:-', '--shutdown-when-done', '-w', '0'],
                       capture_output=True, text=True, timeout=300)
    name = os.path.basename(pcap)
    out = []
    for line in r.stdout.splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        rec['pcap'] = name
        rec['bytes'] = rec.get('bytes_c2s', 0) + rec.get('bytes_s2c', 0)
        out.append(rec)
    return name, out, r.returncode, r.stderr.strip().splitlines()[-1:] if r.returncode else []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--xntop', default=os.environ.get('XNTOP', os.path.join(HERE, '..', 'target', 'release', 'xntop')))
    ap.add_argument('--data', default=DATA)
    ap.add_argument('--out', default='/tmp/xntop-dpi-score')
    ap.add_argument('--top', default='40')
    ap.add_argument('--pcaps', help='file listing the captures to score (score.py --pcaps)')
    args = ap.parse_args()
    pcap_dir = os.path.join(args.data, 'pcap')
    if not os.path.isdir(pcap_dir):
        sys.exit(f'no nDPI captures at {pcap_dir}: this benchmark needs ../shared/testdata/ndpi')
    os.makedirs(args.out, exist_ok=True)
    pcaps = sorted(os.path.join(pcap_dir, f) for f in os.listdir(pcap_dir))
    cand = os.path.join(args.out, 'candidate.jsonl')
    failures = 0
    with open(cand, 'w') as f, concurrent.futures.ThreadPoolExecutor(2) as pool:
        for name, recs, rc, err in pool.map(lambda p: run_xntop(args.xntop, p), pcaps):
            if rc != 0:
                failures += 1
                print(f'{name}: exit {rc} {err}', file=sys.stderr)
            for r in recs:
                f.write(json.dumps(r) + '\n')
    cmd = [sys.executable, os.path.join(args.data, 'score.py'), os.path.join(args.data, 'expected.jsonl'), cand,
           '--top', args.top, '--json', os.path.join(args.out, 'report.json')]
    if args.pcaps:
        cmd += ['--pcaps', args.pcaps]
    sys.stdout.flush()
    subprocess.run(cmd, check=False)
    print(f'\ncandidate: {cand} ({len(pcaps)} captures, {failures} with a non-zero exit)')


if __name__ == '__main__':
    main()
