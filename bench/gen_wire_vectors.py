from scapy.all import *
from scapy.layers.l2 import Dot1Q, Dot1AD
from scapy.contrib.mpls import MPLS
from scapy.layers.ppp import PPPoE, PPP
from scapy.layers.vxlan import VXLAN
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer
from scapy.layers.sctp import SCTP, SCTPChunkInit
from scapy.layers.inet6 import IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, ICMPv6EchoRequest
E = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
v4 = IP(src="10.1.1.1", dst="10.2.2.2", id=77)
v6 = IPv6(src="2001:db8::1", dst="2001:db8::2")
tcp = TCP(sport=40000, dport=443, flags="S", seq=1000)
pk = {}
pk["ETH_V4_TCP_SYN"] = E/v4/tcp
pk["ETH_V4_UDP_PADDED"] = E/v4/UDP(sport=5353, dport=53)/b"ab"  # 42+2 < 60: padded below
pk["ETH_V4_OPTIONS_TCP"] = E/IP(src="10.1.1.1", dst="10.2.2.2", options=[IPOption(b"\x01\x01\x01\x01")])/TCP(sport=1, dport=2, flags="PA")/b"hello"
pk["ETH_V6_EXT_TCP"] = E/v6/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt()/TCP(sport=50000, dport=80, flags="S")
pk["QINQ_V4_UDP"] = E/Dot1AD(vlan=100)/Dot1Q(vlan=200)/v4/UDP(sport=1000, dport=2000)/b"x"
pk["MPLS2_V4_TCP"] = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02", type=0x8847)/MPLS(label=16, s=0)/MPLS(label=17, s=1)/v4/TCP(sport=3, dport=4)
pk["PPPOE_V4_UDP"] = E/PPPoE(sessionid=1)/PPP(proto=0x0021)/v4/UDP(sport=5, dport=6)/b"yy"
pk["V4_FRAG_FIRST"] = E/IP(src="10.1.1.1", dst="10.2.2.2", id=9, flags="MF", frag=0, proto=17)/Raw(bytes(UDP(sport=7, dport=8, len=1008))+b"a"*24)
pk["V4_FRAG_LATER"] = E/IP(src="10.1.1.1", dst="10.2.2.2", id=9, flags=0, frag=4, proto=17)/Raw(b"b"*40)
pk["V6_FRAG_LATER"] = E/v6/IPv6ExtHdrFragment(id=0x1234, offset=10, m=0, nh=17)/Raw(b"c"*16)
pk["V4_ICMP_ECHO"] = E/v4/ICMP(type=8, code=0, id=1, seq=1)/b"ping"
pk["V6_ICMPV6_ECHO"] = E/v6/ICMPv6EchoRequest(id=1, seq=2)
pk["V4_SCTP"] = E/v4/SCTP(sport=2905, dport=2905)/SCTPChunkInit()
inner = Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:0b")/IP(src="192.168.9.1", dst="192.168.9.2")/TCP(sport=1234, dport=80, flags="S")
pk["GRE_KEY_V4"] = E/v4/GRE(key_present=1, key=5, proto=0x0800)/IP(src="192.168.9.1", dst="192.168.9.2")/UDP(sport=11, dport=12)
pk["GRE_TEB"] = E/v4/GRE(proto=0x6558)/inner
pk["VXLAN"] = E/v4/UDP(sport=55555, dport=4789)/VXLAN(vni=42)/inner
pk["GTPU"] = E/v4/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=1, gtp_type=255)/IP(src="172.20.0.1", dst="8.8.8.8")/UDP(sport=3333, dport=53)/b"q"
pk["GTPU_EXT"] = E/v4/UDP(sport=2152, dport=2152)/GTP_U_Header(teid=1, gtp_type=255, E=1, next_ex=0x85)/GTPPDUSessionContainer(type=0, QFI=9)/IP(src="172.20.0.1", dst="8.8.4.4")/TCP(sport=4444, dport=443, flags="S")
# CAPWAP data: preamble 0, HLEN=2 (8 bytes), RID=1, WBID=1, T=1
capwap_hdr = bytes([0x00, (2<<3)|0, (1<<6)|(1<<1)|0, 0x00|0]) + b"\x00\x00\x00\x00"
w = (2 << 19) | (1 << 14) | (1 << 9) | (1 << 8)
capwap_hdr = bytes([0]) + w.to_bytes(4,'big')[1:] + b"\x00\x00\x00\x00"
dot11 = bytes([0x08, 0x01]) + b"\x00\x00" + bytes(6)+bytes(6)+bytes(6) + b"\x00\x00"
llc = bytes([0xaa,0xaa,0x03,0,0,0,0x08,0x00])
pk["CAPWAP_80211"] = E/v4/UDP(sport=12222, dport=5247)/Raw(capwap_hdr + dot11 + llc + bytes(IP(src="192.168.50.5", dst="192.168.50.6")/TCP(sport=5555, dport=22, flags="S")))
w0 = (2 << 19)
capwap_eth = bytes([0]) + w0.to_bytes(4,'big')[1:] + b"\x00\x00\x00\x00"
pk["CAPWAP_8023"] = E/v4/UDP(sport=12222, dport=5247)/Raw(capwap_eth + bytes(inner))
pk["IP6_IN_IP4"] = E/IP(src="198.51.100.1", dst="198.51.100.2", proto=41)/v6/TCP(sport=50000, dport=80, flags="S")
pk["VXLAN_GARBAGE"] = E/v4/UDP(sport=1, dport=4789)/b"not vxlan"
x = inner
for i in range(5):
    x = Ether()/IP(src="10.0.0.%d"%(i+1), dst="10.0.0.99")/UDP(sport=1000+i, dport=4789)/VXLAN(vni=i)/x
pk["VXLAN_NESTED5"] = x
pk["ARP"] = Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/ARP()
out = []
for k, p in pk.items():
    b = bytes(p)
    if k == "ETH_V4_UDP_PADDED":
        b = b + bytes(60 - len(b))
    out.append('pub const %s: &str = "%s";' % (k, b.hex()))
# SLL / SLL2 / NULL / Loop / raw built from the IPv4 TCP packet
ipb = bytes(v4/tcp)
out.append('pub const IP4_TCP: &str = "%s";' % ipb.hex())
out.append('pub const IP6_TCP: &str = "%s";' % bytes(v6/TCP(sport=50000, dport=80, flags="SA")).hex())
open(__import__("sys").argv[1] if len(__import__("sys").argv) > 1 else "engine/wire/src/tests/vectors.rs","w").write("//! Packets built with scapy 2.8 by bench/gen_wire_vectors.py (hex of the whole frame).\n\n" + "\n".join(out) + "\n")
