//! PPPoE session stage (RFC 2516) and the PPP protocol field.

use crate::cursor::ReadAt;
use crate::Field;
use crate::Reject;

mod field {
    use super::Field;
    pub const VER_TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const SESSION_ID: Field = 2..4;
    pub const LENGTH: Field = 4..6;
    pub const PAYLOAD: usize = 6;
}

/// Length of the PPPoE header, before the PPP protocol field.
pub const HEADER_LEN: usize = field::PAYLOAD;

/// PPP protocol numbers that carry IP.
pub mod protocol {
    pub const IPV4: u16 = 0x0021;
    pub const IPV6: u16 = 0x0057;
}

/// A read-only view of a PPPoE header.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::PppoeTruncated`] when the buffer is shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::PppoeTruncated);
        }
        Ok(Self::new_unchecked(buffer))
    }

    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::VER_TYPE).unwrap_or(0) >> 4
    }

    #[inline]
    pub fn code(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::CODE).unwrap_or(0)
    }

    #[inline]
    pub fn session_id(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::SESSION_ID.start)
            .unwrap_or(0)
    }

    /// Length of the PPP frame that follows.
    #[inline]
    pub fn length(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::LENGTH.start)
            .unwrap_or(0)
    }
}

impl<'a> Header<&'a [u8]> {
    /// The PPP frame (protocol field first).
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(field::PAYLOAD)
    }
}

/// Splits a PPP frame (without HDLC address/control) into its protocol number and information field.
///
/// Handles protocol-field compression: a 1-byte protocol has its low bit set, a 2-byte one has it clear in the
/// first byte (RFC 1661 section 2).
#[inline]
pub fn ppp_protocol(frame: &[u8]) -> Option<(u16, &[u8])> {
    match *frame {
        [first, ref information @ ..] if first & 1 == 1 => Some((u16::from(first), information)),
        [high, low, ref information @ ..] => Some((u16::from_be_bytes([high, low]), information)),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, tcp_flags, LinkType, Reject};

    // ---- PACKETS pppoe
    /// Ether / PPPoE / PPP / IP / TCP 192.0.2.1:40002 > 198.51.100.2:http PA / Raw (ethernet)
    pub(crate) static PPPOE_IPV4_TCP: [u8; 67] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0x64, 0x11,
        0x00, 0x00, 0x11, 0x00, 0x2f, 0x00, 0x21, 0x45, 0x00, 0x00, 0x2d, 0x00, 0x01, 0x00, 0x00,
        0x40, 0x06, 0x8e, 0x93, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x42, 0x00,
        0x50, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x09, 0x50, 0x18, 0x20, 0x00, 0x3c, 0x88,
        0x00, 0x00, 0x47, 0x45, 0x54, 0x20, 0x2f,
    ];
    /// Ether / PPPoE / PPP / IPv6 / UDP 2001:db8::1:dhcpv6_client > 2001:db8::2:dhcpv6_server / Raw (ethernet)
    pub(crate) static PPPOE_IPV6_UDP: [u8; 72] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0x64, 0x11,
        0x00, 0x00, 0x11, 0x00, 0x34, 0x00, 0x57, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x11, 0x40,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x02, 0x02, 0x22, 0x02, 0x23, 0x00, 0x0a, 0x29, 0xea, 0x76, 0x36,
    ];
    /// Ether / PPPoE Active Discovery Initiation (PADI) (ethernet)
    pub(crate) static PPPOE_DISCOVERY: [u8; 20] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0x63, 0x11,
        0x09, 0x00, 0x00, 0x00, 0x00,
    ];
    // ---- END

    #[test]
    fn header_fields() {
        let h = Header::new_checked(&PPPOE_IPV4_TCP[14..]).expect("long enough");
        assert_eq!((h.version(), h.code(), h.session_id()), (1, 0, 0x11));
        assert_eq!(
            usize::from(h.length()),
            PPPOE_IPV4_TCP.len() - 14 - HEADER_LEN
        );
        assert_eq!(
            ppp_protocol(h.payload()).map(|(p, _)| p),
            Some(protocol::IPV4)
        );
    }

    #[test]
    fn protocol_field_compression() {
        assert_eq!(ppp_protocol(&[0x21, 0x45]), Some((0x21, &[0x45][..])));
        assert_eq!(ppp_protocol(&[0x00, 0x57, 0x60]), Some((0x57, &[0x60][..])));
        assert_eq!(ppp_protocol(&[0x00]), None);
        assert_eq!(ppp_protocol(&[]), None);
    }

    #[test]
    fn session_ipv4_tcp() {
        let d = decode(LinkType::Ethernet, &PPPOE_IPV4_TCP).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (6, 40002, 80));
        let tcp = d.tcp.expect("tcp header");
        assert_eq!(tcp.flags, tcp_flags::PSH | tcp_flags::ACK);
        assert_eq!(d.payload, b"GET /");
    }

    #[test]
    fn session_ipv6_udp() {
        let d = decode(LinkType::Ethernet, &PPPOE_IPV6_UDP).expect("decodes");
        assert!(d.src.is_ipv6());
        assert_eq!((d.proto, d.src_port, d.dst_port), (17, 546, 547));
        assert_eq!(d.payload, b"v6");
    }

    #[test]
    fn discovery_and_other_ppp_protocols_are_not_ip() {
        assert_eq!(
            decode(LinkType::Ethernet, &PPPOE_DISCOVERY),
            Err(Reject::NonIp)
        );
        let mut lcp = PPPOE_IPV4_TCP;
        lcp[20..22].copy_from_slice(&[0xc0, 0x21]);
        assert_eq!(decode(LinkType::Ethernet, &lcp), Err(Reject::NonIp));
    }

    #[test]
    fn truncated() {
        assert_eq!(
            decode(LinkType::Ethernet, &PPPOE_IPV4_TCP[..19]),
            Err(Reject::PppoeTruncated)
        );
        assert_eq!(
            decode(LinkType::Ethernet, &PPPOE_IPV4_TCP[..21]),
            Err(Reject::PppoeTruncated)
        );
    }
}
