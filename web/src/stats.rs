//! What the web server refused, closed or dropped, counted for `/metrics` (every cap's refusals are shown).

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by the accept loop, the connections and the handlers.
#[derive(Debug, Default)]
pub struct WebStats {
    /// Connections open now (gauge).
    pub open: AtomicU64,
    pub accepted: AtomicU64,
    /// Closed at accept: the address already holds its share of connections.
    pub refused_per_address: AtomicU64,
    /// Closed at accept: every connection slot was busy with a request.
    pub refused_full: AtomicU64,
    /// `accept(2)` failed (out of descriptors and the like).
    pub accept_errors: AtomicU64,
    /// Closed to make room for a new one: the connection that had waited longest for a request.
    pub evicted: AtomicU64,
    /// Closed because no complete request head came in time (new or idle keep-alive connections).
    pub header_timeouts: AtomicU64,
    /// Closed because nothing moved either way for a while during a request (a body that stopped coming, a
    /// response nobody read).
    pub stalled: AtomicU64,
    /// TLS handshakes that failed or did not finish in time.
    pub tls_failed: AtomicU64,
    /// Event streams (`/api/v1/events`) dropped because their client fell behind by more than the buffer.
    pub events_dropped: AtomicU64,
    /// Password checks run (argon2).
    pub login_verifications: AtomicU64,
    /// Logins refused before any check: the address spent its failure budget.
    pub login_refused_budget: AtomicU64,
    /// Logins refused before any check: a login from the same address was being checked.
    pub login_refused_address_busy: AtomicU64,
    /// Logins refused before any check: every verification slot was taken.
    pub login_refused_server_busy: AtomicU64,
}

/// Adds one.
pub fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// The current value.
pub fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}
