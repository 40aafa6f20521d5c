//! `-F syslog[:SOCKET]`: each record as one syslog message (RFC 3164 framing, facility local0, severity info, tag
//! `xntop[pid]`) on the local syslog socket (`/dev/log` unless given), which journald and rsyslog read.
//!
//! Sends never wait long: a full socket queue is retried for at most ~2 ms, then the message is lost, counted, as
//! it is when the daemon is absent; the socket is looked for again at most every [`RECONNECT_INTERVAL`].

use std::io;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `<PRI>` of local0.info: facility 16 × 8 + severity 6.
const PRIORITY: u8 = 134;

/// How often a missing syslog socket is looked for again.
const RECONNECT_INTERVAL: Duration = Duration::from_secs(5);

/// Retries of a send the socket refused for lack of room, [`RETRY_PAUSE`] apart (at most ~2 ms a message).
const SEND_RETRIES: usize = 20;
const RETRY_PAUSE: Duration = Duration::from_micros(100);

/// The default socket of the local syslog daemon.
pub const DEFAULT_SOCKET: &str = "/dev/log";

/// Sends records to the local syslog daemon.
pub struct SyslogSink {
    path: PathBuf,
    socket: Option<UnixDatagram>,
    last_attempt: Option<Instant>,
    header: String,
    message: Vec<u8>,
    pub sent: u64,
    pub lost: u64,
    last_error: Option<io::Error>,
}

impl SyslogSink {
    /// A sink for the socket at `path`; connecting is tried now and again later when it fails.
    #[must_use]
    pub fn new(path: &Path) -> Self {
        let mut s = Self {
            path: path.to_path_buf(),
            socket: None,
            last_attempt: None,
            header: format!("<{PRIORITY}>xntop[{}]: ", std::process::id()),
            message: Vec::with_capacity(4096),
            sent: 0,
            lost: 0,
            last_error: None,
        };
        s.connect();
        s
    }

    fn connect(&mut self) {
        self.last_attempt = Some(Instant::now());
        let made = UnixDatagram::unbound().and_then(|sock| {
            sock.connect(&self.path)?;
            sock.set_nonblocking(true)?;
            Ok(sock)
        });
        match made {
            Ok(sock) => self.socket = Some(sock),
            Err(e) => self.last_error = Some(e),
        }
    }

    /// Sends one record (a JSON line without its newline).
    pub fn send(&mut self, line: &[u8]) {
        if self.socket.is_none()
            && self
                .last_attempt
                .is_none_or(|t| t.elapsed() >= RECONNECT_INTERVAL)
        {
            self.connect();
        }
        let Some(sock) = &self.socket else {
            self.lost += 1;
            return;
        };
        self.message.clear();
        self.message.extend_from_slice(self.header.as_bytes());
        self.message.extend_from_slice(line);
        let mut result = sock.send(&self.message);
        // A full socket queue (a burst, a busy daemon): wait a little, bounded, before counting the loss.
        for _ in 0..SEND_RETRIES {
            match &result {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(RETRY_PAUSE);
                    result = sock.send(&self.message);
                }
                _ => break,
            }
        }
        match result {
            Ok(_) => self.sent += 1,
            Err(e) => {
                self.lost += 1;
                if e.kind() != io::ErrorKind::WouldBlock {
                    // The daemon went away (restart): look for its socket again later.
                    self.socket = None;
                }
                self.last_error = Some(e);
            }
        }
    }

    /// The latest error, once.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.last_error.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_reach_a_syslog_socket_and_losses_are_counted() {
        let dir = std::env::temp_dir().join(format!("xntop-syslog-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("log.sock");
        // Nobody listens yet: counted as lost, no panic, no block.
        let mut sink = SyslogSink::new(&path);
        sink.send(b"{\"a\":1}");
        assert_eq!((sink.sent, sink.lost), (0, 1));
        assert!(sink.take_error().is_some());

        let server = UnixDatagram::bind(&path).expect("bind");
        sink.last_attempt = None; // skip the reconnect wait
        sink.send(b"{\"a\":2}");
        let mut buf = [0u8; 256];
        let n = server.recv(&mut buf).expect("recv");
        let msg = String::from_utf8_lossy(&buf[..n]);
        assert_eq!(
            msg,
            format!("<134>xntop[{}]: {{\"a\":2}}", std::process::id())
        );
        assert_eq!((sink.sent, sink.lost), (1, 1));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
