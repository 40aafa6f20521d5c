//! ICMP (RFC 792) and ICMPv6 (RFC 4443) headers: type and code.

use crate::cursor::ReadAt;
use crate::Reject;

mod field {
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    /// After type, code and checksum.
    pub const REST_OF_HEADER: usize = 4;
    /// After the 4-byte rest-of-header (identifier/sequence, pointer, MTU …) that nearly every message has.
    pub const PAYLOAD: usize = 8;
}

/// Bytes needed for type, code and checksum.
pub const MIN_HEADER_LEN: usize = field::REST_OF_HEADER;
pub const HEADER_LEN: usize = field::PAYLOAD;

pub const PROTOCOL_ICMP: u8 = 1;
pub const PROTOCOL_ICMPV6: u8 = 58;

/// A read-only view of an ICMP or ICMPv6 message.
#[derive(Debug, Clone, Copy)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::IcmpTruncated`] when type, code and checksum are not all there.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < MIN_HEADER_LEN {
            return Err(Reject::IcmpTruncated);
        }
        Ok(Self::new_unchecked(buffer))
    }

    #[inline]
    pub fn msg_type(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::TYPE).unwrap_or(0)
    }

    #[inline]
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::CODE).unwrap_or(0)
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The message body after the 8-byte header, or after the 4 bytes that are there when the message is shorter.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        match self.buffer.get(field::PAYLOAD..) {
            Some(body) => body,
            None => self.buffer.rest_at(field::REST_OF_HEADER),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS icmp
    /// Ether / IP / ICMP 192.0.2.1 > 198.51.100.2 echo-request 0 / Raw (ethernet)
    pub(crate) static ICMP_ECHO: [u8; 50] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x24, 0x00, 0x01, 0x00, 0x00, 0x40, 0x01, 0x8e, 0xa1, 0xc0, 0x00, 0x02, 0x01,
        0xc6, 0x33, 0x64, 0x02, 0x08, 0x00, 0x65, 0xf0, 0x00, 0x77, 0x00, 0x03, 0x61, 0x62, 0x63,
        0x64, 0x65, 0x66, 0x67, 0x68,
    ];
    /// Ether / IP / ICMP / 192.0.2.1 > 198.51.100.2 tcp / TCPerror (ethernet)
    pub(crate) static ICMP_UNREACHABLE: [u8; 82] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x44, 0x00, 0x01, 0x00, 0x00, 0x40, 0x01, 0x8e, 0x81, 0xc6, 0x33, 0x64, 0x02,
        0xc0, 0x00, 0x02, 0x01, 0x03, 0x03, 0xe9, 0x4e, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00,
        0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x8e, 0x98, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33,
        0x64, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50,
        0x02, 0x20, 0x00, 0xa3, 0xa8, 0x00, 0x00,
    ];
    /// Ether / IPv6 / ICMPv6 Echo Request (id: 0x77 seq: 0x4) (ethernet)
    pub(crate) static ICMPV6_ECHO: [u8; 67] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x86, 0xdd, 0x60,
        0x00, 0x00, 0x00, 0x00, 0x0d, 0x3a, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x80, 0x00, 0x0e, 0xf7, 0x00, 0x77,
        0x00, 0x04, 0x70, 0x69, 0x6e, 0x67, 0x36,
    ];
    // ---- END

    const L4: usize = 34;

    #[test]
    fn header_fields() {
        let p = Packet::new_checked(&ICMP_ECHO[L4..]).expect("valid");
        assert_eq!(
            (p.msg_type(), p.msg_code(), p.payload()),
            (8, 0, &b"abcdefgh"[..])
        );
        let short = Packet::new_checked(&ICMP_ECHO[L4..L4 + 6]).expect("4 bytes are enough");
        assert_eq!(short.payload(), &ICMP_ECHO[L4 + 4..L4 + 6]);
        assert_eq!(
            Packet::new_checked(&ICMP_ECHO[L4..L4 + 3]).err(),
            Some(Reject::IcmpTruncated)
        );
    }

    #[test]
    fn echo_request() {
        let d = decode(LinkType::Ethernet, &ICMP_ECHO).expect("decodes");
        assert_eq!(
            (d.proto, d.icmp, d.src_port, d.dst_port),
            (1, Some((8, 0)), 0, 0)
        );
        assert_eq!(d.payload, b"abcdefgh");
    }

    #[test]
    fn unreachable_is_an_icmp_flow_not_the_quoted_one() {
        let d = decode(LinkType::Ethernet, &ICMP_UNREACHABLE).expect("decodes");
        assert_eq!(
            (d.proto, d.icmp, d.src_port, d.dst_port, d.tcp),
            (1, Some((3, 3)), 0, 0, None)
        );
    }

    #[test]
    fn icmpv6_echo_request() {
        let d = decode(LinkType::Ethernet, &ICMPV6_ECHO).expect("decodes");
        assert_eq!((d.proto, d.icmp), (58, Some((128, 0))));
        assert_eq!(d.payload, b"ping6");
    }

    #[test]
    fn truncated() {
        assert_eq!(
            decode(LinkType::Ethernet, &ICMP_ECHO[..L4 + 3]),
            Err(Reject::IcmpTruncated)
        );
    }
}
