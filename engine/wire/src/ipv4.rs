//! IPv4 headers (RFC 791).

use std::net::Ipv4Addr;

use crate::cursor::ReadAt;
use crate::Field;
use crate::{Fragment, Reject};

mod field {
    use super::Field;
    pub const VER_IHL: usize = 0;
    pub const DSCP_ECN: usize = 1;
    pub const LENGTH: Field = 2..4;
    pub const IDENT: Field = 4..6;
    pub const FLG_OFF: Field = 6..8;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: Field = 10..12;
    pub const SRC_ADDR: Field = 12..16;
    pub const DST_ADDR: Field = 16..20;
}

/// Length of a header without options.
pub const MIN_HEADER_LEN: usize = 20;

const FLAG_MORE_FRAGMENTS: u16 = 0x2000;
const FLAG_DONT_FRAGMENT: u16 = 0x4000;
const OFFSET_MASK: u16 = 0x1fff;

/// A read-only view of an IPv4 packet.
#[derive(Debug, Clone, Copy)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Checks the version, the header length and the total length once, so that no accessor can see an
    /// inconsistent header.
    ///
    /// # Errors
    /// [`Reject::Ipv4Truncated`], [`Reject::IpBadVersion`], [`Reject::Ipv4BadHeaderLength`] or
    /// [`Reject::Ipv4BadTotalLength`].
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        let packet = Self::new_unchecked(buffer);
        packet.check()?;
        Ok(packet)
    }

    /// See [`Packet::new_checked`].
    ///
    /// # Errors
    /// As [`Packet::new_checked`].
    pub fn check(&self) -> Result<(), Reject> {
        let len = self.buffer.as_ref().len();
        if len < MIN_HEADER_LEN {
            return Err(Reject::Ipv4Truncated);
        }
        if self.version() != 4 {
            return Err(Reject::IpBadVersion);
        }
        let header_len = self.header_len();
        if header_len < MIN_HEADER_LEN || header_len > len {
            return Err(Reject::Ipv4BadHeaderLength);
        }
        let total = usize::from(self.total_len());
        // 0 is what segmentation offload leaves in captures taken on the sending host (and Linux BIG TCP for
        // packets over 64 KiB): not a broken packet, the captured length is the packet.
        if total != 0 && total < header_len {
            return Err(Reject::Ipv4BadTotalLength);
        }
        Ok(())
    }

    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::VER_IHL).unwrap_or(0) >> 4
    }

    /// Header length in bytes, options included.
    #[inline]
    pub fn header_len(&self) -> usize {
        usize::from(self.buffer.as_ref().u8_at(field::VER_IHL).unwrap_or(0) & 0x0f) * 4
    }

    #[inline]
    pub fn dscp_ecn(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::DSCP_ECN).unwrap_or(0)
    }

    /// The total length field (header and payload, not link padding).
    #[inline]
    pub fn total_len(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::LENGTH.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn ident(&self) -> u16 {
        self.buffer.as_ref().u16_at(field::IDENT.start).unwrap_or(0)
    }

    #[inline]
    pub fn dont_frag(&self) -> bool {
        self.buffer
            .as_ref()
            .u16_at(field::FLG_OFF.start)
            .unwrap_or(0)
            & FLAG_DONT_FRAGMENT
            != 0
    }

    #[inline]
    pub fn more_frags(&self) -> bool {
        self.buffer
            .as_ref()
            .u16_at(field::FLG_OFF.start)
            .unwrap_or(0)
            & FLAG_MORE_FRAGMENTS
            != 0
    }

    /// Fragment offset in bytes.
    #[inline]
    pub fn frag_offset(&self) -> u16 {
        (self
            .buffer
            .as_ref()
            .u16_at(field::FLG_OFF.start)
            .unwrap_or(0)
            & OFFSET_MASK)
            << 3
    }

    /// Where this packet sits in its datagram, keyed by the 16-bit identification.
    #[inline]
    pub fn fragment(&self) -> Fragment {
        let flags_offset = self
            .buffer
            .as_ref()
            .u16_at(field::FLG_OFF.start)
            .unwrap_or(0);
        let id = u32::from(self.ident());
        match (
            flags_offset & OFFSET_MASK,
            flags_offset & FLAG_MORE_FRAGMENTS != 0,
        ) {
            (0, false) => Fragment::None,
            (0, true) => Fragment::First { id },
            _ => Fragment::Later { id },
        }
    }

    #[inline]
    pub fn ttl(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::TTL).unwrap_or(0)
    }

    #[inline]
    pub fn protocol(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::PROTOCOL).unwrap_or(0)
    }

    #[inline]
    pub fn checksum(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::CHECKSUM.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn src_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(
            self.buffer
                .as_ref()
                .array_at::<4>(field::SRC_ADDR.start)
                .unwrap_or_default(),
        )
    }

    #[inline]
    pub fn dst_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(
            self.buffer
                .as_ref()
                .array_at::<4>(field::DST_ADDR.start)
                .unwrap_or_default(),
        )
    }
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Payload length the header announces (from the total length; the captured bytes when that is 0). More than
    /// [`Packet::payload`] holds when the capture cut the packet.
    #[inline]
    pub fn payload_len(&self) -> usize {
        let total = match usize::from(self.total_len()) {
            0 => self.buffer.as_ref().len(),
            total => total,
        };
        total.saturating_sub(self.header_len())
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The bytes after the header up to the total length: link padding is left out, and a packet cut by the
    /// capture's snap length gives what was captured.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        let total = usize::from(self.total_len());
        let end = if total == 0 { self.buffer.len() } else { total };
        self.buffer.clip(self.header_len(), end)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, Fragment, LinkType, Reject};
    use std::net::{IpAddr, Ipv4Addr};

    // ---- PACKETS ipv4
    /// Ether / IP / UDP 192.0.2.1:6000 > 198.51.100.2:6001 / Raw (ethernet)
    pub(crate) static IPV4_OPTIONS_UDP: [u8; 61] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x48,
        0x00, 0x00, 0x2f, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x77, 0xdf, 0xc0, 0x00, 0x02, 0x01,
        0xc6, 0x33, 0x64, 0x02, 0x07, 0x07, 0x04, 0x0a, 0x01, 0x02, 0x03, 0x94, 0x04, 0x00, 0x00,
        0x00, 0x17, 0x70, 0x17, 0x71, 0x00, 0x0f, 0x1e, 0x6f, 0x6f, 0x70, 0x74, 0x69, 0x6f, 0x6e,
        0x73,
    ];
    /// Ether / 192.0.2.1 > 198.51.100.2 udp / Raw (ethernet)
    pub(crate) static IPV4_FIRST_FRAGMENT: [u8; 82] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x44, 0xbe, 0xef, 0x20, 0x00, 0x40, 0x11, 0xaf, 0x82, 0xc0, 0x00, 0x02, 0x01,
        0xc6, 0x33, 0x64, 0x02, 0x14, 0xe9, 0x27, 0x0f, 0x00, 0x6c, 0x4f, 0x5f, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
    ];
    /// Ether / 192.0.2.1 > 198.51.100.2 udp frag:6 / Raw (ethernet)
    pub(crate) static IPV4_LATER_FRAGMENT: [u8; 82] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x44, 0xbe, 0xef, 0x20, 0x06, 0x40, 0x11, 0xaf, 0x7c, 0xc0, 0x00, 0x02, 0x01,
        0xc6, 0x33, 0x64, 0x02, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
        0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
    ];
    /// IP / TCP 192.0.2.1:40006 > 198.51.100.2:http_alt S (raw)
    pub(crate) static RAW_IPV4_TCP: [u8; 60] = [
        0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x8e, 0x84, 0xc0, 0x00, 0x02,
        0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x46, 0x1f, 0x90, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00,
        0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xa1, 0x18, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04,
        0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// IPv6 / UDP 2001:db8::1:afs3_fileserver > 2001:db8::2:afs3_callback / Raw (raw)
    pub(crate) static RAW_IPV6_UDP: [u8; 52] = [
        0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x1b, 0x58, 0x1b, 0x59, 0x00,
        0x0c, 0x84, 0x18, 0x72, 0x61, 0x77, 0x36,
    ];
    /// Ether / 192.0.2.1 > 224.0.0.5 ospf / Raw (ethernet)
    pub(crate) static IPV4_OSPF: [u8; 58] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x2c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x59, 0x17, 0x72, 0xc0, 0x00, 0x02, 0x01,
        0xe0, 0x00, 0x00, 0x05, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    // ---- END

    const ETH: usize = 14;

    #[test]
    fn header_fields() {
        let p = Packet::new_checked(&IPV4_OPTIONS_UDP[ETH..]).expect("valid");
        assert_eq!(
            (p.version(), p.header_len(), p.ttl(), p.protocol()),
            (4, 32, 64, 17)
        );
        assert_eq!(usize::from(p.total_len()), IPV4_OPTIONS_UDP.len() - ETH);
        assert_eq!(p.src_addr(), Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(p.dst_addr(), Ipv4Addr::new(198, 51, 100, 2));
        assert!(!p.dont_frag() && !p.more_frags());
        assert_eq!(p.fragment(), Fragment::None);
        assert_eq!(p.payload().len(), 8 + b"options".len());
    }

    #[test]
    fn options_are_skipped() {
        let d = decode(LinkType::Ethernet, &IPV4_OPTIONS_UDP).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (17, 6000, 6001));
        assert_eq!(d.payload, b"options");
    }

    #[test]
    fn first_and_later_fragment() {
        let first = decode(LinkType::Ethernet, &IPV4_FIRST_FRAGMENT).expect("decodes");
        assert_eq!(first.fragment, Fragment::First { id: 0xbeef });
        assert_eq!(
            (first.proto, first.src_port, first.dst_port),
            (17, 5353, 9999)
        );
        assert_eq!(
            first.payload,
            &[b'x'; 40][..],
            "48 bytes of fragment data: the 8-byte UDP header and 40 of payload"
        );

        let later = decode(LinkType::Ethernet, &IPV4_LATER_FRAGMENT).expect("decodes");
        assert_eq!(later.fragment, Fragment::Later { id: 0xbeef });
        assert_eq!((later.proto, later.src_port, later.dst_port), (17, 0, 0));
        assert_eq!((later.tcp, later.payload), (None, &[][..]));
        assert_eq!(later.src, first.src);
    }

    #[test]
    fn first_fragment_cut_inside_l4_header_is_not_malformed() {
        let mut cut = IPV4_FIRST_FRAGMENT;
        cut[ETH + 2..ETH + 4].copy_from_slice(&24u16.to_be_bytes()); // 4 bytes of UDP header
        let d = decode(LinkType::Ethernet, &cut).expect("decodes");
        assert_eq!((d.src_port, d.dst_port, d.payload), (0, 0, &[][..]));
        assert_eq!(d.fragment, Fragment::First { id: 0xbeef });
    }

    #[test]
    fn raw_link() {
        let d = decode(LinkType::Raw, &RAW_IPV4_TCP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.src_mac), (6, 8080, None));
        let d = decode(LinkType::Raw, &RAW_IPV6_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (17, 7001));
        assert_eq!(d.payload, b"raw6");
        assert_eq!(
            decode(LinkType::Ipv4, &RAW_IPV4_TCP).map(|d| d.proto),
            Ok(6)
        );
        assert_eq!(
            decode(LinkType::Ipv6, &RAW_IPV6_UDP).map(|d| d.proto),
            Ok(17)
        );
        assert_eq!(
            decode(LinkType::Ipv4, &RAW_IPV6_UDP),
            Err(Reject::IpBadVersion)
        );
        let mut v5 = RAW_IPV4_TCP;
        v5[0] = 0x55;
        assert_eq!(decode(LinkType::Raw, &v5), Err(Reject::IpBadVersion));
        assert_eq!(decode(LinkType::Raw, &[]), Err(Reject::IpBadVersion));
    }

    #[test]
    fn unknown_protocol_is_an_address_flow() {
        let d = decode(LinkType::Ethernet, &IPV4_OSPF).expect("decodes");
        assert_eq!((d.proto, d.src_port, d.dst_port), (89, 0, 0));
        assert_eq!(d.dst, IpAddr::V4(Ipv4Addr::new(224, 0, 0, 5)));
        assert_eq!(d.payload.len(), 24);
    }

    #[test]
    fn bad_header_lengths() {
        assert_eq!(
            decode(LinkType::Raw, &RAW_IPV4_TCP[..19]),
            Err(Reject::Ipv4Truncated)
        );
        let mut short_ihl = RAW_IPV4_TCP;
        short_ihl[0] = 0x44;
        assert_eq!(
            decode(LinkType::Raw, &short_ihl),
            Err(Reject::Ipv4BadHeaderLength)
        );
        // IHL 15 (60 bytes) in a 24-byte capture.
        let mut long_ihl = RAW_IPV4_TCP;
        long_ihl[0] = 0x4f;
        assert_eq!(
            decode(LinkType::Raw, &long_ihl[..24]),
            Err(Reject::Ipv4BadHeaderLength)
        );
        let mut short_total = RAW_IPV4_TCP;
        short_total[2..4].copy_from_slice(&19u16.to_be_bytes());
        assert_eq!(
            decode(LinkType::Raw, &short_total),
            Err(Reject::Ipv4BadTotalLength)
        );
    }

    #[test]
    fn snap_length_cut_is_not_malformed() {
        // Total length 60, 50 bytes captured: the TCP header is cut inside its options, yet the ports are there.
        let d = decode(LinkType::Raw, &RAW_IPV4_TCP[..50]).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (6, 8080, &[][..]));
    }

    #[test]
    fn zero_total_length_uses_captured_bytes() {
        let mut tso = IPV4_OPTIONS_UDP;
        tso[ETH + 2..ETH + 4].copy_from_slice(&[0, 0]);
        let d = decode(LinkType::Ethernet, &tso).expect("decodes");
        assert_eq!(d.payload, b"options");
    }
}
