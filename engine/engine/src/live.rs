//! Live capture, processed in place by the workers.
//!
//! Each RX queue of an interface has one socket (AF_XDP, or where XDP cannot attach an AF_PACKET fan-out socket),
//! and each socket belongs to one worker (queues dealt round-robin over the `-g` workers). The worker takes a batch
//! of frames, decodes each where it lies (in the UMEM frame or the TPACKET block) and, when the flow is its own
//! (symmetric hash of the canonical key → [`shard_of`]), accounts it and runs DPI on it right there: no copy, no
//! thread hop. A frame of a flow another worker owns is handed to that worker over an SPSC ring (descriptor plus a
//! copy of up to [`LIVE_PAYLOAD_MAX`] payload bytes) and counted. Frames go back to the kernel after each batch.
//!
//! Nothing here waits on another thread: a full hand-off ring is a counted drop. An idle worker blocks in `poll(2)`
//! on its sockets and its doorbell (an eventfd a peer rings when it hands packets to a worker that is asleep).

use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{fence, AtomicBool, Ordering};
use std::sync::Arc;

use rtrb::{Producer, RingBuffer};
use xntop_capture::xdp::{
    rx_queues, EventFd, PacketConfig, PacketRing, PacketStats, XdpCounters, XdpProgram, XskConfig,
    XskSocket, XskStats,
};
use xntop_flow::{shard_of, FlowKey, PacketInfo};
use xntop_wire::{decode, Decoded, LinkType};

use crate::config::LiveOptions;
use crate::dedicated::{self, HostUse, InterfaceFacts};
use crate::fragments::FragmentPorts;
use crate::handoff::PacketDesc;
use crate::reader::{InputCounters, InputStats};

/// Descriptors per live ring (per queue and worker).
pub const LIVE_RING_SLOTS: usize = 16 * 1024;
/// Payload bytes per live ring: room for the payload copies of the descriptors in flight.
pub const LIVE_PAYLOAD_BYTES: usize = 4 << 20;
/// Payload bytes copied per packet: enough for any dissector (a whole QUIC Initial, a TLS ClientHello segment).
pub const LIVE_PAYLOAD_MAX: usize = 2048;
/// Frames taken per receive call.
pub const RX_BATCH: usize = 256;

/// One queue's socket.
pub enum Socket {
    Xdp(XskSocket),
    Packet(PacketRing),
}

impl Socket {
    fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Self::Xdp(s) => s.as_fd(),
            Self::Packet(s) => s.as_fd(),
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
    /// Packets of flows another worker owns, handed to it.
    pub handed_off: u64,
    /// Packets dropped because the owning worker's ring had no room.
    pub handoff_dropped: u64,
    pub socket: SocketStats,
    pub zero_copy: bool,
    /// Packets carrying the kernel's own receive time (AF_XDP: stamped by the XDP program, the others got their
    /// batch's time; AF_PACKET: every packet).
    pub timestamped: u64,
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

/// How one interface is captured, decided before anything is attached to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `None`: AF_XDP, AF_PACKET when XDP cannot attach; `Some(true)`: AF_XDP only; `Some(false)`: AF_PACKET.
    pub xdp: Option<bool>,
    /// AF_PACKET also takes the packets the host sends (its own interface: its half of every conversation).
    pub outgoing: bool,
    /// Why `auto` did not pick AF_XDP, printed at start.
    pub note: Option<String>,
}

/// Chooses the back-end of interface `name`. AF_XDP takes every packet it redirects away from the kernel, so it is
/// only chosen on a dedicated capture port (`host` is `None`) or when the user says the port is one
/// (`--xdp-exclusive`); `auto` picks AF_PACKET elsewhere, `--capture xdp` is refused there.
///
/// # Errors
/// `--capture xdp` on an interface the host uses, without `--xdp-exclusive`: the message names the flag.
pub fn choose(name: &str, opts: &LiveOptions, host: Option<&HostUse>) -> Result<Plan, String> {
    let outgoing = host.is_some_and(|h| *h != HostUse::Loopback);
    let plan = |xdp, note| Plan {
        xdp,
        outgoing,
        note,
    };
    match (opts.xdp, host) {
        (Some(false), _) => Ok(plan(Some(false), None)),
        (xdp, None) => Ok(plan(xdp, None)),
        (xdp, Some(_)) if opts.exclusive => Ok(plan(xdp, None)),
        (None, Some(why)) => Ok(plan(
            Some(false),
            Some(format!(
                "{name} {why}: capturing with AF_PACKET so the host keeps its traffic; use --xdp-exclusive on a \
                 dedicated capture port"
            )),
        )),
        (Some(true), Some(why)) => Err(format!(
            "--capture xdp: {name} {why}, and AF_XDP would take every packet it receives away from the host; use \
             --capture auto (AF_PACKET here), or add --xdp-exclusive if {name} is a dedicated capture port"
        )),
    }
}

/// Why the host uses interface `name`, or `None` for a dedicated capture port; facts that cannot be read count as
/// use (the safe side).
#[must_use]
pub fn host_use(name: &str) -> Option<HostUse> {
    match InterfaceFacts::gather(name) {
        Ok(facts) => dedicated::host_use(&facts),
        Err(e) => Some(HostUse::Unknown(e.to_string())),
    }
}

impl LiveInterface {
    /// Attaches to `name` as `plan` says: AF_XDP on every RX queue, or AF_PACKET (also when XDP cannot attach and
    /// the plan allows the fallback).
    ///
    /// # Errors
    /// One line naming the interface and what failed.
    pub fn open(name: &str, iface: u8, opts: &LiveOptions, plan: &Plan) -> anyhow::Result<Self> {
        let queues = match opts.queues {
            Some(q) => q,
            None => rx_queues(name).map_err(|e| anyhow::anyhow!("{e}"))?,
        }
        .max(1);
        if plan.xdp != Some(false) {
            match Self::open_xdp(name, iface, queues, opts) {
                Ok(l) => return Ok(l),
                Err(e) if plan.xdp.is_none() => {
                    eprintln!("xntop: {e}; falling back to AF_PACKET (TPACKET_V3)");
                }
                Err(e) => return Err(e),
            }
        }
        Self::open_packet(name, iface, queues, plan.outgoing)
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

    fn open_packet(name: &str, iface: u8, queues: usize, outgoing: bool) -> anyhow::Result<Self> {
        // The fan-out group id only has to be unique on the machine: derive it from the process and interface.
        let group =
            u16::try_from((std::process::id() ^ u32::from(iface) << 8) & 0xffff).unwrap_or(1);
        let cfg = PacketConfig {
            fanout_group: Some(group),
            outgoing,
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
            backend: format!(
                "AF_PACKET (TPACKET_V3, fan-out by hash over {queues} socket(s){})",
                if outgoing { ", both directions" } else { "" }
            ),
            sockets,
        })
    }

    /// The XDP program's per-stage counters, when AF_XDP is used.
    #[must_use]
    pub fn xdp_counters(&self) -> Option<XdpCounters> {
        self.program.as_ref().map(XdpProgram::counters)
    }
}

/// A worker's doorbell: peers ring it when they hand packets to it while it sleeps in `poll(2)`.
#[derive(Debug)]
pub struct Waker {
    sleeping: AtomicBool,
    efd: EventFd,
}

impl Waker {
    /// # Errors
    /// No eventfd could be made.
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            sleeping: AtomicBool::new(false),
            efd: EventFd::new()?,
        })
    }

    /// The descriptor to poll on.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.efd.as_fd()
    }

    /// The owner is about to block: peers must ring from now on. The owner checks its rings after this and before
    /// blocking (the fence pairs with the one in [`ring`](Self::ring): either the peer sees the flag or the owner
    /// sees the packets).
    pub fn going_to_sleep(&self) {
        self.sleeping.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
    }

    /// The owner is awake again; `rung`: the doorbell was readable, reset it.
    pub fn woke(&self, rung: bool) {
        self.sleeping.store(false, Ordering::Relaxed);
        if rung {
            self.efd.drain();
        }
    }

    /// Called by a peer after pushing packets to the owner: wakes it if it sleeps (one write per sleep).
    pub fn ring(&self) {
        fence(Ordering::SeqCst);
        if self.sleeping.load(Ordering::Relaxed) && self.sleeping.swap(false, Ordering::AcqRel) {
            self.efd.notify();
        }
    }
}

/// A worker's ends of the rings a peer hands it packets on: descriptors and payload bytes.
pub type WorkerEnds = (rtrb::Consumer<PacketDesc>, rtrb::Consumer<u8>);

/// A worker's sending side of the hand-off: a ring pair to every other worker, and every worker's doorbell.
pub struct Handoff {
    id: usize,
    shards: usize,
    /// `descs[w]`, `payloads[w]`: to worker `w` (`None` for this worker itself).
    descs: Vec<Option<Producer<PacketDesc>>>,
    payloads: Vec<Option<Producer<u8>>>,
    wakers: Vec<Arc<Waker>>,
    /// Workers handed packets since their doorbell was last considered.
    pending: Vec<bool>,
}

impl Handoff {
    /// Wakes every worker handed packets since the last call, if it sleeps.
    fn ring_pending(&mut self) {
        for (w, p) in self.pending.iter_mut().enumerate() {
            if std::mem::take(p) {
                self.wakers[w].ring();
            }
        }
    }
}

/// Makes the hand-off rings between `workers` workers: each worker's sending side, and each worker's receiving
/// ends (one per peer). With one worker there are none.
#[must_use]
pub fn handoff_rings(
    workers: usize,
    wakers: &[Arc<Waker>],
) -> (Vec<Handoff>, Vec<Vec<WorkerEnds>>) {
    let mut senders: Vec<Handoff> = (0..workers)
        .map(|id| Handoff {
            id,
            shards: workers,
            descs: (0..workers).map(|_| None).collect(),
            payloads: (0..workers).map(|_| None).collect(),
            wakers: wakers.to_vec(),
            pending: vec![false; workers],
        })
        .collect();
    let mut ends: Vec<Vec<WorkerEnds>> = (0..workers).map(|_| Vec::new()).collect();
    for (from, sender) in senders.iter_mut().enumerate() {
        for (to, to_ends) in ends.iter_mut().enumerate() {
            if from == to {
                continue;
            }
            let (dp, dc) = RingBuffer::<PacketDesc>::new(LIVE_RING_SLOTS);
            let (pp, pc) = RingBuffer::<u8>::new(LIVE_PAYLOAD_BYTES);
            sender.descs[to] = Some(dp);
            sender.payloads[to] = Some(pp);
            to_ends.push((dc, pc));
        }
    }
    (senders, ends)
}

/// One RX queue's socket, owned by the worker that serves it, with the queue's counters.
pub struct LiveQueue {
    /// Position of the queue among all live queues of the run (summary order).
    pub index: usize,
    iface: u8,
    socket: Socket,
    counters: Arc<InputCounters>,
    st: QueueState,
}

impl LiveQueue {
    #[must_use]
    pub fn new(
        index: usize,
        iface: u8,
        socket: Socket,
        counters: Arc<InputCounters>,
        name: String,
    ) -> Self {
        Self {
            index,
            iface,
            socket,
            counters,
            st: QueueState {
                stats: InputStats {
                    name,
                    ..InputStats::default()
                },
                ..QueueState::default()
            },
        }
    }

    /// The socket's descriptor, for the worker's poll set.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.socket.fd()
    }

    /// Takes one batch of frames from the socket. Frames of flows this worker owns go to `own(hash, key, packet,
    /// payload)`, read in place; the others are handed to their owner (and the owners that sleep are woken).
    /// `clock` is the worker's clock, advanced to each frame's time. Returns the number of frames taken.
    pub fn receive(
        &mut self,
        clock: &mut u64,
        handoff: &mut Handoff,
        mut own: impl FnMut(u64, &FlowKey, &PacketInfo, &[u8]),
    ) -> usize {
        let (iface, st) = (self.iface, &mut self.st);
        let got = self.socket.recv_batch(RX_BATCH, |frame, ts| {
            let Some(d) = st.decode(frame, ts) else {
                return;
            };
            *clock = (*clock).max(ts);
            let (key, from) = FlowKey::from_decoded(&d, iface);
            let hash = key.symmetric_hash();
            let wire_len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
            let payload_len = u32::try_from(d.payload.len()).unwrap_or(u32::MAX);
            let shard = shard_of(hash, handoff.shards);
            let macs = [d.src_mac.unwrap_or_default(), d.dst_mac.unwrap_or_default()];
            if shard == handoff.id {
                let pkt = PacketInfo {
                    ts_ns: ts,
                    now_ns: *clock,
                    wire_len,
                    from,
                    tcp: d.tcp,
                    payload_len,
                    tunnel: d.tunnel,
                    macs,
                };
                own(hash, &key, &pkt, d.payload);
                return;
            }
            let desc = PacketDesc {
                hash,
                ts_ns: ts,
                clock_ns: *clock,
                tick: false,
                key,
                from,
                wire_len,
                // Live descriptors carry the number of payload bytes copied into the payload ring.
                payload_offset: 0,
                payload_len,
                tcp: d.tcp,
                tunnel: d.tunnel,
                macs,
            };
            if st.hand_off(handoff, shard, desc, d.payload) {
                handoff.pending[shard] = true;
            }
        });
        if got > 0 {
            handoff.ring_pending();
        }
        got
    }

    /// Adds what changed since the last call to the interface's shared counters; with `read_socket`, reads the
    /// socket's drop counters first (a system call).
    pub fn store(&mut self, read_socket: bool) {
        if read_socket {
            self.st.socket_lost = socket_lost(&mut self.socket);
        }
        self.st.store(&self.counters);
    }

    /// The queue's final figures (the socket stays open until the worker drops it).
    pub fn finish(&mut self) -> QueueStats {
        self.store(true);
        let (socket, zero_copy, timestamped) = match &mut self.socket {
            Socket::Xdp(s) => (
                s.stats().map(SocketStats::Xdp).unwrap_or_default(),
                s.zero_copy(),
                s.stamped(),
            ),
            Socket::Packet(s) => (
                s.stats().map(SocketStats::Packet).unwrap_or_default(),
                false,
                self.st.stats.packets,
            ),
        };
        QueueStats {
            input: self.st.stats.clone(),
            handed_off: self.st.handed_off,
            handoff_dropped: self.st.handoff_dropped,
            socket,
            zero_copy,
            timestamped,
        }
    }
}

#[derive(Default)]
struct QueueState {
    stats: InputStats,
    fragments: FragmentPorts,
    handed_off: u64,
    handoff_dropped: u64,
    /// What was last added to the interface's counters (its queues share them, so each adds its deltas).
    stored: InputStats,
    /// Packets the socket reported lost, as of the last reading; and what was last added of all drops.
    socket_lost: u64,
    stored_dropped: u64,
}

impl QueueState {
    /// Counts the frame and decodes it (fragment ports resolved); `None` (counted) when it gives no flow.
    fn decode<'a>(&mut self, frame: &'a [u8], ts: u64) -> Option<Decoded<'a>> {
        self.stats.packets += 1;
        self.stats.bytes += frame.len() as u64;
        if self.stats.first_ns == 0 {
            self.stats.first_ns = ts;
        }
        self.stats.last_ns = self.stats.last_ns.max(ts);
        let mut d = match decode(LinkType::Ethernet, frame) {
            Ok(d) => d,
            Err(r) => {
                self.stats.rejects[r as usize] += 1;
                return None;
            }
        };
        self.fragments.resolve(&mut d);
        Some(d)
    }

    /// Pushes a descriptor and its payload copy to worker `to`; false (counted as a drop) when its rings are full.
    fn hand_off(
        &mut self,
        h: &mut Handoff,
        to: usize,
        mut desc: PacketDesc,
        payload: &[u8],
    ) -> bool {
        let (Some(descs), Some(payloads)) = (h.descs[to].as_mut(), h.payloads[to].as_mut()) else {
            self.handoff_dropped += 1;
            return false;
        };
        let copy = payload.len().min(LIVE_PAYLOAD_MAX);
        // Both rings must have room, or the packet is dropped whole: never a descriptor without its payload.
        if descs.slots() == 0 || payloads.slots() < copy {
            self.handoff_dropped += 1;
            return false;
        }
        if copy > 0 {
            match payloads.write_chunk_uninit(copy) {
                Ok(chunk) => {
                    chunk.fill_from_iter(payload[..copy].iter().copied());
                }
                Err(_) => {
                    self.handoff_dropped += 1;
                    return false;
                }
            }
        }
        desc.payload_offset = copy as u64;
        if descs.push(desc).is_err() {
            // Cannot happen (room was checked) but would desynchronise the payload ring: count it loudly.
            self.handoff_dropped += 1;
            return false;
        }
        self.handed_off += 1;
        true
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

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(xdp: Option<bool>, exclusive: bool) -> LiveOptions {
        LiveOptions {
            xdp,
            exclusive,
            xdp_mode: xntop_capture::xdp::XdpMode::Auto,
            copy: false,
            queues: None,
            umem_frames: 4096,
        }
    }

    fn addressed() -> HostUse {
        HostUse::Address(
            "10.0.0.5"
                .parse()
                .unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()),
        )
    }

    #[test]
    fn auto_takes_af_xdp_only_on_a_dedicated_port() {
        let p = choose("eth1", &opts(None, false), None);
        assert_eq!(
            p,
            Ok(Plan {
                xdp: None,
                outgoing: false,
                note: None
            })
        );
        let p = choose("eth0", &opts(None, false), Some(&addressed()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.xdp, Some(false));
        assert!(p.outgoing, "the host's own half of its conversations");
        assert_eq!(
            p.note.as_deref(),
            Some(
                "eth0 has address 10.0.0.5: capturing with AF_PACKET so the host keeps its traffic; use \
                 --xdp-exclusive on a dedicated capture port"
            )
        );
    }

    #[test]
    fn xdp_on_a_used_interface_needs_the_exclusive_flag() {
        let refused = choose("eth0", &opts(Some(true), false), Some(&addressed()));
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.contains("--xdp-exclusive") && e.contains("eth0 has address")),
            "{refused:?}"
        );
        for capture in [None, Some(true)] {
            let p = choose("eth0", &opts(capture, true), Some(&addressed()));
            assert_eq!(p.map(|p| (p.xdp, p.note)), Ok((capture, None)));
        }
        assert_eq!(
            choose("eth1", &opts(Some(true), false), None).map(|p| p.xdp),
            Ok(Some(true))
        );
    }

    #[test]
    fn af_packet_is_always_allowed_and_skips_outgoing_copies_on_loopback() {
        let p = choose("eth0", &opts(Some(false), false), Some(&addressed()));
        assert_eq!(
            p.map(|p| (p.xdp, p.outgoing, p.note)),
            Ok((Some(false), true, None))
        );
        let p = choose("lo", &opts(None, false), Some(&HostUse::Loopback));
        assert_eq!(
            p.as_ref().map(|p| (p.xdp, p.outgoing)),
            Ok((Some(false), false))
        );
        assert!(p.is_ok_and(|p| p
            .note
            .is_some_and(|n| n.starts_with("lo is the loopback interface: "))));
        let p = choose("eth1", &opts(Some(false), false), None);
        assert_eq!(p.map(|p| p.outgoing), Ok(false));
    }
}
