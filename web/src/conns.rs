//! The open connections: a cap in total and per client address, and what each connection is doing.
//!
//! A connection is *waiting* from its accept until its first request head arrives, and again after each response,
//! until the next head; it is *busy* in between. When every slot is taken, the connection that has waited longest is
//! closed to make room (a flood of silent connections cannot lock real clients out: theirs are the newest), and only
//! when all are busy is the new one refused. Each address (an IPv6 /64 counts as one) holds at most
//! [`MAX_PER_ADDRESS`]; beyond, new connections are closed at accept. Every refusal and eviction is counted.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::lock;
use crate::stats::{bump, WebStats};

/// Most connections open at once (HTTP and HTTPS, handshakes included).
pub const MAX_CONNECTIONS: usize = 1024;
/// Most connections one client address (IPv6: one /64) holds at once.
pub const MAX_PER_ADDRESS: u32 = 256;

/// The address a limit counts under: IPv4 as it is (also when mapped into IPv6), IPv6 by its /64, which one
/// subscriber usually holds whole.
#[must_use]
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & (!0u128 << 64)).into()),
        },
    }
}

/// One connection's state, shared by its task, its I/O and its requests' handlers.
#[derive(Debug)]
pub struct ConnState {
    id: u64,
    key: IpAddr,
    /// Milliseconds since the registry started at which the connection began waiting for a request head, plus
    /// one; 0 while busy.
    waiting_since: AtomicU64,
    kill: Notify,
    killed: AtomicBool,
    /// Bytes written to the socket (the plain side of TLS).
    written: AtomicU64,
    /// A `TCP_NOTSENT_LOWAT` the I/O applies on its next write; 0 = none asked.
    lowat: AtomicU32,
    epoch: Instant,
}

impl ConnState {
    fn new(id: u64, key: IpAddr, epoch: Instant) -> Self {
        let s = Self {
            id,
            key,
            waiting_since: AtomicU64::new(0),
            kill: Notify::new(),
            killed: AtomicBool::new(false),
            written: AtomicU64::new(0),
            lowat: AtomicU32::new(0),
            epoch,
        };
        s.waiting();
        s
    }

    /// A request head arrived.
    pub fn busy(&self) {
        self.waiting_since.store(0, Ordering::Relaxed);
    }

    /// The response is written: waiting for the next request.
    pub fn waiting(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        self.waiting_since.store(ms + 1, Ordering::Relaxed);
    }

    /// Closes the connection (its task drops it).
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Relaxed);
        self.kill.notify_one();
    }

    /// Resolves when [`ConnState::kill`] was called.
    pub async fn killed(&self) {
        self.kill.notified().await;
    }

    pub fn add_written(&self, n: usize) {
        self.written.fetch_add(n as u64, Ordering::Relaxed);
    }

    #[must_use]
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Asks for a lower `TCP_NOTSENT_LOWAT` on this connection's socket.
    pub fn request_lowat(&self, bytes: u32) {
        self.lowat.store(bytes, Ordering::Relaxed);
    }

    /// The pending `TCP_NOTSENT_LOWAT` request, taken.
    pub fn take_lowat(&self) -> Option<u32> {
        if self.lowat.load(Ordering::Relaxed) == 0 {
            return None;
        }
        Some(self.lowat.swap(0, Ordering::Relaxed)).filter(|&b| b != 0)
    }
}

/// Why a connection was closed at accept.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    PerAddress,
    Full,
}

#[derive(Debug, Default)]
struct Inner {
    per_key: HashMap<IpAddr, u32>,
    live: HashMap<u64, Arc<ConnState>>,
    next_id: u64,
}

/// The open connections.
#[derive(Debug)]
pub struct Registry {
    inner: Mutex<Inner>,
    cap: usize,
    epoch: Instant,
    stats: Arc<WebStats>,
}

impl Registry {
    /// At most `cap` connections (the open-file limit may call for fewer than [`MAX_CONNECTIONS`]).
    #[must_use]
    pub fn new(cap: usize, stats: Arc<WebStats>) -> Self {
        Self {
            inner: Mutex::default(),
            cap: cap.max(1),
            epoch: Instant::now(),
            stats,
        }
    }

    /// Takes a slot for a connection from `ip`, closing the longest-waiting connection when all are taken.
    ///
    /// # Errors
    /// The address holds [`MAX_PER_ADDRESS`] already, or every connection is busy.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Admission, Refused> {
        let key = limit_key(ip);
        let mut inner = lock(&self.inner);
        if inner.per_key.get(&key).copied().unwrap_or(0) >= MAX_PER_ADDRESS {
            bump(&self.stats.refused_per_address);
            return Err(Refused::PerAddress);
        }
        if inner.live.len() >= self.cap {
            let victim = inner
                .live
                .values()
                .filter(|c| c.waiting_since.load(Ordering::Relaxed) != 0)
                .min_by_key(|c| c.waiting_since.load(Ordering::Relaxed))
                .cloned();
            let Some(victim) = victim else {
                bump(&self.stats.refused_full);
                return Err(Refused::Full);
            };
            Self::forget(&mut inner, &victim);
            victim.kill();
            bump(&self.stats.evicted);
        }
        inner.next_id += 1;
        let state = Arc::new(ConnState::new(inner.next_id, key, self.epoch));
        inner.live.insert(state.id, Arc::clone(&state));
        *inner.per_key.entry(key).or_default() += 1;
        self.stats
            .open
            .store(inner.live.len() as u64, Ordering::Relaxed);
        bump(&self.stats.accepted);
        Ok(Admission {
            state,
            registry: Arc::clone(self),
        })
    }

    fn forget(inner: &mut Inner, c: &ConnState) {
        if inner.live.remove(&c.id).is_none() {
            return;
        }
        if let Some(n) = inner.per_key.get_mut(&c.key) {
            *n -= 1;
            if *n == 0 {
                inner.per_key.remove(&c.key);
            }
        }
    }

    /// Connections holding a slot now.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.inner).live.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until every connection has ended, or `grace` has passed.
    pub async fn drained(&self, grace: Duration) {
        let deadline = tokio::time::Instant::now() + grace;
        while !self.is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A connection's slot, given back on drop.
#[derive(Debug)]
pub struct Admission {
    state: Arc<ConnState>,
    registry: Arc<Registry>,
}

impl Admission {
    #[must_use]
    pub fn state(&self) -> &Arc<ConnState> {
        &self.state
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut inner = lock(&self.registry.inner);
        Registry::forget(&mut inner, &self.state);
        self.registry
            .stats
            .open
            .store(inner.live.len() as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_counts_by_its_64() {
        assert_eq!(limit_key(ip("10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(limit_key(ip("::ffff:10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
    }

    #[test]
    fn per_address_cap_then_slot_given_back() {
        let stats = Arc::new(WebStats::default());
        let r = Arc::new(Registry::new(1000, Arc::clone(&stats)));
        let held: Vec<_> = (0..MAX_PER_ADDRESS)
            .map(|_| r.admit(ip("10.0.0.1")).unwrap())
            .collect();
        assert_eq!(r.admit(ip("10.0.0.1")).unwrap_err(), Refused::PerAddress);
        assert!(r.admit(ip("10.0.0.2")).is_ok());
        drop(held);
        assert!(r.admit(ip("10.0.0.1")).is_ok());
        assert_eq!(stats.refused_per_address.load(Ordering::Relaxed), 1);
        assert_eq!(r.len(), 0);
    }

    #[test]
    fn full_evicts_the_longest_waiting_and_refuses_when_all_are_busy() {
        let stats = Arc::new(WebStats::default());
        let r = Arc::new(Registry::new(3, Arc::clone(&stats)));
        let a = r.admit(ip("10.0.0.1")).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let b = r.admit(ip("10.0.0.2")).unwrap();
        // (Waiting times are in milliseconds: keep them apart.)
        std::thread::sleep(Duration::from_millis(5));
        let c = r.admit(ip("10.0.0.3")).unwrap();
        // `a` took a request, then went back to waiting: now `b` has waited longest.
        a.state().busy();
        std::thread::sleep(Duration::from_millis(5));
        a.state().waiting();
        let d = r.admit(ip("10.0.0.4")).unwrap();
        assert!(b.state().killed.load(Ordering::Relaxed));
        assert!(!a.state().killed.load(Ordering::Relaxed));
        assert_eq!(r.len(), 3);
        drop(b); // its task ends later: the slot was already given to `d`
        assert_eq!(r.len(), 3);
        for s in [&a, &c, &d] {
            s.state().busy();
        }
        assert_eq!(r.admit(ip("10.0.0.5")).unwrap_err(), Refused::Full);
        assert_eq!(stats.evicted.load(Ordering::Relaxed), 1);
        assert_eq!(stats.refused_full.load(Ordering::Relaxed), 1);
    }
}
