//! Segment files: a batch of expired flows as fixed-size rows, their JSON tails, the dictionary of their names and
//! the per-minute rollups of the batch, behind a 64-byte header with the batch's time bounds (so a query opens
//! only the segments its range touches).
//!
//! ```text
//! "XNTHSEG1" count:u32 dict_bytes:u32 tail_bytes:u32 rollup_bytes:u32
//! min_first:u64 max_first:u64 min_last:u64 max_last:u64 seq:u64          (64 bytes, little-endian)
//! rows (count × ROW_BYTES) | tails | dictionary (len:u16 + UTF-8, entry 0 = absent) | minute blocks
//! ```

use std::io;
use std::path::Path;

use hashbrown::HashMap;
use xntop_model::FlowRecord;

use crate::rollup::MinuteAgg;
use crate::row::{self, RowRef, ROW_BYTES};

pub const MAGIC: &[u8; 8] = b"XNTHSEG1";
pub const HEADER_BYTES: usize = 64;

/// Names a segment may hold: the dictionary code is a u16.
const MAX_NAMES: usize = u16::MAX as usize;

/// A segment's header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    pub count: u32,
    pub dict_bytes: u32,
    pub tail_bytes: u32,
    pub rollup_bytes: u32,
    pub min_first: u64,
    pub max_first: u64,
    pub min_last: u64,
    pub max_last: u64,
    /// Write order: later segments have larger numbers.
    pub seq: u64,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(x)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

impl Meta {
    /// Parses a header, or `None` when it is not one.
    #[must_use]
    pub fn parse(b: &[u8]) -> Option<Self> {
        if b.len() < HEADER_BYTES || &b[..8] != MAGIC {
            return None;
        }
        Some(Self {
            count: u32_at(b, 8),
            dict_bytes: u32_at(b, 12),
            tail_bytes: u32_at(b, 16),
            rollup_bytes: u32_at(b, 20),
            min_first: u64_at(b, 24),
            max_first: u64_at(b, 32),
            min_last: u64_at(b, 40),
            max_last: u64_at(b, 48),
            seq: u64_at(b, 56),
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(MAGIC);
        for v in [
            self.count,
            self.dict_bytes,
            self.tail_bytes,
            self.rollup_bytes,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [
            self.min_first,
            self.max_first,
            self.min_last,
            self.max_last,
            self.seq,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// The file's size.
    #[must_use]
    pub fn file_bytes(&self) -> u64 {
        HEADER_BYTES as u64
            + u64::from(self.count) * ROW_BYTES as u64
            + u64::from(self.tail_bytes)
            + u64::from(self.dict_bytes)
            + u64::from(self.rollup_bytes)
    }
}

/// Flows gathered for the next segment.
pub struct Batch {
    rows: Vec<u8>,
    tails: Vec<u8>,
    dict: Vec<String>,
    by_name: HashMap<String, u16>,
    /// Static names (most of them) looked up by address, without hashing their text.
    by_ptr: HashMap<(usize, usize), u16>,
    minutes: HashMap<u32, MinuteAgg>,
    meta: Meta,
    /// Records the dictionary had no room for: stored with their names absent.
    pub names_dropped: u64,
}

impl Default for Batch {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            tails: Vec::new(),
            dict: vec![String::new()],
            by_name: HashMap::new(),
            by_ptr: HashMap::new(),
            minutes: HashMap::new(),
            meta: Meta {
                min_first: u64::MAX,
                min_last: u64::MAX,
                ..Meta::default()
            },
            names_dropped: 0,
        }
    }
}

impl Batch {
    #[must_use]
    pub fn len(&self) -> usize {
        self.meta.count as usize
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.meta.count == 0
    }

    /// Bytes the batch holds in memory.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.rows.len() + self.tails.len()
    }

    fn code(&mut self, name: &str, is_static: bool) -> u16 {
        let key = (name.as_ptr() as usize, name.len());
        if is_static {
            if let Some(&c) = self.by_ptr.get(&key) {
                return c;
            }
        }
        let code = match self.by_name.get(name) {
            Some(&c) => c,
            None if self.dict.len() < MAX_NAMES => {
                let c = u16::try_from(self.dict.len()).unwrap_or(row::NONE);
                self.dict.push(name.to_string());
                self.by_name.insert(name.to_string(), c);
                c
            }
            None => {
                self.names_dropped += 1;
                return row::NONE;
            }
        };
        if is_static {
            self.by_ptr.insert(key, code);
        }
        code
    }

    /// Adds one record.
    pub fn add(&mut self, r: &FlowRecord) {
        let app = match &r.app {
            std::borrow::Cow::Borrowed(s) => self.code(s, true),
            std::borrow::Cow::Owned(s) => self.code(s, false),
        };
        let names = [
            r.tunnel.map_or(row::NONE, |t| self.code(t, true)),
            app,
            self.code(r.master, true),
            self.code(r.category, true),
            self.code(r.confidence, true),
            r.tcp_state.map_or(row::NONE, |t| self.code(t, true)),
            self.code(r.end_reason, true),
        ];
        let tail_off = self.tails.len();
        r.write_json_tail(&mut self.tails);
        let tail = (
            u32::try_from(tail_off).unwrap_or(u32::MAX),
            u32::try_from(self.tails.len() - tail_off).unwrap_or(0),
        );
        let mut row = [0u8; ROW_BYTES];
        row::encode(r, &mut row, names, tail);
        self.rows.extend_from_slice(&row);
        let m = &mut self.meta;
        m.count += 1;
        m.min_first = m.min_first.min(r.first_seen_ns);
        m.max_first = m.max_first.max(r.first_seen_ns);
        m.min_last = m.min_last.min(r.last_seen_ns);
        m.max_last = m.max_last.max(r.last_seen_ns);
        let minute = u32::try_from(r.last_seen_ns / 60_000_000_000).unwrap_or(u32::MAX);
        self.minutes.entry(minute).or_default().add(r, app);
    }

    /// The segment file's bytes, numbered `seq`; the batch is emptied.
    pub fn take_encoded(&mut self, seq: u64) -> (Meta, Vec<u8>) {
        let dict: Vec<&str> = self.dict.iter().map(String::as_str).collect();
        let mut dict_bytes = Vec::new();
        for name in &dict {
            let b = name.as_bytes();
            let b = &b[..b.len().min(usize::from(u16::MAX))];
            dict_bytes.extend_from_slice(&u16::try_from(b.len()).unwrap_or(0).to_le_bytes());
            dict_bytes.extend_from_slice(b);
        }
        let mut minutes: Vec<_> = self.minutes.iter().collect();
        minutes.sort_unstable_by_key(|(m, _)| **m);
        let mut rollups = Vec::new();
        for (minute, agg) in minutes {
            agg.encode(*minute, 1, &crate::rollup::MINUTE_KEYS, &dict, &mut rollups);
        }
        let mut meta = self.meta;
        meta.seq = seq;
        meta.dict_bytes = u32::try_from(dict_bytes.len()).unwrap_or(u32::MAX);
        meta.tail_bytes = u32::try_from(self.tails.len()).unwrap_or(u32::MAX);
        meta.rollup_bytes = u32::try_from(rollups.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(
            HEADER_BYTES + self.rows.len() + self.tails.len() + dict_bytes.len() + rollups.len(),
        );
        meta.write(&mut out);
        out.extend_from_slice(&self.rows);
        out.extend_from_slice(&self.tails);
        out.extend_from_slice(&dict_bytes);
        out.extend_from_slice(&rollups);
        *self = Self::default();
        (meta, out)
    }
}

/// A segment read into memory.
pub struct Segment {
    pub meta: Meta,
    bytes: Vec<u8>,
    dict_spans: Vec<(usize, usize)>,
}

impl Segment {
    /// Reads and checks a segment file.
    ///
    /// # Errors
    /// When the file cannot be read or is not a whole segment.
    pub fn open(path: &Path) -> io::Result<Self> {
        Self::from_bytes(std::fs::read(path)?).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: not a whole segment", path.display()),
            )
        })
    }

    /// Checks segment bytes.
    #[must_use]
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        let meta = Meta::parse(&bytes)?;
        if meta.file_bytes() != bytes.len() as u64 {
            return None;
        }
        let mut dict_spans = Vec::new();
        let mut at = HEADER_BYTES + meta.count as usize * ROW_BYTES + meta.tail_bytes as usize;
        let end = at + meta.dict_bytes as usize;
        while at < end {
            let len = usize::from(u16::from_le_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
            if at + 2 + len > end || std::str::from_utf8(&bytes[at + 2..at + 2 + len]).is_err() {
                return None;
            }
            dict_spans.push((at + 2, len));
            at += 2 + len;
        }
        Some(Self {
            meta,
            bytes,
            dict_spans,
        })
    }

    /// The dictionary (entry 0 = absent).
    #[must_use]
    pub fn dict(&self) -> Vec<&str> {
        self.dict_spans
            .iter()
            .map(|&(at, len)| std::str::from_utf8(&self.bytes[at..at + len]).unwrap_or(""))
            .collect()
    }

    /// Row `i`.
    #[must_use]
    pub fn row(&self, i: usize) -> RowRef<'_> {
        let at = HEADER_BYTES + i * ROW_BYTES;
        RowRef(&self.bytes[at..at + ROW_BYTES])
    }

    #[must_use]
    pub fn rows(&self) -> usize {
        self.meta.count as usize
    }

    /// Row `i`'s JSON tail (empty when out of bounds: a corrupt row loses its metadata, not the query).
    #[must_use]
    pub fn tail(&self, row: RowRef<'_>) -> &[u8] {
        let base = HEADER_BYTES + self.rows() * ROW_BYTES;
        let (off, len) = row.tail();
        if off + len > self.meta.tail_bytes as usize {
            return &[];
        }
        &self.bytes[base + off..base + off + len]
    }

    /// The minute blocks of the segment file at `path`, read alone (the rows are not read).
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn read_rollups(path: &Path, meta: &Meta) -> io::Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let f = std::fs::File::open(path)?;
        let mut b = vec![0u8; meta.rollup_bytes as usize];
        f.read_exact_at(&mut b, meta.file_bytes() - u64::from(meta.rollup_bytes))?;
        Ok(b)
    }

    /// The minute blocks.
    #[must_use]
    pub fn rollups(&self) -> &[u8] {
        let at = self.bytes.len() - self.meta.rollup_bytes as usize;
        &self.bytes[at..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollup::{Block, Dim};

    pub(crate) fn record(i: u64) -> FlowRecord {
        let src: std::net::IpAddr = if i.is_multiple_of(3) {
            format!("2001:db8::{:x}", i % 50)
                .parse()
                .unwrap_or([0u8; 4].into())
        } else {
            std::net::IpAddr::from([10, 0, (i % 7) as u8, (i % 50) as u8])
        };
        let dst: std::net::IpAddr = if i.is_multiple_of(3) {
            "2001:db8::1".parse().unwrap_or([0u8; 4].into())
        } else {
            std::net::IpAddr::from([192, 0, 2, (i % 5) as u8])
        };
        FlowRecord {
            proto: [6u8, 17, 1, 47][(i % 4) as usize],
            src_ip: src,
            src_port: 40_000 + (i % 1000) as u16,
            dst_ip: dst,
            dst_port: [443u16, 53, 0, 0][(i % 4) as usize],
            vlan: (i % 2) as u16 * 10,
            iface: (i % 2) as u8,
            tunnel: (i.is_multiple_of(5)).then_some("vxlan"),
            app: if i.is_multiple_of(7) {
                std::borrow::Cow::Owned(format!("TLS.App{}", i % 3))
            } else {
                "TLS.YouTube".into()
            },
            master: "TLS",
            category: "Media",
            confidence: "DPI",
            app_ids: [91, 124],
            packets_c2s: 1 + i % 10,
            packets_s2c: i % 13,
            bytes_c2s: 100 + i,
            bytes_s2c: 1000 * (i % 17),
            first_seen_ns: 1_700_000_000_000_000_000 + i * 1_000_000_000,
            last_seen_ns: 1_700_000_000_000_000_000 + i * 1_000_000_000 + 5_123_456_789,
            tcp_flags_c2s: 0x1b,
            tcp_flags_s2c: 0x12,
            tcp_state: (i.is_multiple_of(4)).then_some("closed"),
            end_reason: "idle",
            rtt_us: (i.is_multiple_of(2)).then_some(700),
            retransmissions: (i % 3) as u32,
            out_of_order: 0,
            l7: (i % 2 == 1).then(|| {
                Box::new(xntop_model::L7Meta {
                    server_name: Some(format!("host{i}.example").into()),
                    dns_answers: vec![std::net::IpAddr::from([192, 0, 2, 9])],
                    ..xntop_model::L7Meta::default()
                })
            }),
            geo: [None, None],
        }
    }

    #[test]
    fn rows_turn_back_into_the_records_json_lines() {
        let mut batch = Batch::default();
        let mut expected = Vec::new();
        for i in 0..500 {
            let r = record(i);
            r.write_json_line(&mut expected);
            batch.add(&r);
        }
        let (meta, bytes) = batch.take_encoded(7);
        assert!(batch.is_empty());
        assert_eq!(meta.seq, 7);
        assert_eq!(meta.file_bytes(), bytes.len() as u64);
        let seg = Segment::from_bytes(bytes).expect("segment");
        let dict = seg.dict();
        let mut got = Vec::new();
        for i in 0..seg.rows() {
            let row = seg.row(i);
            row.write_json_line(&dict, seg.tail(row), &mut got);
        }
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected)
        );

        // The minute rollups hold every flow, byte and packet.
        let (mut flows, mut bytes_total) = (0, 0);
        for b in Block::all(seg.rollups()) {
            for (_, m) in b.entries(Dim::Iface) {
                bytes_total += m[0];
                flows += m[2];
            }
        }
        let want: u64 = (0..500)
            .map(|i| {
                let r = record(i);
                r.bytes_c2s + r.bytes_s2c
            })
            .sum();
        assert_eq!((flows, bytes_total), (500, want));
    }

    #[test]
    fn damaged_segments_are_refused() {
        let mut batch = Batch::default();
        batch.add(&record(1));
        let (_, bytes) = batch.take_encoded(1);
        assert!(Segment::from_bytes(bytes[..bytes.len() - 1].to_vec()).is_none());
        let mut bad = bytes.clone();
        bad[0] = b'Y';
        assert!(Segment::from_bytes(bad).is_none());
        assert!(Segment::from_bytes(bytes).is_some());
    }
}
