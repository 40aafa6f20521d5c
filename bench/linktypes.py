#!/usr/bin/env python3
"""Writes pcaps/linktypes/: the packets of pcaps/dns.pcap and pcaps/misc.pcap (real programs, Ethernet) rewrapped
in every link layer xntop decodes, byte by byte from each link type's specification, plus the non-IP frames each
link carries on its own (keepalives, signalling, beacons). Python 3 standard library only.

Usage: python3 bench/linktypes.py [OUT_DIR]   (default: pcaps/linktypes next to this script's repository)

Every frame is built here; nothing is captured. The IP packets are the recorded ones, unchanged, so tshark's
dissection of each output file can be compared with xntop's flows (engine/engine/tests/exact_counts.rs).
Specifications: libpcap's pcap-linktype(7) and tcpdump.org/linktypes.html for the numbers and pseudo-headers,
RFC 1547 4.3.1 (Cisco HDLC), RFC 1661/1662 (PPP), RFC 2516 (PPPoE), ITU-T Q.922 and RFC 2427 (Frame Relay),
OpenBSD/FreeBSD if_pflog.h, Linux nfnetlink_log.h, illumos dl_ipnetinfo, IEEE 802.11 and radiotap.org, CACE PPI
1.0.
"""

import os
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ["pcaps/dns.pcap", "pcaps/misc.pcap"]
CLIENT_V4, CLIENT_V6 = bytes([10, 77, 0, 1]), bytes.fromhex("fd770000000000000000000000000001")
BSSID = bytes.fromhex("02fc0000000a")
ETH_IPV4, ETH_IPV6, ETH_ARP, ETH_VLAN = 0x0800, 0x86DD, 0x0806, 0x8100


# ---- reading and writing pcap files

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    order = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">"}[magic]
    linktype = struct.unpack(order + "I", data[20:24])[0]
    assert linktype == 1, f"{path}: Ethernet expected"
    pos, out = 24, []
    while pos < len(data):
        sec, usec, caplen, wire = struct.unpack(order + "IIII", data[pos:pos + 16])
        assert caplen == wire, f"{path}: a truncated frame"
        out.append((sec, usec, data[pos + 16:pos + 16 + caplen]))
        pos += 16 + caplen
    return out


def write_pcap(path, linktype, records, big=False):
    order = ">" if big else "<"
    with open(path, "wb") as f:
        f.write(struct.pack(order + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for sec, usec, frame in records:
            f.write(struct.pack(order + "IIII", sec, usec, len(frame), len(frame)) + frame)


def write_pcapng(path, linktypes, records):
    """records: (interface index, sec, usec, frame). Little-endian, microsecond resolution (the default)."""
    def block(kind, body):
        body += b"\x00" * (-len(body) % 4)
        return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    for lt in linktypes:
        out += block(1, struct.pack("<HHI", lt, 0, 262144))
    for iface, sec, usec, frame in records:
        ts = sec * 1_000_000 + usec
        out += block(6, struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame)
    with open(path, "wb") as f:
        f.write(out)


# ---- what the source frames hold

class Packet:
    """One recorded Ethernet frame, split into the parts the link layers need."""

    def __init__(self, sec, usec, frame):
        self.sec, self.usec, self.ethernet = sec, usec, frame
        self.dst, self.src = frame[0:6], frame[6:12]
        self.ethertype = struct.unpack(">H", frame[12:14])[0]
        assert self.ethertype != ETH_VLAN, "no VLAN tags in the sources"
        self.payload = frame[14:]

    @property
    def ip(self):
        return self.ethertype in (ETH_IPV4, ETH_IPV6)

    @property
    def v6(self):
        return self.ethertype == ETH_IPV6

    @property
    def from_client(self):
        """Sent by the capturing host (the client namespace's veth)."""
        if self.ethertype == ETH_IPV4:
            return self.payload[12:16] == CLIENT_V4
        if self.ethertype == ETH_IPV6:
            return self.payload[8:24] == CLIENT_V6
        return self.ethertype == ETH_ARP and self.payload[14:18] == CLIENT_V4

    @property
    def multicast(self):
        return bool(self.dst[0] & 1)


def sources():
    pkts = []
    for s in SOURCES:
        pkts += [Packet(*r) for r in read_pcap(os.path.join(ROOT, s))]
    pkts.sort(key=lambda p: (p.sec, p.usec))
    return pkts


def ppp_protocol(p):
    return 0x0021 if p.ethertype == ETH_IPV4 else 0x0057


# ---- link layers (each returns the frame, or None when the link cannot carry the packet)

def c_hdlc(p):
    """RFC 1547 4.3.1: address 0x0f (unicast) or 0x8f (broadcast), control 0, ethertype."""
    if not p.ip:
        return None
    return bytes([0x8F if p.multicast else 0x0F, 0]) + struct.pack(">H", p.ethertype) + p.payload


def slarp_keepalive(seq):
    """SLARP (Cisco serial line ARP) line keepalive: type 2, my/your sequence, reliability 0xffff."""
    return bytes([0x8F, 0]) + struct.pack(">HIIIH", 0x8035, 2, seq, seq - 1, 0xFFFF)


def cdp(name):
    """CDP v2 on Cisco HDLC: version, TTL, checksum, one Device-ID TLV."""
    tlv = struct.pack(">HH", 1, 4 + len(name)) + name
    body = struct.pack(">BBH", 2, 180, 0) + tlv
    padded = body + b"\x00" * (len(body) % 2)
    csum = sum(struct.unpack(f">{len(padded) // 2}H", padded))
    csum = (csum & 0xFFFF) + (csum >> 16)
    body = body[:2] + struct.pack(">H", ~csum & 0xFFFF) + body[4:]
    return bytes([0x8F, 0]) + struct.pack(">H", 0x2000) + body


def ppp(p, style):
    """RFC 1661/1662. style 0: address+control and a 2-byte protocol; 1: no address/control (ACFC);
    2: address+control and a 1-byte protocol (PFC)."""
    if not p.ip:
        return None
    proto = ppp_protocol(p)
    if style == 0:
        return b"\xff\x03" + struct.pack(">H", proto) + p.payload
    if style == 1:
        return struct.pack(">H", proto) + p.payload
    return b"\xff\x03" + bytes([proto]) + p.payload


def lcp_echo(code, ident):
    """LCP Echo-Request (9) / Echo-Reply (10) with a magic number, in HDLC-like framing."""
    return b"\xff\x03" + struct.pack(">HBBHI", 0xC021, code, ident, 8, 0x5A5A0000 + ident)


def ppp_ether(p):
    """RFC 2516 session stage header without Ethernet: ver/type 0x11, code 0, session id, length, PPP."""
    if not p.ip:
        return None
    ppp_frame = struct.pack(">H", ppp_protocol(p)) + p.payload
    return struct.pack(">BBHH", 0x11, 0, 0x1234, len(ppp_frame)) + ppp_frame


def q922(dlci, octets=2):
    if octets == 2:
        return bytes([(dlci >> 4) << 2, ((dlci & 0xF) << 4) | 1])
    return bytes([(dlci >> 17) << 2, ((dlci >> 13) & 0xF) << 4, ((dlci >> 6) & 0x7F) << 1, ((dlci & 0x3F) << 2) | 1])


def frelay(p, i):
    """One PVC (DLCI 16) whose frames take, by turns: RFC 2427 NLPID, RFC 2427 SNAP, Cisco's ethertype, the
    NLPID after a 4-byte address, and bridged Ethernet (the whole recorded frame)."""
    style = i % 5
    if not p.ip or style == 4:
        return q922(16) + b"\x03\x00\x80\x00\x80\xc2\x00\x07" + p.ethernet
    nlpid = b"\x8e" if p.v6 else b"\xcc"
    if style == 0:
        return q922(16) + b"\x03" + nlpid + p.payload
    if style == 1:
        return q922(16) + b"\x03\x00\x80\x00\x00\x00" + struct.pack(">H", p.ethertype) + p.payload
    if style == 2:
        return q922(16) + struct.pack(">H", p.ethertype) + p.payload
    return q922(16, octets=4) + b"\x03" + nlpid + p.payload


def lmi_status_enquiry(seq):
    """Q.933 Annex A STATUS ENQUIRY on DLCI 0: report type (link integrity), link integrity verification."""
    return q922(0) + b"\x03\x08\x00\x75" + bytes([0x51, 1, 1, 0x53, 2, seq & 0xFF, (seq - 1) & 0xFF])


def pflog(p, i):
    """pf log headers: OpenBSD 4.9+ (length 100, AF_INET6 24) and, every other packet, the 61-byte header of
    FreeBSD (padded to 64, AF_INET6 28)."""
    if not p.ip:
        return None
    action, direction = 0, 2 if p.from_client else 1
    if i % 2 == 0:
        af = 24 if p.v6 else 2
        hdr = struct.pack(">BBBB16s16sii", 100, af, action, 0, b"vio0", b"", 7, -1)
        hdr += struct.pack("<iiii", 0, 0, -1, 0) + bytes([direction, 0, af, 0])
        hdr += b"\x00" * 36  # rewritten addresses and ports: unused (not rewritten)
        assert len(hdr) == 100
    else:
        af = 28 if p.v6 else 2
        hdr = struct.pack(">BBBB16s16sii", 61, af, action, 0, b"vtnet0", b"", 3, -1)
        hdr += struct.pack("<iiii", -1, 0, -1, 0) + bytes([direction]) + b"\x00" * 3
    return hdr + p.payload


def nflog(p, big=False):
    """NFLOG: family (Linux AF_INET 2 / AF_INET6 10), version 0, resource id; TLVs in host order: packet header
    (hw protocol, hook), mark, in/out interface, prefix, uid (outgoing only), payload."""
    if not p.ip:
        return None
    order = ">" if big else "<"

    def tlv(kind, value):
        t = struct.pack(order + "HH", 4 + len(value), kind) + value
        return t + b"\x00" * (-len(t) % 4)

    hook = 3 if p.from_client else 1  # NF_INET_LOCAL_OUT / NF_INET_LOCAL_IN
    out = bytes([10 if p.v6 else 2, 0]) + struct.pack(">H", 7)
    out += tlv(1, struct.pack(">HBB", p.ethertype, hook, 0))
    out += tlv(2, struct.pack(">I", 0))
    out += tlv(5 if p.from_client else 4, struct.pack(">I", 2))
    out += tlv(10, b"xntop-log\x00")
    if p.from_client:
        out += tlv(11, struct.pack(">I", 0))
    out += tlv(9, p.payload)
    return out


def ipnet(p):
    """illumos dl_ipnetinfo: version 1, family (2 / 26), htype, packet length, ifindex, group, zones."""
    if not p.ip:
        return None
    return struct.pack(">BBHIIIII", 1, 26 if p.v6 else 2, 0, len(p.payload), 2, 0, 0, 0) + p.payload


def wlan(p, i):
    """An 802.11 data frame for an Ethernet frame: to the AP (to-DS) when the client sends, from it (from-DS)
    otherwise; QoS data every other frame; LLC/SNAP with the ethertype."""
    qos = i % 2 == 1
    subtype = 8 if qos else 0
    fc0 = 0x08 | (subtype << 4)
    if p.from_client:
        fc1, a1, a2, a3 = 0x01, BSSID, p.src, p.dst
    else:
        fc1, a1, a2, a3 = 0x02, p.dst, BSSID, p.src
    hdr = bytes([fc0, fc1]) + struct.pack("<H", 44) + a1 + a2 + a3 + struct.pack("<H", (i & 0xFFF) << 4)
    if qos:
        hdr += struct.pack("<H", 0)
    return hdr + b"\xaa\xaa\x03\x00\x00\x00" + struct.pack(">H", p.ethertype) + p.payload


def beacon(i):
    """A beacon: management frame, broadcast, timestamp, interval, capabilities, SSID element."""
    hdr = bytes([0x80, 0]) + b"\x00\x00" + b"\xff" * 6 + BSSID + BSSID + struct.pack("<H", (i & 0xFFF) << 4)
    return hdr + struct.pack("<QHH", i * 102400, 100, 0x0411) + b"\x00\x05xntop"


def ack(ra):
    """An acknowledgement: control frame, 10 bytes."""
    return bytes([0xD4, 0]) + b"\x00\x00" + ra


def fcs(frame):
    return frame + struct.pack("<I", zlib.crc32(frame))


def radiotap(frame, i, bad_fcs=False):
    """Three radiotap shapes by turns: Flags+Rate+Channel+antenna signal; TSFT+Flags with the FCS kept; two
    presence words (Ext) then Flags with the FCS kept."""
    style = i % 3
    if bad_fcs:
        words, fields, frame = [0x02], struct.pack("<B", 0x50), fcs(frame)[:-1] + b"\x00"
    elif style == 0:
        words, fields = [0x2E], struct.pack("<BBHHb", 0, 0x6C, 5180, 0x0140, -40 - i % 20)
    elif style == 1:
        words, fields, frame = [0x03], struct.pack("<QB", 1_000_000 + i, 0x10), fcs(frame)
    else:
        words, fields, frame = [0x80000002, 0], struct.pack("<B", 0x10), fcs(frame)
    body = b"".join(struct.pack("<I", w) for w in words) + fields
    return struct.pack("<BBH", 0, 0, 4 + len(body)) + body + frame


def prism(frame, i):
    """Prism monitor header: message code 0x44, length 144, device name, ten did/status/len/data items."""
    items = b""
    for n, value in enumerate([i, i, 6, 40, 0, 40, 0, 108, 0, len(frame)]):
        items += struct.pack("<IHHI", 0x41 + n * 0x1000, 0, 4, value)
    return struct.pack("<II16s", 0x44, 144, b"wlan0") + items + frame


def avs(frame, i):
    """AVS (wlancap v1) header, big-endian, 64 bytes."""
    return struct.pack(">IIQQIIIIIIiiII", 0x80211001, 64, i, i, 8, 6, 540, 1, 0, 2, -40, -95, 2, 1) + frame


def ppi(p, i):
    """PPI: the Ethernet frame as it is (DLT 1), or every other packet its 802.11 form (DLT 105) after an
    802.11-common field (type 2, 20 bytes)."""
    if i % 2 == 0:
        return struct.pack("<BBHI", 0, 0, 8, 1) + p.ethernet
    field = struct.pack("<HH", 2, 20) + struct.pack("<QHHHHBBbb", i, 0, 108, 2437, 0x00A0, 0, 0, -40, -95)
    return struct.pack("<BBHI", 0, 0, 8 + len(field), 105) + field + wlan(p, i)


def null_header(p):
    if not p.ip:
        return None
    return struct.pack("<I", 30 if p.v6 else 2) + p.payload


def loop_header(p):
    if not p.ip:
        return None
    return struct.pack(">I", 24 if p.v6 else 2) + p.payload


def sll2(p):
    """Linux cooked v2: protocol, reserved, ifindex, ARPHRD_ETHER, packet type (4 = outgoing), address."""
    return struct.pack(">HHIHBB8s", p.ethertype, 0, 2, 1, 4 if p.from_client else 0, 6, p.src) + p.payload


# ---- the captures

def build(pkts):
    """{file name: (linktype, [(sec, usec, frame)], big-endian)}."""
    files = {}

    def add(name, linktype, frames, big=False):
        files[name] = (linktype, frames, big)

    def each(fn):
        out = []
        for i, p in enumerate(pkts):
            f = fn(p, i)
            if f is not None:
                out.append((p.sec, p.usec, f))
        return out

    def with_extras(fn, every, extra):
        """Inserts `extra(n)` after every `every`-th packet, at that packet's time."""
        out = []
        for i, p in enumerate(pkts):
            f = fn(p, i)
            if f is not None:
                out.append((p.sec, p.usec, f))
            if i % every == every - 1:
                for e in extra(i // every):
                    out.append((p.sec, p.usec, e))
        return out

    add("c_hdlc.pcap", 104, with_extras(lambda p, i: c_hdlc(p), 8,
                                        lambda n: [slarp_keepalive(n + 1)] + ([cdp(b"rtr-a")] if n % 4 == 0 else [])))
    add("ppp.pcap", 9, with_extras(lambda p, i: ppp(p, i % 3), 10,
                                   lambda n: [lcp_echo(9, n), lcp_echo(10, n)]))
    add("ppp_hdlc.pcap", 50, with_extras(lambda p, i: ppp(p, 0), 10, lambda n: [lcp_echo(9, n)]))
    add("ppp_with_dir.pcap", 204,
        each(lambda p, i: None if not p.ip else bytes([1 if p.from_client else 0]) + ppp(p, 0)))
    add("ppp_ether.pcap", 51, each(lambda p, i: ppp_ether(p)))
    add("frelay.pcap", 107, with_extras(frelay, 10, lambda n: [lmi_status_enquiry(n + 1)]))
    add("pflog.pcap", 117, each(pflog))
    add("nflog.pcap", 239, each(lambda p, i: nflog(p)))
    # libpcap writes NFLOG attributes in the capturing host's order, and the file header in the same order.
    add("nflog_be.pcap", 239, each(lambda p, i: nflog(p, big=True)), big=True)
    add("ipnet.pcap", 226, each(lambda p, i: ipnet(p)))

    def wireless(wrap, bad_every=0):
        out = []
        for i, p in enumerate(pkts):
            frame = wlan(p, i)
            out.append((p.sec, p.usec, wrap(frame, i)))
            if not p.multicast:
                # The receiver acknowledges to the frame's transmitter.
                out.append((p.sec, p.usec, wrap(ack(p.src if p.from_client else BSSID), i)))
            if bad_every and i % bad_every == bad_every - 1:
                out.append((p.sec, p.usec, radiotap(frame, i, bad_fcs=True)))
            if i % 12 == 0:
                out.append((p.sec, p.usec, wrap(beacon(i), i)))
        return out

    add("ieee802_11.pcap", 105, wireless(lambda f, i: f))
    add("radiotap.pcap", 127, wireless(radiotap, bad_every=25))
    add("prism.pcap", 119, wireless(prism))
    add("avs.pcap", 163, wireless(avs))
    add("ppi.pcap", 192, each(ppi))
    add("null.pcap", 0, each(lambda p, i: null_header(p)))
    add("loop.pcap", 108, each(lambda p, i: loop_header(p)))
    add("raw.pcap", 101, each(lambda p, i: p.payload if p.ip else None))
    add("ipv4.pcap", 228, each(lambda p, i: p.payload if p.ethertype == ETH_IPV4 else None))
    add("ipv6.pcap", 229, each(lambda p, i: p.payload if p.v6 else None))
    add("linux_sll2.pcap", 276, each(lambda p, i: sll2(p)))
    return files


def flow_of(p):
    """Both directions' endpoints (address, port) and the protocol, in a direction-free order."""
    if p.v6:
        proto, src, dst, l4 = p.payload[6], p.payload[8:24], p.payload[24:40], p.payload[40:]
    else:
        ihl = (p.payload[0] & 0x0F) * 4
        proto, src, dst, l4 = p.payload[9], p.payload[12:16], p.payload[16:20], p.payload[ihl:]
    ports = struct.unpack(">HH", l4[:4]) if proto in (6, 17) else (0, 0)
    return proto, tuple(sorted([(src, ports[0]), (dst, ports[1])]))


def mixed(pkts):
    """One pcapng whose interfaces have different link types; each flow crosses one of them, picked by a hash of
    its endpoints (tshark's conversation tables keep a flow seen on two links apart)."""
    linktypes = [1, 104, 107, 127, 239]
    records = []
    for i, p in enumerate(pkts):
        iface = zlib.crc32(repr(flow_of(p)).encode()) % len(linktypes) if p.ip else 0
        frame = [p.ethernet, c_hdlc(p), frelay(p, i), radiotap(wlan(p, i), i), nflog(p)][iface]
        records.append((iface, p.sec, p.usec, frame))
    return linktypes, records


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "pcaps", "linktypes")
    os.makedirs(out_dir, exist_ok=True)
    pkts = sources()
    for name, (linktype, frames, big) in build(pkts).items():
        write_pcap(os.path.join(out_dir, name), linktype, frames, big)
        print(f"{name}: LINKTYPE {linktype}, {len(frames)} frames")
    linktypes, records = mixed(pkts)
    write_pcapng(os.path.join(out_dir, "mixed.pcapng"), linktypes, records)
    print(f"mixed.pcapng: LINKTYPEs {linktypes}, {len(records)} frames")


if __name__ == "__main__":
    main()
