#!/usr/bin/env python3
"""Makes the packet bytes that xntop-wire's unit tests embed, with scapy (`pip install scapy`).

Usage: python3 test_packets.py [--fill SRC_DIR] [--pcap OUT_DIR]
Prints one Rust `static` per packet. With --fill, writes them into the test modules of SRC_DIR/<file>.rs between
the `// ---- PACKETS <file>` and `// ---- END` markers (run `cargo fmt` after). With --pcap, writes one pcap per link
type so `tshark -r OUT_DIR/ethernet.pcap -V -o capwap.swap_fc:FALSE` can cross-check the dissection.
Fixed addresses, ports, ids and payloads make the output identical on every run.
"""

import struct
import sys
import zlib

from scapy.all import (
    ARP, ICMP, IP, LLC, PPP, SNAP, STP, TCP, UDP, Dot11, Dot11Beacon, Dot11Elt, Dot11QoS, Dot1AD, Dot1Q, Dot3, Ether,
    GRE, GRE_PPTP,
    ICMPv6EchoRequest, IPOption_Router_Alert, IPOption_RR, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, PPPoE, PPPoED, RouterAlert, Raw, fragment, fragment6,
)
from scapy.contrib.avs import AVSWLANHeader
from scapy.contrib.cdp import CDPMsgDeviceID, CDPv2_HDR
from scapy.contrib.chdlc import CHDLC, SLARP
from scapy.contrib.erspan import ERSPAN_II
from scapy.contrib.ppi_cace import PPI_Dot11Common
from scapy.contrib.gtp import GTP_U_Header, GTPEchoRequest, GTPPDUSessionContainer
from scapy.contrib.mpls import MPLS
from scapy.layers.inet import TCPerror
from scapy.layers.ipsec import AH, ESP
from scapy.layers.dot11 import PrismHeader
from scapy.layers.l2 import CookedLinux, CookedLinuxV2
from scapy.layers.pflog import PFLog
from scapy.layers.ppi import PPI, PPI_Hdr
from scapy.layers.ppp import DIR_PPP, HDLC, PPP_LCP_Echo
from scapy.layers.sctp import SCTP, SCTPChunkInit
from scapy.layers.vxlan import VXLAN

MAC_A, MAC_B = "00:11:22:33:44:55", "66:77:88:99:aa:bb"
V4_A, V4_B = "192.0.2.1", "198.51.100.2"
V6_A, V6_B = "2001:db8::1", "2001:db8::2"
SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]


def eth(**kw):
    return Ether(**{"src": MAC_A, "dst": MAC_B, **kw})


def inner_eth():
    return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


def syn(sport=40000, dport=80):
    return TCP(sport=sport, dport=dport, flags="S", seq=1000, window=64240, options=SYN_OPTS)


def pad60(p):
    raw = bytes(p)
    return raw + b"\x00" * max(0, 60 - len(raw))


def capwap(hlen, wbid, native, radio_mac=None):
    """CAPWAP data header (RFC 5415 4.3): preamble 0, HLEN in 4-byte words, RID 1, WBID, T, M when a radio MAC."""
    m = 1 if radio_mac else 0
    word0 = (hlen << 19) | (1 << 14) | (wbid << 9) | (native << 8) | (m << 4)
    hdr = struct.pack(">II", word0, 0)
    if radio_mac:
        field = bytes([6]) + radio_mac
        hdr += field + b"\x00" * (-len(field) % 4)
    assert len(hdr) == hlen * 4
    return Raw(hdr)


def vxlan_nest(levels, inner):
    p = inner
    for i in range(levels):
        p = inner_eth() / IP(src=f"10.0.{i}.1", dst=f"10.0.{i}.2", id=i) / UDP(sport=50000 + i, dport=4789) / \
            VXLAN(vni=100 + i, flags=0x08) / p
    return p


def dest_opts(n, payload):
    p = payload
    for _ in range(n):
        p = IPv6ExtHdrDestOpt() / p
    return p


def q922(dlci, octets=2, cr=0):
    """Q.922 address (ITU-T Q.922 3.3): DLCI bits spread over 2 or 4 octets, EA set only in the last."""
    if octets == 2:
        return bytes([((dlci >> 4) << 2) | (cr << 1), ((dlci & 0xF) << 4) | 1])
    assert octets == 4
    return bytes([((dlci >> 17) << 2) | (cr << 1), ((dlci >> 13) & 0xF) << 4, ((dlci >> 6) & 0x7F) << 1,
                  ((dlci & 0x3F) << 2) | 1])


def nflog(family, tlvs, big=False):
    """NFLOG message (libpcap LINKTYPE_NFLOG): family, version 0, resource id 5 (big-endian), then TLVs whose
    length and type are in the capturing host's byte order; each TLV padded to 4 bytes."""
    order = ">" if big else "<"
    out = bytes([family, 0]) + struct.pack(">H", 5)
    for kind, value in tlvs:
        tlv = struct.pack(order + "HH", 4 + len(value), kind) + value
        out += tlv + b"\x00" * (-len(tlv) % 4)
    return Raw(out)


def ipnet(family, packet):
    """Solaris dl_ipnetinfo: version 1, family, htype, packet length, ifindex 3, group ifindex, zones."""
    return Raw(struct.pack(">BBHIIIII", 1, family, 0, len(bytes(packet)), 3, 0, 0, 0)) / packet


def pflog_61(af, payload):
    """The 61-byte pf log header of OpenBSD 3.8-4.8 and today's FreeBSD/NetBSD/macOS, padded to 64 bytes:
    rule numbers big-endian, uid/pid fields in host order."""
    hdr = struct.pack(">BBBB16s16sii", 61, af, 0, 0, b"vtnet0", b"", 3, -1)
    hdr += struct.pack("<iiii", -1, 0, -1, 0) + bytes([1])
    return Raw(hdr + b"\x00" * 3) / payload


def radiotap(present_words, fields):
    """A radiotap header (radiotap.org): version 0, length, presence words, then the fields as given (already
    aligned by the caller)."""
    body = b"".join(struct.pack("<I", w) for w in present_words) + fields
    return Raw(struct.pack("<BBH", 0, 0, 4 + len(body)) + body)


def with_fcs(frame):
    raw = bytes(frame)
    return raw + struct.pack("<I", zlib.crc32(raw))


def wlan_data(payload, ds="to_DS"):
    return Dot11(type=2, subtype=0, FCfield=ds, addr1="00:00:00:00:00:01", addr2="00:11:22:33:44:55",
                 addr3="66:77:88:99:aa:bb") / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=payload[0]) / \
        payload[1]


def v4_udp(sport, dport, data):
    return 0x0800, IP(src=V4_A, dst=V4_B) / UDP(sport=sport, dport=dport) / data


def v6_udp(sport, dport, data):
    return 0x86DD, IPv6(src=V6_A, dst=V6_B) / UDP(sport=sport, dport=dport) / data


def v4_syn(sport, dport):
    return 0x0800, IP(src=V4_A, dst=V4_B) / syn(sport, dport)


def v6_syn(sport, dport):
    return 0x86DD, IPv6(src=V6_A, dst=V6_B) / syn(sport, dport)


v4_frags = fragment(IP(src=V4_A, dst=V4_B, id=0xBEEF) / UDP(sport=5353, dport=9999) / (b"x" * 100), fragsize=48)
v6_frags = fragment6(
    IPv6(src=V6_A, dst=V6_B) / IPv6ExtHdrFragment(id=0xDEADBEEF) / UDP(sport=5353, dport=9999) / (b"y" * 200), 120)

# (Rust file, static name, link type, packet)
PACKETS = [
    ("ethernet", "IPV4_TCP_SYN", "ethernet", eth() / IP(src=V4_A, dst=V4_B, id=0x1234) / syn()),
    ("ethernet", "QINQ_UDP", "ethernet",
     eth() / Dot1AD(vlan=100) / Dot1Q(vlan=200) / IP(src=V4_A, dst=V4_B) / UDP(sport=1111, dport=53) / b"qinq"),
    ("ethernet", "PADDED_UDP", "ethernet",
     pad60(eth() / IP(src=V4_A, dst=V4_B) / UDP(sport=1111, dport=2222) / b"hi")),
    ("ethernet", "ARP", "ethernet", eth(dst="ff:ff:ff:ff:ff:ff") / ARP(psrc=V4_A, pdst=V4_B)),
    ("ethernet", "STP_8023", "ethernet", Dot3(src=MAC_A, dst="01:80:c2:00:00:00") / LLC() / STP()),
    ("mpls", "MPLS_TWO_LABELS", "ethernet",
     eth() / MPLS(label=100, s=0, ttl=64) / MPLS(label=200, s=1, ttl=64) / IP(src=V4_A, dst=V4_B) /
     UDP(sport=1234, dport=5678) / b"mpls"),
    ("mpls", "MPLS_IPV6", "ethernet",
     eth(type=0x8847) / MPLS(label=16, s=1) / IPv6(src=V6_A, dst=V6_B) / syn(40001, 443)),
    ("pppoe", "PPPOE_IPV4_TCP", "ethernet",
     eth() / PPPoE(sessionid=0x11) / PPP(proto=0x21) / IP(src=V4_A, dst=V4_B) /
     TCP(sport=40002, dport=80, flags="PA", seq=7, ack=9) / b"GET /"),
    ("pppoe", "PPPOE_IPV6_UDP", "ethernet",
     eth() / PPPoE(sessionid=0x11) / PPP(proto=0x57) / IPv6(src=V6_A, dst=V6_B) / UDP(sport=546, dport=547) / b"v6"),
    ("pppoe", "PPPOE_DISCOVERY", "ethernet", eth(dst="ff:ff:ff:ff:ff:ff") / PPPoED(code=0x09)),
    ("sll", "SLL_IPV4_UDP", "linux_sll",
     CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=bytes.fromhex("001122334455") + b"\x00\x00",
                 proto=0x0800) / IP(src=V4_A, dst=V4_B) / UDP(sport=3333, dport=4444) / b"sll"),
    ("sll", "SLL_VLAN_TCP", "linux_sll",
     CookedLinux(pkttype=4, lladdrtype=1, lladdrlen=6, src=bytes.fromhex("001122334455") + b"\x00\x00",
                 proto=0x8100) / Dot1Q(vlan=7) / IP(src=V4_A, dst=V4_B) / syn(40003, 22)),
    ("sll", "SLL2_IPV6_TCP", "linux_sll2",
     CookedLinuxV2(proto=0x86DD, ifindex=2, pkttype=0, lladdrtype=1, lladdrlen=6,
                   src=bytes.fromhex("001122334455") + b"\x00\x00") / IPv6(src=V6_A, dst=V6_B) / syn(40004, 443)),
    ("null", "NULL_LE_IPV4_ICMP", "null",
     Raw(struct.pack("<I", 2)) / IP(src=V4_A, dst=V4_B) / ICMP(type=8, id=1, seq=1) / b"ping"),
    ("null", "NULL_BE_IPV6_UDP", "null",
     Raw(struct.pack(">I", 30)) / IPv6(src=V6_A, dst=V6_B) / UDP(sport=5000, dport=5001) / b"null"),
    ("null", "NULL_LE_IPV6_24", "null",
     Raw(struct.pack("<I", 24)) / IPv6(src=V6_A, dst=V6_B) / UDP(sport=5000, dport=5001) / b"bsd"),
    ("null", "LOOP_IPV4_TCP", "loop", Raw(struct.pack(">I", 2)) / IP(src=V4_A, dst=V4_B) / syn(40005, 25)),
    ("ipv4", "IPV4_OPTIONS_UDP", "ethernet",
     eth() / IP(src=V4_A, dst=V4_B, options=[IPOption_RR(routers=["10.1.2.3"]), IPOption_Router_Alert()]) /
     UDP(sport=6000, dport=6001) / b"options"),
    ("ipv4", "IPV4_FIRST_FRAGMENT", "ethernet", eth() / v4_frags[0]),
    ("ipv4", "IPV4_LATER_FRAGMENT", "ethernet", eth() / v4_frags[1]),
    ("ipv4", "RAW_IPV4_TCP", "raw", IP(src=V4_A, dst=V4_B) / syn(40006, 8080)),
    ("ipv4", "RAW_IPV6_UDP", "raw", IPv6(src=V6_A, dst=V6_B) / UDP(sport=7000, dport=7001) / b"raw6"),
    ("ipv4", "IPV4_OSPF", "ethernet", eth() / IP(src=V4_A, dst="224.0.0.5", proto=89, ttl=1) / (b"\x02\x01" + b"\x00" * 22)),
    ("ipv6", "IPV6_HBH_DEST_TCP", "ethernet",
     eth() / IPv6(src=V6_A, dst=V6_B) / IPv6ExtHdrHopByHop(options=[RouterAlert()]) / IPv6ExtHdrDestOpt() /
     syn(40007, 443)),
    ("ipv6", "IPV6_ROUTING_AH_TCP", "ethernet",
     eth() / IPv6(src=V6_A, dst=V6_B) / IPv6ExtHdrRouting(addresses=["2001:db8::99"]) /
     AH(nh=6, payloadlen=4, spi=0x100, seq=1, icv=b"\x00" * 12) / TCP(sport=40008, dport=179, flags="A", seq=5, ack=6) / b"bgp"),
    ("ipv6", "IPV6_FIRST_FRAGMENT", "ethernet", eth() / v6_frags[0]),
    ("ipv6", "IPV6_LATER_FRAGMENT", "ethernet", eth() / v6_frags[1]),
    ("ipv6", "IPV6_8_EXT_UDP", "raw",
     IPv6(src=V6_A, dst=V6_B) / dest_opts(8, UDP(sport=8000, dport=8001) / b"8")),
    ("ipv6", "IPV6_9_EXT_UDP", "raw",
     IPv6(src=V6_A, dst=V6_B) / dest_opts(9, UDP(sport=8000, dport=8001) / b"9")),
    ("ipv6", "IPV6_ESP", "raw", IPv6(src=V6_A, dst=V6_B) / ESP(spi=0x1234, seq=1, data=b"\xaa" * 16)),
    ("ipv6", "IPV6_NO_NEXT", "raw", IPv6(src=V6_A, dst=V6_B) / IPv6ExtHdrDestOpt(nh=59)),
    ("tcp", "IPV4_TCP_DATA", "ethernet",
     eth() / IP(src=V4_A, dst=V4_B) / TCP(sport=80, dport=40000, flags="PA", seq=0x01020304, ack=0x05060708,
                                          window=512) / b"HTTP/1.1 200 OK\r\n"),
    ("udp", "IPV4_UDP_DNS", "ethernet",
     eth() / IP(src=V4_A, dst=V4_B) / UDP(sport=53000, dport=53) / bytes.fromhex("abcd01000001000000000000")),
    ("icmp", "ICMP_ECHO", "ethernet",
     eth() / IP(src=V4_A, dst=V4_B) / ICMP(type=8, id=0x77, seq=3) / b"abcdefgh"),
    ("icmp", "ICMP_UNREACHABLE", "ethernet",
     eth() / IP(src=V4_B, dst=V4_A) / ICMP(type=3, code=3) / IP(src=V4_A, dst=V4_B, proto=6) / TCPerror(sport=1, dport=2)),
    ("icmp", "ICMPV6_ECHO", "ethernet",
     eth() / IPv6(src=V6_A, dst=V6_B) / ICMPv6EchoRequest(id=0x77, seq=4, data=b"ping6")),
    ("sctp", "SCTP_INIT", "ethernet",
     eth() / IP(src=V4_A, dst=V4_B) / SCTP(sport=5000, dport=38412, tag=0) / SCTPChunkInit(init_tag=1)),
    ("gre", "GRE_IPV4_TCP", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / GRE() / IP(src=V4_A, dst=V4_B) / syn(40009, 80)),
    ("gre", "GRE_KEY_SEQ_CSUM_IPV6", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") /
     GRE(chksum_present=1, key_present=1, key=0x1234, seqnum_present=1, seqence_number=7) /
     IPv6(src=V6_A, dst=V6_B) / UDP(sport=9000, dport=9001) / b"gre6"),
    ("gre", "GRE_TEB", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / GRE(proto=0x6558) / inner_eth() / IP(src=V4_A, dst=V4_B) /
     UDP(sport=9002, dport=9003) / b"teb"),
    ("gre", "GRE_ERSPAN_II", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / GRE(seqnum_present=1, seqence_number=1, proto=0x88BE) /
     ERSPAN_II(session_id=5, vlan=0) / inner_eth() / IP(src=V4_A, dst=V4_B) / syn(40010, 443)),
    ("gre", "GRE_PPTP_IPV4", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / GRE_PPTP(call_id=1, seqnum_present=1, seqence_number=2) /
     PPP(proto=0x21) / IP(src="10.9.0.1", dst="10.9.0.2") / UDP(sport=137, dport=137) / b"pptp"),
    ("gre", "GRE_ARP", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / GRE(proto=0x0806) / ARP(psrc=V4_A, pdst=V4_B)),
    ("vxlan", "VXLAN_TCP", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / UDP(sport=54321, dport=4789) / VXLAN(vni=42, flags=0x08) /
     inner_eth() / Dot1Q(vlan=3) / IP(src=V4_A, dst=V4_B) / syn(40011, 80)),
    ("vxlan", "VXLAN_IPV6_OUTER", "ethernet",
     eth() / IPv6(src="2001:db8:ff::1", dst="2001:db8:ff::2") / UDP(sport=54322, dport=4789) / VXLAN(vni=43, flags=0x08) /
     inner_eth() / IPv6(src=V6_A, dst=V6_B) / UDP(sport=9004, dport=9005) / b"vx6"),
    ("vxlan", "NOT_VXLAN", "ethernet",
     eth() / IP(src=V4_A, dst=V4_B) / UDP(sport=4000, dport=4789) / b"definitely not a vxlan header"),
    ("vxlan", "VXLAN_NESTED_4", "ethernet",
     eth() / vxlan_nest(4, inner_eth() / IP(src=V4_A, dst=V4_B) / UDP(sport=9006, dport=9007) / b"deep")[IP]),
    ("vxlan", "VXLAN_NESTED_5", "ethernet",
     eth() / vxlan_nest(5, inner_eth() / IP(src=V4_A, dst=V4_B) / UDP(sport=9006, dport=9007) / b"deeper")[IP]),
    ("gtp", "GTPU_IPV4_UDP", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / UDP(sport=2152, dport=2152) / GTP_U_Header(teid=0x11223344) /
     IP(src="10.45.0.2", dst="8.8.8.8") / UDP(sport=40000, dport=53) / b"gtp"),
    ("gtp", "GTPU_EXT_IPV6_TCP", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / UDP(sport=2152, dport=2152) /
     GTP_U_Header(teid=0x55667788, E=1, next_ex=0x85) / GTPPDUSessionContainer(type=1, QFI=9, NextExtHdr=0) /
     IPv6(src=V6_A, dst=V6_B) / syn(40012, 443)),
    ("gtp", "GTP_ECHO", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / UDP(sport=2152, dport=2152) / GTP_U_Header(gtp_type=1) /
     GTPEchoRequest()),
    ("capwap", "CAPWAP_80211_QOS", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / UDP(sport=12222, dport=5247) / capwap(2, 1, 1) /
     Dot11(type=2, subtype=8, FCfield="to_DS", addr1="00:00:00:00:00:01", addr2="00:00:00:00:00:02",
           addr3="00:00:00:00:00:03") / Dot11QoS(TID=5) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x0800) /
     IP(src=V4_A, dst=V4_B) / syn(40013, 80)),
    ("capwap", "CAPWAP_80211_WDS_RADIO_MAC", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / UDP(sport=5247, dport=12223) /
     capwap(4, 1, 1, radio_mac=bytes.fromhex("0a0b0c0d0e0f")) /
     Dot11(type=2, subtype=0, FCfield="to_DS+from_DS", addr1="00:00:00:00:00:01", addr2="00:00:00:00:00:02",
           addr3="00:00:00:00:00:03", addr4="00:00:00:00:00:04") / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) /
     SNAP(OUI=0, code=0x86DD) / IPv6(src=V6_A, dst=V6_B) / UDP(sport=9008, dport=9009) / b"wds"),
    ("capwap", "CAPWAP_8023", "ethernet",
     eth() / IP(src="203.0.113.1", dst="203.0.113.2") / UDP(sport=12224, dport=5247) / capwap(2, 1, 0) /
     inner_eth() / IP(src=V4_A, dst=V4_B) / UDP(sport=9010, dport=9011) / b"8023"),
    ("chdlc", "CHDLC_IPV4_TCP", "c_hdlc", CHDLC(address=0x0F, proto=0x0800) / v4_syn(40020, 179)[1]),
    ("chdlc", "CHDLC_IPV6_UDP", "c_hdlc", CHDLC(address=0x8F, proto=0x86DD) / v6_udp(5000, 5001, b"chdlc6")[1]),
    ("chdlc", "CHDLC_MPLS_UDP", "c_hdlc",
     CHDLC(proto=0x8847) / MPLS(label=16, s=1, ttl=64) / v4_udp(5002, 5003, b"mpls")[1]),
    ("chdlc", "CHDLC_SLARP", "c_hdlc", CHDLC(address=0x8F, proto=0x8035) / SLARP(type=2, mysequence=5, yoursequence=4)),
    ("chdlc", "CHDLC_CDP", "c_hdlc",
     CHDLC(address=0x8F, proto=0x2000) / CDPv2_HDR(vers=2, ttl=180, msg=[CDPMsgDeviceID(val=b"router1")])),
    ("chdlc", "CHDLC_DIR_IPV4_UDP", "c_hdlc_with_dir",
     Raw(b"\x01") / CHDLC(proto=0x0800) / v4_udp(5004, 5005, b"dir")[1]),
    ("ppp", "PPP_HDLC_IPV4_UDP", "ppp_hdlc", HDLC() / PPP(proto=0x21) / v4_udp(5010, 5011, b"hdlc")[1]),
    ("ppp", "PPP_BARE_IPV6_TCP", "ppp", PPP(proto=0x57) / v6_syn(40021, 443)[1]),
    ("ppp", "PPP_PFC_IPV4_UDP", "ppp", Raw(b"\x21") / v4_udp(5012, 5013, b"pfc")[1]),
    ("ppp", "PPP_CHDLC_IPV4_UDP", "ppp", CHDLC(address=0x0F, proto=0x0800) / v4_udp(5014, 5015, b"cisco")[1]),
    ("ppp", "PPP_MPLS_UDP", "ppp_hdlc",
     HDLC() / PPP(proto=0x0281) / MPLS(label=17, s=1, ttl=64) / v4_udp(5016, 5017, b"mpls")[1]),
    ("ppp", "PPP_LCP_ECHO", "ppp_hdlc", HDLC() / PPP(proto=0xC021) / PPP_LCP_Echo(code=9, id=1, magic_number=0x1234)),
    ("ppp", "PPP_DIR_IPV4_TCP", "ppp_with_dir", DIR_PPP(direction=1) / HDLC() / PPP(proto=0x21) / v4_syn(40022, 22)[1]),
    ("ppp", "PPP_PPPD_IPV6_UDP", "ppp_pppd", Raw(b"\x01\x03") / PPP(proto=0x57) / v6_udp(5018, 5019, b"pppd")[1]),
    ("ppp", "PPP_ETHER_IPV4_UDP", "ppp_ether",
     PPPoE(sessionid=0x11) / PPP(proto=0x21) / v4_udp(5020, 5021, b"pppoe")[1]),
    ("frame_relay", "FR_IPV4_UDP", "frelay", Raw(q922(100) + b"\x03\xcc") / v4_udp(5030, 5031, b"fr")[1]),
    ("frame_relay", "FR_SNAP_IPV6_TCP", "frelay",
     Raw(q922(200) + b"\x03\x00\x80\x00\x00\x00\x86\xdd") / v6_syn(40023, 80)[1]),
    ("frame_relay", "FR_4BYTE_IPV6_UDP", "frelay",
     Raw(q922(0x123456, octets=4) + b"\x03\x8e") / v6_udp(5032, 5033, b"fr4")[1]),
    ("frame_relay", "FR_PPP_IPV4_UDP", "frelay", Raw(q922(300) + b"\x03\xcf\x00\x21") / v4_udp(5034, 5035, b"ppp")[1]),
    ("frame_relay", "FR_BRIDGED_IPV4_UDP", "frelay",
     Raw(q922(400) + b"\x03\x00\x80\x00\x80\xc2\x00\x07") / eth() / v4_udp(5036, 5037, b"bridged")[1]),
    ("frame_relay", "FR_CISCO_IPV4_TCP", "frelay", Raw(q922(500) + b"\x08\x00") / v4_syn(40024, 443)[1]),
    # Q.933 Annex A STATUS ENQUIRY on DLCI 0: call reference 0, message type 0x75, report type "full status".
    ("frame_relay", "FR_LMI", "frelay", Raw(q922(0) + b"\x03\x08\x00\x75\x95\x01\x01\x00\x03\x02\x01\x00")),
    ("frame_relay", "FR_DIR_IPV4_UDP", "frelay_with_dir",
     Raw(b"\x00" + q922(600) + b"\x03\xcc") / v4_udp(5038, 5039, b"dir")[1]),
    ("pflog", "PFLOG_IPV4_TCP", "pflog",
     PFLog(addrfamily=2, action=1, iface=b"em0", rulenumber=4, subrulenumber=-1, direction=1, naddrfamily=2,
           saddr=V4_A, daddr=V4_B, sport=40025, dport=22) / v4_syn(40025, 22)[1]),
    ("pflog", "PFLOG_IPV6_UDP", "pflog",
     PFLog(addrfamily=24, action=0, iface=b"em0", naddrfamily=24, saddr=V6_A, daddr=V6_B, sport=5040, dport=5041) /
     v6_udp(5040, 5041, b"pf6")[1]),
    ("pflog", "PFLOG_61_IPV6_UDP", "pflog", pflog_61(28, v6_udp(5042, 5043, b"freebsd")[1])),
    ("nflog", "NFLOG_IPV4_UDP", "nflog",
     nflog(2, [(1, b"\x08\x00\x01\x00"), (10, b"xntop\x00"), (11, struct.pack(">I", 0)),
               (9, bytes(v4_udp(5050, 5051, b"nflog")[1]))])),
    ("nflog", "NFLOG_BE_IPV6_TCP", "nflog",
     nflog(10, [(1, b"\x86\xdd\x03\x00"), (9, bytes(v6_syn(40026, 443)[1]))], big=True)),
    ("nflog", "NFLOG_NO_PAYLOAD", "nflog", nflog(2, [(1, b"\x08\x00\x01\x00"), (10, b"nothing\x00")])),
    ("ipnet", "IPNET_IPV4_UDP", "ipnet", ipnet(2, v4_udp(5060, 5061, b"ipnet")[1])),
    ("ipnet", "IPNET_IPV6_TCP", "ipnet", ipnet(26, v6_syn(40027, 22)[1])),
    ("wlan", "WLAN_DATA_IPV4_UDP", "ieee802_11", wlan_data(v4_udp(5070, 5071, b"wlan"))),
    ("wlan", "WLAN_QOS_IPV6_TCP", "ieee802_11",
     Dot11(type=2, subtype=8, FCfield="from_DS", addr1="00:11:22:33:44:55", addr2="00:00:00:00:00:01",
           addr3="66:77:88:99:aa:bb") / Dot11QoS(TID=6) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) /
     SNAP(OUI=0, code=0x86DD) / v6_syn(40028, 443)[1]),
    ("wlan", "WLAN_BEACON", "ieee802_11",
     Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2="00:00:00:00:00:01", addr3="00:00:00:00:00:01") /
     Dot11Beacon(cap=0x0411) / Dot11Elt(ID=0, info=b"xntop")),
    ("wlan", "WLAN_PROTECTED", "ieee802_11",
     Dot11(type=2, subtype=0, FCfield="to_DS+protected", addr1="00:00:00:00:00:01", addr2="00:11:22:33:44:55",
           addr3="66:77:88:99:aa:bb") / Raw(b"\x01\x00\x00\x20\x00\x00\x00\x00" + b"\x5a" * 24)),
    ("wlan", "WLAN_NULL", "ieee802_11",
     Dot11(type=2, subtype=4, FCfield="to_DS", addr1="00:00:00:00:00:01", addr2="00:11:22:33:44:55",
           addr3="00:00:00:00:00:01")),
    ("wlan", "WLAN_ACK", "ieee802_11", Dot11(type=1, subtype=13, addr1="00:11:22:33:44:55")),
    ("radiotap", "RADIOTAP_IPV6_TCP", "radiotap",
     # Flags, Rate, Channel (2-aligned frequency and flags), antenna signal.
     radiotap([0x2E], struct.pack("<BBHHb", 0, 0x6C, 5180, 0x0140, -42)) /
     Dot11(type=2, subtype=8, FCfield="from_DS", addr1="00:11:22:33:44:55", addr2="00:00:00:00:00:01",
           addr3="66:77:88:99:aa:bb") / Dot11QoS(TID=0) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) /
     SNAP(OUI=0, code=0x86DD) / v6_syn(40029, 443)[1]),
    ("radiotap", "RADIOTAP_TSFT_FCS_IPV4_UDP", "radiotap",
     # TSFT (8-aligned, right after the presence word) then Flags with FCS-at-end.
     radiotap([0x03], struct.pack("<QB", 123456789, 0x10)) / Raw(with_fcs(wlan_data(v4_udp(5080, 5081, b"fcs"))))),
    ("radiotap", "RADIOTAP_EXT_IPV4_UDP", "radiotap",
     # Two presence words (Ext set in the first), Flags after both.
     radiotap([0x80000002, 0x00000000], struct.pack("<B", 0x10)) /
     Raw(with_fcs(wlan_data(v4_udp(5082, 5083, b"ext"))))),
    ("radiotap", "RADIOTAP_BAD_FCS", "radiotap",
     radiotap([0x02], struct.pack("<B", 0x50)) / Raw(wlan_data(v4_udp(5084, 5085, b"bad")).build() + b"\0\0\0\0")),
    ("radiotap", "RADIOTAP_BEACON", "radiotap",
     radiotap([0x02], struct.pack("<B", 0)) /
     Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2="00:00:00:00:00:01", addr3="00:00:00:00:00:01") /
     Dot11Beacon(cap=0x0411) / Dot11Elt(ID=0, info=b"xntop")),
    ("prism", "PRISM_IPV4_UDP", "prism",
     PrismHeader(dev=b"wlan0", channel_did=0x3041, channel_len=4, channel=6) / wlan_data(v4_udp(5090, 5091, b"prism"))),
    ("prism", "AVS_IPV6_UDP", "avs",
     AVSWLANHeader(version=0x80211001, channel=6, datarate=540) / wlan_data(v6_udp(5092, 5093, b"avs"))),
    ("ppi", "PPI_ETHERNET_IPV4_UDP", "ppi", PPI(dlt=1) / eth() / v4_udp(5100, 5101, b"ppi")[1]),
    ("ppi", "PPI_80211_COMMON_IPV4_TCP", "ppi",
     PPI(dlt=105, headers=[PPI_Hdr(pfh_type=2) / PPI_Dot11Common(Rate=108, Ch_Freq=2437)]) /
     wlan_data(v4_syn(40030, 80))),
]

LINKTYPES = {"ethernet": 1, "null": 0, "loop": 108, "raw": 101, "linux_sll": 113, "linux_sll2": 276, "ppp": 9,
             "ppp_hdlc": 50, "ppp_with_dir": 204, "ppp_pppd": 166, "ppp_ether": 51, "c_hdlc": 104,
             "c_hdlc_with_dir": 205, "frelay": 107, "frelay_with_dir": 206, "pflog": 117, "nflog": 239,
             "ipnet": 226, "ieee802_11": 105, "radiotap": 127, "prism": 119, "avs": 163, "ppi": 192}


def rust_static(name, data):
    body = ", ".join(f"0x{b:02x}" for b in data)
    return f"pub(crate) static {name}: [u8; {len(data)}] = [{body}];"


def write_pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, data in enumerate(frames):
            f.write(struct.pack("<IIII", i, 0, len(data), len(data)) + data)


def fill(src_dir, blocks):
    for rust_file, lines in blocks.items():
        path = f"{src_dir}/{rust_file}.rs"
        with open(path) as f:
            text = f.read()
        start_marker, end_marker = f"// ---- PACKETS {rust_file}\n", "// ---- END"
        start = text.index(start_marker) + len(start_marker)
        end = text.index(end_marker, start)
        indent = text[text.rindex("\n", 0, end) + 1:end]
        body = "".join(f"{indent}{line}\n" for line in lines)
        with open(path, "w") as f:
            f.write(text[:start] + body + text[text.rindex("\n", 0, end) + 1:])


def main():
    args = sys.argv[1:]
    src_dir = args[args.index("--fill") + 1] if "--fill" in args else None
    out_dir = args[args.index("--pcap") + 1] if "--pcap" in args else None
    blocks, by_link = {}, {}
    for rust_file, name, link, pkt in PACKETS:
        data = bytes(pkt)
        summary = pkt.summary() if hasattr(pkt, "summary") else name
        lines = blocks.setdefault(rust_file, [])
        lines += [f"/// {summary} ({link})", rust_static(name, data)]
        by_link.setdefault(link, []).append(data)
    for rust_file, lines in blocks.items():
        print(f"// ---- {rust_file}.rs")
        print("\n".join(lines))
    if src_dir:
        variants = {"ethernet": "Ethernet", "null": "Null", "loop": "Loop", "raw": "Raw", "linux_sll": "LinuxSll",
                    "linux_sll2": "LinuxSll2", "ppp": "Ppp", "ppp_hdlc": "Ppp", "ppp_with_dir": "PppWithDir",
                    "ppp_pppd": "PppPppd", "ppp_ether": "PppEther", "c_hdlc": "CiscoHdlc",
                    "c_hdlc_with_dir": "CiscoHdlcWithDir", "frelay": "FrameRelay",
                    "frelay_with_dir": "FrameRelayWithDir", "pflog": "Pflog", "nflog": "Nflog", "ipnet": "Ipnet",
                    "ieee802_11": "Ieee80211", "radiotap": "Radiotap", "prism": "Prism", "avs": "Avs",
                    "ppi": "Ppi"}
        samples = [f'("{name}", LinkType::{variants[link]}, &crate::{rust_file}::tests::{name}),'
                   for rust_file, name, link, _ in PACKETS]
        blocks["proptests"] = [f"/// Every packet of the test modules, with its link type.",
                               f"static SAMPLES: [(&str, LinkType, &[u8]); {len(samples)}] = ["] + samples + ["];"]
        fill(src_dir, blocks)
    if out_dir:
        for link, frames in by_link.items():
            write_pcap(f"{out_dir}/{link}.pcap", LINKTYPES[link], frames)


if __name__ == "__main__":
    main()
