//! GTPv1-U (3GPP TS 29.281): the user-plane tunnel of mobile networks, IP inside UDP port 2152.

use crate::cursor::ReadAt;
use crate::decode::Inner;
use crate::Field;

mod field {
    use super::Field;
    pub const FLAGS: usize = 0;
    pub const MESSAGE_TYPE: usize = 1;
    pub const LENGTH: Field = 2..4;
    pub const TEID: Field = 4..8;
    pub const SEQUENCE: Field = 8..10;
    pub const NEXT_EXTENSION: usize = 11;
}

/// The mandatory part; the length field counts what follows it.
pub const MIN_HEADER_LEN: usize = 8;
/// With the sequence number, N-PDU number and next-extension type, present when any of E, S, PN is set.
pub const LONG_HEADER_LEN: usize = 12;
/// Extension headers followed. Real traffic has one (the PDU session container) or two; the bound keeps crafted
/// chains short.
pub const MAX_EXTENSION_HEADERS: usize = 8;

/// G-PDU: a user packet follows the header.
pub const MESSAGE_G_PDU: u8 = 0xff;

pub mod flags {
    pub const VERSION_MASK: u8 = 0xe0;
    pub const VERSION_1: u8 = 0x20;
    /// Protocol type: 1 for GTP, 0 for GTP'.
    pub const PROTOCOL_TYPE: u8 = 0x10;
    pub const EXTENSION: u8 = 0x04;
    pub const SEQUENCE: u8 = 0x02;
    pub const N_PDU: u8 = 0x01;
}

/// A read-only view of a GTPv1-U header.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// `None` when the buffer is shorter than the mandatory header.
    pub fn new_checked(buffer: T) -> Option<Self> {
        (buffer.as_ref().len() >= MIN_HEADER_LEN).then(|| Self::new_unchecked(buffer))
    }

    #[inline]
    pub fn flags(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::FLAGS).unwrap_or(0)
    }

    #[inline]
    pub fn message_type(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::MESSAGE_TYPE).unwrap_or(0)
    }

    /// Bytes after the mandatory header: optional fields, extension headers and the user packet.
    #[inline]
    pub fn length(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::LENGTH.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn teid(&self) -> u32 {
        self.buffer.as_ref().u32_at(field::TEID.start).unwrap_or(0)
    }

    /// The sequence number, when the S flag says it is meaningful.
    #[inline]
    pub fn sequence(&self) -> Option<u16> {
        (self.flags() & flags::SEQUENCE != 0).then(|| {
            self.buffer
                .as_ref()
                .u16_at(field::SEQUENCE.start)
                .unwrap_or(0)
        })
    }

    /// Header length with the optional fields and the extension-header chain; `None` when the chain runs past
    /// the buffer, has a zero length, or is longer than [`MAX_EXTENSION_HEADERS`].
    pub fn header_len(&self) -> Option<usize> {
        let b = self.buffer.as_ref();
        if self.flags() & (flags::EXTENSION | flags::SEQUENCE | flags::N_PDU) == 0 {
            return Some(MIN_HEADER_LEN);
        }
        if b.len() < LONG_HEADER_LEN {
            return None;
        }
        let mut len = LONG_HEADER_LEN;
        let mut next = if self.flags() & flags::EXTENSION != 0 {
            b.u8_at(field::NEXT_EXTENSION).unwrap_or(0)
        } else {
            0
        };
        for _ in 0..MAX_EXTENSION_HEADERS {
            if next == 0 {
                return Some(len);
            }
            // Length in 4-byte units, counting this length byte and the next-type byte that ends the header.
            let units = usize::from(*b.get(len)?);
            if units == 0 {
                return None;
            }
            len += units * 4;
            next = *b.get(len - 1)?;
        }
        (next == 0).then_some(len)
    }
}

impl<'a> Header<&'a [u8]> {
    /// The user packet of a G-PDU, clipped to the GTP length.
    pub fn inner(&self) -> Option<Inner<'a>> {
        let expected = flags::VERSION_1 | flags::PROTOCOL_TYPE;
        if self.flags() & (flags::VERSION_MASK | flags::PROTOCOL_TYPE) != expected
            || self.message_type() != MESSAGE_G_PDU
        {
            return None;
        }
        let start = self.header_len()?;
        let end = MIN_HEADER_LEN + usize::from(self.length());
        (end > start).then(|| Inner::Ip(self.buffer.clip(start, end)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, tcp_flags, LinkType, Tunnel};
    use std::net::{IpAddr, Ipv4Addr};

    // ---- PACKETS gtp
    /// Ether / IP / UDP / GTP_U_Header / IP / UDP 10.45.0.2:40000 > 8.8.8.8:domain / Raw (ethernet)
    pub(crate) static GTPU_IPV4_UDP: [u8; 81] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x43, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x02, 0xa5, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x08, 0x68, 0x08, 0x68, 0x00, 0x2f, 0x1b, 0x92, 0x30, 0xff, 0x00,
        0x1f, 0x11, 0x22, 0x33, 0x44, 0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
        0x60, 0x8f, 0x0a, 0x2d, 0x00, 0x02, 0x08, 0x08, 0x08, 0x08, 0x9c, 0x40, 0x00, 0x35, 0x00,
        0x0b, 0x71, 0xaf, 0x67, 0x74, 0x70,
    ];
    /// Ether / IP / UDP / GTP_U_Header / GTPPDUSessionContainer / IPv6 / TCP 2001:db8::1:40012 > 2001:db8::2:https S (ethernet)
    pub(crate) static GTPU_EXT_IPV6_TCP: [u8; 138] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x7c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x02, 0x6c, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x08, 0x68, 0x08, 0x68, 0x00, 0x68, 0x03, 0x34, 0x34, 0xff, 0x00,
        0x58, 0x55, 0x66, 0x77, 0x88, 0x00, 0x00, 0x00, 0x85, 0x01, 0x10, 0x09, 0x00, 0x60, 0x00,
        0x00, 0x00, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x4c, 0x01, 0xbb, 0x00, 0x00, 0x03,
        0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x4f, 0xaa, 0x00, 0x00, 0x02, 0x04,
        0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x03, 0x03, 0x07,
    ];
    /// Ether / IP / UDP 203.0.113.1:2152 > 203.0.113.2:2152 / GTP_U_Header / GTPEchoRequest (ethernet)
    pub(crate) static GTP_ECHO: [u8; 54] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x02, 0xc0, 0xcb, 0x00, 0x71, 0x01,
        0xcb, 0x00, 0x71, 0x02, 0x08, 0x68, 0x08, 0x68, 0x00, 0x14, 0x44, 0xec, 0x32, 0x01, 0x00,
        0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    // ---- END

    /// Ethernet + IPv4 + UDP.
    const GTP_AT: usize = 42;

    #[test]
    fn header_fields() {
        let h = Header::new_checked(&GTPU_IPV4_UDP[GTP_AT..]).expect("valid");
        assert_eq!(
            (h.flags(), h.message_type(), h.teid()),
            (0x30, MESSAGE_G_PDU, 0x1122_3344)
        );
        assert_eq!((h.header_len(), h.sequence()), (Some(8), None));
        assert_eq!(usize::from(h.length()), GTPU_IPV4_UDP.len() - GTP_AT - 8);
        let ext = Header::new_checked(&GTPU_EXT_IPV6_TCP[GTP_AT..]).expect("valid");
        assert_eq!(
            ext.header_len(),
            Some(16),
            "12 + one 4-byte PDU session container"
        );
    }

    #[test]
    fn ipv4_user_packet() {
        let d = decode(LinkType::Ethernet, &GTPU_IPV4_UDP).expect("decodes");
        assert_eq!(d.tunnel, Tunnel::GtpU);
        assert_eq!(d.src, IpAddr::V4(Ipv4Addr::new(10, 45, 0, 2)));
        assert_eq!((d.proto, d.src_port, d.dst_port), (17, 40000, 53));
        assert_eq!(d.payload, b"gtp");
    }

    #[test]
    fn extension_header_then_ipv6() {
        let d = decode(LinkType::Ethernet, &GTPU_EXT_IPV6_TCP).expect("decodes");
        assert_eq!(d.tunnel, Tunnel::GtpU);
        assert!(d.src.is_ipv6());
        assert_eq!((d.proto, d.src_port, d.dst_port), (6, 40012, 443));
        assert_eq!(d.tcp.map(|t| t.flags), Some(tcp_flags::SYN));
    }

    #[test]
    fn echo_request_is_the_outer_udp_flow() {
        let d = decode(LinkType::Ethernet, &GTP_ECHO).expect("decodes");
        assert_eq!(
            (d.tunnel, d.proto, d.src_port, d.dst_port),
            (Tunnel::None, 17, 2152, 2152)
        );
    }

    #[test]
    fn broken_extension_chain_is_the_outer_flow() {
        let mut zero_len = GTPU_EXT_IPV6_TCP;
        zero_len[GTP_AT + 12] = 0;
        let d = decode(LinkType::Ethernet, &zero_len).expect("decodes");
        assert_eq!((d.tunnel, d.dst_port), (Tunnel::None, 2152));
        // The container's next-type byte points at another header that runs past the packet.
        let mut endless = GTPU_EXT_IPV6_TCP;
        endless[GTP_AT + 15] = 0x85;
        endless[GTP_AT + 16] = 0xff;
        let d = decode(LinkType::Ethernet, &endless).expect("decodes");
        assert_eq!((d.tunnel, d.dst_port), (Tunnel::None, 2152));
    }

    #[test]
    fn extension_chain_bound() {
        // Nine 4-byte extension headers, each pointing at the next.
        let mut b = [0u8; LONG_HEADER_LEN + 9 * 4];
        b[0] = 0x34;
        b[1] = MESSAGE_G_PDU;
        b[11] = 0x85;
        for i in 0..9 {
            let at = LONG_HEADER_LEN + i * 4;
            b[at] = 1;
            b[at + 3] = if i == 8 { 0 } else { 0x85 };
        }
        assert_eq!(
            Header::new_checked(&b[..]).and_then(|h| h.header_len()),
            None
        );
        b[LONG_HEADER_LEN + 7 * 4 + 3] = 0; // end the chain at eight
        assert_eq!(
            Header::new_checked(&b[..]).and_then(|h| h.header_len()),
            Some(LONG_HEADER_LEN + 32)
        );
    }
}
