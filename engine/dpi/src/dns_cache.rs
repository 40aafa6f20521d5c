//! Address → application names learnt from DNS answers seen on the wire, shared by every worker.
//!
//! A fixed array of atomic words, each holding an address fingerprint and an application: no lock, no allocation
//! after start-up. Writers race benignly (a slot holds whichever answer came last); a reader trusts a slot only
//! when the fingerprint matches. Because workers run concurrently, with more than one worker a flow may or may not
//! see an answer another worker learnt at the same moment; with one worker results are deterministic.

use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::proto::Proto;

/// Shared DNS cache.
#[derive(Debug)]
pub struct DnsCache {
    slots: Box<[AtomicU64]>,
    mask: usize,
}

impl DnsCache {
    /// A cache of `capacity` entries (rounded up to a power of two, at least 256).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        let n = capacity.max(256).next_power_of_two();
        Self {
            slots: (0..n).map(|_| AtomicU64::new(0)).collect(),
            mask: n - 1,
        }
    }

    fn fingerprint(addr: IpAddr) -> u64 {
        Self::fingerprint_port(addr, None)
    }

    fn fingerprint_port(addr: IpAddr, port: Option<u16>) -> u64 {
        let mut h = foldhash_like();
        match addr {
            IpAddr::V4(a) => h.write(&a.octets()),
            IpAddr::V6(a) => h.write(&a.octets()),
        }
        if let Some(p) = port {
            h.write(&p.to_be_bytes());
        }
        // Never zero, so an empty slot never matches.
        h.finish() | 1 << 63
    }

    /// Remembers that `addr` serves `app`.
    pub fn insert(&self, addr: IpAddr, app: Proto) {
        let fp = Self::fingerprint(addr);
        let slot = &self.slots[(fp as usize) & self.mask];
        slot.store((fp & !0xffff) | u64::from(app.id()), Ordering::Relaxed);
    }

    /// Remembers that a connection to `addr`:`port` was announced for `proto` (FTP data, SIP media).
    pub fn expect(&self, addr: IpAddr, port: u16, proto: Proto) {
        let fp = Self::fingerprint_port(addr, Some(port));
        let slot = &self.slots[(fp as usize) & self.mask];
        slot.store((fp & !0xffff) | u64::from(proto.id()), Ordering::Relaxed);
    }

    /// What a connection to `addr`:`port` was announced for.
    #[must_use]
    pub fn expected(&self, addr: IpAddr, port: u16) -> Option<Proto> {
        let fp = Self::fingerprint_port(addr, Some(port));
        let v = self.slots[(fp as usize) & self.mask].load(Ordering::Relaxed);
        if v & !0xffff != fp & !0xffff {
            return None;
        }
        Proto::from_id((v & 0xffff) as u16)
    }

    /// The application last learnt for `addr`.
    #[must_use]
    pub fn get(&self, addr: IpAddr) -> Option<Proto> {
        let fp = Self::fingerprint(addr);
        let v = self.slots[(fp as usize) & self.mask].load(Ordering::Relaxed);
        if v & !0xffff != fp & !0xffff {
            return None;
        }
        Proto::from_id((v & 0xffff) as u16)
    }
}

impl Default for DnsCache {
    fn default() -> Self {
        Self::new(1 << 16)
    }
}

fn foldhash_like() -> impl Hasher {
    // A fixed-seed SipHash: the cache must give the same slot for the same address in every thread.
    std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
        .build_hasher()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_forgets_by_slot() {
        let c = DnsCache::new(256);
        let a: IpAddr = "142.250.180.14"
            .parse()
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let b: IpAddr = "2a00:1450:4002:402::200e"
            .parse()
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert_eq!(c.get(a), None);
        c.insert(a, Proto::YouTube);
        c.insert(b, Proto::Google);
        assert_eq!(c.get(a), Some(Proto::YouTube));
        assert_eq!(c.get(b), Some(Proto::Google));
        assert_eq!(c.get("10.0.0.1".parse().unwrap_or(a)), None);
    }
}
