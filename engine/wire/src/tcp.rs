//! TCP headers (RFC 9293).

use crate::cursor::ReadAt;
use crate::Field;
use crate::{Reject, TcpInfo};

mod field {
    use super::Field;
    pub const SRC_PORT: Field = 0..2;
    pub const DST_PORT: Field = 2..4;
    pub const SEQ_NUM: Field = 4..8;
    pub const ACK_NUM: Field = 8..12;
    pub const DATA_OFFSET: usize = 12;
    pub const FLAGS: usize = 13;
    pub const WIN_SIZE: Field = 14..16;
    pub const CHECKSUM: Field = 16..18;
    pub const URGENT: Field = 18..20;
}

/// Length of a header without options.
pub const MIN_HEADER_LEN: usize = 20;

/// A read-only view of a TCP segment.
#[derive(Debug, Clone, Copy)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Checks that the fixed header is there and that the data offset lies within `segment_len`, the length the
    /// IP header announces for the segment (which may exceed the captured bytes: a header whose options the snap
    /// length cut is still a valid header).
    ///
    /// # Errors
    /// [`Reject::TcpTruncated`] or [`Reject::TcpBadDataOffset`].
    pub fn new_checked(buffer: T, segment_len: usize) -> Result<Self, Reject> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len(segment_len)?;
        Ok(packet)
    }

    /// See [`Packet::new_checked`].
    ///
    /// # Errors
    /// As [`Packet::new_checked`].
    pub fn check_len(&self, segment_len: usize) -> Result<(), Reject> {
        if self.buffer.as_ref().len() < MIN_HEADER_LEN {
            return Err(Reject::TcpTruncated);
        }
        let header_len = self.header_len();
        if header_len < MIN_HEADER_LEN || header_len > segment_len {
            return Err(Reject::TcpBadDataOffset);
        }
        Ok(())
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
    pub fn seq_number(&self) -> u32 {
        self.buffer
            .as_ref()
            .u32_at(field::SEQ_NUM.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn ack_number(&self) -> u32 {
        self.buffer
            .as_ref()
            .u32_at(field::ACK_NUM.start)
            .unwrap_or(0)
    }

    /// Header length in bytes, from the data offset.
    #[inline]
    pub fn header_len(&self) -> usize {
        usize::from(self.buffer.as_ref().u8_at(field::DATA_OFFSET).unwrap_or(0) >> 4) * 4
    }

    /// The low 8 flag bits (see [`crate::tcp_flags`]); NS/AE in the data-offset byte is left out.
    #[inline]
    pub fn flags(&self) -> u8 {
        self.buffer.as_ref().u8_at(field::FLAGS).unwrap_or(0)
    }

    #[inline]
    pub fn window_len(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::WIN_SIZE.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn checksum(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::CHECKSUM.start)
            .unwrap_or(0)
    }

    #[inline]
    pub fn urgent_at(&self) -> u16 {
        self.buffer
            .as_ref()
            .u16_at(field::URGENT.start)
            .unwrap_or(0)
    }

    /// The fields the flow table keeps.
    #[inline]
    pub fn info(&self) -> TcpInfo {
        TcpInfo {
            flags: self.flags(),
            seq: self.seq_number(),
            ack: self.ack_number(),
            window: self.window_len(),
            syn: crate::syn::SynSig::default(),
        }
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The segment data after the options; empty when the capture ends before it.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.buffer.rest_at(self.header_len())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{decode, tcp_flags, LinkType, Reject};

    // ---- PACKETS tcp
    /// Ether / IP / TCP 192.0.2.1:http > 198.51.100.2:40000 PA / Raw (ethernet)
    pub(crate) static IPV4_TCP_DATA: [u8; 71] = [
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x39, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x8e, 0x87, 0xc0, 0x00, 0x02, 0x01,
        0xc6, 0x33, 0x64, 0x02, 0x00, 0x50, 0x9c, 0x40, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
        0x08, 0x50, 0x18, 0x02, 0x00, 0x55, 0x1a, 0x00, 0x00, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31,
        0x2e, 0x31, 0x20, 0x32, 0x30, 0x30, 0x20, 0x4f, 0x4b, 0x0d, 0x0a,
    ];
    // ---- END

    /// Ethernet + IPv4 without options.
    const L4: usize = 34;

    #[test]
    fn header_fields() {
        let segment = &IPV4_TCP_DATA[L4..];
        let t = Packet::new_checked(segment, segment.len()).expect("valid");
        assert_eq!((t.src_port(), t.dst_port()), (80, 40000));
        assert_eq!(
            (t.seq_number(), t.ack_number(), t.window_len()),
            (0x0102_0304, 0x0506_0708, 512)
        );
        assert_eq!(t.header_len(), MIN_HEADER_LEN);
        assert_eq!(t.flags(), tcp_flags::PSH | tcp_flags::ACK);
        assert_eq!(t.urgent_at(), 0);
        assert_eq!(t.payload(), b"HTTP/1.1 200 OK\r\n");
    }

    #[test]
    fn data_segment() {
        let d = decode(LinkType::Ethernet, &IPV4_TCP_DATA).expect("decodes");
        let tcp = d.tcp.expect("tcp");
        assert_eq!(
            (tcp.seq, tcp.ack, tcp.window, tcp.flags),
            (0x0102_0304, 0x0506_0708, 512, 0x18)
        );
        assert_eq!(d.payload, b"HTTP/1.1 200 OK\r\n");
    }

    #[test]
    fn truncated_header() {
        assert_eq!(
            decode(LinkType::Ethernet, &IPV4_TCP_DATA[..L4 + 19]),
            Err(Reject::TcpTruncated)
        );
    }

    #[test]
    fn data_offset_below_five() {
        let mut bad = IPV4_TCP_DATA;
        bad[L4 + 12] = 0x40;
        assert_eq!(
            decode(LinkType::Ethernet, &bad),
            Err(Reject::TcpBadDataOffset)
        );
    }

    #[test]
    fn data_offset_past_the_segment() {
        // 60-byte header in a 37-byte segment.
        let mut bad = IPV4_TCP_DATA;
        bad[L4 + 12] = 0xf0;
        assert_eq!(
            decode(LinkType::Ethernet, &bad),
            Err(Reject::TcpBadDataOffset)
        );
    }

    #[test]
    fn options_cut_by_snap_length_keep_the_ports() {
        let d = decode(
            LinkType::Ethernet,
            &crate::ethernet::tests::IPV4_TCP_SYN[..L4 + 24],
        )
        .expect("decodes");
        assert_eq!((d.src_port, d.dst_port, d.payload), (40000, 80, &[][..]));
        assert_eq!(d.tcp.map(|t| t.flags), Some(tcp_flags::SYN));
    }
}
