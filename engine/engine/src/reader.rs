//! The offline reader: walks one capture file, decodes each frame once, and steers it by the symmetric flow hash to
//! the worker that owns the flow.
//!
//! Offline input is lossless: when a worker's ring is full the reader waits. Live sources never wait (they count and
//! drop); that policy lives with the live back-end.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rtrb::Producer;
use xntop_capture::CaptureFile;
use xntop_flow::{shard_of, FlowKey};
use xntop_wire::{decode, LinkType, Reject};

use crate::fragments::FragmentPorts;
use crate::handoff::{PacketDesc, RunState, BATCH, RING_SLOTS};

/// Mapped bytes between two release points: the reader hands pages of the capture back to the kernel once every
/// worker is past them, so memory stays flat on captures larger than RAM.
const RELEASE_STEP: u64 = 8 << 20;
/// Packet time between clock ticks to every worker.
const TICK_NS: u64 = 1_000_000_000;

/// Distinct undecoded link types an input lists by number; a pcapng file may name one per interface.
pub const MAX_UNSUPPORTED_LINKS: usize = 8;

/// What the reader saw on its input.
#[derive(Debug, Clone, Default)]
pub struct InputStats {
    pub name: String,
    pub packets: u64,
    pub bytes: u64,
    /// Frames that gave no flow, by [`Reject`] (index = `reason as usize`).
    pub rejects: [u64; Reject::COUNT],
    /// The file error that ended reading early, already formatted as one line.
    pub error: Option<String>,
    /// Link types met that xntop does not decode, with their packet counts (at most [`MAX_UNSUPPORTED_LINKS`]
    /// kinds; the packets of further kinds are in `rejects` only).
    pub unsupported_links: Vec<(u32, u64)>,
    pub first_ns: u64,
    pub last_ns: u64,
}

impl InputStats {
    /// Counts a packet of a link type xntop does not decode.
    fn unsupported(&mut self, linktype: u32) {
        self.rejects[Reject::UnsupportedLink as usize] += 1;
        if let Some(entry) = self.unsupported_links.iter_mut().find(|e| e.0 == linktype) {
            entry.1 += 1;
        } else if self.unsupported_links.len() < MAX_UNSUPPORTED_LINKS {
            self.unsupported_links.push((linktype, 1));
        }
    }
}

/// The reader's running totals, readable by the aggregator at any time (stored once per batch, never locked).
#[derive(Debug)]
pub struct InputCounters {
    pub packets: AtomicU64,
    pub bytes: AtomicU64,
    /// Packets the capture lost before counting them (live inputs).
    pub dropped: AtomicU64,
    pub rejects: [AtomicU64; Reject::COUNT],
}

impl Default for InputCounters {
    fn default() -> Self {
        Self {
            packets: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            rejects: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

/// One reader's hand-off to the workers.
pub struct Reader {
    iface: u8,
    file: Arc<CaptureFile>,
    rings: Vec<Producer<PacketDesc>>,
    pending: Vec<Vec<PacketDesc>>,
    /// Descriptors pushed into each ring so far.
    pushed: Vec<u64>,
    /// (file offset, pushed counts) checkpoints not yet released.
    checkpoints: VecDeque<(u64, Vec<u64>)>,
    next_checkpoint: u64,
    fragments: FragmentPorts,
    run: Arc<RunState>,
    stats: InputStats,
    /// Replay at the recorded pace: (wall-clock start, first packet time).
    pace: Option<(Instant, u64)>,
    paced: bool,
    replay_loop: bool,
    /// Running maximum of packet time in file order.
    clock_ns: u64,
    counters: Arc<InputCounters>,
    next_tick_ns: u64,
}

impl Reader {
    pub fn new(
        iface: u8,
        file: Arc<CaptureFile>,
        rings: Vec<Producer<PacketDesc>>,
        run: Arc<RunState>,
    ) -> Self {
        let workers = rings.len();
        let name = file.name().to_string();
        Self {
            iface,
            file,
            rings,
            pending: (0..workers).map(|_| Vec::with_capacity(BATCH)).collect(),
            pushed: vec![0; workers],
            checkpoints: VecDeque::with_capacity(64),
            next_checkpoint: RELEASE_STEP,
            fragments: FragmentPorts::default(),
            run,
            stats: InputStats {
                name,
                ..InputStats::default()
            },
            pace: None,
            paced: false,
            replay_loop: false,
            clock_ns: 0,
            next_tick_ns: 0,
            counters: Arc::new(InputCounters::default()),
        }
    }

    /// The interface index (`-i` order).
    #[must_use]
    pub fn iface(&self) -> u8 {
        self.iface
    }

    /// The input's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.stats.name
    }

    /// The live totals of this reader, for the aggregator.
    #[must_use]
    pub fn counters(&self) -> Arc<InputCounters> {
        Arc::clone(&self.counters)
    }

    fn store_counters(&self) {
        let c = &self.counters;
        c.packets.store(self.stats.packets, Ordering::Relaxed);
        c.bytes.store(self.stats.bytes, Ordering::Relaxed);
        for (a, &n) in c.rejects.iter().zip(&self.stats.rejects) {
            a.store(n, Ordering::Relaxed);
        }
    }

    /// Hands packets over at the pace they were recorded (like `tcpreplay`), instead of as fast as possible.
    #[must_use]
    pub fn paced(mut self, paced: bool) -> Self {
        self.paced = paced;
        self
    }

    /// Replays the file again and again, at its recorded pace (demos) or, with `topspeed`, as fast as possible
    /// (benchmarks); stops only when told to.
    #[must_use]
    pub fn looped(mut self, replay_loop: bool, topspeed: bool) -> Self {
        self.replay_loop = replay_loop;
        self.paced |= replay_loop && !topspeed;
        self
    }

    /// Sleeps until `ts_ns` is due, first handing over what is pending so workers see packets on time.
    fn wait_until_due(&mut self, ts_ns: u64) {
        let (start, first) = *self.pace.get_or_insert((Instant::now(), ts_ns));
        let due = start + Duration::from_nanos(ts_ns.saturating_sub(first));
        let now = Instant::now();
        if due > now + Duration::from_micros(200) {
            for shard in 0..self.rings.len() {
                self.publish(shard);
            }
            self.run.advance_clock(ts_ns);
            // Sleep in short steps so a stop request is honoured promptly.
            let mut left = due - now;
            while !left.is_zero() && !self.run.stopping() {
                let step = left.min(Duration::from_millis(50));
                std::thread::sleep(step);
                left = left.saturating_sub(step);
            }
        }
    }

    /// Reads the whole file (or until told to stop) and returns what it saw.
    pub fn run(mut self) -> InputStats {
        let file = Arc::clone(&self.file);
        file.advise_sequential();
        let base = file.data().as_ptr() as usize;
        let shards = self.rings.len();
        let mut last_link: Option<(u32, Option<LinkType>)> = None;
        // In loop mode each pass is shifted to start after the previous one, so packet time keeps going forward.
        let mut shift_ns = 0u64;
        'passes: loop {
            // This pass's first packet time (shifted), for the pass's span.
            let mut pass_first: Option<u64> = None;
            for (n, item) in file.packets().enumerate() {
                if n % 1024 == 0 && self.run.stopping() {
                    break 'passes;
                }
                let pkt = match item {
                    Ok(p) => p,
                    Err(e) => {
                        self.stats.error = Some(e.to_string());
                        break 'passes;
                    }
                };
                let pkt = xntop_capture::RawPacket {
                    ts_ns: pkt.ts_ns.saturating_add(shift_ns),
                    ..pkt
                };
                if self.paced {
                    self.wait_until_due(pkt.ts_ns);
                    if self.run.stopping() {
                        break 'passes;
                    }
                }
                self.stats.packets += 1;
                pass_first.get_or_insert(pkt.ts_ns);
                if self.stats.first_ns == 0 {
                    self.stats.first_ns = pkt.ts_ns;
                }
                self.stats.last_ns = self.stats.last_ns.max(pkt.ts_ns);
                let link = match last_link {
                    Some((lt, link)) if lt == pkt.linktype => link,
                    _ => {
                        let link = LinkType::from_pcap(pkt.linktype);
                        last_link = Some((pkt.linktype, link));
                        link
                    }
                };
                let Some(link) = link else {
                    self.stats.bytes += u64::from(pkt.wire_len);
                    self.stats.unsupported(pkt.linktype);
                    continue;
                };
                let wire_len = pkt.wire_len.saturating_sub(link.pseudo_header_len());
                self.stats.bytes += u64::from(wire_len);
                let mut d = match decode(link, pkt.data) {
                    Ok(d) => d,
                    Err(r) => {
                        self.stats.rejects[r as usize] += 1;
                        continue;
                    }
                };
                self.fragments.resolve(&mut d);
                self.clock_ns = self.clock_ns.max(pkt.ts_ns);
                let (key, from) = FlowKey::from_decoded(&d, self.iface);
                let hash = key.symmetric_hash();
                let desc = PacketDesc {
                    hash,
                    ts_ns: pkt.ts_ns,
                    clock_ns: self.clock_ns,
                    tick: false,
                    key,
                    from,
                    wire_len,
                    payload_offset: (d.payload.as_ptr() as usize).saturating_sub(base) as u64,
                    payload_len: u32::try_from(d.payload.len()).unwrap_or(u32::MAX),
                    tcp: d.tcp,
                    tunnel: d.tunnel,
                    macs: [d.src_mac.unwrap_or_default(), d.dst_mac.unwrap_or_default()],
                };
                let shard = shard_of(hash, shards);
                self.pending[shard].push(desc);
                if self.pending[shard].len() == BATCH {
                    self.run.advance_clock(self.clock_ns);
                    self.publish(shard);
                    self.maybe_release(pkt.offset);
                }
                if self.clock_ns >= self.next_tick_ns {
                    self.tick(desc);
                }
            }
            if !self.replay_loop || self.run.stopping() || self.stats.packets == 0 {
                break;
            }
            // One second between passes, like a quiet gap on the wire.
            let span = self
                .stats
                .last_ns
                .saturating_sub(pass_first.unwrap_or(self.stats.last_ns));
            shift_ns = shift_ns.saturating_add(span).saturating_add(1_000_000_000);
        }
        for shard in 0..shards {
            self.publish(shard);
        }
        self.store_counters();
        self.run.advance_clock(self.stats.last_ns);
        self.stats
    }

    /// Sends every worker the current clock, so shards that see no packets still expire their idle flows.
    fn tick(&mut self, template: PacketDesc) {
        self.next_tick_ns = self.clock_ns.saturating_add(TICK_NS);
        let tick = PacketDesc {
            tick: true,
            ..template
        };
        for shard in 0..self.pending.len() {
            self.pending[shard].push(tick);
            if self.pending[shard].len() == BATCH {
                self.publish(shard);
            }
        }
    }

    /// Moves a worker's pending batch into its ring, waiting while the ring is full.
    fn publish(&mut self, shard: usize) {
        self.store_counters();
        let batch = &mut self.pending[shard];
        let ring = &mut self.rings[shard];
        let mut spins = 0u32;
        while !batch.is_empty() {
            let n = ring.slots().min(batch.len());
            if n == 0 {
                backoff(&mut spins);
                continue;
            }
            spins = 0;
            if let Ok(chunk) = ring.write_chunk_uninit(n) {
                let written = chunk.fill_from_iter(batch.drain(..n));
                self.pushed[shard] += written as u64;
            }
        }
    }

    /// Releases mapped pages every worker has finished with.
    fn maybe_release(&mut self, offset: u64) {
        if offset >= self.next_checkpoint {
            self.checkpoints.push_back((offset, self.pushed.clone()));
            self.next_checkpoint = offset + RELEASE_STEP;
        }
        while let Some((off, snapshot)) = self.checkpoints.front() {
            let done = self
                .rings
                .iter()
                .zip(snapshot)
                .enumerate()
                .all(|(w, (ring, &snap))| {
                    // Workers commit a chunk after processing it, so free slots mean processed descriptors.
                    let in_flight = (RING_SLOTS - ring.slots()) as u64;
                    self.pushed[w] - in_flight >= snap
                });
            if !done {
                break;
            }
            self.file.release_before(*off);
            self.checkpoints.pop_front();
        }
    }
}

/// Waits a little longer each time: spin, then yield, then sleep.
pub fn backoff(spins: &mut u32) {
    *spins += 1;
    if *spins < 64 {
        std::hint::spin_loop();
    } else if *spins < 256 {
        std::thread::yield_now();
    } else {
        std::thread::sleep(std::time::Duration::from_micros(50));
    }
}
