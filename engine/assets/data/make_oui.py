#!/usr/bin/env python3
"""Builds oui.tsv, the IEEE MA-L (OUI) table xntop embeds, from Debian's ieee-data package.

`python3 make_oui.py [/usr/share/ieee-data/oui.csv]` writes `oui.tsv`: one line per assignment, sorted, as
`XXXXXX<TAB>Organization` (the organisation's name as registered, whitespace collapsed, cut to 64 characters).
"""
import csv
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/ieee-data/oui.csv"
rows = {}
with open(src, newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        if r["Registry"] != "MA-L":
            continue
        oui = r["Assignment"].strip().upper()
        name = " ".join(r["Organization Name"].split())[:64].strip()
        if len(oui) == 6 and name:
            rows[oui] = name
with open("oui.tsv", "w", encoding="utf-8") as out:
    for oui in sorted(rows):
        out.write(f"{oui}\t{rows[oui]}\n")
print(f"{len(rows)} assignments")
