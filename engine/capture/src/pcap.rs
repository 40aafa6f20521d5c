//! Classic libpcap files: microsecond and nanosecond variants, either byte order.

use crate::file::{rd32, RawPacket, Step, MAX_CAPLEN};

pub const HEADER_LEN: usize = 24;
const RECORD_LEN: usize = 16;

/// The global header's facts.
#[derive(Clone, Copy, Debug)]
pub struct Header {
    pub big_endian: bool,
    pub nanos: bool,
    pub linktype: u32,
}

impl Header {
    /// Recognises the magic; reads the link type when the header is complete.
    pub fn parse(data: &[u8]) -> Option<Self> {
        let magic = data.get(..4)?;
        let (big_endian, nanos) = match magic {
            [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
            [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
            [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
            [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
            _ => return None,
        };
        // The low 26 bits are the link type (libpcap's LT_LINKTYPE); above them a flag and a length may say the
        // frames end with an FCS.
        let linktype = rd32(data, 20, big_endian) & 0x03ff_ffff;
        Some(Self {
            big_endian,
            nanos,
            linktype,
        })
    }
}

pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    header: Option<Header>,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: HEADER_LEN,
            header: Header::parse(data),
        }
    }

    pub fn next_packet(&mut self) -> Step<'a> {
        let Some(h) = self.header else {
            return Step::Bad {
                offset: 0,
                reason: "bad pcap header",
            };
        };
        let at = self.pos;
        let left = self.data.len().saturating_sub(at);
        if left == 0 {
            return Step::End;
        }
        let Some(rec) = self.data.get(at..at + RECORD_LEN) else {
            return Step::Truncated {
                what: "packet record header",
                offset: at as u64,
                needed: RECORD_LEN as u64,
            };
        };
        let sec = u64::from(rd32(rec, 0, h.big_endian));
        let frac = u64::from(rd32(rec, 4, h.big_endian));
        let caplen = rd32(rec, 8, h.big_endian);
        let orig = rd32(rec, 12, h.big_endian);
        if caplen > MAX_CAPLEN {
            return Step::Bad {
                offset: at as u64,
                reason: "captured length above 262144 bytes",
            };
        }
        let start = at + RECORD_LEN;
        let Some(data) = self.data.get(start..start + caplen as usize) else {
            return Step::Truncated {
                what: "packet record",
                offset: at as u64,
                needed: (RECORD_LEN as u64) + u64::from(caplen),
            };
        };
        self.pos = start + caplen as usize;
        let frac_ns = if h.nanos {
            frac
        } else {
            frac.saturating_mul(1000)
        };
        Step::Packet(RawPacket {
            ts_ns: sec.saturating_mul(1_000_000_000).saturating_add(frac_ns),
            caplen,
            wire_len: orig.max(caplen),
            linktype: h.linktype,
            interface: 0,
            offset: start as u64,
            data,
        })
    }
}
