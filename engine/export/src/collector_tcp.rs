//! IPFIX over TCP for the collector (`-i ipfix+tcp://…`): every connection is served by one event loop (mio, i.e.
//! epoll) that runs in the collector's own thread, and each complete message is handed to the caller in place.
//!
//! Why an event loop and not a thread per connection or a pool: a thread per connection costs a stack and a buffer
//! whether or not the peer ever sends (3,000 stalled connections took 1.8 GB), and a bounded pool of blocking
//! threads is exhausted by as many stalled peers as it has threads. Here a connection costs a descriptor, a few
//! dozen bytes and, only while a message is half-received, that message's bytes ([`Framer`]). Reading happens
//! when the decoder is ready for more, so a collector that falls behind slows its exporters down through TCP's
//! own flow control instead of queueing their messages in memory.
//!
//! Bounds, each counted when it refuses something: connections in total and per source address
//! ([`TcpLimits`]), an optional allow-list of exporter networks, and a timeout after which a connection that has
//! not completed a message is closed (idle, stalled, or dribbling one byte at a time). Accepting stops for
//! [`ACCEPT_RETRY`] when the process is out of descriptors, instead of spinning.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use ipnet::IpNet;
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

use crate::framing::{Framer, MAX_MESSAGE};

/// Connection limits of the TCP collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpLimits {
    /// Open connections in total.
    pub max_connections: usize,
    /// Open connections from one source address.
    pub max_per_source: usize,
    /// A connection that has not completed a message for this long is closed.
    pub timeout: Duration,
}

/// Default total connections: far more exporters than a central instance serves, far fewer than the usual
/// 1,024-descriptor limit.
pub const MAX_CONNECTIONS: usize = 512;
/// Default connections per source address: an exporting host runs one connection per probe.
pub const MAX_PER_SOURCE: usize = 16;
/// Default timeout: exporters send their templates on connect and records as flows end; five quiet minutes on a
/// connection means it is stalled or its exporter has nothing to say (it reconnects when it has).
pub const TIMEOUT: Duration = Duration::from_secs(300);

impl Default for TcpLimits {
    fn default() -> Self {
        Self {
            max_connections: MAX_CONNECTIONS,
            max_per_source: MAX_PER_SOURCE,
            timeout: TIMEOUT,
        }
    }
}

/// What the TCP side did and refused.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TcpCollectorStats {
    pub accepted: u64,
    /// Connections open now.
    pub open: u64,
    /// Refused: the source is not in the allow-list.
    pub refused_not_allowed: u64,
    /// Refused: the source already had `max_per_source` connections.
    pub refused_per_source: u64,
    /// Refused: `max_connections` were open.
    pub refused_total: u64,
    /// Closed after `timeout` without a complete message.
    pub timed_out: u64,
    /// Closed because the stream was not IPFIX framing.
    pub bad_framing: u64,
    /// Accepts that failed for lack of descriptors or memory (retried after [`ACCEPT_RETRY`]).
    pub accept_errors: u64,
}

/// Reads one connection gets per turn before the others are served (each up to the scratch buffer's size).
const READS_PER_TURN: usize = 4;
/// Pause before accepting again after the process ran out of descriptors.
pub const ACCEPT_RETRY: Duration = Duration::from_millis(100);
const LISTENER: Token = Token(0);

struct Conn {
    stream: TcpStream,
    peer: SocketAddr,
    framer: Framer,
    last_message: Instant,
}

/// The listening socket and every connection.
pub struct TcpCollector {
    poll: Poll,
    events: Events,
    listener: TcpListener,
    conns: HashMap<Token, Conn>,
    per_source: HashMap<IpAddr, usize>,
    next_token: usize,
    /// Tokens with events this turn (kept to reuse its memory).
    ready: Vec<Token>,
    /// Connections that still had data when their turn's reads ran out (readiness is edge-triggered: no new
    /// event would come for bytes already waiting).
    busy: VecDeque<Token>,
    /// One read buffer for all connections.
    scratch: Box<[u8]>,
    limits: TcpLimits,
    allow: Vec<IpNet>,
    /// When accepting may be tried again after running out of descriptors.
    accept_retry: Option<Instant>,
    last_sweep: Instant,
    pub stats: TcpCollectorStats,
}

impl std::fmt::Debug for TcpCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpCollector")
            .field("limits", &self.limits)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Whether `ip` may send to the collector (an empty list allows everyone). IPv4-mapped IPv6 peers (a socket on
/// `[::]`) are matched as the IPv4 addresses they are.
#[must_use]
pub fn allowed(allow: &[IpNet], ip: IpAddr) -> bool {
    let ip = ip.to_canonical();
    allow.is_empty() || allow.iter().any(|n| n.contains(&ip))
}

impl TcpCollector {
    /// Listens on `addr`.
    ///
    /// # Errors
    /// When the address cannot be bound or the event loop cannot be made.
    pub fn bind(addr: &str, limits: TcpLimits, allow: Vec<IpNet>) -> io::Result<Self> {
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let mut listener = TcpListener::from_std(std_listener);
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        Ok(Self {
            poll,
            events: Events::with_capacity(256),
            listener,
            conns: HashMap::new(),
            per_source: HashMap::new(),
            next_token: 1,
            ready: Vec::new(),
            busy: VecDeque::new(),
            scratch: vec![0u8; MAX_MESSAGE + 1].into_boxed_slice(),
            limits,
            allow,
            accept_retry: None,
            last_sweep: Instant::now(),
            stats: TcpCollectorStats::default(),
        })
    }

    /// The bound address.
    ///
    /// # Errors
    /// From the socket.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Bytes held for half-received messages, over all connections.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.conns.values().map(|c| c.framer.buffered()).sum()
    }

    /// Waits up to `timeout` for something to do, then accepts, reads and closes what is due, calling `deliver`
    /// with each complete message and its sender.
    ///
    /// # Errors
    /// When the event loop itself fails.
    pub fn poll(
        &mut self,
        timeout: Duration,
        mut deliver: impl FnMut(SocketAddr, &[u8]),
    ) -> io::Result<()> {
        let now = Instant::now();
        let mut wait = if self.busy.is_empty() {
            timeout
        } else {
            Duration::ZERO
        };
        if let Some(at) = self.accept_retry {
            wait = wait.min(at.saturating_duration_since(now));
        }
        match self.poll.poll(&mut self.events, Some(wait)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        let mut ready = std::mem::take(&mut self.ready);
        ready.clear();
        let mut listener_ready = false;
        for ev in &self.events {
            if ev.token() == LISTENER {
                listener_ready = true;
            } else {
                ready.push(ev.token());
            }
        }
        let retry_due = self.accept_retry.is_some_and(|at| Instant::now() >= at);
        if retry_due || (listener_ready && self.accept_retry.is_none()) {
            self.accept();
        }
        ready.extend(self.busy.drain(..));
        for &t in &ready {
            self.read(t, &mut deliver);
        }
        self.ready = ready;
        if self.last_sweep.elapsed() >= Duration::from_secs(1) {
            self.sweep();
        }
        Ok(())
    }

    fn accept(&mut self) {
        self.accept_retry = None;
        loop {
            match self.listener.accept() {
                Ok((stream, peer)) => self.admit(stream, peer),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if out_of_resources(&e) => {
                    // The connection stays in the backlog; try again shortly rather than spin on it.
                    self.stats.accept_errors += 1;
                    self.accept_retry = Some(Instant::now() + ACCEPT_RETRY);
                    return;
                }
                // The peer gave up before we accepted (ECONNABORTED and the like): next one.
                Err(_) => {}
            }
        }
    }

    fn admit(&mut self, mut stream: TcpStream, peer: SocketAddr) {
        let ip = peer.ip().to_canonical();
        if !allowed(&self.allow, ip) {
            self.stats.refused_not_allowed += 1;
            return;
        }
        if self.conns.len() >= self.limits.max_connections {
            self.stats.refused_total += 1;
            return;
        }
        if self.per_source.get(&ip).copied().unwrap_or(0) >= self.limits.max_per_source {
            self.stats.refused_per_source += 1;
            return;
        }
        let token = Token(self.next_token);
        self.next_token += 1;
        if self
            .poll
            .registry()
            .register(&mut stream, token, Interest::READABLE)
            .is_err()
        {
            self.stats.accept_errors += 1;
            return;
        }
        *self.per_source.entry(ip).or_default() += 1;
        self.conns.insert(
            token,
            Conn {
                stream,
                peer,
                framer: Framer::default(),
                last_message: Instant::now(),
            },
        );
        self.stats.accepted += 1;
        self.stats.open = self.conns.len() as u64;
    }

    fn read(&mut self, token: Token, deliver: &mut impl FnMut(SocketAddr, &[u8])) {
        let Some(conn) = self.conns.get_mut(&token) else {
            return;
        };
        let mut reads = 0;
        let keep = loop {
            if reads == READS_PER_TURN {
                self.busy.push_back(token);
                break true;
            }
            reads += 1;
            match conn.stream.read(&mut self.scratch) {
                Ok(0) => break false,
                Ok(n) => {
                    let peer = conn.peer;
                    match conn.framer.feed(&self.scratch[..n], |m| deliver(peer, m)) {
                        Ok(0) => {}
                        Ok(_) => conn.last_message = Instant::now(),
                        Err(_) => {
                            self.stats.bad_framing += 1;
                            break false;
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break false,
            }
        };
        if !keep {
            self.close(token);
        }
    }

    fn close(&mut self, token: Token) {
        let Some(mut conn) = self.conns.remove(&token) else {
            return;
        };
        let _ = self.poll.registry().deregister(&mut conn.stream);
        let ip = conn.peer.ip().to_canonical();
        if let Some(n) = self.per_source.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                self.per_source.remove(&ip);
            }
        }
        self.stats.open = self.conns.len() as u64;
    }

    /// Closes connections past the timeout, and gives back the tables' memory after a crowd has gone.
    fn sweep(&mut self) {
        self.last_sweep = Instant::now();
        let timeout = self.limits.timeout;
        let due: Vec<Token> = self
            .conns
            .iter()
            .filter(|(_, c)| c.last_message.elapsed() >= timeout)
            .map(|(&t, _)| t)
            .collect();
        for t in due {
            self.close(t);
            self.stats.timed_out += 1;
        }
        if self.conns.capacity() > 4 * self.conns.len().max(16) {
            self.conns.shrink_to_fit();
            self.per_source.shrink_to_fit();
            self.ready.shrink_to_fit();
            self.busy.shrink_to_fit();
        }
    }
}

fn out_of_resources(e: &io::Error) -> bool {
    // EMFILE, ENFILE, ENOBUFS, ENOMEM
    matches!(e.raw_os_error(), Some(24 | 23 | 105 | 12))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpStream as StdStream;

    use crate::framing::tests::message;

    fn collector(limits: TcpLimits, allow: Vec<IpNet>) -> (TcpCollector, SocketAddr) {
        let c = TcpCollector::bind("127.0.0.1:0", limits, allow).unwrap();
        let addr = c.local_addr().unwrap();
        (c, addr)
    }

    /// Polls until `done` says so (or a few seconds pass), collecting messages.
    fn run_until(
        c: &mut TcpCollector,
        got: &mut Vec<(SocketAddr, Vec<u8>)>,
        mut done: impl FnMut(&TcpCollector, &[(SocketAddr, Vec<u8>)]) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(c, got) {
            assert!(Instant::now() < deadline, "timed out: {:?}", c.stats);
            c.poll(Duration::from_millis(20), |p, m| got.push((p, m.to_vec())))
                .unwrap();
        }
    }

    #[test]
    fn messages_split_over_writes_arrive_whole() {
        let (mut c, addr) = collector(TcpLimits::default(), Vec::new());
        let mut s = StdStream::connect(addr).unwrap();
        let (a, b) = (message(40, 1), message(2000, 2));
        let stream = [&a[..], &b].concat();
        s.write_all(&stream[..3]).unwrap();
        let mut got = Vec::new();
        run_until(&mut c, &mut got, |c, _| c.stats.accepted == 1);
        s.write_all(&stream[3..500]).unwrap();
        s.write_all(&stream[500..]).unwrap();
        run_until(&mut c, &mut got, |_, g| g.len() == 2);
        assert_eq!(got[0].1, a);
        assert_eq!(got[1].1, b);
        assert_eq!(got[0].0, s.local_addr().unwrap());
        assert_eq!(c.buffered(), 0);
        // Not IPFIX: closed and counted.
        s.write_all(&[0, 9, 0, 20]).unwrap();
        run_until(&mut c, &mut got, |c, _| c.stats.open == 0);
        assert_eq!(c.stats.bad_framing, 1);
    }

    #[test]
    fn caps_refuse_and_count() {
        let limits = TcpLimits {
            max_connections: 5,
            max_per_source: 3,
            timeout: Duration::from_secs(60),
        };
        let (mut c, addr) = collector(limits, Vec::new());
        let held: Vec<StdStream> = (0..4).map(|_| StdStream::connect(addr).unwrap()).collect();
        let mut got = Vec::new();
        run_until(&mut c, &mut got, |c, _| {
            c.stats.accepted + c.stats.refused_per_source == 4
        });
        assert_eq!((c.stats.open, c.stats.refused_per_source), (3, 1));
        // Another source (all of 127/8 is loopback) gets in up to the total cap.
        let more: Vec<StdStream> = (2..6).map(|i| connect_from([127, 0, 0, i], addr)).collect();
        run_until(&mut c, &mut got, |c, _| {
            c.stats.accepted + c.stats.refused_per_source + c.stats.refused_total == 8
        });
        assert_eq!((c.stats.open, c.stats.refused_total), (5, 2));
        drop(held);
        drop(more);
        run_until(&mut c, &mut got, |c, _| c.stats.open == 0);
        assert!(c.per_source.is_empty());
    }

    /// A TCP connection from a chosen loopback source address (std cannot bind before connecting).
    fn connect_from(ip: [u8; 4], addr: SocketAddr) -> StdStream {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        s.bind(&SocketAddr::from((ip, 0)).into()).unwrap();
        s.connect(&addr.into()).unwrap();
        s.into()
    }

    #[test]
    fn allow_list_and_timeout() {
        let limits = TcpLimits {
            timeout: Duration::from_millis(300),
            ..TcpLimits::default()
        };
        let (mut c, addr) = collector(limits, vec!["10.0.0.0/8".parse().unwrap()]);
        let _s = StdStream::connect(addr).unwrap();
        let mut got = Vec::new();
        run_until(&mut c, &mut got, |c, _| c.stats.refused_not_allowed == 1);
        assert_eq!(c.stats.accepted, 0);

        let (mut c, addr) = collector(limits, vec!["127.0.0.0/8".parse().unwrap()]);
        let mut s = StdStream::connect(addr).unwrap();
        // Half a message, then silence: closed after the timeout, its buffer freed.
        s.write_all(&message(1000, 7)[..600]).unwrap();
        run_until(&mut c, &mut got, |c, _| c.buffered() > 0);
        run_until(&mut c, &mut got, |c, _| c.stats.timed_out == 1);
        assert_eq!((c.stats.open, c.buffered()), (0, 0));
        assert!(got.is_empty());
    }
}
