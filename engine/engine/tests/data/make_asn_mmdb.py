#!/usr/bin/env python3
"""Writes an ASN MaxMind DB file for the enrichment tests: `make_asn_mmdb.py OUT.mmdb`.

PyPI's mmdb-writer (`pip install mmdb-writer`; test.sh installs it) writes the file; MaxMind's reader and
`mmdblookup` read it. The AS numbers and names are made up; the networks are those the tests rewrite pcaps/demo.pcap
into (addresses the GeoLite2 City file of PyPI's maxminddb-geolite2 knows) plus a private range.
"""
import sys

from mmdb_writer import MMDBWriter, MmdbU32
from netaddr import IPSet

w = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-ASN",
               languages=["en"], description={"en": "xntop test ASN data"})
for nets, asn, org in [
    (["81.2.69.0/24"], 64496, "Example Access Ltd"),
    (["89.160.0.0/16", "2001:218::/32"], 64497, "Example Backbone AB"),
    (["2001:4860::/32"], 64498, "Example Search Inc"),
    (["10.0.0.0/8"], 64499, "Private Test Net"),
]:
    w.insert_network(IPSet(nets), {"autonomous_system_number": MmdbU32(asn),
                                   "autonomous_system_organization": org})
w.to_db_file(sys.argv[1])
