//! The monitor-mode headers of older Linux wireless drivers: Prism (`LINKTYPE_IEEE802_11_PRISM`, a fixed 144-byte
//! header in the host's byte order) and AVS (`LINKTYPE_IEEE802_11_AVS`, big-endian, its length in the header).
//! Both precede an 802.11 frame. Prism captures may hold AVS headers instead; AVS's magic number tells them
//! apart, as it does for tcpdump and tshark.

use crate::bytes::{be32, rest, Field};
use crate::decode::Inner;
use crate::{wlan, Reject};

mod field {
    use super::Field;
    pub const AVS_VERSION: Field = 0..4;
    pub const AVS_LENGTH: Field = 4..8;
    pub const PRISM_DEVICE: Field = 8..24;
}

/// The Prism header: message code, length, device name and ten 12-byte items.
pub const PRISM_HEADER_LEN: usize = 144;
/// The AVS header's fixed start: version and length.
pub const AVS_MIN_HEADER_LEN: usize = 8;
/// The upper 20 bits of an AVS version word; the low 12 bits are the version (1 or 2).
pub const AVS_MAGIC: u32 = 0x8021_1000;
const AVS_MAGIC_MASK: u32 = 0xffff_f000;

/// True when the frame starts with an AVS header.
#[inline]
#[must_use]
pub fn is_avs(frame: &[u8]) -> bool {
    frame.len() >= AVS_MIN_HEADER_LEN
        && be32(frame, field::AVS_VERSION) & AVS_MAGIC_MASK == AVS_MAGIC
}

/// A read-only view of a Prism header.
#[derive(Debug, Clone, Copy)]
pub struct Prism<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Prism<T> {
    /// # Errors
    /// [`Reject::CaptureHeaderMalformed`] when the buffer is shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < PRISM_HEADER_LEN {
            return Err(Reject::CaptureHeaderMalformed);
        }
        Ok(Self { buffer })
    }

    /// The capturing device's name, without its NUL padding.
    pub fn device(&self) -> &[u8] {
        let name = self.buffer.as_ref().get(field::PRISM_DEVICE).unwrap_or(&[]);
        let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
        &name[..end]
    }
}

impl<'a> Prism<&'a [u8]> {
    /// The 802.11 frame.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        rest(self.buffer, PRISM_HEADER_LEN)
    }
}

/// A read-only view of an AVS header.
#[derive(Debug, Clone, Copy)]
pub struct Avs<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Avs<T> {
    /// # Errors
    /// [`Reject::CaptureHeaderMalformed`] when the buffer is shorter than the fixed part or than the length the
    /// header states, or the stated length is shorter than the fixed part.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        let header = Self { buffer };
        let (len, available) = (header.length(), header.buffer.as_ref().len());
        if available < AVS_MIN_HEADER_LEN || len < AVS_MIN_HEADER_LEN || len > available {
            return Err(Reject::CaptureHeaderMalformed);
        }
        Ok(header)
    }

    /// The version word: [`AVS_MAGIC`] plus the version.
    #[inline]
    pub fn version(&self) -> u32 {
        be32(self.buffer.as_ref(), field::AVS_VERSION)
    }

    /// Header length: where the 802.11 frame starts.
    #[inline]
    pub fn length(&self) -> usize {
        be32(self.buffer.as_ref(), field::AVS_LENGTH) as usize
    }
}

impl<'a> Avs<&'a [u8]> {
    /// The 802.11 frame.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        rest(self.buffer, self.length())
    }
}

/// The packet in a `LINKTYPE_IEEE802_11_PRISM` frame.
///
/// # Errors
/// [`Reject::CaptureHeaderMalformed`] for a header cut short, else as [`wlan::frame`].
pub fn prism(frame: &[u8]) -> Result<Inner<'_>, Reject> {
    if is_avs(frame) {
        return avs(frame);
    }
    wlan::frame(Prism::new_checked(frame)?.payload(), false)
}

/// The packet in a `LINKTYPE_IEEE802_11_AVS` frame.
///
/// # Errors
/// [`Reject::CaptureHeaderMalformed`] for a header cut short, else as [`wlan::frame`].
pub fn avs(frame: &[u8]) -> Result<Inner<'_>, Reject> {
    wlan::frame(Avs::new_checked(frame)?.payload(), false)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS prism
    /// PrismHeader / Dot11 / LLC / SNAP / IP / UDP 192.0.2.1:5090 > 198.51.100.2:5091 / Raw (prism)
    pub(crate) static PRISM_IPV4_UDP: [u8; 209] = [
        0x44, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x77, 0x6c, 0x61, 0x6e, 0x30, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x41, 0x30, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x06, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
        0xbb, 0x00, 0x00, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x45, 0x00, 0x00, 0x21,
        0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x8e, 0x94, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64,
        0x02, 0x13, 0xe2, 0x13, 0xe3, 0x00, 0x0d, 0xa4, 0xf1, 0x70, 0x72, 0x69, 0x73, 0x6d,
    ];
    /// AVSWLANHeader / Dot11 / LLC / SNAP / IPv6 / UDP 2001:db8::1:5092 > 2001:db8::2:5093 / Raw (avs)
    pub(crate) static AVS_IPV6_UDP: [u8; 147] = [
        0x80, 0x21, 0x10, 0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x06, 0x00, 0x00, 0x02, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00, 0xaa, 0xaa,
        0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x11, 0x40, 0x20,
        0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x13, 0xe4, 0x13, 0xe5, 0x00, 0x0b, 0xa8, 0x23, 0x61, 0x76, 0x73,
    ];
    // ---- END

    #[test]
    fn header_fields() {
        let p = Prism::new_checked(&PRISM_IPV4_UDP[..]).expect("long enough");
        assert_eq!(p.device(), b"wlan0");
        assert!(!is_avs(&PRISM_IPV4_UDP));
        let a = Avs::new_checked(&AVS_IPV6_UDP[..]).expect("long enough");
        assert_eq!((a.version(), a.length()), (AVS_MAGIC | 1, 64));
    }

    #[test]
    fn prism_avs_and_avs_in_a_prism_capture() {
        let d = decode(LinkType::Prism, &PRISM_IPV4_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5091, &b"prism"[..]));
        let d = decode(LinkType::Avs, &AVS_IPV6_UDP).expect("decodes");
        assert_eq!((d.proto, d.dst_port, d.payload), (17, 5093, &b"avs"[..]));
        assert_eq!(
            decode(LinkType::Prism, &AVS_IPV6_UDP),
            decode(LinkType::Avs, &AVS_IPV6_UDP)
        );
    }

    #[test]
    fn malformed_headers() {
        assert_eq!(
            decode(LinkType::Prism, &PRISM_IPV4_UDP[..143]),
            Err(Reject::CaptureHeaderMalformed)
        );
        assert_eq!(
            decode(LinkType::Avs, &AVS_IPV6_UDP[..63]),
            Err(Reject::CaptureHeaderMalformed)
        );
        let mut short = AVS_IPV6_UDP;
        short[4..8].copy_from_slice(&4u32.to_be_bytes());
        assert_eq!(
            decode(LinkType::Avs, &short),
            Err(Reject::CaptureHeaderMalformed)
        );
    }
}
