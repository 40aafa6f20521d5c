//! Solaris ipnet (`LINKTYPE_IPNET`): the 24-byte `dl_ipnetinfo` header that Solaris 10 and illumos put in front
//! of each IP packet captured on their IP-layer devices (`/dev/ipnet/*`, `lo0`), fields in network byte order.

use crate::bytes::{be32, rest, u8_at, Field};
use crate::decode::Inner;
use crate::ethernet::ethertype;
use crate::Reject;

mod field {
    use super::Field;
    pub const VERSION: usize = 0;
    pub const FAMILY: usize = 1;
    pub const PACKET_LEN: Field = 4..8;
    pub const IFINDEX: Field = 8..12;
    pub const PAYLOAD: usize = 24;
}

pub const HEADER_LEN: usize = field::PAYLOAD;

/// Address families as ipnet numbers them (Solaris's `AF_INET` and `AF_INET6`).
pub const FAMILY_INET: u8 = 2;
pub const FAMILY_INET6: u8 = 26;

/// A read-only view of an ipnet header.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::CaptureHeaderMalformed`] when the buffer is shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::CaptureHeaderMalformed);
        }
        Ok(Self::new_unchecked(buffer))
    }

    #[inline]
    pub fn version(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::VERSION)
    }

    #[inline]
    pub fn family(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::FAMILY)
    }

    /// Length of the IP packet that follows.
    #[inline]
    pub fn packet_len(&self) -> u32 {
        be32(self.buffer.as_ref(), field::PACKET_LEN)
    }

    #[inline]
    pub fn interface_index(&self) -> u32 {
        be32(self.buffer.as_ref(), field::IFINDEX)
    }
}

impl<'a> Header<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        rest(self.buffer, field::PAYLOAD)
    }

    /// The captured packet, by address family.
    ///
    /// # Errors
    /// [`Reject::NonIp`] for a family other than ipnet's IPv4 and IPv6.
    pub fn inner(&self) -> Result<Inner<'a>, Reject> {
        match self.family() {
            FAMILY_INET => Ok(Inner::EtherType(ethertype::IPV4, self.payload())),
            FAMILY_INET6 => Ok(Inner::EtherType(ethertype::IPV6, self.payload())),
            _ => Err(Reject::NonIp),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS ipnet
    /// Raw / IP / UDP 192.0.2.1:sip > 198.51.100.2:sip_tls / Raw (ipnet)
    pub(crate) static IPNET_IPV4_UDP: [u8; 57] = [
        0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x21, 0x00, 0x01,
        0x00, 0x00, 0x40, 0x11, 0x8e, 0x94, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13,
        0xc4, 0x13, 0xc5, 0x00, 0x0d, 0xa0, 0x3d, 0x69, 0x70, 0x6e, 0x65, 0x74,
    ];
    /// Raw / IPv6 / TCP 2001:db8::1:40027 > 2001:db8::2:ssh S (ipnet)
    pub(crate) static IPNET_IPV6_TCP: [u8; 104] = [
        0x01, 0x1a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0x28,
        0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x02, 0x9c, 0x5b, 0x00, 0x16, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00,
        0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x51, 0x40, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
        0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    // ---- END

    #[test]
    fn header_fields() {
        let h = Header::new_checked(&IPNET_IPV4_UDP[..]).expect("long enough");
        assert_eq!((h.version(), h.family(), h.interface_index()), (1, 2, 3));
        assert_eq!(h.packet_len() as usize, IPNET_IPV4_UDP.len() - HEADER_LEN);
    }

    #[test]
    fn ipv4_and_ipv6() {
        let d = decode(LinkType::Ipnet, &IPNET_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5061, &b"ipnet"[..]));
        let d = decode(LinkType::Ipnet, &IPNET_IPV6_TCP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (6, 22));
    }

    #[test]
    fn other_families_and_short_headers() {
        let mut other = IPNET_IPV4_UDP;
        other[1] = 10;
        assert_eq!(decode(LinkType::Ipnet, &other), Err(Reject::NonIp));
        assert_eq!(
            decode(LinkType::Ipnet, &IPNET_IPV4_UDP[..23]),
            Err(Reject::CaptureHeaderMalformed)
        );
    }
}
