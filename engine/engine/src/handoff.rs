//! What crosses the reader → worker rings, and the shared run state.
//!
//! The reader decodes each frame once, so a descriptor carries the decoded flow identity and where the payload sits
//! in the (memory-mapped) capture; the worker never re-parses headers. Descriptors are plain `Copy` values moved in
//! batches through rtrb SPSC rings: no allocation, no lock.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use xntop_flow::{Endpoint, FlowKey, Mac};
use xntop_wire::{TcpInfo, Tunnel};

/// Descriptors per ring. A power of two; 16 Ki × ~112 B ≈ 1.8 MB per ring.
pub const RING_SLOTS: usize = 16 * 1024;
/// Descriptors the reader gathers per worker before publishing them, and the most a worker takes at once.
pub const BATCH: usize = 256;

/// One decoded packet on its way to the worker that owns its flow.
#[derive(Clone, Copy, Debug)]
pub struct PacketDesc {
    pub hash: u64,
    pub ts_ns: u64,
    /// The latest packet time of the input up to and including this packet, in file order. Expiry decisions use
    /// it, so they are the same whatever shard a flow lands in (see `xntop_flow::FlowTable`).
    pub clock_ns: u64,
    /// A clock tick, not a packet: only `clock_ns` is meaningful. Keeps quiet shards expiring their flows.
    pub tick: bool,
    pub key: FlowKey,
    pub from: Endpoint,
    pub wire_len: u32,
    /// Payload location in the capture's bytes.
    pub payload_offset: u64,
    pub payload_len: u32,
    pub tcp: Option<TcpInfo>,
    pub tunnel: Tunnel,
    /// The frame's source and destination MACs (zeros when the link type has none): 12 bytes a descriptor carries
    /// because only the worker knows whether the packet starts a flow, the one time they are read.
    pub macs: [Mac; 2],
}

/// State shared by every thread of a run: flags and clocks only, all lock-free.
#[derive(Debug, Default)]
pub struct RunState {
    /// Set by SIGINT/SIGTERM: readers stop, everything flushes.
    pub stop: Arc<AtomicBool>,
    /// Packet-time clock: the latest timestamp any reader has handed over, ns since the epoch.
    pub clock_ns: AtomicU64,
    /// Readers still running.
    pub readers_running: AtomicUsize,
    /// Workers still running.
    pub workers_running: AtomicUsize,
}

impl RunState {
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    pub fn advance_clock(&self, ts_ns: u64) {
        self.clock_ns.fetch_max(ts_ns, Ordering::Relaxed);
    }

    pub fn clock(&self) -> u64 {
        self.clock_ns.load(Ordering::Relaxed)
    }

    pub fn readers_done(&self) -> bool {
        self.readers_running.load(Ordering::Acquire) == 0
    }

    pub fn workers_done(&self) -> bool {
        self.workers_running.load(Ordering::Acquire) == 0
    }
}
