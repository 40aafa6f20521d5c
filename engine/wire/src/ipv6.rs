//! IPv6 headers (RFC 8200) and the extension-header chain up to the upper-layer protocol.

use std::net::Ipv6Addr;

use crate::cursor::ReadAt;
use crate::Field;
use crate::{Fragment, Reject};

/// Extension headers followed before the chain is called malformed. Real stacks send at most a handful; a bound
/// keeps crafted chains from costing more than a few cache lines.
pub const MAX_EXTENSION_HEADERS: usize = 8;

/// Next-header values the chain walk knows.
pub mod next_header {
    pub const HOP_BY_HOP: u8 = 0;
    pub const ROUTING: u8 = 43;
    pub const FRAGMENT: u8 = 44;
    /// Encrypted from here on: the walk stops.
    pub const ESP: u8 = 50;
    pub const AH: u8 = 51;
    /// Nothing follows: the walk stops.
    pub const NO_NEXT_HEADER: u8 = 59;
    pub const DESTINATION_OPTIONS: u8 = 60;
    pub const MOBILITY: u8 = 135;
    pub const HIP: u8 = 139;
    pub const SHIM6: u8 = 140;
}

mod field {
    use super::Field;
    pub const VER_TC_FLOW: Field = 0..4;
    pub const LENGTH: Field = 4..6;
    pub const NXT_HDR: usize = 6;
    pub const HOP_LIMIT: usize = 7;
    pub const SRC_ADDR: Field = 8..24;
    pub const DST_ADDR: Field = 24..40;

    // Any extension header.
    pub const EXT_NXT_HDR: usize = 0;
    pub const EXT_LENGTH: usize = 1;
    // Fragment header.
    pub const FRAG_OFFSET_FLAGS: Field = 2..4;
    pub const FRAG_IDENT: Field = 4..8;
}

pub const HEADER_LEN: usize = 40;
/// Every extension header is a multiple of 8 bytes long, 8 at least.
pub const MIN_EXTENSION_LEN: usize = 8;

/// A read-only view of an IPv6 packet.
#[derive(Debug, Clone, Copy)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::Ipv6Truncated`] or [`Reject::IpBadVersion`].
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        let packet = Self::new_unchecked(buffer);
        if packet.buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::Ipv6Truncated);
        }
        if packet.version() != 6 {
            return Err(Reject::IpBadVersion);
        }
        Ok(packet)
    }

    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref().u8_at(0).unwrap_or(0) >> 4
    }

    #[inline]
    pub fn traffic_class(&self) -> u8 {
        ((self
            .buffer
            .as_ref()
            .u32_at(field::VER_TC_FLOW.start)
            .unwrap_or(0)
            >> 20)
            & 0xff) as u8
    }

    #[inline]
    pub fn flow_label(&self) -> u32 {
        self.buffer
            .as_ref()
            .u32_at(field::VER_TC_FLOW.start)
            .unwrap_or(0)
            & 0x000f_ffff
    }

    /// The payload length field; 0 for jumbograms (and segmentation offload).
    #[inline]
    pub fn payload_len_field(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::LENGTH.start)
            .unwrap_or(0)
    }

    /// Payload length the header announces (the captured bytes when the field is 0). More than
    /// [`Packet::payload`] holds when the capture cut the packet.
    #[inline]
    pub fn payload_len(&self) -> usize {
        match usize::from(self.payload_len_field()) {
            0 => self.buffer.as_ref().len().saturating_sub(HEADER_LEN),
            len => len,
        }
    }

    #[inline]
    pub fn next_header(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::NXT_HDR).unwrap_or(0)
    }

    #[inline]
    pub fn hop_limit(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::HOP_LIMIT).unwrap_or(0)
    }

    #[inline]
    pub fn src_addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(
            self.buffer
                .as_ref()
                .array_at::<16>(field::SRC_ADDR.start)
                .unwrap_or_default(),
        )
    }

    #[inline]
    pub fn dst_addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(
            self.buffer
                .as_ref()
                .array_at::<16>(field::DST_ADDR.start)
                .unwrap_or_default(),
        )
    }
}

impl<'a> Packet<&'a [u8]> {
    /// Bytes after the fixed header up to the payload length: link padding left out, a snap-length cut gives
    /// what was captured.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer
            .clip(HEADER_LEN, HEADER_LEN + self.payload_len())
    }
}

/// A read-only view of an extension header's common part (next header, length) and, for a fragment header, its
/// fragment fields.
#[derive(Debug, Clone, Copy)]
pub struct ExtHeader<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ExtHeader<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::Ipv6BadExtensionHeader`] when fewer than 8 bytes are left.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < MIN_EXTENSION_LEN {
            return Err(Reject::Ipv6BadExtensionHeader);
        }
        Ok(Self::new_unchecked(buffer))
    }

    #[inline]
    pub fn next_header(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::EXT_NXT_HDR).unwrap_or(0)
    }

    /// Length in bytes of this header when it is of type `kind`; `None` when `kind` is not an extension header
    /// (it is the upper-layer protocol, or ESP / No Next Header where the walk has to stop).
    #[inline]
    pub fn header_len(&self, kind: u8) -> Option<usize> {
        let units = usize::from(self.buffer.as_ref().u8_at(field::EXT_LENGTH).unwrap_or(0));
        match kind {
            next_header::HOP_BY_HOP
            | next_header::ROUTING
            | next_header::DESTINATION_OPTIONS
            | next_header::MOBILITY
            | next_header::HIP
            | next_header::SHIM6 => Some((units + 1) * 8),
            // RFC 4302: in 4-byte units, minus 2.
            next_header::AH => Some((units + 2) * 4),
            next_header::FRAGMENT => Some(MIN_EXTENSION_LEN),
            _ => None,
        }
    }

    /// Fragment offset in bytes (fragment header only).
    #[inline]
    pub fn frag_offset(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::FRAG_OFFSET_FLAGS.start)
            .unwrap_or(0)
            & 0xfff8
    }

    #[inline]
    pub fn more_frags(&self) -> bool {
        self.buffer
            .as_ref()
            .u16_at(field::FRAG_OFFSET_FLAGS.start)
            .unwrap_or(0)
            & 1
            != 0
    }

    #[inline]
    pub fn frag_ident(&self) -> u32 {
        self.buffer
            .as_ref()
            .u32_at(field::FRAG_IDENT.start)
            .unwrap_or(0)
    }

    /// Where the packet sits in its datagram (fragment header only).
    #[inline]
    pub fn fragment(&self) -> Fragment {
        let id = self.frag_ident();
        match (self.frag_offset(), self.more_frags()) {
            (0, false) => Fragment::None,
            (0, true) => Fragment::First { id },
            _ => Fragment::Later { id },
        }
    }
}

/// What follows the extension headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpperLayer<'a> {
    /// The upper-layer protocol; ESP (50) or No Next Header (59) when the chain stops there.
    pub protocol: u8,
    pub payload: &'a [u8],
    pub fragment: Fragment,
}

/// Walks the extension headers that start at `payload` with type `next`. A later fragment stops the walk at its
/// fragment header: the rest of the chain is in the first fragment.
///
/// # Errors
/// [`Reject::Ipv6BadExtensionHeader`] when a header runs past the payload or the chain is longer than
/// [`MAX_EXTENSION_HEADERS`].
pub fn upper_layer(mut next: u8, mut payload: &[u8]) -> Result<UpperLayer<'_>, Reject> {
    let mut fragment = Fragment::None;
    let mut count = 0;
    loop {
        let header = ExtHeader::new_unchecked(payload);
        let Some(len) = header.header_len(next) else {
            break;
        };
        count += 1;
        if count > MAX_EXTENSION_HEADERS || len > payload.len() {
            return Err(Reject::Ipv6BadExtensionHeader);
        }
        if next == next_header::FRAGMENT {
            fragment = header.fragment();
        }
        next = header.next_header();
        payload = payload.rest_at(len);
        if matches!(fragment, Fragment::Later { .. }) {
            break;
        }
    }
    Ok(UpperLayer {
        protocol: next,
        payload,
        fragment,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, tcp_flags, Fragment, LinkType, Reject};

    // ---- PACKETS ipv6
    /// Ether / IPv6 / IPv6ExtHdrHopByHop / IPv6ExtHdrDestOpt / TCP 40007 > https S (ethernet)
    pub(crate) static IPV6_HBH_DEST_TCP: [u8; 110] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x86, 0xdd, 0x60,
        0x00, 0x00, 0x00, 0x00, 0x38, 0x00, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x3c, 0x00, 0x05, 0x02, 0x00, 0x00,
        0x01, 0x00, 0x06, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x47, 0x01, 0xbb, 0x00,
        0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x4f, 0xaf, 0x00, 0x00,
        0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// Ether / IPv6 / IPv6ExtHdrRouting / AH / TCP 40008 > bgp A / Raw (ethernet)
    pub(crate) static IPV6_ROUTING_AH_TCP: [u8; 125] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x86, 0xdd, 0x60,
        0x00, 0x00, 0x00, 0x00, 0x47, 0x2b, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x33, 0x02, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x99, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x48, 0x00,
        0xb3, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06, 0x50, 0x10, 0x20, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x62, 0x67, 0x70,
    ];
    /// Ether / 2001:db8::1 > 2001:db8::2 (44) / IPv6ExtHdrFragment / Raw (ethernet)
    pub(crate) static IPV6_FIRST_FRAGMENT: [u8; 134] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x86, 0xdd, 0x60,
        0x00, 0x00, 0x00, 0x00, 0x50, 0x2c, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x11, 0x00, 0x00, 0x01, 0xde, 0xad,
        0xbe, 0xef, 0x14, 0xe9, 0x27, 0x0f, 0x00, 0xd0, 0xf3, 0x6d, 0x79, 0x79, 0x79, 0x79, 0x79,
        0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
        0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
        0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
        0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
    ];
    /// Ether / 2001:db8::1 > 2001:db8::2 (44) / IPv6ExtHdrFragment / Raw (ethernet)
    pub(crate) static IPV6_LATER_FRAGMENT: [u8; 134] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x86, 0xdd, 0x60,
        0x00, 0x00, 0x00, 0x00, 0x50, 0x2c, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x11, 0x00, 0x00, 0x49, 0xde, 0xad,
        0xbe, 0xef, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
        0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
        0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
        0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
        0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
    ];
    /// IPv6 / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / UDP 8000 > 8001 / Raw (raw)
    pub(crate) static IPV6_8_EXT_UDP: [u8; 113] = [
        0x60, 0x00, 0x00, 0x00, 0x00, 0x49, 0x3c, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x3c, 0x00, 0x01, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04,
        0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01,
        0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00,
        0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x1f,
        0x40, 0x1f, 0x41, 0x00, 0x09, 0x2d, 0xe6, 0x38,
    ];
    /// IPv6 / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / IPv6ExtHdrDestOpt / UDP 8000 > 8001 / Raw (raw)
    pub(crate) static IPV6_9_EXT_UDP: [u8; 121] = [
        0x60, 0x00, 0x00, 0x00, 0x00, 0x51, 0x3c, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x3c, 0x00, 0x01, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04,
        0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01,
        0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00,
        0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x11,
        0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x40, 0x1f, 0x41, 0x00, 0x09, 0x2c, 0xe6,
        0x39,
    ];
    /// 2001:db8::1 > 2001:db8::2 (50) / ESP (raw)
    pub(crate) static IPV6_ESP: [u8; 64] = [
        0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x32, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x34, 0x00,
        0x00, 0x00, 0x01, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
        0xaa, 0xaa, 0xaa, 0xaa,
    ];
    /// 2001:db8::1 > 2001:db8::2 (60) / IPv6ExtHdrDestOpt (raw)
    pub(crate) static IPV6_NO_NEXT: [u8; 48] = [
        0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x3c, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x3b, 0x00, 0x01, 0x04, 0x00,
        0x00, 0x00, 0x00,
    ];
    // ---- END

    const ETH: usize = 14;

    #[test]
    fn header_fields() {
        let p = Packet::new_checked(&IPV6_HBH_DEST_TCP[ETH..]).expect("valid");
        assert_eq!(
            (
                p.version(),
                p.traffic_class(),
                p.flow_label(),
                p.hop_limit()
            ),
            (6, 0, 0, 64)
        );
        assert_eq!(p.next_header(), next_header::HOP_BY_HOP);
        assert_eq!(
            p.src_addr(),
            "2001:db8::1".parse::<Ipv6Addr>().expect("literal")
        );
        assert_eq!(
            p.dst_addr(),
            "2001:db8::2".parse::<Ipv6Addr>().expect("literal")
        );
        assert_eq!(p.payload_len(), IPV6_HBH_DEST_TCP.len() - ETH - HEADER_LEN);
        let up = upper_layer(p.next_header(), p.payload()).expect("valid chain");
        assert_eq!(
            (up.protocol, up.payload.len(), up.fragment),
            (6, 40, Fragment::None)
        );
    }

    #[test]
    fn hop_by_hop_and_destination_options_then_tcp() {
        let d = decode(LinkType::Ethernet, &IPV6_HBH_DEST_TCP).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (6, 40007, 443));
        assert_eq!(d.tcp.map(|t| t.flags), Some(tcp_flags::SYN));
    }

    #[test]
    fn routing_and_authentication_header_then_tcp() {
        let d = decode(LinkType::Ethernet, &IPV6_ROUTING_AH_TCP).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (6, 40008, 179));
        assert_eq!(d.payload, b"bgp");
    }

    #[test]
    fn first_and_later_fragment() {
        let first = decode(LinkType::Ethernet, &IPV6_FIRST_FRAGMENT).expect("decodes");
        assert_eq!(first.fragment, Fragment::First { id: 0xdead_beef });
        assert_eq!(
            (first.proto, first.src_port, first.dst_port),
            (17, 5353, 9999)
        );
        let later = decode(LinkType::Ethernet, &IPV6_LATER_FRAGMENT).expect("decodes");
        assert_eq!(later.fragment, Fragment::Later { id: 0xdead_beef });
        assert_eq!(
            (later.proto, later.src_port, later.dst_port, later.payload),
            (17, 0, 0, &[][..])
        );
    }

    #[test]
    fn chain_length_bound() {
        let d = decode(LinkType::Raw, &IPV6_8_EXT_UDP).expect("8 headers are fine");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 8001, &b"8"[..]));
        assert_eq!(
            decode(LinkType::Raw, &IPV6_9_EXT_UDP),
            Err(Reject::Ipv6BadExtensionHeader)
        );
    }

    #[test]
    fn esp_and_no_next_header_stop_the_walk() {
        let d = decode(LinkType::Raw, &IPV6_ESP).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (50, 0, 0));
        let d = decode(LinkType::Raw, &IPV6_NO_NEXT).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (59, 0, 0));
    }

    #[test]
    fn extension_header_past_the_end() {
        // Hop-by-hop header cut in half.
        assert_eq!(
            decode(
                LinkType::Ethernet,
                &IPV6_HBH_DEST_TCP[..ETH + HEADER_LEN + 4]
            ),
            Err(Reject::Ipv6BadExtensionHeader)
        );
        // Hop-by-hop length claiming 2 KiB.
        let mut long = IPV6_HBH_DEST_TCP;
        long[ETH + HEADER_LEN + 1] = 255;
        assert_eq!(
            decode(LinkType::Ethernet, &long),
            Err(Reject::Ipv6BadExtensionHeader)
        );
    }

    #[test]
    fn truncated_and_bad_version() {
        assert_eq!(
            decode(LinkType::Ipv6, &RAW_IPV6[..39]),
            Err(Reject::Ipv6Truncated)
        );
        let mut v4 = RAW_IPV6;
        v4[0] = 0x45;
        assert_eq!(decode(LinkType::Ipv6, &v4), Err(Reject::IpBadVersion));
        let mut eth_v4_nibble = IPV6_HBH_DEST_TCP;
        eth_v4_nibble[ETH] = 0x45;
        assert_eq!(
            decode(LinkType::Ethernet, &eth_v4_nibble),
            Err(Reject::IpBadVersion)
        );
    }

    const RAW_IPV6: [u8; 48] = {
        let mut p = [0u8; 48];
        p[0] = 0x60;
        p[5] = 8;
        p[6] = 59;
        p
    };
}
