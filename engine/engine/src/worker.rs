//! The hot loop: one pinned worker per flow-table shard.
//!
//! A worker owns its [`FlowTable`] (built on its own thread, so its memory is local to its core), takes descriptor
//! batches from one ring per input, accounts each packet to its flow, and moves ended flows to the output ring.
//! Live, it also owns RX queue sockets and processes their frames in place (see [`crate::live`]).
//! Per packet it does one hash lookup and touches only its own memory: no lock, no allocation, no blocking call.
//! Expiry runs after each batch with a bounded number of visits.

use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::Instant;

use hdrhistogram::Histogram;
use rtrb::{Consumer, Producer};
use xntop_capture::xdp::{realtime_ns, PollSet};
use xntop_capture::CaptureFile;
use xntop_dpi::{Dir, DnsCache, DpiContext, Endpoints};
use xntop_flow::{
    EndReason, Endpoint, Flow, FlowKey, FlowSink, FlowTable, PacketInfo, TableStats, Timeouts,
};
use xntop_model::FlowRecord;

use crate::handoff::{PacketDesc, RunState, BATCH};
use crate::live::{Handoff, LiveQueue, QueueStats, Waker};
use crate::reader::backoff;
use crate::report::{FlowSample, Reporter, WorkerReport};

/// List heads the purge may visit after each batch: enough to keep up with flows ending at line rate, small enough
/// to keep a batch's latency flat.
const PURGE_VISITS: usize = 2 * BATCH;
/// Live: how long an idle worker blocks in poll(2) at most (stop requests are seen within this).
const IDLE_POLL_MS: i32 = 50;
/// Live: the pause after a thin batch, so the next one is fuller (one wake-up per this much traffic, not per packet).
/// 2 ms costs ~10 % less CPU per packet at 0.5 Mpps, but a line-rate 10 Gbit/s burst (14.9 Mpps) starting during the
/// pause must fit the default 16 Ki-frame ring: 1.1 ms.
const COALESCE: std::time::Duration = std::time::Duration::from_micros(1000);
/// Live: how often the queues' counters are published (and the purge runs on a quiet link).
const STORE_NS: u64 = 100_000_000;
/// Live: how often the sockets' drop counters are read (a system call each).
const SOCKET_STATS_NS: u64 = 1_000_000_000;

/// What to do when the output ring is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backpressure {
    /// Offline input: nothing is lost, the worker waits for the writer.
    Wait,
    /// Live input: never wait; count the record as dropped.
    Drop,
}

/// A worker's figures at the end of the run.
#[derive(Debug)]
pub struct WorkerStats {
    pub id: usize,
    pub core: usize,
    pub pinned: bool,
    pub packets: u64,
    pub bytes: u64,
    pub batches: u64,
    pub table: TableStats,
    pub records_dropped: u64,
    /// Reports the aggregator's channel had no room for (carried by a later report, never lost).
    pub reports_missed: u64,
    /// Batch processing time in nanoseconds.
    pub batch_ns: Histogram<u64>,
    pub dpi: xntop_dpi::engine::DpiStats,
    /// The live queues this worker served, with their position among all live queues.
    pub queues: Vec<(usize, QueueStats)>,
}

/// Moves ended flows into the output ring as records, and into the aggregator's next report.
struct RecordSink {
    out: Option<Producer<FlowRecord>>,
    cache: Arc<DnsCache>,
    policy: Backpressure,
    dropped: u64,
    reporter: Option<Reporter>,
}

impl FlowSink for RecordSink {
    fn flow_ended(&mut self, flow: &Flow, reason: EndReason) {
        if let Some(r) = self.reporter.as_mut() {
            let mut sample = FlowSample::of(flow);
            sample.partial = reason == EndReason::ActiveTimeout;
            sample.class = flow.dpi.final_classification(&endpoints(flow), &self.cache);
            r.current.push_ended(sample);
            r.current.push_names(flow);
            if reason == EndReason::Evicted {
                r.current.evicted += 1;
            }
        }
        let Some(out) = self.out.as_mut() else {
            return;
        };
        let record = to_record(flow, reason, &self.cache);
        let mut pending = Some(record);
        let mut spins = 0;
        while let Some(r) = pending.take() {
            match out.push(r) {
                Ok(()) => {}
                Err(rtrb::PushError::Full(r)) => {
                    if self.policy == Backpressure::Drop {
                        self.dropped += 1;
                    } else {
                        backoff(&mut spins);
                        pending = Some(r);
                    }
                }
            }
        }
    }
}

/// The flow's endpoints as DPI sees them.
fn endpoints(f: &Flow) -> Endpoints {
    let client = f.client;
    let server = client.peer();
    Endpoints {
        l4: f.key.proto,
        client: f.key.addr(client),
        server: f.key.addr(server),
        client_port: f.key.port(client),
        server_port: f.key.port(server),
    }
}

fn to_record(f: &Flow, reason: EndReason, cache: &DnsCache) -> FlowRecord {
    let client = f.client;
    let server = client.peer();
    let is_tcp = f.key.proto == 6;
    let class = f.dpi.final_classification(&endpoints(f), cache);
    let master = if class.master == xntop_dpi::Proto::Unknown {
        class.app
    } else {
        class.master
    };
    FlowRecord {
        proto: f.key.proto,
        src_ip: f.key.addr(client),
        src_port: f.key.port(client),
        dst_ip: f.key.addr(server),
        dst_port: f.key.port(server),
        vlan: f.key.vlan,
        iface: f.key.iface,
        tunnel: (f.tunnel != xntop_wire::Tunnel::None).then(|| f.tunnel.as_str()),
        app: app_name(class),
        master: master.name(),
        category: class.category().name(),
        confidence: class.confidence.as_str(),
        app_ids: [master.id(), class.app.id()],
        packets_c2s: f.packets[0],
        packets_s2c: f.packets[1],
        bytes_c2s: f.bytes[0],
        bytes_s2c: f.bytes[1],
        first_seen_ns: f.first_ns,
        last_seen_ns: f.last_ns,
        tcp_flags_c2s: f.tcp.flags[0],
        tcp_flags_s2c: f.tcp.flags[1],
        tcp_state: is_tcp.then(|| f.tcp.state.as_str()),
        end_reason: reason.as_str(),
        rtt_us: (is_tcp && f.tcp.rtt_us != 0).then_some(f.tcp.rtt_us),
        retransmissions: f.tcp.retransmissions,
        out_of_order: f.tcp.out_of_order,
        l7: f.dpi.meta().map(|m| Box::new(m.clone())),
        geo: [None, None],
    }
}

/// "Master.App" without allocating when it is a single name.
fn app_name(class: xntop_dpi::Classification) -> std::borrow::Cow<'static, str> {
    let n = class.name();
    if n.master == n.app || n.app == xntop_dpi::Proto::Unknown {
        n.master.name().into()
    } else if n.master == xntop_dpi::Proto::Unknown {
        n.app.name().into()
    } else {
        n.to_string().into()
    }
}

/// Where the payload of an input's packets can be read.
pub enum PayloadSource {
    /// In the mapped capture file, at the descriptor's `payload_offset`.
    File(Arc<CaptureFile>),
    /// Copied by the worker that received the packet into this byte ring, `payload_offset` bytes per descriptor,
    /// in order.
    Live(rtrb::Consumer<u8>),
}

/// The live queues a worker serves itself, its side of the hand-off between workers, and its doorbell.
pub struct LiveWork {
    pub queues: Vec<LiveQueue>,
    pub handoff: Handoff,
    pub waker: Arc<Waker>,
}

/// Everything a worker thread is handed at spawn.
pub struct WorkerSetup {
    pub id: usize,
    pub core: usize,
    pub max_flows: usize,
    pub timeouts: Timeouts,
    pub inputs: Vec<Consumer<PacketDesc>>,
    pub output: Option<Producer<FlowRecord>>,
    pub backpressure: Backpressure,
    /// Reports to the aggregator, when there is one (the web UI is on).
    pub reports: Option<SyncSender<WorkerReport>>,
    pub run: Arc<RunState>,
    /// Where each input ring's payloads are (same order), for DPI.
    pub payloads: Vec<PayloadSource>,
    pub dns_cache: Arc<DnsCache>,
    /// Live capture: this worker counts as one of the run's readers until a stop is asked for.
    pub live: Option<LiveWork>,
}

/// The worker's flow-table shard and what accounting a packet needs.
struct Shard {
    table: FlowTable,
    sink: RecordSink,
    dpi: DpiContext,
    /// The clock as of the last packet (or wall-clock reading, live): never ahead of any packet still to come.
    now_ns: u64,
    packets: u64,
    bytes: u64,
}

impl Shard {
    /// Accounts one packet to its flow and returns the flow's slot.
    #[inline]
    fn track(&mut self, hash: u64, key: &FlowKey, pkt: &PacketInfo) -> u32 {
        self.packets += 1;
        self.bytes += u64::from(pkt.wire_len);
        let idx = self.table.update(hash, key, pkt, &mut self.sink);
        if let Some(t) = pkt.tcp.filter(|t| !t.syn.is_none()) {
            self.syn_seen(idx, pkt, &t);
        }
        idx
    }

    /// A DHCP client message's options (host name, vendor class, option 55 list) go to the device inventory, keyed
    /// by the frame's source MAC. Read per message, not per flow: every client without an address sends from
    /// 0.0.0.0:68 to 255.255.255.255:67, one flow for all of them, whose DPI reads only the first client's.
    #[cold]
    fn dhcp_client(&mut self, key: &FlowKey, pkt: &PacketInfo, payload: &[u8]) {
        if let Some(r) = self.sink.reporter.as_mut() {
            r.current
                .push_dhcp(key.addr(pkt.from), pkt.macs[0], pkt.ts_ns, payload);
        }
    }

    /// The SYN that opened a flow goes to the device inventory: its sender's OS fingerprint. One per new TCP flow.
    #[cold]
    fn syn_seen(&mut self, idx: u32, pkt: &PacketInfo, t: &xntop_wire::TcpInfo) {
        let Some(r) = self.sink.reporter.as_mut() else {
            return;
        };
        let f = self.table.flow(idx);
        if f.packets != [1, 0] || pkt.from != f.client {
            return;
        }
        r.current.push_syn(crate::devices::facts::SynSample {
            ip: f.key.addr(f.client),
            mac: f.macs[0],
            ts_ns: pkt.ts_ns,
            sig: t.syn,
            window: t.window,
            payload: pkt.payload_len > 0,
        });
    }

    /// Whether DPI still wants the payloads of the flow in `idx`.
    #[inline]
    fn wants_payload(&self, idx: u32) -> bool {
        !self.table.flow(idx).dpi.is_done()
    }

    /// Feeds a payload of the flow in `idx`, sent by `from`, to DPI (when it still wants it).
    #[inline]
    fn inspect(&mut self, idx: u32, from: Endpoint, payload: &[u8]) {
        let flow = self.table.flow_mut(idx);
        if flow.dpi.is_done() {
            return;
        }
        let dir = if flow.direction(from) == 0 {
            Dir::ToServer
        } else {
            Dir::ToClient
        };
        let ep = endpoints(flow);
        flow.dpi.feed(&mut self.dpi, &ep, dir, payload);
    }

    /// Bounded expiry and, when due, a report to the aggregator.
    fn housekeeping(&mut self) {
        self.table.purge(self.now_ns, PURGE_VISITS, &mut self.sink);
        if self
            .sink
            .reporter
            .as_ref()
            .is_some_and(|r| self.now_ns >= r.next_ns)
        {
            report(&mut self.table, &mut self.sink, self.now_ns, false);
        }
    }
}

/// Runs one worker to the end of its inputs, then flushes its flows.
#[allow(
    clippy::too_many_lines,
    reason = "the hot loop reads best in one piece"
)]
pub fn run(setup: WorkerSetup) -> WorkerStats {
    let WorkerSetup {
        id,
        core,
        max_flows,
        timeouts,
        mut inputs,
        output,
        backpressure,
        reports,
        run,
        mut payloads,
        dns_cache,
        mut live,
    } = setup;
    // Where a live payload that wrapped around its ring is made contiguous (never reallocated).
    let mut scratch: Vec<u8> = Vec::with_capacity(crate::live::LIVE_PAYLOAD_MAX);
    let pinned = core_affinity::set_for_current(core_affinity::CoreId { id: core });
    let mut shard = Shard {
        dpi: DpiContext::new(Arc::clone(&dns_cache)),
        table: FlowTable::new(max_flows, timeouts),
        sink: RecordSink {
            out: output,
            policy: backpressure,
            cache: dns_cache,
            dropped: 0,
            reporter: reports.map(|tx| Reporter::new(tx, max_flows)),
        },
        now_ns: 0,
        packets: 0,
        bytes: 0,
    };
    // 1 ns .. 10 s with 3 significant digits; recording never allocates.
    let mut batch_ns =
        Histogram::<u64>::new_with_bounds(1, 10_000_000_000, 3).unwrap_or_else(|_| {
            Histogram::<u64>::new(3).unwrap_or_else(|_| unreachable!("3 sigfig is valid"))
        });
    let mut batches = 0u64;
    let mut spins = 0u32;
    // Live: still receiving (and counted in `run.readers_running`); the poll set (queue sockets, then the
    // doorbell); when the counters are next published and the sockets' drop counters next read.
    let mut receiving = live.is_some();
    let mut poll_set = live.as_ref().map(|l| {
        let fds: Vec<_> = l
            .queues
            .iter()
            .map(LiveQueue::fd)
            .chain(std::iter::once(l.waker.fd()))
            .collect();
        PollSet::new(&fds)
    });
    let doorbell = live.as_ref().map_or(0, |l| l.queues.len());
    let file_inputs = payloads
        .iter()
        .filter(|p| matches!(p, PayloadSource::File(_)))
        .count();
    let (mut next_store_ns, mut next_socket_ns) = (0u64, 0u64);
    let mut queue_stats = Vec::new();
    loop {
        let mut worked = false;
        // A full batch somewhere: more is probably waiting, go on at once.
        let mut full = false;
        if let Some(l) = live.as_mut().filter(|_| receiving) {
            for q in &mut l.queues {
                let started = Instant::now();
                let mut clock = shard.now_ns;
                let got = q.receive(&mut clock, &mut l.handoff, |hash, key, pkt, payload| {
                    let idx = shard.track(hash, key, pkt);
                    if !payload.is_empty() {
                        if is_dhcp_client(key, pkt.from) {
                            shard.dhcp_client(key, pkt, payload);
                        }
                        shard.inspect(idx, pkt.from, payload);
                    }
                });
                shard.now_ns = shard.now_ns.max(clock);
                if got == 0 {
                    continue;
                }
                worked = true;
                full |= got == crate::live::RX_BATCH;
                shard.housekeeping();
                batches += 1;
                record_batch(&mut batch_ns, started);
            }
        }
        for (input, ring) in inputs.iter_mut().enumerate() {
            let mut source = payloads.get_mut(input);
            let n = ring.slots().min(BATCH);
            if n == 0 {
                continue;
            }
            let Ok(chunk) = ring.read_chunk(n) else {
                continue;
            };
            worked = true;
            full |= n == BATCH;
            let started = Instant::now();
            let (a, b) = chunk.as_slices();
            for desc in a.iter().chain(b) {
                shard.now_ns = shard.now_ns.max(desc.clock_ns);
                if desc.tick {
                    continue;
                }
                let pkt = PacketInfo {
                    ts_ns: desc.ts_ns,
                    now_ns: desc.clock_ns,
                    wire_len: desc.wire_len,
                    from: desc.from,
                    tcp: desc.tcp,
                    payload_len: desc.payload_len,
                    tunnel: desc.tunnel,
                    macs: desc.macs,
                };
                let idx = shard.track(desc.hash, &desc.key, &pkt);
                let dhcp = desc.payload_len > 0 && is_dhcp_client(&desc.key, desc.from);
                if let (true, Some(PayloadSource::File(file))) = (dhcp, source.as_deref()) {
                    let start = usize::try_from(desc.payload_offset).unwrap_or(usize::MAX);
                    let end = start.saturating_add(desc.payload_len as usize);
                    if let Some(payload) = file.data().get(start..end) {
                        shard.dhcp_client(&desc.key, &pkt, payload);
                    }
                }
                match source.as_deref_mut() {
                    Some(PayloadSource::File(file))
                        if desc.payload_len > 0 && shard.wants_payload(idx) =>
                    {
                        let start = usize::try_from(desc.payload_offset).unwrap_or(usize::MAX);
                        let end = start.saturating_add(desc.payload_len as usize);
                        if let Some(payload) = file.data().get(start..end) {
                            shard.inspect(idx, desc.from, payload);
                        }
                    }
                    Some(PayloadSource::Live(bytes)) if desc.payload_offset > 0 => {
                        // Always consume the copy, even when DPI is done with the flow.
                        let n = usize::try_from(desc.payload_offset).unwrap_or(0);
                        if let Ok(chunk) = bytes.read_chunk(n.min(bytes.slots())) {
                            if dhcp || shard.wants_payload(idx) {
                                let (a, b) = chunk.as_slices();
                                let payload = if b.is_empty() {
                                    a
                                } else {
                                    scratch.clear();
                                    scratch.extend_from_slice(a);
                                    scratch.extend_from_slice(b);
                                    &scratch[..]
                                };
                                if dhcp {
                                    shard.dhcp_client(&desc.key, &pkt, payload);
                                }
                                shard.inspect(idx, desc.from, payload);
                            }
                            chunk.commit_all();
                        }
                    }
                    _ => {}
                }
            }
            chunk.commit_all();
            shard.housekeeping();
            batches += 1;
            record_batch(&mut batch_ns, started);
        }
        if let Some(l) = live.as_mut() {
            // Live input runs on the wall clock: idle flows expire and reports go out on a quiet link too.
            let wall = realtime_ns();
            shard.now_ns = shard.now_ns.max(wall);
            run.advance_clock(shard.now_ns);
            if wall >= next_store_ns {
                next_store_ns = wall + STORE_NS;
                let read_socket = wall >= next_socket_ns;
                if read_socket {
                    next_socket_ns = wall + SOCKET_STATS_NS;
                }
                for q in &mut l.queues {
                    q.store(read_socket);
                }
                shard.housekeeping();
            }
            if receiving && run.stopping() {
                // Stop receiving; go on draining what peers hand over until every one of them has stopped too.
                receiving = false;
                queue_stats = l.queues.iter_mut().map(|q| (q.index, q.finish())).collect();
                run.readers_running.fetch_sub(1, Ordering::AcqRel);
                continue;
            }
        }
        if worked {
            spins = 0;
            if receiving && !full {
                // A thin batch: let packets gather for a moment instead of waking up for every few (user-space
                // interrupt coalescing; the sockets' rings and the hand-off rings hold far more than that).
                std::thread::sleep(COALESCE);
            }
            continue;
        }
        // Readers finish before we look at the rings again, so an empty ring now means it stays empty.
        if run.readers_done() && inputs.iter().all(Consumer::is_empty) {
            break;
        }
        match (live.as_ref(), poll_set.as_mut()) {
            (Some(l), Some(set)) => {
                // Idle: block until a socket has frames, a peer rings, or the timeout (stop requests, clock).
                l.waker.going_to_sleep();
                if !inputs.iter().all(Consumer::is_empty) {
                    l.waker.woke(false);
                    continue;
                }
                let timeout = if receiving && file_inputs == 0 {
                    IDLE_POLL_MS
                } else {
                    1
                };
                let _ = set.wait(timeout);
                l.waker.woke(set.is_ready(doorbell));
            }
            _ => backoff(&mut spins),
        }
    }
    // Every reader has finished: the clock is final and the same for every shard.
    let final_ns = shard.now_ns.max(run.clock());
    shard.table.flush(final_ns, &mut shard.sink);
    if shard.sink.reporter.is_some() {
        report(&mut shard.table, &mut shard.sink, final_ns, true);
    }
    // The sockets close only now: they were not read since `finish`.
    drop(live);
    run.workers_running.fetch_sub(1, Ordering::AcqRel);
    WorkerStats {
        id,
        core,
        pinned,
        packets: shard.packets,
        bytes: shard.bytes,
        batches,
        table: shard.table.stats(),
        records_dropped: shard.sink.dropped,
        reports_missed: shard.sink.reporter.map_or(0, |r| r.missed),
        batch_ns,
        dpi: shard.dpi.stats,
        queues: queue_stats,
    }
}

/// A DHCP client's message: UDP from port 68 to port 67.
#[inline]
fn is_dhcp_client(key: &FlowKey, from: Endpoint) -> bool {
    key.proto == 17
        && key.port(from) == crate::devices::facts::DHCP_CLIENT_PORT
        && key.port(from.peer()) == crate::devices::facts::DHCP_SERVER_PORT
}

/// Adds the time since `started` (at least 1 ns) to the batch-time histogram; recording never allocates.
fn record_batch(batch_ns: &mut Histogram<u64>, started: Instant) {
    let ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let _ = batch_ns.record(ns.max(1));
}

/// Hands the aggregator what changed in this shard since the last report.
fn report(table: &mut FlowTable, sink: &mut RecordSink, now_ns: u64, last: bool) {
    let Some(r) = sink.reporter.as_mut() else {
        return;
    };
    if !last && !r.wall_due() {
        return;
    }
    if !last && !r.ready() {
        r.defer();
        return;
    }
    let cache = &sink.cache;
    table.drain_touched(|f| {
        let mut s = FlowSample::of(f);
        s.class = f.dpi.final_classification(&endpoints(f), cache);
        r.current.push_updated(s);
        f.names_reported = r.current.push_names(f);
    });
    if last {
        r.send_final(now_ns);
    } else {
        r.send(now_ns);
    }
}
