//! One shard's flow table: lookup, per-packet accounting, and expiry.
//!
//! Expiry is deterministic in packet time. A packet that finds its flow already past the idle timeout (or past the
//! close grace) ends that flow first and starts a new one, and an active timeout is checked on every packet, so the
//! records do not depend on when the background purge happens to run — which is what makes results identical for
//! any number of workers. The purge ([`FlowTable::purge`]) only frees memory early, visiting a bounded number of
//! list heads per call.

use hashbrown::HashTable;
use xntop_wire::{tcp_flags, TcpInfo, Tunnel};

use crate::key::{Endpoint, FlowKey};
use crate::lru::{self, LinkStore, Links, List, NIL};
use crate::tcp::TcpTracker;
use xntop_dpi::FlowDpi;

/// Expiry classes, one list each.
const LIST_TCP: u8 = 0;
const LIST_UDP: u8 = 1;
const LIST_OTHER: u8 = 2;
/// TCP flows that saw both FINs or a RST, waiting out the grace period.
const LIST_FINISHED: u8 = 3;
const LISTS: usize = 4;

/// Timeouts in nanoseconds of packet time.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub tcp_idle_ns: u64,
    pub udp_idle_ns: u64,
    pub other_idle_ns: u64,
    /// How long a closed or reset TCP flow keeps collecting stragglers (late ACKs, repeated RSTs).
    pub tcp_close_grace_ns: u64,
    /// A flow older than this emits a partial record and starts counting anew (0 = never).
    pub active_ns: u64,
}

impl Default for Timeouts {
    /// ntopng-like defaults: 60 s idle, 2 s close grace, 120 s active timeout (nProbe's lifetime default).
    fn default() -> Self {
        const S: u64 = 1_000_000_000;
        Self {
            tcp_idle_ns: 60 * S,
            udp_idle_ns: 60 * S,
            other_idle_ns: 60 * S,
            tcp_close_grace_ns: 2 * S,
            active_ns: 120 * S,
        }
    }
}

/// Why a flow record was emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EndReason {
    Idle,
    /// A partial record of a long flow; the flow goes on.
    ActiveTimeout,
    TcpClosed,
    TcpReset,
    /// Pushed out by the `-X` cap.
    Evicted,
    /// Still live when the capture ended or the process was told to stop.
    Shutdown,
}

impl EndReason {
    pub const ALL: [EndReason; 6] = [
        EndReason::Idle,
        EndReason::ActiveTimeout,
        EndReason::TcpClosed,
        EndReason::TcpReset,
        EndReason::Evicted,
        EndReason::Shutdown,
    ];

    /// Name used in flow records.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::ActiveTimeout => "active_timeout",
            Self::TcpClosed => "tcp_closed",
            Self::TcpReset => "tcp_reset",
            Self::Evicted => "evicted",
            Self::Shutdown => "shutdown",
        }
    }
}

/// One flow's state. Index 0 of the per-direction arrays is client → server.
#[derive(Clone, Debug)]
pub struct Flow {
    pub key: FlowKey,
    /// The endpoint that opened the flow: the SYN's sender, else the first packet's sender.
    pub client: Endpoint,
    pub tunnel: Tunnel,
    /// Link-layer addresses of the flow's first packet: `[client's, server's]`, as the frame carried them (the
    /// outer frame of a tunnel). All zeros when unknown (no Ethernet header, or the cooked capture's
    /// destination). Set once when the flow is created; never touched per packet afterwards.
    pub macs: [Mac; 2],
    /// Learned names (DNS answers, SNI/Host, DHCP host name) the owner has already passed on, so that it passes
    /// each flow's names once rather than with every report. The table only resets it when the slot is reused.
    pub names_reported: u8,
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
    pub first_ns: u64,
    pub last_ns: u64,
    pub tcp: TcpTracker,
    /// Protocol detection: verdict and metadata inline, detection state boxed while in progress.
    pub dpi: FlowDpi,
    /// Expiry-list links; `links.mark` = changed since the last [`FlowTable::drain_touched`].
    links: Links,
}

impl Flow {
    /// Direction index of a packet sent by `from`: 0 = client → server.
    #[must_use]
    pub fn direction(&self, from: Endpoint) -> usize {
        usize::from(from != self.client)
    }

    fn list(&self) -> u8 {
        match self.key.proto {
            6 if self.tcp.state.is_finished() => LIST_FINISHED,
            6 => LIST_TCP,
            17 => LIST_UDP,
            _ => LIST_OTHER,
        }
    }
}

/// What the table needs from one decoded packet.
#[derive(Clone, Copy, Debug)]
pub struct PacketInfo {
    pub ts_ns: u64,
    /// The input's clock at this packet: the latest packet time so far in capture order (≥ `ts_ns`). Timeouts are
    /// judged against it, as the purge does, so a flow ends the same way whichever shard it is in.
    pub now_ns: u64,
    /// Frame length on the wire.
    pub wire_len: u32,
    pub from: Endpoint,
    pub tcp: Option<TcpInfo>,
    pub payload_len: u32,
    pub tunnel: Tunnel,
    /// The frame's source and destination link-layer addresses (all zeros when the link type has none). Read
    /// only when the packet creates a flow.
    pub macs: [Mac; 2],
}

/// A link-layer (Ethernet) address; all zeros means none is known.
pub type Mac = [u8; 6];

/// Receives flows as they end. Called with the flow still in the table, before its slot is reused.
pub trait FlowSink {
    fn flow_ended(&mut self, flow: &Flow, reason: EndReason);
}

/// Counters of the table's life.
#[derive(Clone, Copy, Debug, Default)]
pub struct TableStats {
    pub created: u64,
    /// Records emitted, by [`EndReason`] (index = `reason as usize`).
    pub ended: [u64; 6],
    pub peak_live: u64,
    /// DPI detection states freed because their flow ended before it was classified.
    pub dpi_released: u64,
}

/// Flows per storage chunk. Storage grows a chunk at a time and never moves a flow, so growing a table of a
/// million flows never holds an old and a new copy at once (a doubling `Vec` would, for a moment, 1.5× the memory).
const CHUNK_BITS: u32 = 12;
const CHUNK: usize = 1 << CHUNK_BITS;

#[derive(Default)]
struct Slots {
    chunks: Vec<Vec<Flow>>,
    len: usize,
}

impl Slots {
    #[inline]
    fn get(&self, idx: u32) -> &Flow {
        &self.chunks[(idx >> CHUNK_BITS) as usize][idx as usize & (CHUNK - 1)]
    }

    #[inline]
    fn get_mut(&mut self, idx: u32) -> &mut Flow {
        &mut self.chunks[(idx >> CHUNK_BITS) as usize][idx as usize & (CHUNK - 1)]
    }

    /// Appends a flow, returning its index.
    fn push(&mut self, flow: Flow) -> u32 {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let idx = u32::try_from(self.len).unwrap_or(NIL - 1);
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(flow);
        }
        self.len += 1;
        idx
    }
}

impl LinkStore for Slots {
    fn links(&mut self, idx: u32) -> &mut Links {
        &mut self.get_mut(idx).links
    }
}

/// A shard's flow table. Capacity is a hard cap: when full, the idlest flow is evicted.
pub struct FlowTable {
    index: HashTable<u32>,
    slots: Slots,
    free: Vec<u32>,
    lists: [List; LISTS],
    max_flows: usize,
    timeouts: Timeouts,
    stats: TableStats,
    /// Slots changed since the last drain (a slot may appear twice if it was reused; the mark dedups).
    touched: Vec<u32>,
}

impl FlowTable {
    /// A table that holds at most `max_flows` (at least 1) live flows.
    #[must_use]
    pub fn new(max_flows: usize, timeouts: Timeouts) -> Self {
        Self {
            // Sized for the cap up front: growing a table of a million entries would rehash them all inside one
            // batch (a multi-millisecond stall). Only the control bytes are touched until buckets fill.
            index: HashTable::with_capacity(max_flows.clamp(1, 1 << 26)),
            slots: Slots::default(),
            free: Vec::new(),
            lists: [List::default(); LISTS],
            max_flows: max_flows.max(1),
            timeouts,
            stats: TableStats::default(),
            touched: Vec::new(),
        }
    }

    /// Live flows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.index.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    #[must_use]
    pub fn stats(&self) -> TableStats {
        self.stats
    }

    /// The flow in slot `idx` (as returned by [`FlowTable::update`]).
    #[must_use]
    pub fn flow(&self, idx: u32) -> &Flow {
        self.slots.get(idx)
    }

    /// The flow in slot `idx`, to update its DPI state.
    pub fn flow_mut(&mut self, idx: u32) -> &mut Flow {
        self.slots.get_mut(idx)
    }

    /// Accounts one packet to its flow, creating the flow when needed, and returns the flow's slot.
    /// `hash` must be `key.symmetric_hash()` (the reader computed it to pick this shard).
    pub fn update<S: FlowSink>(
        &mut self,
        hash: u64,
        key: &FlowKey,
        pkt: &PacketInfo,
        sink: &mut S,
    ) -> u32 {
        let found = self
            .index
            .find(hash, |&i| self.slots.get(i).key == *key)
            .copied();
        let idx = match found {
            Some(idx) if self.still_current(idx, pkt, sink) => idx,
            _ => self.create(hash, key, pkt, sink),
        };
        self.account(idx, pkt, sink);
        idx
    }

    /// Calls `f` with every live flow that received packets since the previous call (each once), for periodic
    /// reports. Work is proportional to the flows touched, not to the table size.
    pub fn drain_touched(&mut self, mut f: impl FnMut(&mut Flow)) {
        let mut touched = std::mem::take(&mut self.touched);
        for &idx in &touched {
            let flow = self.slots.get_mut(idx);
            if flow.links.mark {
                flow.links.mark = false;
                f(flow);
            }
        }
        touched.clear();
        self.touched = touched;
    }

    /// Ends flows that are past their timeout at `now_ns`, visiting at most `max_visits` list heads.
    /// Returns how many flows ended.
    pub fn purge<S: FlowSink>(&mut self, now_ns: u64, max_visits: usize, sink: &mut S) -> usize {
        let mut ended = 0;
        let mut visits = 0;
        for which in 0..LISTS {
            while visits < max_visits {
                let head = self.lists[which].head;
                if head == NIL {
                    break;
                }
                visits += 1;
                match self.expiry_reason(head, now_ns) {
                    Some(reason) => {
                        self.end(head, reason, sink);
                        ended += 1;
                    }
                    None => break,
                }
            }
        }
        ended
    }

    /// Ends every live flow: those past their timeout at `now_ns` as they would have ended anyway, the others as
    /// [`EndReason::Shutdown`].
    pub fn flush<S: FlowSink>(&mut self, now_ns: u64, sink: &mut S) {
        for which in 0..LISTS {
            loop {
                let head = self.lists[which].head;
                if head == NIL {
                    break;
                }
                let flow = self.slots.get(head);
                // A finished TCP connection has ended whatever its grace: say how.
                let reason = match self.expiry_reason(head, now_ns) {
                    Some(r) => r,
                    None if flow.list() == LIST_FINISHED => Self::finished_reason(flow),
                    None => EndReason::Shutdown,
                };
                self.end(head, reason, sink);
            }
        }
    }

    fn idle_timeout(&self, flow: &Flow) -> u64 {
        match flow.list() {
            LIST_TCP => self.timeouts.tcp_idle_ns,
            LIST_UDP => self.timeouts.udp_idle_ns,
            LIST_FINISHED => self.timeouts.tcp_close_grace_ns,
            _ => self.timeouts.other_idle_ns,
        }
    }

    fn finished_reason(flow: &Flow) -> EndReason {
        if flow.tcp.state == crate::TcpState::Reset {
            EndReason::TcpReset
        } else {
            EndReason::TcpClosed
        }
    }

    fn expiry_reason(&self, idx: u32, now_ns: u64) -> Option<EndReason> {
        let flow = self.slots.get(idx);
        if now_ns.saturating_sub(flow.last_ns) <= self.idle_timeout(flow) {
            return None;
        }
        Some(if flow.list() == LIST_FINISHED {
            Self::finished_reason(flow)
        } else {
            EndReason::Idle
        })
    }

    /// Decides whether the packet continues flow `idx`; if not, ends the flow and returns false.
    fn still_current<S: FlowSink>(&mut self, idx: u32, pkt: &PacketInfo, sink: &mut S) -> bool {
        if let Some(reason) = self.expiry_reason(idx, pkt.now_ns) {
            self.end(idx, reason, sink);
            return false;
        }
        let flow = self.slots.get(idx);
        let new_syn = pkt
            .tcp
            .is_some_and(|t| t.flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN);
        if flow.tcp.state.is_finished() && new_syn {
            // The 5-tuple is being reused by a new connection.
            let reason = Self::finished_reason(flow);
            self.end(idx, reason, sink);
            return false;
        }
        if self.timeouts.active_ns != 0
            && pkt.ts_ns.saturating_sub(flow.first_ns) >= self.timeouts.active_ns
        {
            sink.flow_ended(flow, EndReason::ActiveTimeout);
            self.stats.ended[EndReason::ActiveTimeout as usize] += 1;
            let flow = self.slots.get_mut(idx);
            flow.packets = [0; 2];
            flow.bytes = [0; 2];
            flow.tcp.flags = [0; 2];
            flow.first_ns = pkt.ts_ns;
        }
        true
    }

    fn create<S: FlowSink>(
        &mut self,
        hash: u64,
        key: &FlowKey,
        pkt: &PacketInfo,
        sink: &mut S,
    ) -> u32 {
        if self.index.len() >= self.max_flows {
            self.evict_idlest(sink);
        }
        let client = match pkt.tcp {
            // A SYN-ACK as the first packet: its receiver opened the connection.
            Some(t)
                if t.flags & (tcp_flags::SYN | tcp_flags::ACK)
                    == tcp_flags::SYN | tcp_flags::ACK =>
            {
                pkt.from.peer()
            }
            _ => pkt.from,
        };
        // The first packet's sender is the client unless it answered a SYN.
        let macs = if client == pkt.from {
            pkt.macs
        } else {
            [pkt.macs[1], pkt.macs[0]]
        };
        let flow = Flow {
            key: *key,
            client,
            tunnel: pkt.tunnel,
            macs,
            names_reported: 0,
            packets: [0; 2],
            bytes: [0; 2],
            first_ns: pkt.ts_ns,
            last_ns: pkt.ts_ns,
            tcp: TcpTracker::default(),
            dpi: FlowDpi::default(),
            links: Links::default(),
        };
        let idx = if let Some(idx) = self.free.pop() {
            *self.slots.get_mut(idx) = flow;
            idx
        } else {
            self.slots.push(flow)
        };
        let slots = &self.slots;
        self.index
            .insert_unique(hash, idx, |&i| slots.get(i).key.symmetric_hash());
        self.stats.created += 1;
        self.stats.peak_live = self.stats.peak_live.max(self.index.len() as u64);
        idx
    }

    fn account<S: FlowSink>(&mut self, idx: u32, pkt: &PacketInfo, _sink: &mut S) {
        let flow = self.slots.get_mut(idx);
        let dir = flow.direction(pkt.from);
        flow.packets[dir] += 1;
        flow.bytes[dir] += u64::from(pkt.wire_len);
        flow.last_ns = flow.last_ns.max(pkt.ts_ns);
        if let Some(t) = pkt.tcp {
            flow.tcp.flags[dir] |= t.flags;
            flow.tcp.update(
                dir,
                t.flags,
                t.seq,
                pkt.payload_len,
                pkt.ts_ns.saturating_sub(flow.first_ns),
            );
        }
        if !flow.links.mark {
            flow.links.mark = true;
            self.touched.push(idx);
        }
        let list = flow.list();
        lru::touch(&mut self.slots, &mut self.lists, list, idx);
    }

    fn evict_idlest<S: FlowSink>(&mut self, sink: &mut S) {
        let victim = self
            .lists
            .iter()
            .map(|l| l.head)
            .filter(|&h| h != NIL)
            .min_by_key(|&h| self.slots.get(h).last_ns);
        if let Some(idx) = victim {
            self.end(idx, EndReason::Evicted, sink);
        }
    }

    fn end<S: FlowSink>(&mut self, idx: u32, reason: EndReason, sink: &mut S) {
        let flow = self.slots.get(idx);
        sink.flow_ended(flow, reason);
        let hash = flow.key.symmetric_hash();
        let flow = self.slots.get_mut(idx);
        flow.links.mark = false;
        // Detection state and metadata go now, not when the slot is reused.
        if flow.dpi.holds_state() {
            self.stats.dpi_released += 1;
        }
        flow.dpi = FlowDpi::default();
        self.stats.ended[reason as usize] += 1;
        if let Ok(entry) = self.index.find_entry(hash, |&i| i == idx) {
            entry.remove();
        }
        lru::unlink(&mut self.slots, &mut self.lists, idx);
        self.free.push(idx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};
    use xntop_wire::tcp_flags::{ACK, FIN, RST, SYN};

    const S: u64 = 1_000_000_000;

    /// (key, reason, packets, bytes, client) of each ended flow.
    type Ended = (FlowKey, EndReason, [u64; 2], [u64; 2], Endpoint);

    #[derive(Default)]
    struct Collect(Vec<Ended>);
    impl FlowSink for Collect {
        fn flow_ended(&mut self, f: &Flow, r: EndReason) {
            self.0.push((f.key, r, f.packets, f.bytes, f.client));
        }
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
    }

    /// Sends one packet from host `a` to host `b`.
    fn send(
        t: &mut FlowTable,
        sink: &mut Collect,
        a: u8,
        b: u8,
        proto: u8,
        flags: Option<u8>,
        ts: u64,
    ) -> u32 {
        let (key, from) = FlowKey::new(
            ip(a),
            1000 + u16::from(a),
            ip(b),
            1000 + u16::from(b),
            proto,
            0,
            0,
        );
        let pkt = PacketInfo {
            ts_ns: ts,
            now_ns: ts,
            wire_len: 100,
            from,
            tcp: flags.map(|f| TcpInfo {
                flags: f,
                ..TcpInfo::default()
            }),
            payload_len: 0,
            tunnel: Tunnel::None,
            macs: [[a; 6], [b; 6]],
        };
        t.update(key.symmetric_hash(), &key, &pkt, sink)
    }

    #[test]
    fn counts_both_directions_and_client() {
        let mut t = FlowTable::new(10, Timeouts::default());
        let mut c = Collect::default();
        let i = send(&mut t, &mut c, 2, 1, 17, None, S);
        send(&mut t, &mut c, 1, 2, 17, None, 2 * S);
        send(&mut t, &mut c, 1, 2, 17, None, 3 * S);
        let f = t.flow(i);
        assert_eq!(f.packets, [1, 2]);
        assert_eq!(f.bytes, [100, 200]);
        assert_eq!(f.key.addr(f.client), ip(2));
        assert_eq!((f.first_ns, f.last_ns), (S, 3 * S));
        t.flush(3 * S, &mut c);
        assert_eq!(c.0.len(), 1);
        assert_eq!(c.0[0].1, EndReason::Shutdown);
        assert!(t.is_empty());
    }

    #[test]
    fn syn_ack_first_makes_receiver_client() {
        let mut t = FlowTable::new(10, Timeouts::default());
        let mut c = Collect::default();
        let i = send(&mut t, &mut c, 1, 2, 6, Some(SYN | ACK), S);
        assert_eq!(t.flow(i).key.addr(t.flow(i).client), ip(2));
    }

    #[test]
    fn idle_packet_starts_a_new_flow() {
        let mut t = FlowTable::new(10, Timeouts::default());
        let mut c = Collect::default();
        send(&mut t, &mut c, 1, 2, 17, None, S);
        send(&mut t, &mut c, 1, 2, 17, None, 62 * S);
        assert_eq!(c.0.len(), 1);
        assert_eq!(c.0[0].1, EndReason::Idle);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn purge_is_bounded_and_reasons_are_right() {
        let mut t = FlowTable::new(100, Timeouts::default());
        let mut c = Collect::default();
        for h in 10..20 {
            send(&mut t, &mut c, 1, h, 17, None, S);
        }
        send(&mut t, &mut c, 1, 30, 6, Some(SYN), S);
        send(&mut t, &mut c, 30, 1, 6, Some(RST | ACK), S);
        assert_eq!(t.purge(100 * S, 3, &mut c), 3);
        assert_eq!(t.len(), 8);
        assert_eq!(t.purge(100 * S, 100, &mut c), 8);
        assert!(c.0.iter().any(|r| r.1 == EndReason::TcpReset));
        assert_eq!(c.0.iter().filter(|r| r.1 == EndReason::Idle).count(), 10);
    }

    #[test]
    fn closed_flow_grace_and_port_reuse() {
        let mut t = FlowTable::new(10, Timeouts::default());
        let mut c = Collect::default();
        send(&mut t, &mut c, 1, 2, 6, Some(SYN), S);
        send(&mut t, &mut c, 2, 1, 6, Some(SYN | ACK), S);
        send(&mut t, &mut c, 1, 2, 6, Some(FIN | ACK), S);
        send(&mut t, &mut c, 2, 1, 6, Some(FIN | ACK), S);
        send(&mut t, &mut c, 1, 2, 6, Some(ACK), S + 1); // straggler within grace
        assert!(c.0.is_empty());
        send(&mut t, &mut c, 1, 2, 6, Some(SYN), S + 2); // new connection on the same ports
        assert_eq!(c.0.len(), 1);
        assert_eq!(c.0[0].1, EndReason::TcpClosed);
        assert_eq!(c.0[0].2, [3, 2]);
    }

    #[test]
    fn active_timeout_emits_partial_records() {
        let mut t = FlowTable::new(10, Timeouts::default());
        let mut c = Collect::default();
        for s in 0..300 {
            send(&mut t, &mut c, 1, 2, 17, None, S + s * S);
        }
        t.flush(300 * S, &mut c);
        let parts: Vec<_> = c.0.iter().map(|r| (r.1, r.2[0])).collect();
        assert_eq!(
            parts,
            vec![
                (EndReason::ActiveTimeout, 120),
                (EndReason::ActiveTimeout, 120),
                (EndReason::Shutdown, 60)
            ]
        );
    }

    #[test]
    fn cap_evicts_the_idlest() {
        let mut t = FlowTable::new(3, Timeouts::default());
        let mut c = Collect::default();
        send(&mut t, &mut c, 1, 2, 17, None, S);
        send(&mut t, &mut c, 1, 3, 6, Some(ACK), 2 * S);
        send(&mut t, &mut c, 1, 4, 1, None, 3 * S);
        send(&mut t, &mut c, 1, 2, 17, None, 4 * S);
        send(&mut t, &mut c, 1, 5, 17, None, 5 * S);
        assert_eq!(t.len(), 3);
        assert_eq!(c.0.len(), 1);
        assert_eq!(c.0[0].1, EndReason::Evicted);
        assert_eq!(c.0[0].0.proto, 6);
    }

    /// The first packet's MACs are kept per endpoint: client's first, whichever side sent that packet.
    #[test]
    fn first_packet_macs_are_oriented_client_first() {
        let mut t = FlowTable::new(10, Timeouts::default());
        let mut c = Collect::default();
        let i = send(&mut t, &mut c, 2, 1, 17, None, S);
        // Later packets (either way) do not change them.
        send(&mut t, &mut c, 1, 2, 17, None, 2 * S);
        assert_eq!(t.flow(i).macs, [[2; 6], [1; 6]]);
        // A SYN-ACK first: its receiver is the client, so the destination MAC is the client's.
        let j = send(&mut t, &mut c, 3, 4, 6, Some(SYN | ACK), S);
        let f = t.flow(j);
        assert_eq!(f.key.addr(f.client), ip(4));
        assert_eq!(t.flow(j).macs, [[4; 6], [3; 6]]);
    }

    #[test]
    fn flow_state_stays_small() {
        // 128 bytes of flow accounting, 24 of inline DPI verdict (its detection state is boxed apart) and the
        // first packet's two MACs (12, plus the name-report count in what was padding).
        assert!(
            std::mem::size_of::<Flow>() <= 168,
            "{}",
            std::mem::size_of::<Flow>()
        );
    }

    #[test]
    fn touched_flows_are_reported_once_per_drain() {
        let mut t = FlowTable::new(10, Timeouts::default());
        let mut c = Collect::default();
        send(&mut t, &mut c, 1, 2, 17, None, S);
        send(&mut t, &mut c, 2, 1, 17, None, S);
        send(&mut t, &mut c, 1, 3, 17, None, S);
        let mut seen = Vec::new();
        t.drain_touched(|f| seen.push(f.packets));
        seen.sort_unstable();
        assert_eq!(seen, vec![[1, 0], [1, 1]]);
        let mut again = 0;
        t.drain_touched(|_| again += 1);
        assert_eq!(again, 0);
        // An ended flow is not reported as live.
        send(&mut t, &mut c, 1, 2, 17, None, 100 * S);
        t.purge(300 * S, 10, &mut c);
        t.drain_touched(|_| again += 1);
        assert_eq!(again, 0);
    }

    #[test]
    fn slots_are_reused() {
        let mut t = FlowTable::new(4, Timeouts::default());
        let mut c = Collect::default();
        for round in 0..100u64 {
            for h in 2..6 {
                send(&mut t, &mut c, 1, h, 17, None, round * 100 * S);
            }
        }
        assert_eq!(t.len(), 4);
        assert!(t.slots.len <= 5);
        assert_eq!(t.stats().created, 400);
    }
}
