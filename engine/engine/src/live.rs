//! Live capture: one thread per RX queue of an interface takes frames from its AF_XDP socket (or, where XDP
//! cannot attach, its AF_PACKET fan-out socket), decodes each once, and hands it to the worker that owns its flow,
//! together with a copy of its payload for DPI.
//!
//! Live sources never wait: when a worker's ring (or its payload ring) has no room the packet is counted as a
//! hand-off drop and the queue goes on. Frames go back to the kernel right after each batch, so the socket's own
//! rings never starve because a worker is slow.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use rtrb::{Producer, RingBuffer};
use xntop_capture::xdp::{
    realtime_ns, rx_queues, LiveError, PacketConfig, PacketRing, PacketStats, XdpCounters,
    XdpProgram, XskConfig, XskSocket, XskStats,
};
use xntop_flow::{shard_of, FlowKey};
use xntop_wire::{decode, LinkType};

use crate::config::LiveOptions;
use crate::fragments::FragmentPorts;
use crate::handoff::{PacketDesc, RunState};
use crate::reader::{InputCounters, InputStats};

/// Descriptors per live ring (per queue and worker).
pub const LIVE_RING_SLOTS: usize = 16 * 1024;
/// Payload bytes per live ring: room for the payload copies of the descriptors in flight.
pub const LIVE_PAYLOAD_BYTES: usize = 4 << 20;
/// Payload bytes copied per packet: enough for any dissector (a whole QUIC Initial, a TLS ClientHello segment).
pub const LIVE_PAYLOAD_MAX: usize = 2048;
/// Frames taken per receive call.
const RX_BATCH: usize = 256;
/// Wall time between clock ticks to every worker.
const TICK_NS: u64 = 1_000_000_000;

/// One queue's socket.
pub enum Socket {
    Xdp(XskSocket),
    Packet(PacketRing),
}

impl Socket {
    fn poll(&self, timeout_ms: i32) -> Result<bool, LiveError> {
        match self {
            Self::Xdp(s) => s.poll(timeout_ms),
            Self::Packet(s) => s.poll(timeout_ms),
        }
    }

    fn recv_batch(&mut self, max: usize, f: impl FnMut(&[u8], u64)) -> usize {
        match self {
            Self::Xdp(s) => s.recv_batch(max, f),
            Self::Packet(s) => s.recv_batch(max, f),
        }
    }
}

/// Drop counters of one queue's socket, as its back-end reports them.
#[derive(Clone, Copy, Debug, Default)]
pub enum SocketStats {
    Xdp(XskStats),
    Packet(PacketStats),
    #[default]
    None,
}

/// What one live queue saw, for the summary.
#[derive(Debug, Clone, Default)]
pub struct QueueStats {
    pub input: InputStats,
    /// Packets dropped because a worker's ring had no room.
    pub handoff_dropped: u64,
    pub socket: SocketStats,
    pub zero_copy: bool,
}

/// An opened live interface: its XDP program (when AF_XDP is used) and one socket per queue.
pub struct LiveInterface {
    pub name: String,
    pub iface: u8,
    pub program: Option<XdpProgram>,
    pub sockets: Vec<Socket>,
    /// "AF_XDP (native, copy)" or "AF_PACKET (TPACKET_V3, fan-out)".
    pub backend: String,
}

impl LiveInterface {
    /// Attaches to `name`: AF_XDP on every RX queue, or AF_PACKET when XDP cannot attach (and `auto`).
    ///
    /// # Errors
    /// One line naming the interface and what failed.
    pub fn open(name: &str, iface: u8, opts: &LiveOptions) -> anyhow::Result<Self> {
        let queues = match opts.queues {
            Some(q) => q,
            None => rx_queues(name).map_err(|e| anyhow::anyhow!("{e}"))?,
        }
        .max(1);
        if opts.xdp != Some(false) {
            match Self::open_xdp(name, iface, queues, opts) {
                Ok(l) => return Ok(l),
                Err(e) if opts.xdp.is_none() => {
                    eprintln!("xntop: {e}; falling back to AF_PACKET (TPACKET_V3)");
                }
                Err(e) => return Err(e),
            }
        }
        Self::open_packet(name, iface, queues)
    }

    fn open_xdp(name: &str, iface: u8, queues: usize, opts: &LiveOptions) -> anyhow::Result<Self> {
        let mut program =
            XdpProgram::attach(name, opts.xdp_mode).map_err(|e| anyhow::anyhow!("{e}"))?;
        let cfg = XskConfig {
            frames: opts.umem_frames,
            force_copy: opts.copy,
            ..XskConfig::default()
        };
        let mut sockets = Vec::with_capacity(queues);
        for q in 0..queues {
            let q = u32::try_from(q).unwrap_or(u32::MAX);
            let s = XskSocket::open(name, q, &cfg).map_err(|e| anyhow::anyhow!("{e}"))?;
            program
                .register(q, &s)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            sockets.push(Socket::Xdp(s));
        }
        let zc = sockets
            .iter()
            .all(|s| matches!(s, Socket::Xdp(x) if x.zero_copy()));
        let backend = format!(
            "AF_XDP ({:?}, {}, {} queue(s), {} frames each)",
            program.mode(),
            if zc { "zero-copy" } else { "copy" },
            queues,
            opts.umem_frames
        );
        Ok(Self {
            name: name.to_string(),
            iface,
            program: Some(program),
            sockets,
            backend,
        })
    }

    fn open_packet(name: &str, iface: u8, queues: usize) -> anyhow::Result<Self> {
        // The fan-out group id only has to be unique on the machine: derive it from the process and interface.
        let group =
            u16::try_from((std::process::id() ^ u32::from(iface) << 8) & 0xffff).unwrap_or(1);
        let cfg = PacketConfig {
            fanout_group: Some(group),
            ..PacketConfig::default()
        };
        let sockets = (0..queues)
            .map(|_| PacketRing::open(name, &cfg).map(Socket::Packet))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Self {
            name: name.to_string(),
            iface,
            program: None,
            backend: format!("AF_PACKET (TPACKET_V3, fan-out by hash over {queues} socket(s))"),
            sockets,
        })
    }

    /// The XDP program's per-stage counters, when AF_XDP is used.
    #[must_use]
    pub fn xdp_counters(&self) -> Option<XdpCounters> {
        self.program.as_ref().map(XdpProgram::counters)
    }
}

/// The rings from one queue to every worker: descriptors and payload bytes, in the same order.
pub struct QueueRings {
    pub descs: Vec<Producer<PacketDesc>>,
    pub payloads: Vec<Producer<u8>>,
}

/// A worker's ends of one queue's rings: descriptors and payload bytes.
pub type WorkerEnds = (rtrb::Consumer<PacketDesc>, rtrb::Consumer<u8>);

/// Makes the rings of one queue: (producer side, per-worker consumer sides).
#[must_use]
pub fn rings(workers: usize) -> (QueueRings, Vec<WorkerEnds>) {
    let mut descs = Vec::with_capacity(workers);
    let mut payloads = Vec::with_capacity(workers);
    let mut consumers = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (dp, dc) = RingBuffer::<PacketDesc>::new(LIVE_RING_SLOTS);
        let (pp, pc) = RingBuffer::<u8>::new(LIVE_PAYLOAD_BYTES);
        descs.push(dp);
        payloads.push(pp);
        consumers.push((dc, pc));
    }
    (QueueRings { descs, payloads }, consumers)
}

/// One queue's receive loop.
pub struct QueueReader {
    pub iface: u8,
    pub socket: Socket,
    pub rings: QueueRings,
    pub run: Arc<RunState>,
    pub counters: Arc<InputCounters>,
    pub name: String,
}

impl QueueReader {
    /// Receives until told to stop; returns what the queue saw.
    pub fn run(self) -> QueueStats {
        let QueueReader {
            iface,
            mut socket,
            mut rings,
            run,
            counters,
            name,
        } = self;
        let shards = rings.descs.len();
        let mut st = State {
            stats: InputStats {
                name,
                ..InputStats::default()
            },
            fragments: FragmentPorts::default(),
            clock_ns: 0,
            handoff_dropped: 0,
            stored: InputStats::default(),
            socket_lost: 0,
            stored_dropped: 0,
        };
        let mut next_tick = realtime_ns();
        while !run.stopping() {
            // A short poll timeout: stop requests and clock ticks are served within 100 ms on a quiet link.
            let ready = socket.poll(100).unwrap_or(false);
            if ready {
                let got = socket.recv_batch(RX_BATCH, |frame, ts| {
                    st.packet(frame, ts, iface, &mut rings, shards);
                });
                // A thin batch: let packets gather for a moment instead of waking up for each one (user-space
                // interrupt coalescing; 16 Ki UMEM frames hold 200 µs of anything up to 80 Mpps).
                if got < RX_BATCH / 4 {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
            }
            let now = realtime_ns();
            st.clock_ns = st.clock_ns.max(now);
            run.advance_clock(st.clock_ns);
            if now >= next_tick {
                next_tick = now + TICK_NS;
                st.tick(&mut rings);
                st.socket_lost = socket_lost(&mut socket);
            }
            st.store(&counters);
        }
        st.socket_lost = socket_lost(&mut socket);
        st.store(&counters);
        let (socket_stats, zero_copy) = match &mut socket {
            Socket::Xdp(s) => (
                s.stats().map(SocketStats::Xdp).unwrap_or_default(),
                s.zero_copy(),
            ),
            Socket::Packet(s) => (
                s.stats().map(SocketStats::Packet).unwrap_or_default(),
                false,
            ),
        };
        QueueStats {
            input: st.stats,
            handoff_dropped: st.handoff_dropped,
            socket: socket_stats,
            zero_copy,
        }
    }
}

struct State {
    stats: InputStats,
    fragments: FragmentPorts,
    clock_ns: u64,
    handoff_dropped: u64,
    /// What was last added to the interface's counters (its queues share them, so each adds its deltas).
    stored: InputStats,
    /// Packets the socket reported lost, as of the last reading; and what was last added of all drops.
    socket_lost: u64,
    stored_dropped: u64,
}

impl State {
    fn packet(&mut self, frame: &[u8], ts: u64, iface: u8, rings: &mut QueueRings, shards: usize) {
        let wire_len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
        self.stats.packets += 1;
        self.stats.bytes += u64::from(wire_len);
        if self.stats.first_ns == 0 {
            self.stats.first_ns = ts;
        }
        self.stats.last_ns = self.stats.last_ns.max(ts);
        let mut d = match decode(LinkType::Ethernet, frame) {
            Ok(d) => d,
            Err(r) => {
                self.stats.rejects[r as usize] += 1;
                return;
            }
        };
        self.fragments.resolve(&mut d);
        self.clock_ns = self.clock_ns.max(ts);
        let (key, from) = FlowKey::from_decoded(&d, iface);
        let hash = key.symmetric_hash();
        let shard = shard_of(hash, shards);
        let copy = d.payload.len().min(LIVE_PAYLOAD_MAX);
        let (descs, payloads) = (&mut rings.descs[shard], &mut rings.payloads[shard]);
        // Both rings must have room, or the packet is dropped whole: never a descriptor without its payload.
        if descs.slots() == 0 || payloads.slots() < copy {
            self.handoff_dropped += 1;
            return;
        }
        if copy > 0 {
            match payloads.write_chunk_uninit(copy) {
                Ok(chunk) => {
                    chunk.fill_from_iter(d.payload[..copy].iter().copied());
                }
                Err(_) => {
                    self.handoff_dropped += 1;
                    return;
                }
            }
        }
        let desc = PacketDesc {
            hash,
            ts_ns: ts,
            clock_ns: self.clock_ns,
            tick: false,
            key,
            from,
            wire_len,
            // Live descriptors carry the number of payload bytes copied into the payload ring.
            payload_offset: copy as u64,
            payload_len: u32::try_from(d.payload.len()).unwrap_or(u32::MAX),
            tcp: d.tcp,
            tunnel: d.tunnel,
            macs: [d.src_mac.unwrap_or_default(), d.dst_mac.unwrap_or_default()],
        };
        if descs.push(desc).is_err() {
            // Cannot happen (room was checked) but would desynchronise the payload ring: count it loudly.
            self.handoff_dropped += 1;
        }
    }

    /// Sends every worker the wall clock, so idle flows expire on a quiet link.
    fn tick(&mut self, rings: &mut QueueRings) {
        let (key, from) = FlowKey::new(
            std::net::IpAddr::from([0, 0, 0, 0]),
            0,
            std::net::IpAddr::from([0, 0, 0, 0]),
            0,
            0,
            0,
            0,
        );
        let tick = PacketDesc {
            hash: 0,
            ts_ns: self.clock_ns,
            clock_ns: self.clock_ns,
            tick: true,
            key,
            from,
            wire_len: 0,
            payload_offset: 0,
            payload_len: 0,
            tcp: None,
            tunnel: xntop_wire::Tunnel::None,
            macs: [[0; 6]; 2],
        };
        for ring in &mut rings.descs {
            // A full ring already carries recent clocks; a lost tick changes nothing.
            let _ = ring.push(tick);
        }
    }

    fn store(&mut self, c: &InputCounters) {
        c.packets
            .fetch_add(self.stats.packets - self.stored.packets, Ordering::Relaxed);
        c.bytes
            .fetch_add(self.stats.bytes - self.stored.bytes, Ordering::Relaxed);
        for ((a, &n), &before) in c
            .rejects
            .iter()
            .zip(&self.stats.rejects)
            .zip(&self.stored.rejects)
        {
            a.fetch_add(n - before, Ordering::Relaxed);
        }
        let dropped = self.handoff_dropped + self.socket_lost;
        c.dropped.fetch_add(
            dropped.saturating_sub(self.stored_dropped),
            Ordering::Relaxed,
        );
        self.stored_dropped = dropped;
        self.stored.packets = self.stats.packets;
        self.stored.bytes = self.stats.bytes;
        self.stored.rejects = self.stats.rejects;
    }
}

/// Packets a socket reports lost so far (AF_XDP: dropped + RX ring full; AF_PACKET: ring drops).
fn socket_lost(socket: &mut Socket) -> u64 {
    match socket {
        Socket::Xdp(s) => s.stats().map_or(0, |st| st.lost()),
        Socket::Packet(s) => s.stats().map_or(0, |st| st.drops),
    }
}

/// The interface's receive drop counters from sysfs (NIC and driver): rx_dropped, rx_missed_errors,
/// rx_fifo_errors. Read at start and at the end; the summary shows what they grew by.
#[must_use]
pub fn nic_drops(name: &str) -> [u64; 3] {
    ["rx_dropped", "rx_missed_errors", "rx_fifo_errors"].map(|f| {
        std::fs::read_to_string(format!("/sys/class/net/{name}/statistics/{f}"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    })
}

/// A start-up look at the NIC's receive-side scaling: whether both directions of a flow will land on the same
/// queue. Symmetric RSS needs a Toeplitz key made of one repeated 16-bit pattern (or a symmetric hash function);
/// otherwise the hand-off to the owning worker is what keeps each flow with one owner.
#[must_use]
pub fn rss_report(name: &str) -> String {
    let Ok(out) = std::process::Command::new("ethtool")
        .args(["-x", name])
        .output()
    else {
        return "RSS: not checked (ethtool not found)".into();
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let key: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("RSS hash key"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("RSS hash function"))
        .flat_map(|l| l.trim().split(':'))
        .collect();
    let function = text
        .lines()
        .skip_while(|l| !l.starts_with("RSS hash function"))
        .skip(1)
        .find(|l| l.trim_end().ends_with(": on"))
        .map(|l| l.split(':').next().unwrap_or("").trim().to_string());
    if !out.status.success() || key.len() < 4 {
        return "RSS: the driver reports no hash key (no RSS, e.g. veth): each queue gets what its sender sent it; \
                flows are handed to their owning worker either way"
            .into();
    }
    let symmetric_key = key.chunks(2).all(|pair| pair == &key[..2]);
    let symmetric_fn = function
        .as_deref()
        .is_some_and(|f| f.contains("sym") || f == "xor");
    if symmetric_key || symmetric_fn {
        format!(
            "RSS: symmetric ({}): both directions of a flow reach the same queue",
            if symmetric_key {
                "repeating 16-bit key"
            } else {
                "symmetric hash function"
            }
        )
    } else {
        format!(
            "RSS: not symmetric (function {}): the two directions of a flow may arrive on different queues; the \
             hand-off keeps one owner per flow (set a symmetric key with `ethtool -X {name} hkey 6d:5a:…` to avoid it)",
            function.unwrap_or_else(|| "?".into())
        )
    }
}

/// Whether `-i NAME` names a network interface (and not a capture file).
#[must_use]
pub fn is_interface(name: &str) -> bool {
    !std::path::Path::new(name).exists()
        && !name.contains('/')
        && std::path::Path::new("/sys/class/net").join(name).exists()
}
