//! A collector input (`-i ipfix://ADDR:PORT`, `-i ipfix+tcp://…`): receives IPFIX and NetFlow from edge probes
//! (xntop or any exporter) and feeds the flows to the outputs and the aggregator as an interface of its own.
//!
//! One thread per input serves everything: the UDP socket, or the TCP listener and every connection through one
//! event loop ([`TcpCollector`]). What it refuses — senders outside `--collector-allow`, connections over the caps
//! or past the timeout, records whose times are far from this machine's clock, exporter state evicted by the caps —
//! is counted ([`COUNTER_NAMES`]) and shown in the summary, the snapshot and `/metrics`.
//!
//! The input's clock (its reports' packet time) is this machine's wall clock at most: records may be a little
//! ahead (`--collector-max-skew`), but the view's time never follows them there, so no record can age the hosts
//! of every other record out of the view.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rtrb::Producer;
use xntop_export::collector::{Collector, CollectorStats};
use xntop_export::collector_tcp::{allowed, TcpCollector, TcpCollectorStats};
use xntop_flow::FlowKey;
use xntop_model::FlowRecord;

use crate::config::CollectorOptions;
use crate::handoff::RunState;
use crate::reader::{backoff, InputCounters};
use crate::report::{FlowSample, Reporter, WorkerReport};

/// How often collected flows are reported to the aggregator.
const REPORT_EVERY: Duration = Duration::from_millis(500);
/// How long one wait for input lasts (stop requests are noticed this often).
const WAIT: Duration = Duration::from_millis(100);

/// Counters of what a collector input refused or evicted, in [`InputCounters::collector`] order.
pub const COUNTER_NAMES: [&str; COUNTERS] = [
    "not_allowed",
    "tcp_refused_per_source",
    "tcp_refused_total",
    "tcp_timed_out",
    "tcp_bad_framing",
    "tcp_accept_errors",
    "records_future",
    "records_past",
    "state_evicted",
];
pub const COUNTERS: usize = 9;

/// Where messages come from.
enum Transport {
    Udp(UdpSocket),
    Tcp(Box<TcpCollector>),
}

/// What the input did, for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct CollectorSummary {
    pub decoded: CollectorStats,
    /// Datagrams from senders outside the allow-list.
    pub udp_not_allowed: u64,
    pub tcp: Option<TcpCollectorStats>,
}

impl CollectorSummary {
    /// The counters in [`COUNTER_NAMES`] order.
    #[must_use]
    pub fn counters(&self) -> [u64; COUNTERS] {
        let t = self.tcp.unwrap_or_default();
        let d = &self.decoded;
        [
            self.udp_not_allowed + t.refused_not_allowed,
            t.refused_per_source,
            t.refused_total,
            t.timed_out,
            t.bad_framing,
            t.accept_errors,
            d.future,
            d.past,
            d.evicted,
        ]
    }

    /// One line for the end-of-run summary.
    #[must_use]
    pub fn render(&self, name: &str) -> String {
        let c = &self.decoded;
        let mut line = format!(
            "  collector {name}: {} messages, {} flow records, {} lost (sequence gaps), {} bad messages, {} records \
             without template, {} records refused for their time ({} ahead of the clock, {} too old), {} exporter \
             state entries evicted, {} not allowed",
            c.messages,
            c.records,
            c.lost,
            c.bad_messages,
            c.no_template,
            c.future + c.past,
            c.future,
            c.past,
            c.evicted,
            self.counters()[0]
        );
        if let Some(t) = self.tcp {
            line += &format!(
                "; tcp: {} connections accepted, refused {} (per-source cap) + {} (total cap), {} timed out, {} \
                 not IPFIX framing, {} accept errors",
                t.accepted,
                t.refused_per_source,
                t.refused_total,
                t.timed_out,
                t.bad_framing,
                t.accept_errors
            );
        }
        line
    }
}

/// A bound collector socket, ready to run.
pub struct CollectorInput {
    pub name: String,
    transport: Transport,
    collector: Collector,
    options: CollectorOptions,
    udp_not_allowed: u64,
    pub counters: Arc<InputCounters>,
}

/// The wall clock, ns since the epoch.
fn wall_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Connections the collector may hold without running the process out of descriptors: the soft
/// `RLIMIT_NOFILE` less a quarter (at least 64) for everything else (capture files, the web server, outputs).
fn descriptor_room() -> usize {
    let soft = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map_or(1024, |(soft, _)| soft);
    usize::try_from(soft.saturating_sub((soft / 4).max(64)))
        .unwrap_or(usize::MAX)
        .max(1)
}

/// The input's clock after a record that ended at `last_ns`, at wall time `now_ns`: it follows records up to
/// the wall clock, never past it.
#[must_use]
pub fn advance_clock(clock_ns: u64, last_ns: u64, now_ns: u64) -> u64 {
    clock_ns.max(last_ns.min(now_ns))
}

impl CollectorInput {
    /// The interface index (`-i` order).
    #[must_use]
    pub fn iface(&self) -> u8 {
        self.collector.iface
    }

    /// Binds the UDP socket (or TCP listener, with `tcp`) of `-i ipfix://ADDR:PORT` (`addr` is `ADDR:PORT`).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub fn bind(
        name: &str,
        addr: &str,
        tcp: bool,
        iface: u8,
        options: &CollectorOptions,
    ) -> anyhow::Result<Self> {
        let listen_err =
            |e: std::io::Error| anyhow::anyhow!("-i {name}: cannot listen on {addr}: {e}");
        let transport = if tcp {
            let mut limits = options.tcp;
            let room = descriptor_room();
            if limits.max_connections > room {
                eprintln!(
                    "xntop: -i {name}: at most {room} collector connections (not {}): the process may open only so \
                     many descriptors (raise `ulimit -n` / LimitNOFILE for more)",
                    limits.max_connections
                );
                limits.max_connections = room;
            }
            Transport::Tcp(Box::new(
                TcpCollector::bind(addr, limits, options.allow.clone()).map_err(listen_err)?,
            ))
        } else {
            let socket = UdpSocket::bind(addr).map_err(listen_err)?;
            socket.set_read_timeout(Some(WAIT))?;
            Transport::Udp(socket)
        };
        Ok(Self {
            name: name.to_string(),
            transport,
            collector: Collector::new(iface, options.time),
            options: options.clone(),
            udp_not_allowed: 0,
            counters: Arc::new(InputCounters::default()),
        })
    }

    fn summary(&self) -> CollectorSummary {
        CollectorSummary {
            decoded: self.collector.stats,
            udp_not_allowed: self.udp_not_allowed,
            tcp: match &self.transport {
                Transport::Tcp(t) => Some(t.stats),
                Transport::Udp(_) => None,
            },
        }
    }

    /// Receives until told to stop, moving records to `out` and samples to the aggregator.
    pub fn run(
        mut self,
        out: Option<Producer<FlowRecord>>,
        reports: Option<SyncSender<WorkerReport>>,
        run: &Arc<RunState>,
    ) -> CollectorSummary {
        let mut sink = Sink {
            out,
            reporter: reports.map(|tx| Reporter::new(tx, 0).wall_clocked()),
            packets: 0,
            bytes: 0,
        };
        let mut buf = vec![0u8; 65_536];
        // One message's records at a time: passed on before the next message is decoded.
        let mut records = Vec::new();
        let mut last_report = Instant::now();
        while !run.stopping() {
            let now_ns = wall_ns();
            let now_ms = now_ns / 1_000_000;
            let collector = &mut self.collector;
            match &mut self.transport {
                Transport::Udp(socket) => {
                    if let Ok((len, from)) = socket.recv_from(&mut buf) {
                        if allowed(&self.options.allow, from.ip()) {
                            let _ = collector.ingest(from, &buf[..len], now_ms, &mut records);
                            sink.take(&mut records, now_ns);
                        } else {
                            self.udp_not_allowed += 1;
                        }
                    }
                }
                Transport::Tcp(tcp) => {
                    let polled = tcp.poll(WAIT, |from: SocketAddr, msg: &[u8]| {
                        let _ = collector.ingest(from, msg, now_ms, &mut records);
                        sink.take(&mut records, now_ns);
                    });
                    if let Err(e) = polled {
                        eprintln!("xntop: -i {}: event loop failed: {e}", self.name);
                        break;
                    }
                }
            }
            self.counters.packets.store(sink.packets, Ordering::Relaxed);
            self.counters.bytes.store(sink.bytes, Ordering::Relaxed);
            for (slot, v) in self
                .counters
                .collector
                .iter()
                .zip(self.summary().counters())
            {
                slot.store(v, Ordering::Relaxed);
            }
            if last_report.elapsed() >= REPORT_EVERY {
                if let Some(rep) = sink.reporter.as_mut() {
                    let clock = rep.current.clock_ns;
                    rep.send(clock);
                }
                last_report = Instant::now();
            }
        }
        if let Some(rep) = sink.reporter.as_mut() {
            let clock = rep.current.clock_ns;
            rep.send_final(clock);
        }
        run.workers_running.fetch_sub(1, Ordering::AcqRel);
        self.summary()
    }
}

/// Where collected records go: the outputs' ring and the aggregator's next report.
struct Sink {
    out: Option<Producer<FlowRecord>>,
    reporter: Option<Reporter>,
    packets: u64,
    bytes: u64,
}

impl Sink {
    /// Passes `records` on (waiting for room in the outputs' ring: collected flows are not dropped here, the
    /// socket buffers absorb bursts), leaving it empty.
    fn take(&mut self, records: &mut Vec<FlowRecord>, now_ns: u64) {
        for r in records.drain(..) {
            self.packets += r.packets_c2s + r.packets_s2c;
            self.bytes += r.bytes_c2s + r.bytes_s2c;
            if let Some(rep) = self.reporter.as_mut() {
                report_record(rep, &r, now_ns);
            }
            if let Some(ring) = self.out.as_mut() {
                let mut pending = Some(r);
                let mut spins = 0;
                while let Some(rec) = pending.take() {
                    if let Err(rtrb::PushError::Full(rec)) = ring.push(rec) {
                        backoff(&mut spins);
                        pending = Some(rec);
                    }
                }
            }
        }
    }
}

/// Adds one collected record to the aggregator's next report, as an ended flow.
fn report_record(rep: &mut Reporter, r: &FlowRecord, now_ns: u64) {
    let (key, client) = FlowKey::new(
        r.src_ip, r.src_port, r.dst_ip, r.dst_port, r.proto, r.vlan, r.iface,
    );
    let proto = |i: u16| xntop_dpi::Proto::from_id(i).unwrap_or_default();
    rep.current.push_ended(FlowSample {
        key,
        client,
        packets: [r.packets_c2s, r.packets_s2c],
        bytes: [r.bytes_c2s, r.bytes_s2c],
        first_ns: r.first_seen_ns,
        last_ns: r.last_seen_ns,
        partial: false,
        class: xntop_dpi::Classification {
            master: proto(r.app_ids[0]),
            app: proto(r.app_ids[1]),
            confidence: xntop_dpi::Confidence::Unknown,
        },
        macs: [[0; 6]; 2],
    });
    if let Some(meta) = r.l7.as_deref() {
        rep.current
            .push_meta_names(meta, r.src_ip, r.dst_ip, r.first_seen_ns);
    }
    rep.current.clock_ns = advance_clock(rep.current.clock_ns, r.last_seen_ns, now_ns);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::cases;

    #[test]
    fn counter_names_match_the_counters() {
        assert_eq!(
            COUNTER_NAMES.len(),
            CollectorSummary::default().counters().len()
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(cases(2000)))]

        /// Whatever times the records carry, the input's clock never passes the wall clock and never goes back.
        #[test]
        fn record_times_never_move_the_clock_past_the_wall_clock(
            lasts in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..20),
            start in 0u64..u64::MAX / 2,
            steps in proptest::collection::vec(0u64..10_000_000_000, 0..20),
        ) {
            let mut clock = 0;
            let mut now = start;
            for (i, last) in lasts.into_iter().enumerate() {
                now += steps.get(i).copied().unwrap_or(0);
                let next = advance_clock(clock, last, now);
                proptest::prop_assert!(next >= clock);
                proptest::prop_assert!(next <= now.max(clock));
                clock = next;
            }
        }
    }
}
