//! Ethernet II frames and 802.1Q / 802.1ad VLAN tags.

use crate::cursor::ReadAt;
use crate::Field;
use crate::Reject;

/// The ethertypes the decoder follows (and a few it names to reject).
pub mod ethertype {
    pub const IPV4: u16 = 0x0800;
    pub const ARP: u16 = 0x0806;
    pub const IPV6: u16 = 0x86dd;
    /// 802.1Q customer tag.
    pub const VLAN: u16 = 0x8100;
    /// 802.1ad service tag (QinQ outer tag).
    pub const QINQ: u16 = 0x88a8;
    /// Pre-standard QinQ outer tag still sent by some switches.
    pub const QINQ_OLD: u16 = 0x9100;
    pub const MPLS: u16 = 0x8847;
    pub const MPLS_MULTICAST: u16 = 0x8848;
    pub const PPPOE_DISCOVERY: u16 = 0x8863;
    pub const PPPOE_SESSION: u16 = 0x8864;
    /// Transparent Ethernet bridging: GRE carrying a whole Ethernet frame.
    pub const TEB: u16 = 0x6558;
    /// ERSPAN type I and II (GRE protocol type).
    pub const ERSPAN: u16 = 0x88be;
    /// ERSPAN type III (GRE protocol type).
    pub const ERSPAN_III: u16 = 0x22eb;
    /// PPP in enhanced GRE (PPTP).
    pub const PPP: u16 = 0x880b;
    /// Values below this are an 802.3 length, not a type.
    pub const MIN_TYPE: u16 = 0x0600;
}

mod field {
    use super::Field;
    pub const DESTINATION: Field = 0..6;
    pub const SOURCE: Field = 6..12;
    pub const ETHERTYPE: Field = 12..14;
    pub const PAYLOAD: usize = 14;

    pub const TCI: Field = 0..2;
    pub const INNER_ETHERTYPE: Field = 2..4;
    pub const TAG_PAYLOAD: usize = 4;
}

/// Length of the Ethernet II header (no FCS: captures do not carry it, or it is payload padding to us).
pub const HEADER_LEN: usize = field::PAYLOAD;
/// Length of one VLAN tag.
pub const TAG_LEN: usize = field::TAG_PAYLOAD;

/// A read-only view of an Ethernet II frame.
#[derive(Debug, Clone, Copy)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::EthernetTruncated`] when the buffer is shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        let frame = Self::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// # Errors
    /// [`Reject::EthernetTruncated`] when the buffer is shorter than the header.
    pub fn check_len(&self) -> Result<(), Reject> {
        if self.buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::EthernetTruncated);
        }
        Ok(())
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    #[inline]
    pub fn dst_addr(&self) -> [u8; 6] {
        self.buffer
            .as_ref()
            .array_at(field::DESTINATION.start)
            .unwrap_or_default()
    }

    #[inline]
    pub fn src_addr(&self) -> [u8; 6] {
        self.buffer
            .as_ref()
            .array_at(field::SOURCE.start)
            .unwrap_or_default()
    }

    /// The ethertype, or an 802.3 length when below [`ethertype::MIN_TYPE`].
    #[inline]
    pub fn ethertype(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::ETHERTYPE.start)
            .unwrap_or(0)
    }
}

impl<'a> Frame<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(field::PAYLOAD)
    }
}

/// A read-only view of one 802.1Q / 802.1ad tag: the 4 bytes after a VLAN ethertype.
#[derive(Debug, Clone, Copy)]
pub struct VlanTag<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> VlanTag<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::VlanTruncated`] when the buffer is shorter than a tag.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < TAG_LEN {
            return Err(Reject::VlanTruncated);
        }
        Ok(Self::new_unchecked(buffer))
    }

    /// Priority code point (3 bits).
    #[inline]
    pub fn pcp(&self) -> u8 {
        (self.buffer.as_ref().u16_at(field::TCI.start).unwrap_or(0) >> 13) as u8
    }

    /// VLAN identifier (12 bits).
    #[inline]
    pub fn vid(&self) -> u16 {
        self.buffer.as_ref().u16_at(field::TCI.start).unwrap_or(0) & 0x0fff
    }

    /// The ethertype of what follows the tag.
    #[inline]
    pub fn ethertype(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::INNER_ETHERTYPE.start)
            .unwrap_or(0)
    }
}

impl<'a> VlanTag<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(field::TAG_PAYLOAD)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, tcp_flags, Fragment, LinkType, Reject, TcpInfo, Tunnel};
    use std::net::{IpAddr, Ipv4Addr};

    // ---- PACKETS ethernet
    /// Ether / IP / TCP 192.0.2.1:40000 > 198.51.100.2:http S (ethernet)
    pub(crate) static IPV4_TCP_SYN: [u8; 74] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x3c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x06, 0x7c, 0x51, 0xc0, 0x00, 0x02, 0x01,
        0xc6, 0x33, 0x64, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00,
        0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xc0, 0x5e, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
        0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// Ether / Dot1AD / Dot1Q / IP / UDP 192.0.2.1:1111 > 198.51.100.2:domain / Raw (ethernet)
    pub(crate) static QINQ_UDP: [u8; 54] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0xa8, 0x00,
        0x64, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
        0x40, 0x11, 0x8e, 0x95, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x04, 0x57, 0x00,
        0x35, 0x00, 0x0c, 0x2f, 0x38, 0x71, 0x69, 0x6e, 0x71,
    ];
    /// PADDED_UDP (ethernet)
    pub(crate) static PADDED_UDP: [u8; 60] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e, 0x97, 0xc0, 0x00, 0x02, 0x01,
        0xc6, 0x33, 0x64, 0x02, 0x04, 0x57, 0x08, 0xae, 0x00, 0x0a, 0x9e, 0x34, 0x68, 0x69, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    /// Ether / ARP who has 198.51.100.2 says 192.0.2.1 (ethernet)
    pub(crate) static ARP: [u8; 42] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06, 0x00,
        0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x00,
        0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x33, 0x64, 0x02,
    ];
    /// 802.3 00:11:22:33:44:55 > 01:80:c2:00:00:00 / LLC / STP (ethernet)
    pub(crate) static STP_8023: [u8; 52] = [
        0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x26, 0x42,
        0x42, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x14, 0x00, 0x02, 0x00, 0x0f, 0x00,
    ];
    // ---- END

    const MAC_A: [u8; 6] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
    const MAC_B: [u8; 6] = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

    #[test]
    fn frame_fields() {
        let f = Frame::new_checked(&IPV4_TCP_SYN[..]).expect("valid");
        assert_eq!(
            (f.src_addr(), f.dst_addr(), f.ethertype()),
            (MAC_A, MAC_B, ethertype::IPV4)
        );
        assert_eq!(f.payload().len(), IPV4_TCP_SYN.len() - HEADER_LEN);
        assert_eq!(
            Frame::new_checked(&IPV4_TCP_SYN[..13]).err(),
            Some(Reject::EthernetTruncated)
        );
    }

    #[test]
    fn ipv4_tcp_syn() {
        let d = decode(LinkType::Ethernet, &IPV4_TCP_SYN).expect("decodes");
        assert_eq!(d.src, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(d.dst, IpAddr::V4(Ipv4Addr::new(198, 51, 100, 2)));
        assert_eq!(
            (d.src_mac, d.dst_mac, d.vlan, d.tunnel),
            (Some(MAC_A), Some(MAC_B), 0, Tunnel::None)
        );
        assert_eq!(
            (d.proto, d.src_port, d.dst_port, d.icmp),
            (6, 40000, 80, None)
        );
        assert_eq!(d.fragment, Fragment::None);
        let syn = TcpInfo {
            flags: tcp_flags::SYN,
            seq: 1000,
            ack: 0,
            window: 64240,
            syn: d.tcp.map(|t| t.syn).unwrap_or_default(),
        };
        assert_eq!(d.tcp, Some(syn));
        assert!(!syn.syn.is_none(), "a SYN carries its fingerprint");
        assert!(d.payload.is_empty());
    }

    #[test]
    fn qinq_keeps_the_innermost_vlan() {
        let tag = VlanTag::new_checked(&QINQ_UDP[HEADER_LEN..]).expect("valid");
        assert_eq!(
            (tag.vid(), tag.pcp(), tag.ethertype()),
            (100, 0, ethertype::VLAN)
        );
        let d = decode(LinkType::Ethernet, &QINQ_UDP).expect("decodes");
        assert_eq!(
            (d.vlan, d.proto, d.src_port, d.dst_port),
            (200, 17, 1111, 53)
        );
        assert_eq!(d.payload, b"qinq");
    }

    #[test]
    fn old_qinq_ethertype() {
        let mut old = QINQ_UDP;
        old[12..14].copy_from_slice(&ethertype::QINQ_OLD.to_be_bytes());
        assert_eq!(decode(LinkType::Ethernet, &old).map(|d| d.vlan), Ok(200));
    }

    #[test]
    fn padding_is_not_payload() {
        assert_eq!(PADDED_UDP.len(), 60);
        let d = decode(LinkType::Ethernet, &PADDED_UDP).expect("decodes");
        assert_eq!(d.payload, b"hi");
    }

    #[test]
    fn non_ip_frames() {
        assert_eq!(decode(LinkType::Ethernet, &ARP), Err(Reject::NonIp));
        assert_eq!(
            decode(LinkType::Ethernet, &STP_8023),
            Err(Reject::NonIp),
            "802.3 length frame"
        );
    }

    #[test]
    fn truncated() {
        assert_eq!(
            decode(LinkType::Ethernet, &[]),
            Err(Reject::EthernetTruncated)
        );
        assert_eq!(
            decode(LinkType::Ethernet, &IPV4_TCP_SYN[..13]),
            Err(Reject::EthernetTruncated)
        );
        assert_eq!(
            decode(LinkType::Ethernet, &QINQ_UDP[..16]),
            Err(Reject::VlanTruncated)
        );
        assert_eq!(
            decode(LinkType::Ethernet, &QINQ_UDP[..21]),
            Err(Reject::VlanTruncated)
        );
        assert_eq!(
            decode(LinkType::Ethernet, &IPV4_TCP_SYN[..33]),
            Err(Reject::Ipv4Truncated)
        );
    }
}
