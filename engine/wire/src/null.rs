//! BSD loopback headers: `DLT_NULL` (address family in the capturing host's byte order) and `DLT_LOOP` (network
//! order).

use crate::cursor::ReadAt;
use crate::Field;
use crate::Reject;

mod field {
    use super::Field;
    pub const FAMILY: Field = 0..4;
    pub const PAYLOAD: usize = 4;
}

pub const HEADER_LEN: usize = field::PAYLOAD;

/// `AF_INET` on every BSD.
pub const AF_INET: u32 = 2;
/// `AF_INET6` differs between systems: NetBSD/OpenBSD/BSD/OS, FreeBSD/DragonFly, Darwin.
pub const AF_INET6: [u32; 3] = [24, 28, 30];

/// IP version named by a loopback address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Inet,
    Inet6,
}

/// A read-only view of a loopback header.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::NullTruncated`] when the buffer is shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::NullTruncated);
        }
        Ok(Self::new_unchecked(buffer))
    }

    /// The family word read in network byte order.
    #[inline]
    pub fn raw_family(&self) -> u32 {
        self.buffer
            .as_ref()
            .u32_at(field::FAMILY.start)
            .unwrap_or(0)
    }

    /// The IP family. With `any_order`, the word is also tried byte-swapped: a `DLT_NULL` file does not record the
    /// byte order of the host that wrote it, and the small family values cannot be confused across orders.
    pub fn family(&self, any_order: bool) -> Option<Family> {
        let raw = self.raw_family();
        classify(raw).or_else(|| {
            if any_order {
                classify(raw.swap_bytes())
            } else {
                None
            }
        })
    }
}

impl<'a> Header<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(field::PAYLOAD)
    }
}

#[inline]
fn classify(family: u32) -> Option<Family> {
    match family {
        AF_INET => Some(Family::Inet),
        f if AF_INET6.contains(&f) => Some(Family::Inet6),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS null
    /// Raw / IP / ICMP 192.0.2.1 > 198.51.100.2 echo-request 0 / Raw (null)
    pub(crate) static NULL_LE_IPV4_ICMP: [u8; 36] = [
        0x02, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x01, 0x8e,
        0xa5, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x08, 0x00, 0x19, 0x2d, 0x00, 0x01,
        0x00, 0x01, 0x70, 0x69, 0x6e, 0x67,
    ];
    /// Raw / IPv6 / UDP 2001:db8::1:5000 > 2001:db8::2:5001 / Raw (null)
    pub(crate) static NULL_BE_IPV6_UDP: [u8; 56] = [
        0x00, 0x00, 0x00, 0x1e, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40, 0x20, 0x01, 0x0d,
        0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x13,
        0x88, 0x13, 0x89, 0x00, 0x0c, 0xa2, 0x6e, 0x6e, 0x75, 0x6c, 0x6c,
    ];
    /// Raw / IPv6 / UDP 2001:db8::1:5000 > 2001:db8::2:5001 / Raw (null)
    pub(crate) static NULL_LE_IPV6_24: [u8; 55] = [
        0x18, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x11, 0x40, 0x20, 0x01, 0x0d,
        0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x13,
        0x88, 0x13, 0x89, 0x00, 0x0b, 0xb6, 0xde, 0x62, 0x73, 0x64,
    ];
    /// Raw / IP / TCP 192.0.2.1:40005 > 198.51.100.2:smtp S (loop)
    pub(crate) static LOOP_IPV4_TCP: [u8; 64] = [
        0x00, 0x00, 0x00, 0x02, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x8e,
        0x84, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x45, 0x00, 0x19, 0x00, 0x00,
        0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xc0, 0x90, 0x00, 0x00, 0x02,
        0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x03, 0x03, 0x07,
    ];
    // ---- END

    #[test]
    fn families_in_both_orders() {
        for (bytes, family) in [
            ([2, 0, 0, 0], Family::Inet),
            ([0, 0, 0, 2], Family::Inet),
            ([24, 0, 0, 0], Family::Inet6),
            ([0, 0, 0, 28], Family::Inet6),
            ([30, 0, 0, 0], Family::Inet6),
        ] {
            let h = Header::new_checked(&bytes[..]).expect("4 bytes");
            assert_eq!(h.family(true), Some(family), "{bytes:?}");
        }
        let little = Header::new_checked(&[2u8, 0, 0, 0][..]).expect("4 bytes");
        assert_eq!(little.family(false), None, "DLT_LOOP is network order only");
    }

    #[test]
    fn null_little_endian_ipv4_icmp() {
        let d = decode(LinkType::Null, &NULL_LE_IPV4_ICMP).expect("decodes");
        assert_eq!((d.proto, d.icmp), (1, Some((8, 0))));
        assert_eq!((d.src_mac, d.dst_mac), (None, None));
    }

    #[test]
    fn null_big_endian_ipv6_udp() {
        let d = decode(LinkType::Null, &NULL_BE_IPV6_UDP).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (17, 5000, 5001));
        assert_eq!(d.payload, b"null");
        let d = decode(LinkType::Null, &NULL_LE_IPV6_24).expect("decodes");
        assert_eq!(d.payload, b"bsd");
    }

    #[test]
    fn loop_ipv4_tcp() {
        let d = decode(LinkType::Loop, &LOOP_IPV4_TCP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (6, 25));
        assert_eq!(
            decode(LinkType::Loop, &NULL_LE_IPV4_ICMP),
            Err(Reject::NonIp)
        );
    }

    #[test]
    fn truncated_and_unknown_family() {
        assert_eq!(
            decode(LinkType::Null, &NULL_LE_IPV4_ICMP[..3]),
            Err(Reject::NullTruncated)
        );
        let mut appletalk = NULL_LE_IPV4_ICMP;
        appletalk[0] = 16;
        assert_eq!(decode(LinkType::Null, &appletalk), Err(Reject::NonIp));
    }
}
