//! Linux netfilter log messages (`LINKTYPE_NFLOG`): a 4-byte header (address family, version, resource id), then
//! type-length-value attributes; the logged packet is the value of the `NFULA_PAYLOAD` attribute.
//!
//! Attribute lengths and types are in the byte order of the host that captured (libpcap writes them as the kernel
//! gave them). Types are small numbers, so the first attribute's type tells the order, as it does for tshark.
//! A length counts the 4-byte attribute header; attributes start on 4-byte boundaries.

use crate::bytes::{rest, u8_at, Field};
use crate::decode::Inner;
use crate::ethernet::ethertype;
use crate::Reject;

mod field {
    use super::Field;
    pub const FAMILY: usize = 0;
    pub const VERSION: usize = 1;
    pub const RESOURCE_ID: Field = 2..4;
    pub const ATTRIBUTES: usize = 4;
}

pub const HEADER_LEN: usize = field::ATTRIBUTES;
const ATTRIBUTE_HEADER_LEN: usize = 4;

/// Attributes walked before giving up: a kernel message has about a dozen, so more means a crafted frame.
pub const MAX_ATTRIBUTES: usize = 64;

/// Linux address families of the logged packet.
pub const AF_INET: u8 = 2;
pub const AF_INET6: u8 = 10;

/// `NFULA_PAYLOAD`: the logged packet.
pub const ATTR_PAYLOAD: u16 = 9;
/// `NLA_F_NESTED` and `NLA_F_NET_BYTEORDER` flags share the type field; they are not part of the type.
const TYPE_MASK: u16 = 0x3fff;
/// Types at or above this value in one byte order mean the attribute is in the other.
const MAX_TYPE: u16 = 0x100;

/// A read-only view of an NFLOG message.
#[derive(Debug, Clone, Copy)]
pub struct Message<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Message<T> {
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

    /// Linux address family of the logged packet.
    #[inline]
    pub fn family(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::FAMILY)
    }

    #[inline]
    pub fn version(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::VERSION)
    }

    /// The NFLOG group, in network byte order like every netfilter header field.
    #[inline]
    pub fn resource_id(&self) -> u16 {
        crate::bytes::be16(self.buffer.as_ref(), field::RESOURCE_ID)
    }
}

impl<'a> Message<&'a [u8]> {
    /// The value of the first attribute of type `wanted`; `Ok(None)` when there is none.
    ///
    /// # Errors
    /// [`Reject::CaptureHeaderMalformed`] for an attribute shorter than its header or running past the frame, or
    /// more than [`MAX_ATTRIBUTES`] before the wanted one.
    pub fn attribute(&self, wanted: u16) -> Result<Option<&'a [u8]>, Reject> {
        let mut b = rest(self.buffer, field::ATTRIBUTES);
        let Some(&[t0, t1]) = b.get(2..ATTRIBUTE_HEADER_LEN) else {
            return Ok(None);
        };
        // Little-endian (what nearly every capturing host is) unless only the big-endian reading is a type.
        let little = (u16::from_le_bytes([t0, t1]) & TYPE_MASK) < MAX_TYPE
            || (u16::from_be_bytes([t0, t1]) & TYPE_MASK) >= MAX_TYPE;
        let read = |pair: [u8; 2]| {
            if little {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        };
        for _ in 0..MAX_ATTRIBUTES {
            let Some(&[l0, l1, t0, t1]) = b.get(..ATTRIBUTE_HEADER_LEN) else {
                return Ok(None);
            };
            let len = usize::from(read([l0, l1]));
            let value = b
                .get(ATTRIBUTE_HEADER_LEN..len)
                .ok_or(Reject::CaptureHeaderMalformed)?;
            if read([t0, t1]) & TYPE_MASK == wanted {
                return Ok(Some(value));
            }
            // The last attribute may lack its padding.
            b = rest(b, len.next_multiple_of(4));
        }
        Err(Reject::CaptureHeaderMalformed)
    }

    /// The logged packet, by the header's address family.
    ///
    /// # Errors
    /// As [`Message::attribute`]; [`Reject::NonIp`] for a family other than IPv4 and IPv6 or a message without
    /// a payload attribute.
    pub fn inner(&self) -> Result<Inner<'a>, Reject> {
        let et = match self.family() {
            AF_INET => ethertype::IPV4,
            AF_INET6 => ethertype::IPV6,
            _ => return Err(Reject::NonIp),
        };
        let packet = self.attribute(ATTR_PAYLOAD)?.ok_or(Reject::NonIp)?;
        Ok(Inner::EtherType(et, packet))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS nflog
    /// Raw (nflog)
    pub(crate) static NFLOG_IPV4_UDP: [u8; 72] = [
        0x02, 0x00, 0x00, 0x05, 0x08, 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x0a,
        0x00, 0x78, 0x6e, 0x74, 0x6f, 0x70, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0b, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x25, 0x00, 0x09, 0x00, 0x45, 0x00, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x40,
        0x11, 0x8e, 0x94, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0xba, 0x13, 0xbb,
        0x00, 0x0d, 0xaa, 0x51, 0x6e, 0x66, 0x6c, 0x6f, 0x67, 0x00, 0x00, 0x00,
    ];
    /// Raw (nflog)
    pub(crate) static NFLOG_BE_IPV6_TCP: [u8; 96] = [
        0x0a, 0x00, 0x00, 0x05, 0x00, 0x08, 0x00, 0x01, 0x86, 0xdd, 0x03, 0x00, 0x00, 0x54, 0x00,
        0x09, 0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x5a, 0x01, 0xbb,
        0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x4f, 0x9c, 0x00,
        0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// Raw (nflog)
    pub(crate) static NFLOG_NO_PAYLOAD: [u8; 24] = [
        0x02, 0x00, 0x00, 0x05, 0x08, 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x0a,
        0x00, 0x6e, 0x6f, 0x74, 0x68, 0x69, 0x6e, 0x67, 0x00,
    ];
    // ---- END

    #[test]
    fn header_and_attributes() {
        let m = Message::new_checked(&NFLOG_IPV4_UDP[..]).expect("long enough");
        assert_eq!((m.family(), m.version(), m.resource_id()), (AF_INET, 0, 5));
        assert_eq!(m.attribute(10), Ok(Some(&b"xntop\0"[..])), "prefix");
        assert_eq!(m.attribute(13), Ok(None));
    }

    #[test]
    fn little_and_big_endian_attributes() {
        let d = decode(LinkType::Nflog, &NFLOG_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5051, &b"nflog"[..]));
        let d = decode(LinkType::Nflog, &NFLOG_BE_IPV6_TCP).expect("decodes");
        assert!(d.src.is_ipv6());
        assert_eq!((d.proto, d.dst_port), (6, 443));
    }

    #[test]
    fn without_payload_or_ip() {
        assert_eq!(
            decode(LinkType::Nflog, &NFLOG_NO_PAYLOAD),
            Err(Reject::NonIp)
        );
        let mut bridge = NFLOG_IPV4_UDP;
        bridge[0] = 7;
        assert_eq!(decode(LinkType::Nflog, &bridge), Err(Reject::NonIp));
    }

    #[test]
    fn malformed_attributes() {
        assert_eq!(
            decode(LinkType::Nflog, &NFLOG_IPV4_UDP[..3]),
            Err(Reject::CaptureHeaderMalformed)
        );
        // The payload attribute cut short (its last 3 bytes are padding).
        let cut = &NFLOG_IPV4_UDP[..NFLOG_IPV4_UDP.len() - 4];
        assert_eq!(
            decode(LinkType::Nflog, cut),
            Err(Reject::CaptureHeaderMalformed)
        );
        // An attribute length below its own header would never advance.
        let mut zero = NFLOG_IPV4_UDP;
        zero[4..6].copy_from_slice(&[0, 0]);
        assert_eq!(
            decode(LinkType::Nflog, &zero),
            Err(Reject::CaptureHeaderMalformed)
        );
        // More attributes than the bound.
        let mut many = vec![2u8, 0, 0, 0];
        for _ in 0..=MAX_ATTRIBUTES {
            many.extend_from_slice(&[4, 0, 1, 0]);
        }
        assert_eq!(
            decode(LinkType::Nflog, &many),
            Err(Reject::CaptureHeaderMalformed)
        );
    }
}
