//! Sends IPFIX messages to one collector over TCP (RFC 7011 §10.4): templates once per connection, larger
//! messages, and reconnection with back-off when the collector goes away. Records that could not be sent while it
//! was away are counted, never waited for.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use xntop_model::FlowRecord;

use crate::ipfix::Encoder;

/// Over TCP a message is not bound by a datagram: use larger ones.
const MAX_MESSAGE: usize = 16 * 1024;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the exporter did.
#[derive(Debug, Default, Clone, Copy)]
pub struct TcpStats {
    pub records: u64,
    pub records_lost: u64,
    pub connects: u64,
}

/// An IPFIX exporter over TCP.
#[derive(Debug)]
pub struct IpfixTcp {
    target: SocketAddr,
    stream: Option<TcpStream>,
    encoder: Encoder,
    domain_id: u32,
    buf: Vec<u8>,
    next_attempt: Instant,
    backoff: Duration,
    pub stats: TcpStats,
    pub last_error: Option<String>,
}

fn now_secs() -> u32 {
    u32::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
    .unwrap_or(u32::MAX)
}

/// Whether the peer has closed the connection: a read finds the end of the stream (or an error) at once, where a
/// write would only fail after its bytes were lost.
fn closed_by_peer(s: &TcpStream) -> bool {
    if s.set_nonblocking(true).is_err() {
        return true;
    }
    let mut b = [0u8; 1];
    let closed = match s.peek(&mut b) {
        Ok(n) => n == 0,
        Err(e) => e.kind() != io::ErrorKind::WouldBlock,
    };
    s.set_nonblocking(false).is_err() || closed
}

impl IpfixTcp {
    /// Resolves the collector; connects on first use (and again after any failure).
    ///
    /// # Errors
    /// When the address does not resolve.
    pub fn new(target: &str, domain_id: u32) -> io::Result<Self> {
        let target = target.to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("{target}: no address"))
        })?;
        Ok(Self {
            target,
            stream: None,
            encoder: Encoder::new(domain_id, MAX_MESSAGE, u32::MAX),
            domain_id,
            buf: Vec::with_capacity(MAX_MESSAGE),
            next_attempt: Instant::now(),
            backoff: Duration::from_millis(500),
            stats: TcpStats::default(),
            last_error: None,
        })
    }

    fn connect(&mut self) -> bool {
        match &self.stream {
            Some(s) if !closed_by_peer(s) => return true,
            // The collector closed it (collectors close connections that stay quiet): connect again now, before
            // writing into a socket whose bytes would be lost.
            Some(_) => {
                self.stream = None;
                self.next_attempt = Instant::now();
            }
            None => {}
        }
        if Instant::now() < self.next_attempt {
            return false;
        }
        match TcpStream::connect_timeout(&self.target, Duration::from_secs(1)) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                let _ = s.set_write_timeout(Some(Duration::from_secs(2)));
                // A new transport session: the collector knows no template yet, and sequence numbers restart.
                self.encoder = Encoder::new(self.domain_id, MAX_MESSAGE, u32::MAX);
                self.encoder.templates_message(now_secs(), &mut self.buf);
                let mut s = s;
                if s.write_all(&self.buf).is_ok() {
                    self.stream = Some(s);
                    self.stats.connects += 1;
                    self.backoff = Duration::from_millis(500);
                    return true;
                }
                self.fail("cannot send templates".into());
                false
            }
            Err(e) => {
                self.fail(e.to_string());
                false
            }
        }
    }

    fn fail(&mut self, e: String) {
        if self.stream.is_some() || self.last_error.is_none() {
            self.last_error = Some(e);
        }
        self.stream = None;
        self.next_attempt = Instant::now() + self.backoff;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }

    /// Encodes and sends; when the collector is unreachable the records are counted as lost.
    pub fn send(&mut self, records: &[FlowRecord]) {
        self.stats.records += records.len() as u64;
        if !self.connect() {
            self.stats.records_lost += records.len() as u64;
            return;
        }
        let mut buf = std::mem::take(&mut self.buf);
        let mut failed: Option<String> = None;
        let stream = &mut self.stream;
        self.encoder.encode(records, now_secs(), &mut buf, |m| {
            if failed.is_none() {
                if let Some(s) = stream.as_mut() {
                    if let Err(e) = s.write_all(m) {
                        failed = Some(e.to_string());
                    }
                }
            }
        });
        self.buf = buf;
        if let Some(e) = failed {
            // Which messages made it is unknown once the stream broke: count the batch as lost.
            self.stats.records_lost += records.len() as u64;
            self.fail(e);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    use crate::collector::tests::rec;

    /// A collector that closed a quiet connection: the next send goes over a new one, templates first, and
    /// nothing is written into the dead one.
    #[test]
    fn reconnects_when_the_collector_closed_a_quiet_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut exp = IpfixTcp::new(&listener.local_addr().unwrap().to_string(), 1).unwrap();
        exp.send(&[rec(1, false)]);
        let (first, _) = listener.accept().unwrap();
        drop(first);
        std::thread::sleep(Duration::from_millis(100));
        exp.send(&[rec(1, false)]);
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut second = loop {
            if let Ok((s, _)) = listener.accept() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "the exporter wrote into the closed connection instead of reconnecting"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        second.set_nonblocking(false).unwrap();
        second
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        // Templates message, then the data message: two IPFIX headers.
        let mut got = Vec::new();
        let mut b = [0u8; 4096];
        while let Ok(n) = second.read(&mut b) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&b[..n]);
            let first_len = usize::from(u16::from_be_bytes([got[2], got[3]]));
            if got.len() > first_len + 4 {
                break;
            }
        }
        assert_eq!(&got[..2], &[0, 10]);
        assert_eq!((exp.stats.connects, exp.stats.records_lost), (2, 0));
    }
}
