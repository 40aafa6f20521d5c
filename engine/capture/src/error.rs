//! Capture-file errors: each renders as one line naming the file and, where it applies, the byte offset.

/// Why a capture file could not be (fully) read.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("cannot open {name}: {source}")]
    Io {
        name: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{name}: is a directory, not a capture file")]
    Directory { name: String },
    #[error("{name}: empty file (0 bytes)")]
    Empty { name: String },
    #[error("{name}: not a pcap or pcapng file (magic 0x{magic:08x}) at byte offset 0")]
    NotACapture { name: String, magic: u32 },
    #[error("{name}: truncated {what} at byte offset {offset} ({needed} bytes needed, {available} remain)")]
    Truncated {
        name: String,
        what: &'static str,
        offset: u64,
        needed: u64,
        available: u64,
    },
    #[error("{name}: corrupt record at byte offset {offset}: {reason}")]
    BadRecord {
        name: String,
        offset: u64,
        reason: &'static str,
    },
}

impl CaptureError {
    /// Byte offset of the problem, when there is one.
    #[must_use]
    pub fn offset(&self) -> Option<u64> {
        match self {
            Self::NotACapture { .. } => Some(0),
            Self::Truncated { offset, .. } | Self::BadRecord { offset, .. } => Some(*offset),
            _ => None,
        }
    }

    /// True when the file simply ends inside a record (a capture cut short): what came before is good.
    #[must_use]
    pub fn is_truncation(&self) -> bool {
        matches!(self, Self::Truncated { .. })
    }
}
