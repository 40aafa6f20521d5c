//! A collector input (`-i ipfix://ADDR:PORT`): receives IPFIX and NetFlow v9 from edge probes (xntop or any
//! exporter), and feeds the flows to the outputs and the aggregator as an interface of its own.

use std::net::UdpSocket;
use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rtrb::Producer;
use xntop_export::collector::{Collector, CollectorStats};
use xntop_flow::FlowKey;
use xntop_model::FlowRecord;

use crate::handoff::RunState;
use crate::reader::{backoff, InputCounters};
use crate::report::{FlowSample, Reporter, WorkerReport};

/// How often collected flows are reported to the aggregator.
const REPORT_EVERY: Duration = Duration::from_millis(500);

/// A bound collector socket, ready to run.
pub struct CollectorInput {
    pub name: String,
    socket: UdpSocket,
    collector: Collector,
    pub counters: Arc<InputCounters>,
}

impl CollectorInput {
    /// Binds the UDP socket of `-i ipfix://ADDR:PORT` (`addr` is `ADDR:PORT`).
    ///
    /// # Errors
    /// When the address cannot be bound.
    /// The interface index (`-i` order).
    #[must_use]
    pub fn iface(&self) -> u8 {
        self.collector.iface
    }

    pub fn bind(name: &str, addr: &str, iface: u8) -> anyhow::Result<Self> {
        let socket = UdpSocket::bind(addr)
            .map_err(|e| anyhow::anyhow!("-i {name}: cannot listen on {addr}: {e}"))?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        Ok(Self {
            name: name.to_string(),
            socket,
            collector: Collector::new(iface),
            counters: Arc::new(InputCounters::default()),
        })
    }

    /// Receives until told to stop, moving records to `out` (waiting for room: collected flows are not dropped
    /// here, the socket buffer absorbs bursts) and samples to the aggregator.
    pub fn run(
        mut self,
        mut out: Option<Producer<FlowRecord>>,
        reports: Option<SyncSender<WorkerReport>>,
        run: &Arc<RunState>,
    ) -> CollectorStats {
        let mut reporter = reports.map(Reporter::new);
        let mut buf = vec![0u8; 65_536];
        let mut records = Vec::new();
        let mut last_report = Instant::now();
        let (mut packets, mut bytes) = (0u64, 0u64);
        while !run.stopping() {
            records.clear();
            if let Ok((len, from)) = self.socket.recv_from(&mut buf) {
                let _ = self.collector.ingest(from, &buf[..len], &mut records);
            }
            for r in records.drain(..) {
                packets += r.packets_c2s + r.packets_s2c;
                bytes += r.bytes_c2s + r.bytes_s2c;
                if let Some(rep) = reporter.as_mut() {
                    let (key, client) = FlowKey::new(
                        r.src_ip, r.src_port, r.dst_ip, r.dst_port, r.proto, r.vlan, r.iface,
                    );
                    rep.current.ended.push(FlowSample {
                        key,
                        client,
                        packets: [r.packets_c2s, r.packets_s2c],
                        bytes: [r.bytes_c2s, r.bytes_s2c],
                        first_ns: r.first_seen_ns,
                        last_ns: r.last_seen_ns,
                        partial: false,
                    });
                    rep.current.clock_ns = rep.current.clock_ns.max(r.last_seen_ns);
                }
                if let Some(ring) = out.as_mut() {
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
            self.counters.packets.store(packets, Ordering::Relaxed);
            self.counters.bytes.store(bytes, Ordering::Relaxed);
            if last_report.elapsed() >= REPORT_EVERY {
                if let Some(rep) = reporter.as_mut() {
                    let clock = rep.current.clock_ns;
                    rep.send(clock);
                }
                last_report = Instant::now();
            }
        }
        if let Some(rep) = reporter.as_mut() {
            let clock = rep.current.clock_ns;
            rep.send_final(clock);
        }
        run.workers_running.fetch_sub(1, Ordering::AcqRel);
        self.collector.stats
    }
}
