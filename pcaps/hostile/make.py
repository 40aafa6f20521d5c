#!/usr/bin/env python3
"""Writes pcaps/hostile/hostile.pcap: a corpus of deliberately malformed frames, each built so that exactly one
decoder bound or check must fire, plus a few well-formed frames around them. expect.json lists how many frames of
each kind the file holds; the test compares xntop's per-reason counters with it.

Needs scapy (pip install scapy). Re-running gives the same bytes (fixed timestamps, no randomness)."""
import json
import os
import struct

from scapy.all import DNS, DNSQR, IP, TCP, UDP, Ether, IPv6, Raw, wrpcap
from scapy.layers.inet6 import IPv6ExtHdrDestOpt

HERE = os.path.dirname(os.path.abspath(__file__))
E = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
frames = []  # (bytes, expected reason or "ok")


def add(b, why, n=1):
    for _ in range(n):
        frames.append((bytes(b), why))


good = Ether(**E) / IP(src="10.9.0.1", dst="10.9.0.2") / TCP(sport=1111, dport=80, flags="S")
add(good, "ok")
# Lying lengths: IPv4 total length smaller than the header.
b = bytearray(bytes(good)); b[16:18] = struct.pack(">H", 12); add(b, "ipv4_bad_total_length")
# IHL < 5.
b = bytearray(bytes(good)); b[14] = 0x43; add(b, "ipv4_bad_header_length")
# IHL pointing past the captured bytes.
b = bytearray(bytes(good)); b[14] = 0x4F; add(b[:14 + 30], "ipv4_bad_header_length")
# TCP data offset past the end of the segment.
b = bytearray(bytes(good)); b[14 + 20 + 12] = 0xF0; add(b, "tcp_bad_data_offset")
# TCP data offset below 5.
b = bytearray(bytes(good)); b[14 + 20 + 12] = 0x20; add(b, "tcp_bad_data_offset")
# TCP header cut by the capture (IP says more, fewer captured): truncated TCP.
add(bytes(good)[:14 + 20 + 10], "tcp_truncated")
# UDP header cut.
u = Ether(**E) / IP(src="10.9.0.1", dst="10.9.0.3") / UDP(sport=5, dport=6) / b"x"
add(bytes(u)[:14 + 20 + 4], "udp_truncated")
# IPv6 extension-header chain longer than the bound (9 destination-options headers).
chain = IPv6ExtHdrDestOpt()
for _ in range(8):
    chain = chain / IPv6ExtHdrDestOpt()
add(Ether(**E) / IPv6(src="fd00::1", dst="fd00::2") / chain / UDP(sport=7, dport=8), "ipv6_bad_extension_header")
# IPv6 extension header running past the packet.
v6 = bytearray(bytes(Ether(**E) / IPv6(src="fd00::1", dst="fd00::2", nh=60) / Raw(b"\x11\x10" + b"\x00" * 6)))
add(v6, "ipv6_bad_extension_header")
# Truncated IPv6 and IPv4 headers.
add(bytes(Ether(**E) / IPv6(src="fd00::1", dst="fd00::2") / UDP())[:14 + 30], "ipv6_truncated")
add(bytes(good)[:14 + 12], "ipv4_truncated")
# Zero-length and runt frames.
add(b"", "ethernet_truncated")
add(b"\x02\x00\x00", "ethernet_truncated")
# A jumbo frame (9000 bytes of UDP payload) is fine.
add(Ether(**E) / IP(src="10.9.0.1", dst="10.9.0.4") / UDP(sport=9, dport=10) / (b"J" * 9000), "ok")
# Bad IP version behind an IPv4 ethertype.
b = bytearray(bytes(good)); b[14] = 0x55; add(b, "ip_bad_version")
# VLAN tag cut short.
add(bytes(Ether(**E, type=0x8100))[:14] + b"\x00", "vlan_truncated")
# DNS with a compression-pointer loop, TLS and QUIC with overflowing lengths: the decoder keeps them as flows
# (their payload is for the DPI stage, which must survive them too).
dns = bytes(DNS(id=1, qd=DNSQR(qname="a.example")))
loop = dns[:12] + b"\xc0\x0c" + dns[-4:]
add(Ether(**E) / IP(src="10.9.0.1", dst="10.9.0.5") / UDP(sport=5353, dport=53) / Raw(loop), "ok")
tls = b"\x16\x03\x01\xff\xff\x01\xff\xff\xff" + b"\x03\x03" + b"\x00" * 10
add(Ether(**E) / IP(src="10.9.0.1", dst="10.9.0.6") / TCP(sport=2222, dport=443, flags="PA") / Raw(tls), "ok")
quic = b"\xc3\x00\x00\x00\x01\xff" + b"\x00" * 20
add(Ether(**E) / IP(src="10.9.0.1", dst="10.9.0.7") / UDP(sport=3333, dport=443) / Raw(quic), "ok")
# Non-IP.
add(Ether(**E, type=0x88CC) / Raw(b"\x02\x07" + b"\x00" * 40), "non_ip")

pkts = []
for i, (b, _) in enumerate(frames):
    p = Ether(b) if len(b) >= 14 else Raw(b)
    p.time = 1_700_000_000 + i
    pkts.append(p)
# scapy may re-encode parsed frames; write raw bytes instead to keep every lie intact.
with open(os.path.join(HERE, "hostile.pcap"), "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, (b, _) in enumerate(frames):
        f.write(struct.pack("<IIII", 1_700_000_000 + i, 0, len(b), len(b)))
        f.write(b)
counts = {}
for _, why in frames:
    counts[why] = counts.get(why, 0) + 1
with open(os.path.join(HERE, "expect.json"), "w") as f:
    json.dump({"packets": len(frames), "bytes": sum(len(b) for b, _ in frames), "reasons": counts}, f, indent=1,
              sort_keys=True)
print(len(frames), "frames", counts)
