#!/usr/bin/env python3
"""Writes test-asn.mmdb and test-city.mmdb, the small MaxMind DB files xntop-assets' unit tests read.

Uses PyPI's mmdb-writer (`pip install mmdb-writer`), whose files MaxMind's readers (and `mmdblookup`) accept.
Values are invented for the tests; the networks are documentation and private ranges (RFC 5737, 3849, 1918).
Run from this directory: `python3 make_test_mmdb.py`.
"""
from mmdb_writer import MMDBWriter, MmdbU32
from netaddr import IPSet

asn = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-ASN",
                 languages=["en"], description={"en": "xntop test ASN data"})
asn.insert_network(IPSet(["192.0.2.0/24"]), {
    "autonomous_system_number": MmdbU32(64500), "autonomous_system_organization": "Example Transit"})
asn.insert_network(IPSet(["198.51.100.0/24", "2001:db8::/32"]), {
    "autonomous_system_number": MmdbU32(64501), "autonomous_system_organization": "Documentation Net"})
asn.to_db_file("test-asn.mmdb")

city = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City",
                  languages=["en", "de"], description={"en": "xntop test City data", "de": "xntop Testdaten"})
city.insert_network(IPSet(["192.0.2.0/25"]), {
    "city": {"geoname_id": MmdbU32(2694762), "names": {"de": "Linköping", "en": "Linköping"}},
    "country": {"geoname_id": MmdbU32(2661886), "iso_code": "SE", "names": {"en": "Sweden"}},
    "location": {"latitude": 58.4167, "longitude": 15.6167}})
city.insert_network(IPSet(["2001:db8:1::/48"]), {
    "country": {"geoname_id": MmdbU32(2921044), "iso_code": "DE", "names": {"en": "Germany"}}})
city.to_db_file("test-city.mmdb")
