//! Sends IPFIX messages to one collector over UDP.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use xntop_model::FlowRecord;

use crate::ipfix::Encoder;

/// IPFIX over UDP, RFC 7011 §10.3: stay under the path MTU (1500 − IP − UDP headers, with room for IPv6).
const MAX_MESSAGE: usize = 1400;
/// Templates go out again at least this often (a collector started after us learns them).
const TEMPLATE_REFRESH: Duration = Duration::from_secs(10);

/// What the exporter did.
#[derive(Debug, Default, Clone, Copy)]
pub struct UdpStats {
    pub records: u64,
    pub messages: u64,
    /// Messages the socket refused (collector unreachable, buffer full); their records are lost.
    pub send_errors: u64,
    /// Records in the refused messages.
    pub records_lost: u64,
}

/// A UDP IPFIX exporter.
#[derive(Debug)]
pub struct IpfixUdp {
    socket: UdpSocket,
    encoder: Encoder,
    buf: Vec<u8>,
    last_templates: Instant,
    pub stats: UdpStats,
}

fn now_secs() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    u32::try_from(secs).unwrap_or(u32::MAX)
}

impl IpfixUdp {
    /// Resolves and "connects" to the collector (UDP: only sets the default destination).
    ///
    /// # Errors
    /// When the address does not resolve or no socket can be made.
    pub fn connect(target: &str, domain_id: u32) -> io::Result<Self> {
        let addr: SocketAddr = target.to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("{target}: no address"))
        })?;
        let bind: SocketAddr = if addr.is_ipv4() {
            "0.0.0.0:0"
        } else {
            "[::]:0"
        }
        .parse()
        .map_err(io::Error::other)?;
        let socket = UdpSocket::bind(bind)?;
        socket.connect(addr)?;
        let mut me = Self {
            socket,
            encoder: Encoder::new(domain_id, MAX_MESSAGE, 64),
            buf: Vec::with_capacity(MAX_MESSAGE),
            last_templates: Instant::now(),
            stats: UdpStats::default(),
        };
        me.send_templates();
        Ok(me)
    }

    fn send_templates(&mut self) {
        self.encoder.templates_message(now_secs(), &mut self.buf);
        let _ = self.socket.send(&self.buf);
        self.last_templates = Instant::now();
    }

    /// Encodes and sends `records`. Errors are counted, never returned: export must not stop capture.
    pub fn send(&mut self, records: &[FlowRecord]) {
        if self.last_templates.elapsed() >= TEMPLATE_REFRESH {
            self.send_templates();
        }
        let socket = &self.socket;
        let stats = &mut self.stats;
        let mut buf = std::mem::take(&mut self.buf);
        // (sequence number, refused) per message: a message's records are the sequence numbers up to the next one.
        let mut sent: Vec<(u32, bool)> = Vec::new();
        self.encoder.encode(records, now_secs(), &mut buf, |m| {
            stats.messages += 1;
            let seq = m
                .get(8..12)
                .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            let refused = socket.send(m).is_err();
            if refused {
                stats.send_errors += 1;
            }
            sent.push((seq, refused));
        });
        let end = self.encoder.sequence();
        for (k, &(seq, refused)) in sent.iter().enumerate() {
            if refused {
                let next = sent.get(k + 1).map_or(end, |n| n.0);
                self.stats.records_lost += u64::from(next.wrapping_sub(seq));
            }
        }
        self.buf = buf;
        self.stats.records += records.len() as u64;
    }

    /// Data records encoded so far (the IPFIX sequence number).
    #[must_use]
    pub fn sequence(&self) -> u32 {
        self.encoder.sequence()
    }
}
