//! Radiotap (`LINKTYPE_IEEE802_11_RADIOTAP`): the radio header Linux, the BSDs and macOS put in front of each
//! 802.11 frame captured in monitor mode. Little-endian; its length field says where the frame starts.
//!
//! Of its fields only Flags matters here: it says whether the frame ends with its FCS and whether that FCS was
//! wrong. Finding it means stepping over the presence bitmaps and the TSFT field before it (radiotap.org,
//! "Radiotap header format" and "Alignment in radiotap").

use crate::bytes::{array, rest, u8_at, Field};
use crate::decode::Inner;
use crate::{wlan, Reject};

mod field {
    use super::Field;
    pub const VERSION: usize = 0;
    pub const LENGTH: Field = 2..4;
    pub const PRESENT: usize = 4;
}

/// Version, pad, length and the first presence word.
pub const MIN_HEADER_LEN: usize = 8;
/// Presence words followed before giving up; real headers use one to three.
pub const MAX_PRESENT_WORDS: usize = 8;

/// Presence bits of the first word.
pub mod present {
    pub const TSFT: u32 = 1 << 0;
    pub const FLAGS: u32 = 1 << 1;
    /// Another presence word follows.
    pub const EXT: u32 = 1 << 31;
}

/// Bits of the Flags field.
pub mod flags {
    /// The frame ends with its 4-byte FCS.
    pub const FCS: u8 = 0x10;
    /// The frame failed its FCS check.
    pub const BAD_FCS: u8 = 0x40;
}

const TSFT_LEN: usize = 8;
const TSFT_ALIGN: usize = 8;

/// A read-only view of a radiotap header.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
    /// Offset of the first field, after the last presence word.
    fields: usize,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// # Errors
    /// [`Reject::CaptureHeaderMalformed`] when the header is shorter than its fixed part, its length runs past
    /// the frame, or its presence words run past its length or beyond [`MAX_PRESENT_WORDS`].
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        let b = buffer.as_ref();
        let len = usize::from(u16::from_le_bytes(array(b, field::LENGTH)));
        if b.len() < MIN_HEADER_LEN || len < MIN_HEADER_LEN || len > b.len() {
            return Err(Reject::CaptureHeaderMalformed);
        }
        let mut fields = field::PRESENT;
        for _ in 0..MAX_PRESENT_WORDS {
            let word = le32(b, fields);
            fields += 4;
            if fields > len {
                return Err(Reject::CaptureHeaderMalformed);
            }
            if word & present::EXT == 0 {
                return Ok(Self { buffer, fields });
            }
        }
        Err(Reject::CaptureHeaderMalformed)
    }

    #[inline]
    pub fn version(&self) -> u8 {
        u8_at(self.buffer.as_ref(), field::VERSION)
    }

    /// Header length, fields included: where the 802.11 frame starts.
    #[inline]
    pub fn length(&self) -> usize {
        usize::from(u16::from_le_bytes(array(
            self.buffer.as_ref(),
            field::LENGTH,
        )))
    }

    /// The first presence word.
    #[inline]
    pub fn present(&self) -> u32 {
        le32(self.buffer.as_ref(), field::PRESENT)
    }

    /// The Flags field, when present and inside the header.
    pub fn flags(&self) -> Option<u8> {
        let present = self.present();
        if present & present::FLAGS == 0 {
            return None;
        }
        let mut at = self.fields;
        if present & present::TSFT != 0 {
            at = at.next_multiple_of(TSFT_ALIGN) + TSFT_LEN;
        }
        (at < self.length()).then(|| u8_at(self.buffer.as_ref(), at))
    }
}

impl<'a> Header<&'a [u8]> {
    /// The 802.11 frame.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        rest(self.buffer, self.length())
    }

    /// The packet in the 802.11 frame.
    ///
    /// # Errors
    /// [`Reject::Ieee80211BadFcs`] when the flags say the frame failed its FCS check, else as [`wlan::frame`].
    pub fn inner(&self) -> Result<Inner<'a>, Reject> {
        let flags = self.flags().unwrap_or(0);
        if flags & flags::BAD_FCS != 0 {
            return Err(Reject::Ieee80211BadFcs);
        }
        wlan::frame(self.payload(), flags & flags::FCS != 0)
    }
}

#[inline]
fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(array(b, at..at + 4))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS radiotap
    /// Raw / Dot11 / Dot11QoS / LLC / SNAP / IPv6 / TCP 2001:db8::1:40029 > 2001:db8::2:https S (radiotap)
    pub(crate) static RADIOTAP_IPV6_TCP: [u8; 129] = [
        0x00, 0x00, 0x0f, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x6c, 0x3c, 0x14, 0x40, 0x01, 0xd6,
        0x88, 0x02, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0x00, 0x00, 0xaa, 0xaa, 0x03, 0x00,
        0x00, 0x00, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40, 0x20, 0x01, 0x0d,
        0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c,
        0x5d, 0x01, 0xbb, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
        0x4f, 0x99, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];
    /// Raw / Raw (radiotap)
    pub(crate) static RADIOTAP_TSFT_FCS_IPV4_UDP: [u8; 84] = [
        0x00, 0x00, 0x11, 0x00, 0x03, 0x00, 0x00, 0x00, 0x15, 0xcd, 0x5b, 0x07, 0x00, 0x00, 0x00,
        0x00, 0x10, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22,
        0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0xaa, 0xaa, 0x03, 0x00,
        0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e,
        0x96, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0xd8, 0x13, 0xd9, 0x00, 0x0b,
        0x12, 0x8c, 0x66, 0x63, 0x73, 0x94, 0x1b, 0xdb, 0xe9,
    ];
    /// Raw / Raw (radiotap)
    pub(crate) static RADIOTAP_EXT_IPV4_UDP: [u8; 80] = [
        0x00, 0x00, 0x0d, 0x00, 0x02, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x10, 0x08, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
        0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00,
        0x45, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e, 0x96, 0xc0, 0x00, 0x02,
        0x01, 0xc6, 0x33, 0x64, 0x02, 0x13, 0xda, 0x13, 0xdb, 0x00, 0x0b, 0x12, 0x73, 0x65, 0x78,
        0x74, 0x45, 0x2a, 0x1a, 0x44,
    ];
    /// Raw / Raw (radiotap)
    pub(crate) static RADIOTAP_BAD_FCS: [u8; 76] = [
        0x00, 0x00, 0x09, 0x00, 0x02, 0x00, 0x00, 0x00, 0x50, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
        0xbb, 0x00, 0x00, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x1f,
        0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e, 0x96, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64,
        0x02, 0x13, 0xdc, 0x13, 0xdd, 0x00, 0x0b, 0x25, 0x86, 0x62, 0x61, 0x64, 0x00, 0x00, 0x00,
        0x00,
    ];
    /// Raw / 802.11 Management Beacon 00:00:00:00:00:01 (TA=SA) > ff:ff:ff:ff:ff:ff (RA=DA) / Dot11Beacon / SSID='xntop' (radiotap)
    pub(crate) static RADIOTAP_BEACON: [u8; 52] = [
        0x00, 0x00, 0x09, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x04, 0x11,
        0x00, 0x05, 0x78, 0x6e, 0x74, 0x6f, 0x70,
    ];
    // ---- END

    #[test]
    fn header_fields() {
        let h = Header::new_checked(&RADIOTAP_IPV6_TCP[..]).expect("long enough");
        assert_eq!((h.version(), h.flags()), (0, Some(0)));
        let h = Header::new_checked(&RADIOTAP_TSFT_FCS_IPV4_UDP[..]).expect("long enough");
        assert_eq!(h.flags(), Some(flags::FCS));
        assert_eq!(h.present() & present::TSFT, present::TSFT);
        let h = Header::new_checked(&RADIOTAP_EXT_IPV4_UDP[..]).expect("long enough");
        assert_eq!(h.flags(), Some(flags::FCS));
    }

    #[test]
    fn data_frames() {
        let d = decode(LinkType::Radiotap, &RADIOTAP_IPV6_TCP).expect("decodes");
        assert_eq!((d.proto, d.dst_port), (6, 443));
        let d = decode(LinkType::Radiotap, &RADIOTAP_TSFT_FCS_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5081, &b"fcs"[..]));
        let d = decode(LinkType::Radiotap, &RADIOTAP_EXT_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5083, &b"ext"[..]));
    }

    #[test]
    fn bad_fcs_and_beacons() {
        assert_eq!(
            decode(LinkType::Radiotap, &RADIOTAP_BAD_FCS),
            Err(Reject::Ieee80211BadFcs)
        );
        assert_eq!(
            decode(LinkType::Radiotap, &RADIOTAP_BEACON),
            Err(Reject::NonIp)
        );
    }

    #[test]
    fn malformed_headers() {
        assert_eq!(
            decode(LinkType::Radiotap, &RADIOTAP_IPV6_TCP[..7]),
            Err(Reject::CaptureHeaderMalformed)
        );
        let mut long = RADIOTAP_IPV6_TCP;
        let too_long = u16::try_from(long.len() + 1).unwrap_or(0);
        long[2..4].copy_from_slice(&too_long.to_le_bytes());
        assert_eq!(
            decode(LinkType::Radiotap, &long),
            Err(Reject::CaptureHeaderMalformed)
        );
        // Presence words chained past the header's length.
        let mut chained = vec![0u8, 0, 16, 0];
        chained.extend_from_slice(&[0xff; 12]);
        chained.extend_from_slice(&[0; 40]);
        assert_eq!(
            decode(LinkType::Radiotap, &chained),
            Err(Reject::CaptureHeaderMalformed)
        );
    }
}
