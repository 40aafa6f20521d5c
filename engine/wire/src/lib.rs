//! Zero-copy views over packet headers and the frame decoder that turns a captured frame into the fields a flow
//! table needs.
//!
//! Contract (as in smoltcp's `wire`): every view is built with a `new_checked` that verifies the length once; after
//! that no accessor panics. [`decode`] never allocates and never panics, whatever the input; a frame it cannot use
//! comes back as a [`Reject`] that names the reason, so the caller can count it.

use std::net::IpAddr;

pub mod cursor;
mod decode;

pub mod capwap;
pub mod chdlc;
pub mod direction;
pub mod ethernet;
pub mod frame_relay;
pub mod gre;
pub mod gtp;
pub mod icmp;
pub mod ieee80211;
pub mod ipnet;
pub mod ipv4;
pub mod ipv6;
pub mod mpls;
pub mod nflog;
pub mod null;
pub mod pflog;
pub mod ppi;
pub mod ppp;
pub mod pppoe;
pub mod prism;
pub mod radiotap;
pub mod sctp;
pub mod sll;
pub mod syn;
pub mod tcp;
pub mod udp;
pub mod vxlan;
pub mod wlan;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use decode::{decode, Inner, MAX_ENCAPSULATION_DEPTH};
pub use ipv6::MAX_EXTENSION_HEADERS;

/// A byte range inside a fixed header, as in smoltcp's `wire::field`.
pub(crate) type Field = core::ops::Range<usize>;

/// Link-layer framing of a capture, from the pcap/pcapng `LINKTYPE_*` number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// `LINKTYPE_ETHERNET` (1).
    Ethernet,
    /// `LINKTYPE_NULL` (0): BSD loopback, a 4-byte address family in the capturing host's byte order.
    Null,
    /// `LINKTYPE_LOOP` (108): OpenBSD loopback, a 4-byte address family in network byte order.
    Loop,
    /// `LINKTYPE_RAW` (101, and DLT 12/14 on some systems): IPv4 or IPv6, told apart by the version nibble.
    Raw,
    /// `LINKTYPE_IPV4` (228).
    Ipv4,
    /// `LINKTYPE_IPV6` (229).
    Ipv6,
    /// `LINKTYPE_LINUX_SLL` (113): Linux "cooked" capture, 16-byte header.
    LinuxSll,
    /// `LINKTYPE_LINUX_SLL2` (276): Linux "cooked" capture v2, 20-byte header.
    LinuxSll2,
    /// `LINKTYPE_PPP` (9) and `LINKTYPE_PPP_HDLC` (50): PPP with or without the HDLC address and control bytes,
    /// or Cisco HDLC (both link types may hold it; its address byte tells).
    Ppp,
    /// `LINKTYPE_PPP_WITH_DIR` (204): a direction byte, then as [`LinkType::Ppp`].
    PppWithDir,
    /// `LINKTYPE_PPP_PPPD` (166): PPP in HDLC-like framing with the address byte replaced by a direction.
    PppPppd,
    /// `LINKTYPE_PPP_ETHER` (51): a PPPoE session header without the Ethernet header.
    PppEther,
    /// `LINKTYPE_C_HDLC` (104): Cisco HDLC, an ethertype after address and control.
    CiscoHdlc,
    /// `LINKTYPE_C_HDLC_WITH_DIR` (205): a direction byte, then Cisco HDLC.
    CiscoHdlcWithDir,
    /// `LINKTYPE_FRELAY` (107): Frame Relay, a Q.922 address then RFC 2427 or Cisco encapsulation.
    FrameRelay,
    /// `LINKTYPE_FRELAY_WITH_DIR` (206): a direction byte, then Frame Relay.
    FrameRelayWithDir,
    /// `LINKTYPE_PFLOG` (117): OpenBSD/FreeBSD pf log header, then IPv4 or IPv6.
    Pflog,
    /// `LINKTYPE_NFLOG` (239): Linux netfilter log header and TLVs, the packet in one of them.
    Nflog,
    /// `LINKTYPE_IPNET` (226): Solaris ipnet header, then IPv4 or IPv6.
    Ipnet,
    /// `LINKTYPE_IEEE802_11` (105): 802.11 frames without a radio header.
    Ieee80211,
    /// `LINKTYPE_IEEE802_11_RADIOTAP` (127): a radiotap header, then an 802.11 frame.
    Radiotap,
    /// `LINKTYPE_IEEE802_11_PRISM` (119): a Prism (or AVS) monitor header, then an 802.11 frame.
    Prism,
    /// `LINKTYPE_IEEE802_11_AVS` (163): an AVS monitor header, then an 802.11 frame.
    Avs,
    /// `LINKTYPE_PPI` (192): a Per-Packet Information header naming the link type of the frame after it.
    Ppi,
}

impl LinkType {
    /// Every link type, for tests and tables.
    pub const ALL: [LinkType; 24] = [
        LinkType::Ethernet,
        LinkType::Null,
        LinkType::Loop,
        LinkType::Raw,
        LinkType::Ipv4,
        LinkType::Ipv6,
        LinkType::LinuxSll,
        LinkType::LinuxSll2,
        LinkType::Ppp,
        LinkType::PppWithDir,
        LinkType::PppPppd,
        LinkType::PppEther,
        LinkType::CiscoHdlc,
        LinkType::CiscoHdlcWithDir,
        LinkType::FrameRelay,
        LinkType::FrameRelayWithDir,
        LinkType::Pflog,
        LinkType::Nflog,
        LinkType::Ipnet,
        LinkType::Ieee80211,
        LinkType::Radiotap,
        LinkType::Prism,
        LinkType::Avs,
        LinkType::Ppi,
    ];

    /// Bytes at the start of each frame that the capture added and that are not part of the frame on the link:
    /// the direction byte of the `*_WITH_DIR` link types. tshark and capinfos leave them out of the frame length,
    /// and so do xntop's byte counts. (Other capture headers — radiotap, pflog, NFLOG … — are counted by all
    /// three.)
    #[must_use]
    pub const fn pseudo_header_len(self) -> u32 {
        match self {
            Self::PppWithDir | Self::CiscoHdlcWithDir | Self::FrameRelayWithDir => 1,
            _ => 0,
        }
    }

    /// Maps a pcap/pcapng link-type number; `None` for framings xntop does not decode.
    #[must_use]
    pub fn from_pcap(linktype: u32) -> Option<Self> {
        Some(match linktype {
            1 => Self::Ethernet,
            0 => Self::Null,
            108 => Self::Loop,
            101 | 12 | 14 => Self::Raw,
            228 => Self::Ipv4,
            229 => Self::Ipv6,
            113 => Self::LinuxSll,
            276 => Self::LinuxSll2,
            9 | 50 => Self::Ppp,
            204 => Self::PppWithDir,
            166 => Self::PppPppd,
            51 => Self::PppEther,
            104 => Self::CiscoHdlc,
            205 => Self::CiscoHdlcWithDir,
            107 => Self::FrameRelay,
            206 => Self::FrameRelayWithDir,
            117 => Self::Pflog,
            239 => Self::Nflog,
            226 => Self::Ipnet,
            105 => Self::Ieee80211,
            127 => Self::Radiotap,
            119 => Self::Prism,
            163 => Self::Avs,
            192 => Self::Ppi,
            _ => return None,
        })
    }
}

/// The outermost tunnel that [`decode`] looked through to reach the inner flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Tunnel {
    #[default]
    None,
    Gre,
    Vxlan,
    GtpU,
    Capwap,
    /// IPv4 or IPv6 carried directly in IP (protocols 4 and 41: IP-in-IP, 6in4, 4in6, 6in6).
    IpInIp,
}

impl Tunnel {
    /// Lower-case name used in flow records.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gre => "gre",
            Self::Vxlan => "vxlan",
            Self::GtpU => "gtp-u",
            Self::Capwap => "capwap",
            Self::IpInIp => "ip-in-ip",
        }
    }
}

/// Where an IP packet sits in a fragmented datagram.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fragment {
    /// Not fragmented.
    #[default]
    None,
    /// The first fragment (offset 0, more fragments follow): it carries the L4 header, so ports are known.
    First { id: u32 },
    /// A later fragment: no L4 header, ports are 0 in the decode; the caller may fill them from the first fragment.
    Later { id: u32 },
}

/// The TCP header fields the flow table uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpInfo {
    /// The low 8 flag bits: CWR ECE URG ACK PSH RST SYN FIN (FIN = bit 0).
    pub flags: u8,
    pub seq: u32,
    pub ack: u32,
    pub window: u16,
    /// A SYN without ACK: its fingerprint facts (TTL, options, quirks); none for every other segment.
    pub syn: syn::SynSig,
}

/// TCP flag bits as found in [`TcpInfo::flags`].
pub mod tcp_flags {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;
    pub const URG: u8 = 0x20;
    pub const ECE: u8 = 0x40;
    pub const CWR: u8 = 0x80;
}

/// Why a frame produced no flow key. Every variant is counted by the caller under [`Reject::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Reject {
    /// A well-formed frame that carries no IP (ARP, LLDP, STP, 802.3 LLC …). Not an error.
    NonIp,
    /// A link type xntop does not decode. Not an error of the packet.
    UnsupportedLink,
    EthernetTruncated,
    VlanTruncated,
    MplsTruncated,
    PppoeTruncated,
    SllTruncated,
    NullTruncated,
    /// A PPP frame (link-layer PPP, not PPPoE) without a whole protocol field.
    PppTruncated,
    /// A Cisco HDLC frame shorter than its 4-byte header.
    ChdlcTruncated,
    /// A Frame Relay Q.922 address longer than 4 bytes, or the address or encapsulation header cut short.
    FrameRelayBadHeader,
    /// An 802.11 data frame shorter than its MAC header and LLC/SNAP header.
    Ieee80211Truncated,
    /// The radio header says the 802.11 frame failed its FCS check: its bytes cannot be trusted.
    Ieee80211BadFcs,
    /// A capture tool's metadata header (direction byte, pflog, NFLOG, ipnet, PPI, radiotap, Prism, AVS) cut short,
    /// with a length running past the frame, or with a TLV chain that does not parse.
    CaptureHeaderMalformed,
    /// IP version nibble is neither 4 nor 6 where IP was expected.
    IpBadVersion,
    Ipv4Truncated,
    /// IHL < 5, or the header runs past the captured bytes or the total length.
    Ipv4BadHeaderLength,
    /// Total length smaller than the header.
    Ipv4BadTotalLength,
    Ipv6Truncated,
    /// An extension header runs past the packet, or the chain is longer than the decoder's bound.
    Ipv6BadExtensionHeader,
    TcpTruncated,
    /// Data offset < 5 or past the end of the segment.
    TcpBadDataOffset,
    UdpTruncated,
    IcmpTruncated,
    SctpTruncated,
    /// Nested encapsulation deeper than the decoder's bound.
    TooManyEncapsulations,
}

impl Reject {
    /// Every variant, in declaration order (index = `self as usize`).
    pub const ALL: [Reject; 26] = [
        Reject::NonIp,
        Reject::UnsupportedLink,
        Reject::EthernetTruncated,
        Reject::VlanTruncated,
        Reject::MplsTruncated,
        Reject::PppoeTruncated,
        Reject::SllTruncated,
        Reject::NullTruncated,
        Reject::PppTruncated,
        Reject::ChdlcTruncated,
        Reject::FrameRelayBadHeader,
        Reject::Ieee80211Truncated,
        Reject::Ieee80211BadFcs,
        Reject::CaptureHeaderMalformed,
        Reject::IpBadVersion,
        Reject::Ipv4Truncated,
        Reject::Ipv4BadHeaderLength,
        Reject::Ipv4BadTotalLength,
        Reject::Ipv6Truncated,
        Reject::Ipv6BadExtensionHeader,
        Reject::TcpTruncated,
        Reject::TcpBadDataOffset,
        Reject::UdpTruncated,
        Reject::IcmpTruncated,
        Reject::SctpTruncated,
        Reject::TooManyEncapsulations,
    ];
    /// Number of variants, for counter arrays.
    pub const COUNT: usize = Self::ALL.len();

    /// Snake-case name used in summaries and metrics.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Reject::NonIp => "non_ip",
            Reject::UnsupportedLink => "unsupported_link",
            Reject::EthernetTruncated => "ethernet_truncated",
            Reject::VlanTruncated => "vlan_truncated",
            Reject::MplsTruncated => "mpls_truncated",
            Reject::PppoeTruncated => "pppoe_truncated",
            Reject::SllTruncated => "sll_truncated",
            Reject::NullTruncated => "null_truncated",
            Reject::PppTruncated => "ppp_truncated",
            Reject::ChdlcTruncated => "chdlc_truncated",
            Reject::FrameRelayBadHeader => "frame_relay_bad_header",
            Reject::Ieee80211Truncated => "ieee80211_truncated",
            Reject::Ieee80211BadFcs => "ieee80211_bad_fcs",
            Reject::CaptureHeaderMalformed => "capture_header_malformed",
            Reject::IpBadVersion => "ip_bad_version",
            Reject::Ipv4Truncated => "ipv4_truncated",
            Reject::Ipv4BadHeaderLength => "ipv4_bad_header_length",
            Reject::Ipv4BadTotalLength => "ipv4_bad_total_length",
            Reject::Ipv6Truncated => "ipv6_truncated",
            Reject::Ipv6BadExtensionHeader => "ipv6_bad_extension_header",
            Reject::TcpTruncated => "tcp_truncated",
            Reject::TcpBadDataOffset => "tcp_bad_data_offset",
            Reject::UdpTruncated => "udp_truncated",
            Reject::IcmpTruncated => "icmp_truncated",
            Reject::SctpTruncated => "sctp_truncated",
            Reject::TooManyEncapsulations => "too_many_encapsulations",
        }
    }

    /// True for the reasons that mean a broken packet (everything but `NonIp` and `UnsupportedLink`).
    #[must_use]
    pub const fn is_malformed(self) -> bool {
        !matches!(self, Reject::NonIp | Reject::UnsupportedLink)
    }
}

/// What [`decode`] extracts from one frame: the (inner, when tunnelled) flow identity and the L4 payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// Innermost 802.1Q/802.1ad VLAN id of the outer frame (12 bits); 0 when untagged.
    pub vlan: u16,
    /// Outermost tunnel looked through; `Tunnel::None` when the flow is the outer packet.
    pub tunnel: Tunnel,
    /// Source MAC of the outer Ethernet frame, when there is one.
    pub src_mac: Option<[u8; 6]>,
    pub dst_mac: Option<[u8; 6]>,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// L4 protocol number (after IPv6 extension headers).
    pub proto: u8,
    /// L4 ports for TCP, UDP and SCTP; 0 for other protocols and for later fragments.
    pub src_port: u16,
    pub dst_port: u16,
    /// ICMP/ICMPv6 type and code, when `proto` is 1 or 58.
    pub icmp: Option<(u8, u8)>,
    pub fragment: Fragment,
    /// TCP header fields, when `proto` is 6 and the header was present.
    pub tcp: Option<TcpInfo>,
    /// The innermost IP header's facts a SYN fingerprint uses.
    pub ip_facts: syn::IpFacts,
    /// L4 payload: bytes after the TCP/UDP/SCTP/ICMP header, clipped to the IP length (so Ethernet padding is
    /// excluded). Empty for later fragments.
    pub payload: &'a [u8],
}

#[cfg(test)]
mod type_tests {
    use super::*;

    #[test]
    fn reject_table_is_in_declaration_order_with_distinct_names() {
        for (i, r) in Reject::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i);
            assert!(
                Reject::ALL[..i].iter().all(|o| o.name() != r.name()),
                "{r:?}"
            );
        }
        assert!(!Reject::NonIp.is_malformed() && !Reject::UnsupportedLink.is_malformed());
        assert!(Reject::TooManyEncapsulations.is_malformed());
    }

    #[test]
    fn link_types_from_pcap() {
        assert_eq!(LinkType::from_pcap(1), Some(LinkType::Ethernet));
        assert_eq!(LinkType::from_pcap(276), Some(LinkType::LinuxSll2));
        assert_eq!(LinkType::from_pcap(104), Some(LinkType::CiscoHdlc));
        assert_eq!(LinkType::from_pcap(147), None, "LINKTYPE_USER0 is private");
        assert_eq!(
            LinkType::from_pcap(204).map(LinkType::pseudo_header_len),
            Some(1)
        );
        assert_eq!(LinkType::Radiotap.pseudo_header_len(), 0);
        // Every variant has a number, and the table lists each once.
        for (i, link) in LinkType::ALL.iter().enumerate() {
            assert!(
                (0..300).any(|n| LinkType::from_pcap(n) == Some(*link)),
                "{link:?}"
            );
            assert!(!LinkType::ALL[..i].contains(link), "{link:?} twice");
        }
    }
}
