//! The per-address login budget: [`MAX_FAILURES`] failed logins per [`WINDOW`], counted *before* the password is
//! checked, with at most [`MAX_IN_FLIGHT`] checks running per address.
//!
//! Each attempt reserves one unit of the budget before argon2 runs; a success gives back only its own unit, so a
//! right password never clears an address's earlier failures (a guesser cannot interleave with a user who logs in
//! from the same address). Concurrent attempts therefore cannot check more passwords than the budget holds. The
//! table of addresses holds [`MAX_TRACKED`]; beyond, addresses with nothing in the window go first, then the idlest
//! (counted).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::conns::limit_key;
use crate::lock;
use crate::stats::bump;

/// Failed logins allowed per address within [`WINDOW`]; further attempts get 429 without a check.
pub const MAX_FAILURES: usize = 5;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Password checks running at once for one address.
pub const MAX_IN_FLIGHT: u32 = 1;
/// Most addresses tracked.
pub const MAX_TRACKED: usize = 65_536;

/// Why an attempt was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The budget is spent: retry after this many seconds.
    Spent(u64),
    /// A check for this address is running.
    Busy,
}

#[derive(Debug)]
struct Entry {
    /// Attempts counted in the window (failures, and checks still running), oldest first.
    attempts: Vec<Instant>,
    in_flight: u32,
    last: Instant,
}

impl Entry {
    fn prune(&mut self, now: Instant) {
        self.attempts.retain(|t| now.duration_since(*t) < WINDOW);
    }

    fn spent(&self, now: Instant) -> Option<u64> {
        if self.attempts.len() < MAX_FAILURES {
            return None;
        }
        let oldest = self.attempts.first().copied()?;
        Some(
            WINDOW
                .saturating_sub(now.duration_since(oldest))
                .as_secs()
                .max(1),
        )
    }
}

/// The budget of every address.
#[derive(Debug, Default)]
pub struct LoginLimit {
    map: Mutex<HashMap<IpAddr, Entry>>,
    /// Addresses forgotten early because the table was full.
    pub evicted: AtomicU64,
}

impl LoginLimit {
    /// Whether `ip` may try now (a cheap look that reserves nothing, made before the request body is read).
    ///
    /// # Errors
    /// The budget is spent.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        let now = Instant::now();
        let mut map = lock(&self.map);
        let Some(e) = map.get_mut(&limit_key(ip)) else {
            return Ok(());
        };
        e.prune(now);
        e.spent(now).map_or(Ok(()), |s| Err(Refusal::Spent(s)))
    }

    /// Counts an attempt from `ip` as a failure until [`Attempt::succeeded`] says otherwise.
    ///
    /// # Errors
    /// The budget is spent, or a check for the same address is running.
    pub fn reserve(self: &Arc<Self>, ip: IpAddr) -> Result<Attempt, Refusal> {
        let now = Instant::now();
        let key = limit_key(ip);
        let mut map = lock(&self.map);
        if !map.contains_key(&key) && map.len() >= MAX_TRACKED {
            self.make_room(&mut map, now);
        }
        let e = map.entry(key).or_insert_with(|| Entry {
            attempts: Vec::with_capacity(MAX_FAILURES),
            in_flight: 0,
            last: now,
        });
        e.prune(now);
        if let Some(s) = e.spent(now) {
            return Err(Refusal::Spent(s));
        }
        if e.in_flight >= MAX_IN_FLIGHT {
            return Err(Refusal::Busy);
        }
        e.attempts.push(now);
        e.in_flight += 1;
        e.last = now;
        Ok(Attempt {
            limit: Arc::clone(self),
            key,
            at: now,
            refund: false,
        })
    }

    fn make_room(&self, map: &mut HashMap<IpAddr, Entry>, now: Instant) {
        map.retain(|_, e| {
            e.in_flight > 0 || e.attempts.iter().any(|t| now.duration_since(*t) < WINDOW)
        });
        if map.len() < MAX_TRACKED {
            return;
        }
        let idlest = map
            .iter()
            .filter(|(_, e)| e.in_flight == 0)
            .min_by_key(|(_, e)| e.last)
            .map(|(k, _)| *k);
        if let Some(k) = idlest {
            map.remove(&k);
            bump(&self.evicted);
        }
    }

    /// Addresses tracked now.
    #[must_use]
    pub fn tracked(&self) -> usize {
        lock(&self.map).len()
    }
}

/// One reserved attempt; dropping it ends the check and leaves the attempt counted as a failure.
#[derive(Debug)]
pub struct Attempt {
    limit: Arc<LoginLimit>,
    key: IpAddr,
    at: Instant,
    refund: bool,
}

impl Attempt {
    /// The password was right (or never checked): the attempt does not count against the budget.
    pub fn succeeded(mut self) {
        self.refund = true;
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let mut map = lock(&self.limit.map);
        let Some(e) = map.get_mut(&self.key) else {
            return;
        };
        e.in_flight = e.in_flight.saturating_sub(1);
        if self.refund {
            if let Some(i) = e.attempts.iter().position(|t| *t == self.at) {
                e.attempts.remove(i);
            }
        }
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
    fn budget_is_spent_by_reservations_not_results() {
        let l = Arc::new(LoginLimit::default());
        let a = ip("10.0.0.1");
        // Reserved attempts count while their checks run: the sixth is refused before any result is known.
        for _ in 0..MAX_FAILURES {
            let t = l.reserve(a).unwrap();
            drop(t);
        }
        assert!(matches!(l.reserve(a), Err(Refusal::Spent(s)) if (1..=60).contains(&s)));
        assert!(matches!(l.check(a), Err(Refusal::Spent(_))));
        assert!(l.check(ip("10.0.0.2")).is_ok());
    }

    #[test]
    fn one_check_at_a_time_per_address() {
        let l = Arc::new(LoginLimit::default());
        let first = l.reserve(ip("10.0.0.1")).unwrap();
        assert_eq!(l.reserve(ip("10.0.0.1")).unwrap_err(), Refusal::Busy);
        assert!(l.reserve(ip("10.0.0.2")).is_ok());
        drop(first);
        assert!(l.reserve(ip("10.0.0.1")).is_ok());
    }

    #[test]
    fn a_success_refunds_only_itself() {
        let l = Arc::new(LoginLimit::default());
        let a = ip("2001:db8::1");
        for _ in 0..MAX_FAILURES - 1 {
            drop(l.reserve(a).unwrap());
        }
        // The user logs in: the four failures stay (a guesser on the same address gains nothing).
        l.reserve(a).unwrap().succeeded();
        assert!(l.check(a).is_ok());
        drop(l.reserve(a).unwrap());
        // Same /64, other address: the same budget.
        assert!(matches!(
            l.reserve(ip("2001:db8::2")),
            Err(Refusal::Spent(_))
        ));
    }

    #[test]
    fn table_stays_bounded() {
        let l = Arc::new(LoginLimit::default());
        for i in 0..MAX_TRACKED as u32 + 10 {
            drop(l.reserve(IpAddr::V4(i.into())).unwrap());
        }
        assert_eq!(l.tracked(), MAX_TRACKED);
        assert_eq!(
            l.evicted.load(std::sync::atomic::Ordering::Relaxed),
            10,
            "the idlest went"
        );
    }
}
