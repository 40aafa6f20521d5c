//! Per-Packet Information (`LINKTYPE_PPI`): CACE's header (AirPcap, Kismet) that names the link type of the frame
//! after it and carries radio fields in between. Little-endian: version, flags, header length, link type.

use crate::bytes::{array, rest, u8_at, Field};
use crate::{LinkType, Reject};

mod field {
    use super::Field;
    pub const VERSION: usize = 0;
    pub const FLAGS: usize = 1;
    pub const LENGTH: Field = 2..4;
    pub const LINKTYPE: Field = 4..8;
}

/// Version, flags, length and link type; the fields (TLVs) that may follow are skipped by the length.
pub const MIN_HEADER_LEN: usize = 8;

/// A read-only view of a PPI header.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// # Errors
    /// [`Reject::CaptureHeaderMalformed`] when the buffer is shorter than the fixed part, or the stated length is
    /// shorter than it or runs past the frame.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        let header = Self { buffer };
        let len = header.buffer.as_ref().len();
        if len < MIN_HEADER_LEN || header.length() < MIN_HEADER_LEN || header.length() > len {
            return Err(Reject::CaptureHeaderMalformed);
        }
        Ok(header)
    }

    #[inline]
    pub fn version(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::VERSION)
    }

    #[inline]
    pub fn flags(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::FLAGS)
    }

    /// Header length, fields included: where the frame starts.
    #[inline]
    pub fn length(&self) -> usize {
        usize::from(u16::from_le_bytes(array(
            self.buffer.as_ref(),
            field::LENGTH,
        )))
    }

    /// The `LINKTYPE_*` number of the frame.
    #[inline]
    pub fn linktype(&self) -> u32 {
        u32::from_le_bytes(array(self.buffer.as_ref(), field::LINKTYPE))
    }
}

impl<'a> Header<&'a [u8]> {
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        rest(self.buffer, self.length())
    }

    /// The frame after the header and its link type.
    ///
    /// # Errors
    /// [`Reject::UnsupportedLink`] for a link type xntop does not decode, [`Reject::CaptureHeaderMalformed`] for
    /// a PPI header inside another (one level is all PPI defines, and it keeps the decoder's recursion bounded).
    pub fn inner(&self) -> Result<(LinkType, &'a [u8]), Reject> {
        match LinkType::from_pcap(self.linktype()) {
            Some(LinkType::Ppi) => Err(Reject::CaptureHeaderMalformed),
            Some(link) => Ok((link, self.payload())),
            None => Err(Reject::UnsupportedLink),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS ppi
    /// PPI / Ether / IP / UDP 192.0.2.1:5100 > 198.51.100.2:5101 / Raw (ppi)
    pub(crate) static PPI_ETHERNET_IPV4_UDP: [u8; 53] = [
        0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00,
        0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00,
        0x40, 0x11, 0x8e, 0x96, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0xec, 0x13,
        0xed, 0x00, 0x0b, 0x12, 0x57, 0x70, 0x70, 0x69,
    ];
    /// PPI / Dot11 / LLC / SNAP / IP / TCP 192.0.2.1:40030 > 198.51.100.2:http S (ppi)
    pub(crate) static PPI_80211_COMMON_IPV4_TCP: [u8; 124] = [
        0x00, 0x00, 0x20, 0x00, 0x69, 0x00, 0x00, 0x00, 0x02, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6c, 0x00, 0x85, 0x09, 0x00, 0x00, 0x00, 0x00,
        0x80, 0x80, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22,
        0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0xaa, 0xaa, 0x03, 0x00,
        0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x8e,
        0x84, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x9c, 0x5e, 0x00, 0x50, 0x00, 0x00,
        0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0xc0, 0x40, 0x00, 0x00, 0x02,
        0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x03, 0x03, 0x07,
    ];
    // ---- END

    #[test]
    fn header_fields() {
        let h = Header::new_checked(&PPI_ETHERNET_IPV4_UDP[..]).expect("long enough");
        assert_eq!(
            (h.version(), h.flags(), h.length(), h.linktype()),
            (0, 0, 8, 1)
        );
        let h = Header::new_checked(&PPI_80211_COMMON_IPV4_TCP[..]).expect("long enough");
        assert_eq!((h.length(), h.linktype()), (8 + 4 + 20, 105));
    }

    #[test]
    fn ethernet_and_80211_inside() {
        let d = decode(LinkType::Ppi, &PPI_ETHERNET_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5101, &b"ppi"[..]));
        assert_eq!(d.src_mac, Some([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]));
        let d = decode(LinkType::Ppi, &PPI_80211_COMMON_IPV4_TCP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (6, 80));
    }

    #[test]
    fn nesting_unknown_links_and_bad_lengths() {
        let mut nested = PPI_ETHERNET_IPV4_UDP;
        nested[4..8].copy_from_slice(&192u32.to_le_bytes());
        assert_eq!(
            decode(LinkType::Ppi, &nested),
            Err(Reject::CaptureHeaderMalformed)
        );
        let mut unknown = PPI_ETHERNET_IPV4_UDP;
        unknown[4..8].copy_from_slice(&147u32.to_le_bytes());
        assert_eq!(
            decode(LinkType::Ppi, &unknown),
            Err(Reject::UnsupportedLink)
        );
        let mut long = PPI_ETHERNET_IPV4_UDP;
        long[2..4].copy_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(
            decode(LinkType::Ppi, &long),
            Err(Reject::CaptureHeaderMalformed)
        );
        assert_eq!(
            decode(LinkType::Ppi, &PPI_ETHERNET_IPV4_UDP[..7]),
            Err(Reject::CaptureHeaderMalformed)
        );
    }
}
