//! Worker → aggregator reports: what changed in a shard during one tick (1 s of packet time).
//!
//! A worker fills a report from the flows it touched and the flows that ended, then hands it to the aggregator
//! with `try_send`. The worker never waits for the aggregator: while two of its reports are still unapplied it
//! does not even gather the next one (its touched flows stay marked in the table, so nothing is lost and no
//! work is wasted), it counts the miss and tries again after its next batch. Should the channel still be full,
//! the report is kept and merged into the next one.

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::Arc;

use xntop_flow::{Endpoint, Flow, FlowKey, Mac};
use xntop_model::L7Meta;

/// A flow's counters as of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowSample {
    pub key: FlowKey,
    pub client: Endpoint,
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
    pub first_ns: u64,
    pub last_ns: u64,
    /// An active-timeout record: the flow goes on with its counters reset.
    pub partial: bool,
    /// The flow's verdict as of the report (final for an ended flow).
    pub class: xntop_dpi::Classification,
    /// MACs of the flow's first packet, `[client's, server's]` (zeros: unknown).
    pub macs: [Mac; 2],
}

impl FlowSample {
    pub fn of(f: &Flow) -> Self {
        Self {
            partial: false,
            key: f.key,
            client: f.client,
            packets: f.packets,
            bytes: f.bytes,
            first_ns: f.first_ns,
            last_ns: f.last_ns,
            class: f.dpi.classification(),
            macs: f.macs,
        }
    }
}

/// A name DPI learned for an address, on its way to the aggregator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameSample {
    pub ip: IpAddr,
    pub name: Box<str>,
    /// First packet time of the flow that told it: the aggregator keeps, per address, the name of the latest
    /// flow, which does not depend on how flows were spread over shards or when reports went out.
    pub ts_ns: u64,
}

/// DNS query types whose answers name the addresses they list (A and AAAA). Answers to others (MX, SRV, …)
/// belong to other names than the query's.
const NAMING_QTYPES: [u16; 2] = [1, 28];

/// How many names a flow's metadata yields (what [`flow_names`] would pass on), capped at `u8::MAX`. A flow's
/// names are passed on again only when this grows (a second DNS response on the same socket, say).
#[must_use]
pub fn name_count(meta: &L7Meta, client: IpAddr) -> u8 {
    let mut n = 0usize;
    flow_names(meta, client, IpAddr::from([0, 0, 0, 0]), |_, _| n += 1);
    u8::try_from(n).unwrap_or(u8::MAX)
}

/// The names a flow's DPI metadata teaches, as (address, name):
/// - a DNS response to an A/AAAA query (rcode 0): each answered address → the query name;
/// - any other flow with a server name (TLS/QUIC SNI, HTTP Host): the server → that name;
/// - a DHCP client host name (option 12): the client → that name, unless the client has no address yet
///   (0.0.0.0, the DISCOVER/REQUEST case).
///
/// A DNS flow's server name is its query, not the resolver's name, so it names no server. Names that are
/// address literals (`Host: 10.0.0.1`) name nothing.
pub fn flow_names(meta: &L7Meta, client: IpAddr, server: IpAddr, mut f: impl FnMut(IpAddr, &str)) {
    let usable = |n: &str| !n.is_empty() && n.parse::<IpAddr>().is_err();
    if let Some(q) = meta.dns_query.as_deref() {
        let naming = meta.dns_qtype.is_none_or(|t| NAMING_QTYPES.contains(&t));
        if naming && meta.dns_rcode == Some(0) && usable(q) {
            for &a in &meta.dns_answers {
                f(a, q);
            }
        }
    } else if let Some(n) = meta.server_name.as_deref().filter(|n| usable(n)) {
        f(server, n);
    }
    if let Some(h) = meta.dhcp_hostname.as_deref().filter(|n| usable(n)) {
        if !client.is_unspecified() {
            f(client, h);
        }
    }
}

/// One shard's changes since its previous report.
#[derive(Debug)]
pub struct WorkerReport {
    /// The shard's clock at the report.
    pub clock_ns: u64,
    /// Flows that ended (or emitted an active-timeout partial) since the last report, with their final counters,
    /// in the order they ended.
    pub ended: Vec<FlowSample>,
    /// Live flows that received packets since the last report, with their current counters.
    pub updated: Vec<FlowSample>,
    /// Flows evicted by the cap since the last report.
    pub evicted: u64,
    /// Reports the channel had no room for (counted by the sender, carried by the next report).
    pub missed: u64,
    /// Samples left out because a report was full (the aggregator is behind): memory stays bounded, the view's
    /// per-host and per-application sums miss what they carried, and this says how much.
    pub samples_dropped: u64,
    /// Names learned by DPI since the last report (each flow's once, when it first has them or gains more).
    pub names: Vec<NameSample>,
    /// Names left out because the report held [`MAX_REPORT_NAMES`] already.
    pub names_dropped: u64,
    /// What flows taught about devices (DHCP, User-Agent, mDNS) and the SYNs of new TCP flows, for the inventory;
    /// what did not fit is counted in `facts_dropped`.
    pub facts: Vec<crate::devices::facts::Fact>,
    pub syns: Vec<crate::devices::facts::SynSample>,
    pub facts_dropped: u64,
    /// Samples this report may hold.
    pub limit: usize,
    /// The sender's clock is this machine's wall clock (a collector): the aggregator never lets it take packet
    /// time past its own wall clock, whatever the report says.
    pub wall_clock: bool,
    /// The sender's count of reports in flight and its pool of spare sample buffers: the aggregator hands both
    /// back when it has applied this report.
    pub ack: Option<Arc<ReportAck>>,
}

/// Shared by a worker and the aggregator: how many of the worker's reports are unapplied, and the sample buffers
/// of applied ones, so a worker refills the same memory every report instead of faulting in fresh pages (a
/// million samples are ~130 MB).
#[derive(Debug, Default)]
pub struct ReportAck {
    in_flight: AtomicUsize,
    spare: std::sync::Mutex<Vec<Vec<FlowSample>>>,
}

/// Buffers kept for reuse per worker: a report's two lists, twice.
const SPARE_BUFFERS: usize = 4;

impl ReportAck {
    /// A cleared buffer from an applied report, if one is there. Never waits: a worker that finds the pool busy
    /// allocates instead.
    fn reuse(&self) -> Vec<FlowSample> {
        self.spare
            .try_lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default()
    }
}

impl Default for WorkerReport {
    fn default() -> Self {
        Self {
            clock_ns: 0,
            ended: Vec::new(),
            updated: Vec::new(),
            evicted: 0,
            missed: 0,
            samples_dropped: 0,
            names: Vec::new(),
            names_dropped: 0,
            facts: Vec::new(),
            syns: Vec::new(),
            facts_dropped: 0,
            limit: MAX_REPORT_SAMPLES,
            wall_clock: false,
            ack: None,
        }
    }
}

/// Names one report holds at most (a few MiB). A name left out is learned again from the next flow that tells it.
pub const MAX_REPORT_NAMES: usize = 1 << 14;

/// Samples one report holds at least room for; a worker's reports hold up to its flow table's capacity more, so
/// every live flow of a full table fits. A live update left out is superseded by the next one for its flow; an
/// ended flow left out stays in the view until the aggregator's stale-flow purge.
pub const MAX_REPORT_SAMPLES: usize = 1 << 17;

/// A worker's reports the aggregator may not have applied yet before the worker stops gathering new ones: one
/// being applied and one waiting. Bounds the memory of reports to two per worker.
const MAX_IN_FLIGHT: usize = 2;

impl WorkerReport {
    /// The aggregator has applied this report: the sender may gather another, in these buffers.
    pub fn acknowledge(&mut self) {
        if let Some(a) = self.ack.take() {
            if let Ok(mut pool) = a.spare.lock() {
                for mut v in [
                    std::mem::take(&mut self.updated),
                    std::mem::take(&mut self.ended),
                ] {
                    if pool.len() < SPARE_BUFFERS && v.capacity() > 0 {
                        v.clear();
                        pool.push(v);
                    }
                }
            }
            a.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// The report was not sent after all: it is no longer in flight, and keeps its contents.
    fn unsend(&mut self) {
        if let Some(a) = self.ack.take() {
            a.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl WorkerReport {
    /// Adds an ended flow's sample, or counts it when the report is full.
    pub fn push_ended(&mut self, s: FlowSample) {
        if self.ended.len() + self.updated.len() < self.limit {
            self.ended.push(s);
        } else if let Some(slot) = self.updated.pop() {
            // Live updates are cumulative (the next one repeats them): make room by dropping one.
            let _ = slot;
            self.samples_dropped += 1;
            self.ended.push(s);
        } else {
            self.samples_dropped += 1;
        }
    }

    /// Adds the names a flow taught since it last passed them on (none when it taught nothing new), or counts them
    /// when the report is full. Allocates only for a flow with new names: at most a few times per flow.
    pub fn push_names(&mut self, f: &Flow) -> u8 {
        let Some(meta) = f.dpi.meta() else {
            return f.names_reported;
        };
        let client = f.key.addr(f.client);
        let client_port = f.key.port(f.client);
        let n = name_count(meta, client).saturating_add(crate::devices::facts::count(meta));
        if n <= f.names_reported {
            return f.names_reported;
        }
        if client_port == crate::devices::facts::DHCP_SERVER_PORT && meta.dhcp_hostname.is_some() {
            // A DHCP server's reply may echo the client's host name: it does not name the server.
            let reply = L7Meta {
                dhcp_hostname: None,
                ..meta.clone()
            };
            self.push_meta_names(&reply, client, f.key.addr(f.client.peer()), f.first_ns);
        } else {
            self.push_meta_names(meta, client, f.key.addr(f.client.peer()), f.first_ns);
        }
        self.push_facts(meta, client, f.macs[0], f.first_ns);
        n
    }

    /// Adds the device facts `meta` holds about a flow's client.
    pub fn push_facts(&mut self, meta: &L7Meta, ip: IpAddr, mac: Mac, ts_ns: u64) {
        crate::devices::facts::facts(meta, |kind, value| {
            self.push_fact(ip, mac, ts_ns, kind, value);
        });
    }

    /// Adds the facts of one DHCP client message from `ip`/`mac` (its UDP payload).
    pub fn push_dhcp(&mut self, ip: IpAddr, mac: Mac, ts_ns: u64, payload: &[u8]) {
        crate::devices::facts::dhcp_facts(payload, |kind, value| {
            self.push_fact(ip, mac, ts_ns, kind, value);
        });
    }

    fn push_fact(
        &mut self,
        ip: IpAddr,
        mac: Mac,
        ts_ns: u64,
        kind: crate::devices::facts::FactKind,
        value: &str,
    ) {
        if self.facts.len() < crate::devices::facts::MAX_REPORT_FACTS {
            self.facts.push(crate::devices::facts::Fact {
                ip,
                mac,
                ts_ns,
                kind,
                value: value.into(),
            });
        } else {
            self.facts_dropped += 1;
        }
    }

    /// Adds the SYN of a new TCP flow (never allocates past the first report's growth: the list is capped).
    pub fn push_syn(&mut self, s: crate::devices::facts::SynSample) {
        if self.syns.len() < crate::devices::facts::MAX_REPORT_SYNS {
            self.syns.push(s);
        } else {
            self.facts_dropped += 1;
        }
    }

    /// Adds every name `meta` teaches about a flow that started at `ts_ns` (see [`flow_names`]).
    pub fn push_meta_names(&mut self, meta: &L7Meta, client: IpAddr, server: IpAddr, ts_ns: u64) {
        flow_names(meta, client, server, |ip, name| {
            if self.names.len() < MAX_REPORT_NAMES {
                self.names.push(NameSample {
                    ip,
                    name: name.into(),
                    ts_ns,
                });
            } else {
                self.names_dropped += 1;
            }
        });
    }

    /// Adds a live flow's sample, or counts it when the report is full.
    pub fn push_updated(&mut self, s: FlowSample) {
        if self.ended.len() + self.updated.len() < self.limit {
            self.updated.push(s);
        } else {
            self.samples_dropped += 1;
        }
    }
}

impl WorkerReport {
    /// Merges a newer report into this older one. The aggregator applies `ended` before `updated`, so an older
    /// live sample of a flow the newer report mentions (ended or updated) must go: the newer word supersedes it.
    fn absorb(&mut self, mut newer: WorkerReport) {
        self.clock_ns = newer.clock_ns;
        self.limit = self.limit.max(newer.limit);
        self.wall_clock |= newer.wall_clock;
        if !self.updated.is_empty() {
            let newer_keys: std::collections::HashSet<FlowKey> = newer
                .updated
                .iter()
                .chain(&newer.ended)
                .map(|s| s.key)
                .collect();
            self.updated.retain(|s| !newer_keys.contains(&s.key));
        }
        self.evicted += newer.evicted;
        self.missed += newer.missed;
        self.samples_dropped += newer.samples_dropped;
        for s in newer.ended.drain(..) {
            self.push_ended(s);
        }
        for s in newer.updated.drain(..) {
            self.push_updated(s);
        }
        self.names_dropped += newer.names_dropped;
        let room = MAX_REPORT_NAMES.saturating_sub(self.names.len());
        self.names_dropped += newer.names.len().saturating_sub(room) as u64;
        self.names.extend(newer.names.into_iter().take(room));
        self.facts_dropped += newer.facts_dropped;
        for f in newer.facts {
            if self.facts.len() < crate::devices::facts::MAX_REPORT_FACTS {
                self.facts.push(f);
            } else {
                self.facts_dropped += 1;
            }
        }
        for s in newer.syns {
            self.push_syn(s);
        }
    }
}

/// The sending side kept by a worker.
pub struct Reporter {
    tx: SyncSender<WorkerReport>,
    /// A report the channel refused, waiting for the next tick.
    held: Option<WorkerReport>,
    pub current: WorkerReport,
    pub next_ns: u64,
    pub missed: u64,
    /// Reports sent and not yet applied by the aggregator, and buffers it gave back.
    ack: Arc<ReportAck>,
    /// This tick's report is waiting for the aggregator (counted once in `missed`).
    deferred: bool,
    /// Wall time of the last report sent.
    sent_at: Option<std::time::Instant>,
    limit: usize,
    /// Reports are marked as on the wall clock.
    wall_clock: bool,
}

/// Packet time between reports.
pub const REPORT_NS: u64 = 1_000_000_000;

impl Reporter {
    /// `capacity`: the most live flows the sender can have (its flow table's size), all of which a report must be
    /// able to carry.
    pub fn new(tx: SyncSender<WorkerReport>, capacity: usize) -> Self {
        let limit = MAX_REPORT_SAMPLES.saturating_add(capacity);
        Self {
            tx,
            held: None,
            current: WorkerReport {
                limit,
                ..WorkerReport::default()
            },
            next_ns: 0,
            missed: 0,
            ack: Arc::new(ReportAck::default()),
            deferred: false,
            sent_at: None,
            limit,
            wall_clock: false,
        }
    }

    /// Marks this sender's reports as on the wall clock (see [`WorkerReport::wall_clock`]).
    #[must_use]
    pub fn wall_clocked(mut self) -> Self {
        self.wall_clock = true;
        self
    }

    /// Whether a wall-clock second has passed since the last report. A replay at full speed runs through seconds
    /// of packet time faster than that; gathering a report (a pass over every touched flow) once per wall second
    /// keeps its cost per packet flat and the view no less fresh (it is published once a second).
    pub fn wall_due(&self) -> bool {
        self.sent_at
            .is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(1))
    }

    /// Whether the aggregator has caught up enough for a new report to be gathered.
    pub fn ready(&self) -> bool {
        self.ack.in_flight.load(Ordering::Acquire) < MAX_IN_FLIGHT
    }

    /// The aggregator is behind: this tick's report waits (what it would carry stays with the sender).
    pub fn defer(&mut self) {
        if !self.deferred {
            self.deferred = true;
            self.missed += 1;
            self.current.missed += 1;
        }
    }

    /// Sends what the current tick gathered (merged with any held report). Never blocks.
    pub fn send(&mut self, clock_ns: u64) {
        self.deferred = false;
        self.sent_at = Some(std::time::Instant::now());
        let fresh = WorkerReport {
            limit: self.limit,
            updated: self.ack.reuse(),
            ended: self.ack.reuse(),
            ..WorkerReport::default()
        };
        let mut report = std::mem::replace(&mut self.current, fresh);
        report.clock_ns = clock_ns;
        report.wall_clock = self.wall_clock;
        if let Some(mut held) = self.held.take() {
            held.absorb(report);
            report = held;
        }
        self.next_ns = clock_ns.saturating_add(REPORT_NS);
        self.ack.in_flight.fetch_add(1, Ordering::AcqRel);
        report.ack = Some(Arc::clone(&self.ack));
        match self.tx.try_send(report) {
            Ok(()) => {}
            Err(TrySendError::Full(mut r)) => {
                r.unsend();
                self.missed += 1;
                r.missed += 1;
                self.held = Some(r);
            }
            // The aggregator is gone (shutting down): nothing left to tell.
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// At the end of the run the last report must arrive: wait for room (the aggregator is draining).
    pub fn send_final(&mut self, clock_ns: u64) {
        self.send(clock_ns);
        while let Some(mut r) = self.held.take() {
            self.ack.in_flight.fetch_add(1, Ordering::AcqRel);
            r.ack = Some(Arc::clone(&self.ack));
            if self.tx.send(r).is_err() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod cap_tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn sample(i: u32) -> FlowSample {
        let (key, client) = FlowKey::new(
            IpAddr::V4(Ipv4Addr::from(i)),
            1,
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            2,
            17,
            0,
            0,
        );
        FlowSample {
            key,
            client,
            packets: [1, 0],
            bytes: [60, 0],
            first_ns: 0,
            last_ns: 0,
            partial: false,
            class: xntop_dpi::Classification::default(),
            macs: [[0; 6]; 2],
        }
    }

    /// A full report stays bounded and says what it left out; ended flows push live updates out, not the reverse.
    #[test]
    fn full_reports_stay_bounded_and_count_what_they_drop() {
        let mut r = WorkerReport::default();
        let n = u32::try_from(MAX_REPORT_SAMPLES).unwrap_or(u32::MAX);
        for i in 0..n {
            r.push_updated(sample(i));
        }
        for i in 0..10 {
            r.push_ended(sample(n + i));
        }
        r.push_updated(sample(n + 100));
        assert_eq!(r.ended.len() + r.updated.len(), MAX_REPORT_SAMPLES);
        assert_eq!(r.ended.len(), 10);
        assert_eq!(r.samples_dropped, 11);
        let mut older = WorkerReport::default();
        older.absorb(r);
        assert_eq!(older.ended.len() + older.updated.len(), MAX_REPORT_SAMPLES);
        assert_eq!(older.samples_dropped, 11);
    }
}
