//! A collector input (`-i ipfix://ADDR:PORT`): receives IPFIX and NetFlow v9 from edge probes (xntop or any
//! exporter), and feeds the flows to the outputs and the aggregator as an interface of its own.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;
use std::sync::mpsc::{Receiver, Sender};
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

/// Where messages come from.
enum Transport {
    Udp(UdpSocket),
    /// Whole messages framed out of the TCP streams by one thread per connection, tagged with the peer.
    Tcp(Receiver<(SocketAddr, Vec<u8>)>),
}

/// A bound collector socket, ready to run.
pub struct CollectorInput {
    pub name: String,
    transport: Transport,
    collector: Collector,
    pub counters: Arc<InputCounters>,
}

/// Longest IPFIX message (the length field is 16 bits).
const MAX_MESSAGE: usize = 65_535;

/// Reads IPFIX messages off one TCP connection (each starts with version and length) until it closes.
fn read_stream(mut stream: TcpStream, peer: SocketAddr, tx: &Sender<(SocketAddr, Vec<u8>)>) {
    let mut header = [0u8; 4];
    loop {
        if stream.read_exact(&mut header).is_err() {
            return;
        }
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        if !(16..=MAX_MESSAGE).contains(&len) {
            return; // not IPFIX framing: drop the connection
        }
        let mut msg = vec![0u8; len];
        msg[..4].copy_from_slice(&header);
        if stream.read_exact(&mut msg[4..]).is_err() || tx.send((peer, msg)).is_err() {
            return;
        }
    }
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

    pub fn bind(name: &str, addr: &str, tcp: bool, iface: u8) -> anyhow::Result<Self> {
        let listen_err =
            |e: std::io::Error| anyhow::anyhow!("-i {name}: cannot listen on {addr}: {e}");
        let transport = if tcp {
            let listener = TcpListener::bind(addr).map_err(listen_err)?;
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::Builder::new()
                .name("xntop-ipfix-tcp".into())
                .spawn(move || {
                    for conn in listener.incoming().flatten() {
                        let Ok(peer) = conn.peer_addr() else { continue };
                        let tx = tx.clone();
                        let _ = std::thread::Builder::new()
                            .name("xntop-ipfix-conn".into())
                            .spawn(move || read_stream(conn, peer, &tx));
                    }
                })?;
            Transport::Tcp(rx)
        } else {
            let socket = UdpSocket::bind(addr).map_err(listen_err)?;
            socket.set_read_timeout(Some(Duration::from_millis(100)))?;
            Transport::Udp(socket)
        };
        Ok(Self {
            name: name.to_string(),
            transport,
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
        let mut reporter = reports.map(|tx| Reporter::new(tx, 0));
        let mut buf = vec![0u8; 65_536];
        let mut records = Vec::new();
        let mut last_report = Instant::now();
        let (mut packets, mut bytes) = (0u64, 0u64);
        while !run.stopping() {
            records.clear();
            match &self.transport {
                Transport::Udp(socket) => {
                    if let Ok((len, from)) = socket.recv_from(&mut buf) {
                        let _ = self.collector.ingest(from, &buf[..len], &mut records);
                    }
                }
                Transport::Tcp(rx) => {
                    if let Ok((from, msg)) = rx.recv_timeout(Duration::from_millis(100)) {
                        let _ = self.collector.ingest(from, &msg, &mut records);
                    }
                }
            }
            for r in records.drain(..) {
                packets += r.packets_c2s + r.packets_s2c;
                bytes += r.bytes_c2s + r.bytes_s2c;
                if let Some(rep) = reporter.as_mut() {
                    let (key, client) = FlowKey::new(
                        r.src_ip, r.src_port, r.dst_ip, r.dst_port, r.proto, r.vlan, r.iface,
                    );
                    rep.current.push_ended(FlowSample {
                        key,
                        client,
                        packets: [r.packets_c2s, r.packets_s2c],
                        bytes: [r.bytes_c2s, r.bytes_s2c],
                        first_ns: r.first_seen_ns,
                        last_ns: r.last_seen_ns,
                        partial: false,
                        class: {
                            let proto = |i: u16| xntop_dpi::Proto::from_id(i).unwrap_or_default();
                            xntop_dpi::Classification {
                                master: proto(r.app_ids[0]),
                                app: proto(r.app_ids[1]),
                                confidence: xntop_dpi::Confidence::Unknown,
                            }
                        },
                        macs: [[0; 6]; 2],
                    });
                    if let Some(meta) = r.l7.as_deref() {
                        rep.current
                            .push_meta_names(meta, r.src_ip, r.dst_ip, r.first_seen_ns);
                    }
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
