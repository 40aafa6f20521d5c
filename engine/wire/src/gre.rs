//! GRE (RFC 2784/2890), enhanced GRE of PPTP (RFC 2637) and the ERSPAN mirroring headers carried in GRE.

use crate::cursor::ReadAt;
use crate::decode::Inner;
use crate::ethernet::ethertype;
use crate::pppoe::{self, protocol as ppp};
use crate::Field;

mod field {
    use super::Field;
    pub const FLAGS_VERSION: Field = 0..2;
    pub const PROTOCOL: Field = 2..4;

    // ERSPAN type II / III, after the GRE header.
    pub const ERSPAN_VERSION: usize = 0;
    /// Type III: P, frame type (5 bits), hardware id, D, granularity, O (a platform-specific sub-header follows).
    pub const ERSPAN3_FLAGS: Field = 10..12;
}

/// The fixed part: flags/version and protocol type.
pub const MIN_HEADER_LEN: usize = 4;

pub mod flags {
    pub const CHECKSUM: u16 = 0x8000;
    /// RFC 1701 source routing: a routing field of variable length follows the others.
    pub const ROUTING: u16 = 0x4000;
    pub const KEY: u16 = 0x2000;
    pub const SEQUENCE: u16 = 0x1000;
    /// Enhanced GRE (version 1) only.
    pub const ACKNOWLEDGMENT: u16 = 0x0080;
    pub const VERSION_MASK: u16 = 0x0007;
}

const ERSPAN_II_LEN: usize = 8;
const ERSPAN_III_LEN: usize = 12;
const ERSPAN_III_PLATFORM_LEN: usize = 8;
/// ERSPAN type III frame-type field value for Ethernet.
const ERSPAN_III_ETHERNET: u16 = 0;

/// A read-only view of a GRE header.
#[derive(Debug, Clone, Copy)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// `None` when the buffer does not hold the header its flags announce.
    pub fn new_checked(buffer: T) -> Option<Self> {
        let packet = Self::new_unchecked(buffer);
        let len = packet.buffer.as_ref().len();
        (len >= MIN_HEADER_LEN && len >= packet.header_len()).then_some(packet)
    }

    #[inline]
    fn flags_version(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::FLAGS_VERSION.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn has_flag(&self, flag: u16) -> bool {
        self.flags_version() & flag != 0
    }

    /// 0 for GRE, 1 for enhanced GRE (PPTP).
    #[inline]
    pub fn version(&self) -> u8 {
        (self.flags_version() & flags::VERSION_MASK) as u8
    }

    /// The ethertype of the payload.
    #[inline]
    pub fn protocol(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::PROTOCOL.start)
            .unwrap_or(0)
    }

    /// Header length with the optional fields the flags announce (checksum/offset, key, sequence, acknowledgment;
    /// RFC 1701 routing entries are not counted).
    #[inline]
    pub fn header_len(&self) -> usize {
        let f = self.flags_version();
        let word = |present: bool| if present { 4 } else { 0 };
        MIN_HEADER_LEN
            + word(f & (flags::CHECKSUM | flags::ROUTING) != 0)
            + word(f & flags::KEY != 0)
            + word(f & flags::SEQUENCE != 0)
            + word(f & flags::VERSION_MASK == 1 && f & flags::ACKNOWLEDGMENT != 0)
    }
}

impl<'a> Packet<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(self.header_len())
    }

    /// What the tunnel carries, when it is something that can hold IP.
    pub fn inner(&self) -> Option<Inner<'a>> {
        // Source routing entries have no length we could skip without walking them; the option died with RFC 1701.
        if self.has_flag(flags::ROUTING) {
            return None;
        }
        let payload = self.payload();
        match (self.version(), self.protocol()) {
            (0, ethertype::TEB) => Some(Inner::Ethernet(payload)),
            // Type II carries a sequence number; type I has neither it nor an ERSPAN header.
            (0, ethertype::ERSPAN) if self.has_flag(flags::SEQUENCE) => erspan_ii(payload),
            (0, ethertype::ERSPAN) => Some(Inner::Ethernet(payload)),
            (0, ethertype::ERSPAN_III) => erspan_iii(payload),
            (0, et) => Some(Inner::EtherType(et, payload)),
            (1, ethertype::PPP) => {
                // Address and control bytes are optional (address-and-control-field compression).
                let frame = payload.strip_prefix(&[0xff, 0x03]).unwrap_or(payload);
                match pppoe::ppp_protocol(frame)? {
                    (ppp::IPV4, packet) => Some(Inner::EtherType(ethertype::IPV4, packet)),
                    (ppp::IPV6, packet) => Some(Inner::EtherType(ethertype::IPV6, packet)),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

fn erspan_ii(payload: &[u8]) -> Option<Inner<'_>> {
    (payload.u8_at(field::ERSPAN_VERSION).unwrap_or(0) >> 4 == 1)
        .then(|| Inner::Ethernet(payload.rest_at(ERSPAN_II_LEN)))
}

fn erspan_iii(payload: &[u8]) -> Option<Inner<'_>> {
    if payload.u8_at(field::ERSPAN_VERSION).unwrap_or(0) >> 4 != 2 || payload.len() < ERSPAN_III_LEN
    {
        return None;
    }
    let flags = payload.u16_at(field::ERSPAN3_FLAGS.start).unwrap_or(0);
    if (flags >> 10) & 0x1f != ERSPAN_III_ETHERNET {
        return None;
    }
    let len = ERSPAN_III_LEN
        + if flags & 1 != 0 {
            ERSPAN_III_PLATFORM_LEN
        } else {
            0
        };
    Some(Inner::Ethernet(payload.rest_at(len)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, tcp_flags, LinkType, Tunnel};
    use std::net::{IpAddr, Ipv4Addr};

    // ---- PACKETS gre
    /// Ether / IP / GRE / IP / TCP 192.0.2.1:40009 > 198.51.100.2:http S (ethernet)
    pub(crate) static GRE_IPV4_TCP: [u8; 98] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x54, 0x00, 0x01, 0x00, 0x00, 0x40, 0x2f, 0x02, 0x76, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00,
        0x00, 0x40, 0x06, 0x8e, 0x84, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x49,
        0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xc0,
        0x55, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// Ether / IP / GRE / IPv6 / UDP 2001:db8::1:9000 > 2001:db8::2:9001 / Raw (ethernet)
    pub(crate) static GRE_KEY_SEQ_CSUM_IPV6: [u8; 102] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x58, 0x00, 0x01, 0x00, 0x00, 0x40, 0x2f, 0x02, 0x72, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0xb0, 0x00, 0x86, 0xdd, 0x45, 0xb7, 0x00, 0x00, 0x00, 0x00, 0x12,
        0x34, 0x00, 0x00, 0x00, 0x07, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20,
        0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x23, 0x28, 0x23, 0x29, 0x00, 0x0c, 0x91, 0x67, 0x67, 0x72, 0x65, 0x36,
    ];
    /// Ether / IP / GRE / Ether / IP / UDP 192.0.2.1:9002 > 198.51.100.2:9003 / Raw (ethernet)
    pub(crate) static GRE_TEB: [u8; 83] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x45, 0x00, 0x01, 0x00, 0x00, 0x40, 0x2f, 0x02, 0x85, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x00, 0x00, 0x65, 0x58, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00,
        0x40, 0x11, 0x8e, 0x96, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x23, 0x2a, 0x23,
        0x2b, 0x00, 0x0b, 0xf6, 0xe5, 0x74, 0x65, 0x62,
    ];
    /// Ether / IP / GRE / ERSPAN_II / Ether / IP / TCP 192.0.2.1:40010 > 198.51.100.2:https S (ethernet)
    pub(crate) static GRE_ERSPAN_II: [u8; 124] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x6e, 0x00, 0x01, 0x00, 0x00, 0x40, 0x2f, 0x02, 0x5c, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x10, 0x00, 0x88, 0xbe, 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00,
        0x05, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x8e,
        0x84, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x4a, 0x01, 0xbb, 0x00, 0x00,
        0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xbe, 0xe9, 0x00, 0x00, 0x02,
        0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x03, 0x03, 0x07,
    ];
    /// Ether / IP / GRE_PPTP / PPP / IP / UDP 10.9.0.1:netbios_ns > 10.9.0.2:netbios_ns / Raw (ethernet)
    pub(crate) static GRE_PPTP_IPV4: [u8; 80] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x42, 0x00, 0x01, 0x00, 0x00, 0x40, 0x2f, 0x02, 0x88, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x30, 0x01, 0x88, 0x0b, 0x00, 0x22, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x02, 0x00, 0x21, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xb8,
        0x0a, 0x09, 0x00, 0x01, 0x0a, 0x09, 0x00, 0x02, 0x00, 0x89, 0x00, 0x89, 0x00, 0x0c, 0x05,
        0xcf, 0x70, 0x70, 0x74, 0x70,
    ];
    /// Ether / IP / GRE / ARP who has 198.51.100.2 says 192.0.2.1 (ethernet)
    pub(crate) static GRE_ARP: [u8; 66] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x34, 0x00, 0x01, 0x00, 0x00, 0x40, 0x2f, 0x02, 0x96, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x00, 0x00, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00,
        0x01, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0xc6, 0x33, 0x64, 0x02,
    ];
    // ---- END

    /// Ethernet + outer IPv4.
    const GRE_AT: usize = 34;
    const OUTER_SRC: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1));

    #[test]
    fn header_fields() {
        let g = Packet::new_checked(&GRE_KEY_SEQ_CSUM_IPV6[GRE_AT..]).expect("valid");
        assert!(
            g.has_flag(flags::CHECKSUM) && g.has_flag(flags::KEY) && g.has_flag(flags::SEQUENCE)
        );
        assert_eq!((g.version(), g.protocol(), g.header_len()), (0, 0x86dd, 16));
        assert!(Packet::new_checked(&GRE_KEY_SEQ_CSUM_IPV6[GRE_AT..GRE_AT + 15]).is_none());
        let plain = Packet::new_checked(&GRE_IPV4_TCP[GRE_AT..]).expect("valid");
        assert_eq!(plain.header_len(), 4);
    }

    #[test]
    fn ipv4_in_gre() {
        let d = decode(LinkType::Ethernet, &GRE_IPV4_TCP).expect("decodes");
        assert_eq!(d.tunnel, Tunnel::Gre);
        assert_eq!(d.src, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!((d.proto, d.src_port, d.dst_port), (6, 40009, 80));
        assert_eq!(d.tcp.map(|t| t.flags), Some(tcp_flags::SYN));
    }

    #[test]
    fn ipv6_in_gre_with_checksum_key_and_sequence() {
        let d = decode(LinkType::Ethernet, &GRE_KEY_SEQ_CSUM_IPV6).expect("decodes");
        assert_eq!(d.tunnel, Tunnel::Gre);
        assert!(d.src.is_ipv6());
        assert_eq!((d.proto, d.src_port, d.dst_port), (17, 9000, 9001));
        assert_eq!(d.payload, b"gre6");
    }

    #[test]
    fn transparent_ethernet_bridging() {
        let d = decode(LinkType::Ethernet, &GRE_TEB).expect("decodes");
        assert_eq!(
            (d.tunnel, d.proto, d.src_port, d.dst_port),
            (Tunnel::Gre, 17, 9002, 9003)
        );
        assert_eq!(
            d.src_mac,
            Some([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]),
            "outer MAC"
        );
        assert_eq!(d.payload, b"teb");
    }

    #[test]
    fn erspan_type_ii() {
        let d = decode(LinkType::Ethernet, &GRE_ERSPAN_II).expect("decodes");
        assert_eq!(
            (d.tunnel, d.proto, d.src_port, d.dst_port),
            (Tunnel::Gre, 6, 40010, 443)
        );
    }

    #[test]
    fn erspan_type_iii() {
        // Rebuild the type II sample as type III: a 12-byte header (version 2, frame type Ethernet, no O flag).
        let gre_len = 8; // with the sequence number
        let head = &GRE_ERSPAN_II[..GRE_AT + gre_len];
        let frame = &GRE_ERSPAN_II[GRE_AT + gre_len + ERSPAN_II_LEN..];
        let mut p = [0u8; 256];
        p[..head.len()].copy_from_slice(head);
        p[GRE_AT + 2..GRE_AT + 4].copy_from_slice(&ethertype::ERSPAN_III.to_be_bytes());
        p[GRE_AT + gre_len] = 0x20;
        let at = GRE_AT + gre_len + ERSPAN_III_LEN;
        p[at..at + frame.len()].copy_from_slice(frame);
        let d = decode(LinkType::Ethernet, &p[..at + frame.len()]).expect("decodes");
        assert_eq!((d.tunnel, d.proto, d.dst_port), (Tunnel::Gre, 6, 443));
    }

    #[test]
    fn pptp_enhanced_gre() {
        let d = decode(LinkType::Ethernet, &GRE_PPTP_IPV4).expect("decodes");
        assert_eq!(
            (d.tunnel, d.proto, d.src_port, d.dst_port),
            (Tunnel::Gre, 17, 137, 137)
        );
        assert_eq!(d.src, IpAddr::V4(Ipv4Addr::new(10, 9, 0, 1)));
    }

    #[test]
    fn non_ip_payload_keeps_the_outer_flow() {
        let d = decode(LinkType::Ethernet, &GRE_ARP).expect("decodes");
        assert_eq!(
            (d.tunnel, d.src, d.proto, d.src_port),
            (Tunnel::None, OUTER_SRC, 47, 0)
        );
        assert_eq!(d.payload, &GRE_ARP[GRE_AT..]);
    }

    #[test]
    fn garbage_after_the_header_keeps_the_outer_flow() {
        let mut bad = GRE_IPV4_TCP;
        bad[GRE_AT + 4] = 0x99; // inner "IPv4" with version 9
        let d = decode(LinkType::Ethernet, &bad).expect("decodes");
        assert_eq!((d.tunnel, d.src, d.proto), (Tunnel::None, OUTER_SRC, 47));
        let d = decode(LinkType::Ethernet, &GRE_IPV4_TCP[..GRE_AT + 2]).expect("decodes");
        assert_eq!((d.tunnel, d.src, d.proto), (Tunnel::None, OUTER_SRC, 47));
    }
}
