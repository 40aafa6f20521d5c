//! A capture file held in memory (mapped, static or owned) and the iterator over its packets.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

use crate::error::CaptureError;
use crate::{pcap, pcapng};

/// A packet record's captured length above this means a corrupt record (libpcap uses the same bound).
pub const MAX_CAPLEN: u32 = 262_144;

/// The container format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pcap,
    Pcapng,
}

enum Bytes {
    Mapped(Mmap),
    Static(&'static [u8]),
    Owned(Vec<u8>),
}

/// A whole capture file, validated at its header.
pub struct CaptureFile {
    name: String,
    bytes: Bytes,
    format: Format,
}

impl std::fmt::Debug for CaptureFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureFile")
            .field("name", &self.name)
            .field("format", &self.format)
            .finish()
    }
}

/// One packet, borrowed from the file.
#[derive(Clone, Copy, Debug)]
pub struct RawPacket<'a> {
    /// Nanoseconds since the epoch.
    pub ts_ns: u64,
    pub caplen: u32,
    /// Length on the wire (never less than `caplen`).
    pub wire_len: u32,
    /// `LINKTYPE_*` number.
    pub linktype: u32,
    /// pcapng interface id (0 for pcap).
    pub interface: u32,
    /// Offset of `data` in the file.
    pub offset: u64,
    pub data: &'a [u8],
}

impl CaptureFile {
    /// Maps and validates a capture file.
    ///
    /// # Errors
    /// When the file cannot be opened, is a directory, is empty, or does not start like a pcap/pcapng file.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let name = path.display().to_string();
        let io = |source| CaptureError::Io {
            name: name.clone(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            return Err(CaptureError::Directory { name });
        }
        if meta.len() == 0 {
            return Err(CaptureError::Empty { name });
        }
        let file = File::open(path).map_err(io)?;
        // SAFETY: the mapping is read-only and private to this process. Its contents could still change if another
        // process truncated or rewrote the file while we read it; like every mmap-based reader (and as documented
        // in the README's limits) we accept that: capture files are not edited in place while being analysed.
        let map = unsafe { Mmap::map(&file) }.map_err(io)?;
        Self::new(name, Bytes::Mapped(map))
    }

    /// A capture embedded in the binary.
    ///
    /// # Errors
    /// When the bytes are not a capture.
    pub fn from_static(name: &str, bytes: &'static [u8]) -> Result<Self, CaptureError> {
        Self::new(name.to_string(), Bytes::Static(bytes))
    }

    /// A capture already in memory.
    ///
    /// # Errors
    /// When the bytes are not a capture.
    pub fn from_vec(name: &str, bytes: Vec<u8>) -> Result<Self, CaptureError> {
        Self::new(name.to_string(), Bytes::Owned(bytes))
    }

    fn new(name: String, bytes: Bytes) -> Result<Self, CaptureError> {
        let data: &[u8] = match &bytes {
            Bytes::Mapped(m) => m,
            Bytes::Static(s) => s,
            Bytes::Owned(v) => v,
        };
        if data.is_empty() {
            return Err(CaptureError::Empty { name });
        }
        let format = if pcap::Header::parse(data).is_some() {
            Format::Pcap
        } else if pcapng::is_pcapng(data) {
            Format::Pcapng
        } else {
            let mut m = [0u8; 4];
            let n = data.len().min(4);
            m[..n].copy_from_slice(&data[..n]);
            if data.len() >= 4 {
                return Err(CaptureError::NotACapture {
                    name,
                    magic: u32::from_be_bytes(m),
                });
            }
            return Err(CaptureError::Truncated {
                name,
                what: "file header",
                offset: 0,
                needed: 24,
                available: data.len() as u64,
            });
        };
        let file = Self {
            name,
            bytes,
            format,
        };
        // A header that starts right but is cut short is reported here, not at the first packet.
        if format == Format::Pcap && file.data().len() < pcap::HEADER_LEN {
            return Err(file.truncated("file header", 0, pcap::HEADER_LEN as u64));
        }
        Ok(file)
    }

    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    #[must_use]
    pub fn data(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Mapped(m) => m,
            Bytes::Static(s) => s,
            Bytes::Owned(v) => v,
        }
    }

    #[must_use]
    pub fn format(&self) -> Format {
        self.format
    }

    #[must_use]
    pub fn len(&self) -> u64 {
        self.data().len() as u64
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.data().is_empty()
    }

    /// The packets, in file order. After an error the iterator ends.
    #[must_use]
    pub fn packets(&self) -> Packets<'_> {
        let state = match self.format {
            Format::Pcap => State::Pcap(pcap::Reader::new(self.data())),
            Format::Pcapng => State::Pcapng(pcapng::Reader::new(self.data())),
        };
        Packets {
            file: self,
            state,
            done: false,
        }
    }

    /// Hints the kernel that the file is read front to back.
    pub fn advise_sequential(&self) {
        if let Bytes::Mapped(m) = &self.bytes {
            let _ = m.advise(memmap2::Advice::Sequential);
        }
    }

    /// Drops the mapped pages wholly below `offset` from this process's memory. The file's pages stay in the page
    /// cache, and a later read of them maps them back, so data stays correct; this only bounds the RSS of a long
    /// sequential read.
    pub fn release_before(&self, offset: u64) {
        let Bytes::Mapped(m) = &self.bytes else {
            return;
        };
        let page = 4096u64;
        let end = (offset.min(m.len() as u64) / page) * page;
        if end == 0 {
            return;
        }
        let Ok(len) = usize::try_from(end) else {
            return;
        };
        // SAFETY: MADV_DONTNEED on a private read-only file mapping discards our copy of the pages; any later
        // access re-reads them from the file, so no reference into the map ever sees different bytes.
        let _ = unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, len) };
    }

    pub(crate) fn truncated(&self, what: &'static str, offset: u64, needed: u64) -> CaptureError {
        CaptureError::Truncated {
            name: self.name.clone(),
            what,
            offset,
            needed,
            available: self.len().saturating_sub(offset),
        }
    }

    pub(crate) fn bad(&self, offset: u64, reason: &'static str) -> CaptureError {
        CaptureError::BadRecord {
            name: self.name.clone(),
            offset,
            reason,
        }
    }
}

enum State<'a> {
    Pcap(pcap::Reader<'a>),
    Pcapng(pcapng::Reader<'a>),
}

/// Iterator over a file's packets.
pub struct Packets<'a> {
    file: &'a CaptureFile,
    state: State<'a>,
    done: bool,
}

/// What a format reader reports for one step.
pub(crate) enum Step<'a> {
    Packet(RawPacket<'a>),
    End,
    Truncated {
        what: &'static str,
        offset: u64,
        needed: u64,
    },
    Bad {
        offset: u64,
        reason: &'static str,
    },
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<RawPacket<'a>, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = match &mut self.state {
            State::Pcap(r) => r.next_packet(),
            State::Pcapng(r) => r.next_packet(),
        };
        match step {
            Step::Packet(p) => Some(Ok(p)),
            Step::End => {
                self.done = true;
                None
            }
            Step::Truncated {
                what,
                offset,
                needed,
            } => {
                self.done = true;
                Some(Err(self.file.truncated(what, offset, needed)))
            }
            Step::Bad { offset, reason } => {
                self.done = true;
                Some(Err(self.file.bad(offset, reason)))
            }
        }
    }
}

/// Reads a u16/u32 in the file's byte order from a slice known to be long enough.
pub(crate) fn rd32(b: &[u8], at: usize, big: bool) -> u32 {
    let mut x = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        x.copy_from_slice(s);
    }
    if big {
        u32::from_be_bytes(x)
    } else {
        u32::from_le_bytes(x)
    }
}

pub(crate) fn rd16(b: &[u8], at: usize, big: bool) -> u16 {
    let mut x = [0u8; 2];
    if let Some(s) = b.get(at..at + 2) {
        x.copy_from_slice(s);
    }
    if big {
        u16::from_be_bytes(x)
    } else {
        u16::from_le_bytes(x)
    }
}
