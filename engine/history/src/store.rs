//! The store's directory, its writer thread and the index readers share.
//!
//! ```text
//! <dir>/flows/<seq>.seg     segments (rows + tails + dictionary + minute rollups), written whole then renamed
//! <dir>/hours/<minute>.roll the hour starting at that minute, merged from its segments' minute rollups once the
//!                           newest flow is SEAL_GRACE past the hour's end ("XNTHHR01", covered seq, one block)
//! ```
//!
//! The writer runs on its own thread and takes batches of records from a bounded channel: a full channel drops
//! the batch (counted), so a slow disk never reaches the capture path. Retention runs after every segment: the
//! oldest segment or hour file goes first, until everything is younger than the retention (packet time of the
//! newest flow) and smaller than the size cap, and the filesystem keeps [`FS_RESERVE`] free.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use xntop_model::FlowRecord;

use crate::rollup::{Block, Dim, MinuteAgg, Parts, BLOCK_HEAD, HOUR_KEYS};
use crate::row::Name;
use crate::segment::{Batch, Meta, HEADER_BYTES};

/// An hour is merged this long (packet time of the newest flow) after its end: records of flows that ended in
/// it can arrive late by their idle timeout.
pub const SEAL_GRACE_NS: u64 = 15 * 60 * 1_000_000_000;
/// Fraction of the filesystem the store leaves free whatever its size cap (never a full disk).
pub const FS_RESERVE: f64 = 0.05;
/// Records per message from the output thread.
pub const SEND_BATCH: usize = 1024;
/// Messages the channel holds (`CHANNEL_BATCHES × SEND_BATCH` records) before batches are dropped.
pub const CHANNEL_BATCHES: usize = 256;

const HOUR_MAGIC: &[u8; 8] = b"XNTHHR01";

/// How the store behaves.
#[derive(Clone, Debug)]
pub struct Config {
    pub dir: PathBuf,
    /// Keep flows this long (packet time), 0 = no age limit.
    pub retention_s: u64,
    /// Keep at most this many bytes of segments and hour files.
    pub max_bytes: u64,
    /// Write a segment when the batch has this many flows …
    pub flush_rows: usize,
    /// … or when its first flow arrived this long ago (wall clock).
    pub flush_interval: Duration,
}

impl Config {
    #[must_use]
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            retention_s: 7 * 86_400,
            max_bytes: 20 << 30,
            flush_rows: 65_536,
            flush_interval: Duration::from_secs(10),
        }
    }
}

/// One segment on disk.
#[derive(Clone, Debug)]
pub struct SegmentInfo {
    pub path: PathBuf,
    pub meta: Meta,
    /// The hours (first minute of each) its flows ended in.
    pub hours: Vec<u32>,
}

/// The hours of a segment's minute blocks.
fn hours_of(rollups: &[u8]) -> Vec<u32> {
    let mut h: Vec<u32> = Block::all(rollups)
        .map(|b| b.minute - b.minute % 60)
        .collect();
    h.dedup();
    h.sort_unstable();
    h.dedup();
    h
}

/// One hour file on disk.
#[derive(Clone, Debug)]
pub struct HourInfo {
    pub path: PathBuf,
    /// Segments up to this sequence number are merged in it.
    pub covered_seq: u64,
    pub bytes: u64,
}

/// What is on disk, shared by the writer and the readers.
#[derive(Debug, Default)]
pub struct Index {
    /// In write order.
    pub segments: Vec<SegmentInfo>,
    /// By the hour's first minute.
    pub hours: BTreeMap<u32, HourInfo>,
    /// Packet time of the newest flow stored.
    pub newest_ns: u64,
}

impl Index {
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.segments
            .iter()
            .map(|s| s.meta.file_bytes())
            .sum::<u64>()
            + self.hours.values().map(|h| h.bytes).sum::<u64>()
    }
}

/// What the writer did.
#[derive(Debug, Default)]
pub struct Counters {
    pub records: AtomicU64,
    /// Records the channel had no room for (the writer was behind).
    pub records_dropped: AtomicU64,
    /// Records lost to write errors.
    pub records_lost: AtomicU64,
    pub segments_written: AtomicU64,
    pub segments_expired: AtomicU64,
    pub hours_written: AtomicU64,
    pub write_errors: AtomicU64,
}

/// Read access to the store, for queries (cheap to clone).
#[derive(Clone)]
pub struct History {
    pub dir: PathBuf,
    pub index: Arc<RwLock<Index>>,
    pub counters: Arc<Counters>,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl History {
    /// A snapshot of the index (segments and hours), so a query never holds the lock while reading files.
    #[must_use]
    pub fn snapshot(&self) -> (Vec<SegmentInfo>, BTreeMap<u32, HourInfo>, u64) {
        let idx = self
            .index
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (idx.segments.clone(), idx.hours.clone(), idx.newest_ns)
    }

    /// Bytes on disk.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.index
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .bytes()
    }
}

/// Hands records to the writer thread in batches; never blocks.
pub struct Sender {
    tx: SyncSender<Vec<FlowRecord>>,
    buf: Vec<FlowRecord>,
    counters: Arc<Counters>,
    last_send: Instant,
}

/// A partial batch waits at most this long for more records (the channel's slots are counted in batches, so
/// sending every trickle would fill it with tiny ones).
const SEND_DELAY: Duration = Duration::from_millis(250);

impl Sender {
    /// Sends a partial batch once it has waited [`SEND_DELAY`]; the output thread calls this when idle.
    pub fn flush_if_due(&mut self) {
        if !self.buf.is_empty() && self.last_send.elapsed() >= SEND_DELAY {
            self.flush();
        }
    }

    pub fn push(&mut self, r: FlowRecord) {
        self.buf.push(r);
        if self.buf.len() >= SEND_BATCH {
            self.flush();
        }
    }

    /// Sends what is gathered (the writer is behind: dropped and counted).
    pub fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        self.last_send = Instant::now();
        let batch = std::mem::replace(&mut self.buf, Vec::with_capacity(SEND_BATCH));
        match self.tx.try_send(batch) {
            Ok(()) => {}
            Err(TrySendError::Full(b) | TrySendError::Disconnected(b)) => {
                self.counters
                    .records_dropped
                    .fetch_add(b.len() as u64, Ordering::Relaxed);
            }
        }
    }
}

fn read_header(path: &Path) -> io::Result<Meta> {
    use std::io::Read;
    let mut b = [0u8; HEADER_BYTES];
    std::fs::File::open(path)?.read_exact(&mut b)?;
    Meta::parse(&b).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "not a segment"))
}

/// Reads an hour file: (covered seq, block bytes).
///
/// # Errors
/// When unreadable or not an hour file.
pub fn read_hour(path: &Path) -> io::Result<(u64, Vec<u8>)> {
    let b = std::fs::read(path)?;
    if b.len() < 16 || &b[..8] != HOUR_MAGIC {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not an hour file",
        ));
    }
    let mut s = [0u8; 8];
    s.copy_from_slice(&b[8..16]);
    Ok((u64::from_le_bytes(s), b[16..].to_vec()))
}

/// One dimension of an hour file, read alone: (the hour's first minute, span, the section's bytes).
///
/// # Errors
/// When unreadable or not an hour file.
pub fn read_hour_dim(path: &Path, dim: Dim) -> io::Result<(u32, u32, Vec<u8>)> {
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::open(path)?;
    let mut head = [0u8; 16 + BLOCK_HEAD];
    f.read_exact_at(&mut head, 0)?;
    if &head[..8] != HOUR_MAGIC {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not an hour file",
        ));
    }
    let u32_at =
        |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let (minute, span) = (u32_at(16), u32_at(20));
    let len = |d: usize| u64::from(u32_at(16 + 8 + d * 8 + 4));
    let offset: u64 = (16 + BLOCK_HEAD) as u64 + (0..dim as usize).map(len).sum::<u64>();
    let mut b = vec![0u8; usize::try_from(len(dim as usize)).unwrap_or(0)];
    f.read_exact_at(&mut b, offset)?;
    Ok((minute, span, b))
}

/// Writes `bytes` to `path` through a temporary name, so readers never see half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    // Flow records are not for every local user: 0640 like xntop's other files.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o640)
        .open(&tmp)?;
    f.write_all(bytes)?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// Creates `dir` and its missing parents (the data directory among them) with mode 0700, as xntop makes its data
/// directory.
fn private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Opens (creating) the store's directory and reads its index.
///
/// # Errors
/// When the directory cannot be made or listed.
pub fn open_index(dir: &Path) -> io::Result<Index> {
    let flows = dir.join("flows");
    let hours = dir.join("hours");
    private_dir(&flows)?;
    private_dir(&hours)?;
    let mut index = Index::default();
    for e in std::fs::read_dir(&flows)? {
        let path = e?.path();
        match path.extension().and_then(|x| x.to_str()) {
            Some("seg") => match read_header(&path) {
                Ok(meta) if std::fs::metadata(&path)?.len() == meta.file_bytes() => {
                    index.newest_ns = index.newest_ns.max(meta.max_last);
                    let hours = crate::segment::Segment::read_rollups(&path, &meta)
                        .map(|r| hours_of(&r))
                        .unwrap_or_default();
                    index.segments.push(SegmentInfo { path, meta, hours });
                }
                // A segment cut short (a crash mid-write before the rename cannot do this, a disk error can).
                _ => eprintln!("xntop: history: ignoring damaged {}", path.display()),
            },
            Some("tmp") => {
                let _ = std::fs::remove_file(&path);
            }
            _ => {}
        }
    }
    index.segments.sort_by_key(|s| s.meta.seq);
    for e in std::fs::read_dir(&hours)? {
        let path = e?.path();
        let minute = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.parse::<u32>().ok());
        match (minute, path.extension().and_then(|x| x.to_str())) {
            (Some(minute), Some("roll")) => {
                if let Ok((covered_seq, block)) = read_hour(&path) {
                    index.hours.insert(
                        minute,
                        HourInfo {
                            path,
                            covered_seq,
                            bytes: block.len() as u64 + 16,
                        },
                    );
                }
            }
            (_, Some("tmp")) => {
                let _ = std::fs::remove_file(&path);
            }
            _ => {}
        }
    }
    Ok(index)
}

/// The writer: owns the batch being filled and everything that changes the directory.
pub struct Writer {
    /// Held while the writer lives: a second xntop on the same directory is refused.
    _lock: nix::fcntl::Flock<std::fs::File>,
    cfg: Config,
    history: History,
    batch: Batch,
    batch_started: Option<Instant>,
    next_seq: u64,
    last_error_log: Option<Instant>,
    /// Hours merged by this writer: one retention deleted is not merged again from its leftover segments.
    sealed: std::collections::BTreeSet<u32>,
}

impl Writer {
    /// Opens the store at `cfg.dir`.
    ///
    /// # Errors
    /// When the directory cannot be made or listed.
    pub fn open(mut cfg: Config) -> io::Result<Self> {
        // A segment stays under ~2.5 % of the cap (at ~200 bytes a flow), so deleting whole segments keeps the
        // store within a few percent of it.
        cfg.flush_rows = cfg.flush_rows.min(
            usize::try_from(cfg.max_bytes / 40 / 200)
                .unwrap_or(usize::MAX)
                .max(64),
        );
        private_dir(&cfg.dir)?;
        let lock_file = std::fs::File::create(cfg.dir.join("lock"))?;
        let lock = nix::fcntl::Flock::lock(lock_file, nix::fcntl::FlockArg::LockExclusiveNonblock)
            .map_err(|(_, e)| {
                io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!("{} is in use by another xntop ({e})", cfg.dir.display()),
                )
            })?;
        let index = open_index(&cfg.dir)?;
        let next_seq = index.segments.last().map_or(1, |s| s.meta.seq + 1);
        let history = History {
            dir: cfg.dir.clone(),
            index: Arc::new(RwLock::new(index)),
            counters: Arc::new(Counters::default()),
        };
        Ok(Self {
            _lock: lock,
            cfg,
            history,
            batch: Batch::default(),
            batch_started: None,
            next_seq,
            last_error_log: None,
            sealed: std::collections::BTreeSet::new(),
        })
    }

    #[must_use]
    pub fn history(&self) -> History {
        self.history.clone()
    }

    /// Adds one record; writes a segment when the batch is full.
    pub fn add(&mut self, r: &FlowRecord) {
        self.batch.add(r);
        self.batch_started.get_or_insert_with(Instant::now);
        if self.batch.len() >= self.cfg.flush_rows {
            self.flush();
        }
    }

    /// Writes a segment when the batch is old enough.
    pub fn tick(&mut self) {
        if self
            .batch_started
            .is_some_and(|t| t.elapsed() >= self.cfg.flush_interval)
        {
            self.flush();
        }
    }

    fn log_error(&mut self, what: &str, e: &io::Error) {
        self.history
            .counters
            .write_errors
            .fetch_add(1, Ordering::Relaxed);
        if self
            .last_error_log
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(10))
        {
            eprintln!("xntop: history: {what}: {e} (capture goes on; lost records are counted)");
            self.last_error_log = Some(Instant::now());
        }
    }

    /// Writes the batch as a segment, seals finished hours and applies retention.
    pub fn flush(&mut self) {
        self.batch_started = None;
        if self.batch.is_empty() {
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let (meta, bytes) = self.batch.take_encoded(seq);
        let hours = {
            let at = bytes.len() - meta.rollup_bytes as usize;
            hours_of(&bytes[at..])
        };
        // Make room first, so the cap holds with the new segment in it.
        self.enforce_limits(bytes.len() as u64);
        let path = self.cfg.dir.join("flows").join(format!("{seq:016}.seg"));
        let c = &self.history.counters;
        match write_whole(&path, &bytes) {
            Ok(()) => {
                c.records
                    .fetch_add(u64::from(meta.count), Ordering::Relaxed);
                c.segments_written.fetch_add(1, Ordering::Relaxed);
                let mut idx = self.write_index();
                idx.newest_ns = idx.newest_ns.max(meta.max_last);
                idx.segments.push(SegmentInfo { path, meta, hours });
            }
            Err(e) => {
                let _ = std::fs::remove_file(path.with_extension("tmp"));
                c.records_lost
                    .fetch_add(u64::from(meta.count), Ordering::Relaxed);
                self.log_error("cannot write a segment", &e);
            }
        }
        self.seal_hours();
        self.enforce_limits(0);
    }

    fn write_index(&self) -> std::sync::RwLockWriteGuard<'_, Index> {
        self.history
            .index
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Merges every hour that is `SEAL_GRACE` past into an hour file.
    fn seal_hours(&mut self) {
        const HOUR_NS: u64 = 3_600_000_000_000;
        let (segments, hours, newest) = self.history.snapshot();
        // Hours (first minute) that some segment holds flows of, that are past their grace and not merged yet.
        let mut due: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
        for s in &segments {
            for &minute in &s.hours {
                let end_ns = (u64::from(minute) * 60_000_000_000) + HOUR_NS;
                if newest >= end_ns + SEAL_GRACE_NS
                    && !hours.contains_key(&minute)
                    && !self.sealed.contains(&minute)
                {
                    due.insert(minute);
                }
            }
        }
        if due.is_empty() {
            return;
        }
        // One pass over each segment that holds a due hour, its rows spread over the hours' aggregates; built from
        // the raw flows, exact up to the hour caps (the minute blocks keep only their tops).
        let mut aggs: std::collections::BTreeMap<u32, (MinuteAgg, u64)> = due
            .iter()
            .map(|&m| (m, (MinuteAgg::default(), 0)))
            .collect();
        let mut names: Vec<String> = vec![String::new()];
        let mut by_name: hashbrown::HashMap<String, u16> = hashbrown::HashMap::new();
        for s in segments
            .iter()
            .filter(|s| s.hours.iter().any(|h| due.contains(h)))
        {
            let seg = match crate::segment::Segment::open(&s.path) {
                Ok(seg) => seg,
                Err(e) => {
                    self.log_error("cannot read a segment to merge its hours", &e);
                    continue;
                }
            };
            let remap: Vec<u16> = seg
                .dict()
                .iter()
                .map(|n| {
                    if let Some(&c) = by_name.get(*n) {
                        return c;
                    }
                    let c = u16::try_from(names.len()).unwrap_or(0);
                    names.push((*n).to_string());
                    by_name.insert((*n).to_string(), c);
                    c
                })
                .collect();
            for i in 0..seg.rows() {
                let row = seg.row(i);
                let hour = u32::try_from(row.last_ns() / HOUR_NS * 60).unwrap_or(u32::MAX);
                let Some((agg, covered)) = aggs.get_mut(&hour) else {
                    continue;
                };
                *covered = (*covered).max(s.meta.seq);
                let (p, b) = (row.packets(), row.bytes());
                agg.add_parts(&Parts {
                    iface: row.iface(),
                    src: row.src(),
                    dst: row.dst(),
                    proto: row.proto(),
                    dst_port: row.dst_port(),
                    bytes: b[0] + b[1],
                    packets: p[0] + p[1],
                    app: remap
                        .get(usize::from(row.name(Name::App)))
                        .copied()
                        .unwrap_or(0),
                });
            }
        }
        let dict: Vec<&str> = names.iter().map(String::as_str).collect();
        for (minute, (agg, covered)) in aggs {
            self.sealed.insert(minute);
            let mut bytes = Vec::with_capacity(1 << 16);
            bytes.extend_from_slice(HOUR_MAGIC);
            bytes.extend_from_slice(&covered.to_le_bytes());
            agg.encode(minute, 60, &HOUR_KEYS, &dict, &mut bytes);
            self.enforce_limits(bytes.len() as u64);
            let path = self.cfg.dir.join("hours").join(format!("{minute}.roll"));
            match write_whole(&path, &bytes) {
                Ok(()) => {
                    self.history
                        .counters
                        .hours_written
                        .fetch_add(1, Ordering::Relaxed);
                    self.write_index().hours.insert(
                        minute,
                        HourInfo {
                            path,
                            covered_seq: covered,
                            bytes: bytes.len() as u64,
                        },
                    );
                }
                Err(e) => self.log_error("cannot write an hour file", &e),
            }
        }
    }

    /// Bytes the store may use: its cap, and no more than leaves the filesystem its reserve.
    fn budget(&self, used: u64) -> u64 {
        let mut cap = self.cfg.max_bytes;
        if let Ok(st) = nix::sys::statvfs::statvfs(&self.cfg.dir) {
            let frsize = st.fragment_size();
            let total = st.blocks() * frsize;
            let avail = st.blocks_available() * frsize;
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a fraction of the filesystem's size"
            )]
            let reserve = (total as f64 * FS_RESERVE) as u64;
            cap = cap.min((used + avail).saturating_sub(reserve));
        }
        cap
    }

    /// Deletes the oldest files until the store (plus `incoming` bytes about to be written) fits its retention,
    /// its cap and the filesystem's reserve.
    fn enforce_limits(&mut self, incoming: u64) {
        loop {
            let (oldest_seg, oldest_hour, used, newest) = {
                let idx = self.write_index();
                (
                    idx.segments
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, s)| s.meta.max_last)
                        .map(|(i, s)| (i, s.meta.max_last)),
                    idx.hours.keys().next().copied(),
                    idx.bytes(),
                    idx.newest_ns,
                )
            };
            let cutoff = (self.cfg.retention_s > 0)
                .then(|| newest.saturating_sub(self.cfg.retention_s * 1_000_000_000));
            let over = used + incoming > self.budget(used);
            let hour_end = |m: u32| (u64::from(m) + 60) * 60_000_000_000;
            // The oldest item: a segment by its newest flow, an hour by its end.
            let take_hour = match (oldest_seg, oldest_hour) {
                (Some((_, seg_t)), Some(h)) => hour_end(h) <= seg_t,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (None, None) => return,
            };
            let oldest_t = if take_hour {
                oldest_hour.map_or(0, hour_end)
            } else {
                oldest_seg.map_or(0, |s| s.1)
            };
            let expired = cutoff.is_some_and(|c| oldest_t < c);
            if !over && !expired {
                return;
            }
            let mut idx = self.write_index();
            let path = if take_hour {
                oldest_hour
                    .and_then(|h| idx.hours.remove(&h))
                    .map(|h| h.path)
            } else {
                oldest_seg.map(|(i, _)| idx.segments.remove(i).path)
            };
            drop(idx);
            if let Some(p) = path {
                if !take_hour {
                    self.history
                        .counters
                        .segments_expired
                        .fetch_add(1, Ordering::Relaxed);
                }
                if let Err(e) = std::fs::remove_file(&p) {
                    self.log_error("cannot delete an expired file", &e);
                }
            }
        }
    }
}

/// Starts the writer thread on `cfg.dir`: returns the sender for the output thread, the reader handle and the
/// thread (which ends, having written everything, when the sender is dropped).
///
/// # Errors
/// When the directory cannot be made or listed.
pub fn spawn(
    cfg: Config,
    setup: impl FnOnce() + Send + 'static,
) -> io::Result<(Sender, History, std::thread::JoinHandle<()>)> {
    let mut writer = Writer::open(cfg)?;
    let history = writer.history();
    let (tx, rx) = std::sync::mpsc::sync_channel(CHANNEL_BATCHES);
    let handle = std::thread::Builder::new()
        .name("xntop-history".into())
        .spawn(move || {
            setup();
            run(&mut writer, &rx);
        })?;
    Ok((
        Sender {
            tx,
            buf: Vec::with_capacity(SEND_BATCH),
            counters: Arc::clone(&history.counters),
            last_send: Instant::now(),
        },
        history,
        handle,
    ))
}

fn run(writer: &mut Writer, rx: &Receiver<Vec<FlowRecord>>) {
    loop {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(batch) => {
                for r in &batch {
                    writer.add(r);
                }
                writer.tick();
            }
            Err(RecvTimeoutError::Timeout) => writer.tick(),
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    writer.flush();
}
