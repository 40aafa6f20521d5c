//! SCTP common header (RFC 9260): the ports and the verification tag.

use crate::cursor::ReadAt;
use crate::Field;
use crate::Reject;

mod field {
    use super::Field;
    pub const SRC_PORT: Field = 0..2;
    pub const DST_PORT: Field = 2..4;
    pub const VERIFICATION_TAG: Field = 4..8;
    pub const CHECKSUM: Field = 8..12;
    pub const CHUNKS: usize = 12;
}

pub const HEADER_LEN: usize = field::CHUNKS;

/// A read-only view of an SCTP packet.
#[derive(Debug, Clone, Copy)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// # Errors
    /// [`Reject::SctpTruncated`] when the buffer is shorter than the common header.
    pub fn new_checked(buffer: T) -> Result<Self, Reject> {
        if buffer.as_ref().len() < HEADER_LEN {
            return Err(Reject::SctpTruncated);
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

    #[inline]
    pub fn verification_tag(&self) -> u32 {
        self.buffer
            .as_ref()
            .u32_at(field::VERIFICATION_TAG.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn checksum(&self) -> u32 {
        self.buffer
            .as_ref()
            .u32_at(field::CHECKSUM.start)
            .unwrap_or(0)
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The chunks.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(field::CHUNKS)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, LinkType, Reject};

    // ---- PACKETS sctp
    /// Ether / 192.0.2.1 > 198.51.100.2 sctp / SCTP / SCTPChunkInit (ethernet)
    pub(crate) static SCTP_INIT: [u8; 66] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x34, 0x00, 0x01, 0x00, 0x00, 0x40, 0x84, 0x8e, 0x0e, 0xc0, 0x00, 0x02, 0x01,
        0xc6, 0x33, 0x64, 0x02, 0x13, 0x88, 0x96, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x86, 0xe4, 0x21,
        0x66, 0x01, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    // ---- END

    const L4: usize = 34;

    #[test]
    fn header_fields() {
        let p = Packet::new_checked(&SCTP_INIT[L4..]).expect("valid");
        assert_eq!(
            (p.src_port(), p.dst_port(), p.verification_tag()),
            (5000, 38412, 0)
        );
        assert_eq!(p.payload().first(), Some(&1), "an INIT chunk");
    }

    #[test]
    fn init() {
        let d = decode(LinkType::Ethernet, &SCTP_INIT).expect("decodes");
        assert_eq!(
            (d.proto, d.src_port, d.dst_port, d.tcp),
            (132, 5000, 38412, None)
        );
        assert_eq!(d.payload, &SCTP_INIT[L4 + 12..]);
    }

    #[test]
    fn truncated() {
        assert_eq!(
            decode(LinkType::Ethernet, &SCTP_INIT[..L4 + 11]),
            Err(Reject::SctpTruncated)
        );
    }
}
