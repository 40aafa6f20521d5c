//! UDP headers (RFC 768).

use crate::cursor::ReadAt;
use crate::Field;
use crate::Reject;

mod field {
    use super::Field;
    pub const SRC_PORT: Field = 0..2;
    pub const DST_PORT: Field = 2..4;
    pub const LENGTH: Field = 4..6;
    pub const CHECKSUM: Field = 6..8;
    pub const PAYLOAD: usize = 8;
}

pub const HEADER_LEN: usize = field::PAYLOAD;

/// A read-only view of a UDP datagram.
#[derive(Debug, Clone, Copy)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::UdpTruncated`] when the buffer is shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::UdpTruncated);
        }
        Ok(Self::new_unchecked(buffer))
    }

    #[inline]
    pub fn src_port(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::SRC_PORT.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn dst_port(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::DST_PORT.start)
            .unwrap_or(0)
    }

    /// Header plus data, as the sender wrote it.
    #[inline]
    pub fn length(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::LENGTH.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn checksum(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::CHECKSUM.start)
            .unwrap_or(0)
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The data, clipped to the length field and the captured bytes. A length below the header (0 in IPv6
    /// jumbograms, or a lie) leaves only the IP length as the bound.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let len = usize::from(self.length());
        let end = if len < HEADER_LEN {
            self.buffer.len()
        } else {
            len
        };
        self.buffer.clip(HEADER_LEN, end)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS udp
    /// Ether / IP / UDP 192.0.2.1:53000 > 198.51.100.2:domain / Raw (ethernet)
    pub(crate) static IPV4_UDP_DNS: [u8; 54] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e, 0x8d, 0xc0, 0x00, 0x02, 0x01,
        0xc6, 0x33, 0x64, 0x02, 0xcf, 0x08, 0x00, 0x35, 0x00, 0x14, 0x97, 0x82, 0xab, 0xcd, 0x01,
        0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    // ---- END

    const L4: usize = 34;

    #[test]
    fn header_fields() {
        let u = Packet::new_checked(&IPV4_UDP_DNS[L4..]).expect("valid");
        assert_eq!((u.src_port(), u.dst_port(), u.length()), (53000, 53, 20));
        assert_eq!(u.payload().len(), 12);
        assert_eq!(
            Packet::new_checked(&IPV4_UDP_DNS[L4..L4 + 7]).err(),
            Some(Reject::UdpTruncated)
        );
    }

    #[test]
    fn datagram() {
        let d = decode(LinkType::Ethernet, &IPV4_UDP_DNS).expect("decodes");
        assert_eq!(
            (d.proto, d.src_port, d.dst_port, d.tcp, d.icmp),
            (17, 53000, 53, None, None)
        );
        assert_eq!(d.payload, &IPV4_UDP_DNS[L4 + 8..]);
    }

    #[test]
    fn length_field_clips_and_cannot_overrun() {
        let mut short = IPV4_UDP_DNS;
        short[L4 + 4..L4 + 6].copy_from_slice(&10u16.to_be_bytes());
        assert_eq!(
            decode(LinkType::Ethernet, &short).map(|d| d.payload.len()),
            Ok(2)
        );
        let mut long = IPV4_UDP_DNS;
        long[L4 + 4..L4 + 6].copy_from_slice(&u16::MAX.to_be_bytes());
        assert_eq!(
            decode(LinkType::Ethernet, &long).map(|d| d.payload.len()),
            Ok(12)
        );
        let mut zero = IPV4_UDP_DNS;
        zero[L4 + 4..L4 + 6].copy_from_slice(&[0, 0]);
        assert_eq!(
            decode(LinkType::Ethernet, &zero).map(|d| d.payload.len()),
            Ok(12)
        );
    }

    #[test]
    fn truncated() {
        assert_eq!(
            decode(LinkType::Ethernet, &IPV4_UDP_DNS[..L4 + 7]),
            Err(Reject::UdpTruncated)
        );
    }
}
