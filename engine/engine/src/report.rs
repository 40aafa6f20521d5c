//! Worker → aggregator reports: what changed in a shard during one tick (1 s of packet time).
//!
//! A worker fills a report from the flows it touched and the flows that ended, then hands it to the aggregator
//! with `try_send`. When the channel is full the report is not lost and the worker does not wait: it keeps the
//! report, counts the miss, and sends the merged report at its next tick.

use std::sync::mpsc::{SyncSender, TrySendError};

use xntop_flow::{Endpoint, Flow, FlowKey};

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
        }
    }
}

/// One shard's changes since its previous report.
#[derive(Debug, Default)]
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
}

impl WorkerReport {
    /// Merges a newer report into this older one. The aggregator applies `ended` before `updated`, so an older
    /// live sample of a flow the newer report mentions (ended or updated) must go: the newer word supersedes it.
    fn absorb(&mut self, mut newer: WorkerReport) {
        self.clock_ns = newer.clock_ns;
        if !self.updated.is_empty() {
            let newer_keys: std::collections::HashSet<FlowKey> = newer
                .updated
                .iter()
                .chain(&newer.ended)
                .map(|s| s.key)
                .collect();
            self.updated.retain(|s| !newer_keys.contains(&s.key));
        }
        self.ended.append(&mut newer.ended);
        self.updated.append(&mut newer.updated);
        self.evicted += newer.evicted;
        self.missed += newer.missed;
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
}

/// Packet time between reports.
pub const REPORT_NS: u64 = 1_000_000_000;

impl Reporter {
    pub fn new(tx: SyncSender<WorkerReport>) -> Self {
        Self {
            tx,
            held: None,
            current: WorkerReport::default(),
            next_ns: 0,
            missed: 0,
        }
    }

    /// Sends what the current tick gathered (merged with any held report). Never blocks.
    pub fn send(&mut self, clock_ns: u64) {
        let mut report = std::mem::take(&mut self.current);
        report.clock_ns = clock_ns;
        if let Some(mut held) = self.held.take() {
            held.absorb(report);
            report = held;
        }
        self.next_ns = clock_ns.saturating_add(REPORT_NS);
        match self.tx.try_send(report) {
            Ok(()) => {}
            Err(TrySendError::Full(mut r)) => {
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
        while let Some(r) = self.held.take() {
            if self.tx.send(r).is_err() {
                break;
            }
        }
    }
}
