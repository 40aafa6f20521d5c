//! A map with a hard cap that evicts its idlest entries when full: the collector's per-exporter state (templates,
//! sequence numbers, init times), which exporters that come and go — or a sender inventing a new observation
//! domain per datagram — would otherwise grow without bound.
//!
//! Every lookup or insert stamps the entry with a running tick. When an insert finds the map full, one pass finds
//! the tick below which the idlest eighth lies and drops those entries, so the cost of eviction is one scan per
//! `cap / 8` new keys, not one per key.

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug)]
pub struct IdleMap<K, V> {
    map: HashMap<K, (V, u64)>,
    cap: usize,
    tick: u64,
    /// Entries dropped to make room, since creation.
    pub evicted: u64,
}

impl<K: Hash + Eq, V> IdleMap<K, V> {
    /// A map holding at most `cap` entries (at least 1).
    #[must_use]
    pub fn new(cap: usize) -> Self {
        Self {
            map: HashMap::new(),
            cap: cap.max(1),
            tick: 0,
            evicted: 0,
        }
    }

    fn stamp(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// The entry of `k`, marked as just used.
    pub fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        let t = self.stamp();
        self.map.get_mut(k).map(|(v, used)| {
            *used = t;
            v
        })
    }

    /// Inserts or replaces `k`; a new key in a full map first evicts the idlest eighth.
    pub fn insert(&mut self, k: K, v: V) {
        if self.map.len() >= self.cap && !self.map.contains_key(&k) {
            self.evict_idlest();
        }
        let t = self.stamp();
        self.map.insert(k, (v, t));
    }

    pub fn remove(&mut self, k: &K) -> Option<V> {
        self.map.remove(k).map(|(v, _)| v)
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    fn evict_idlest(&mut self) {
        let n = (self.cap / 8).clamp(1, self.map.len());
        let mut ticks: Vec<u64> = self.map.values().map(|&(_, t)| t).collect();
        // Ticks are unique, so exactly `n` entries are at or below the n-th smallest.
        let (_, &mut cutoff, _) = ticks.select_nth_unstable(n - 1);
        let before = self.map.len();
        self.map.retain(|_, (_, t)| *t > cutoff);
        self.evicted += (before - self.map.len()) as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::IdleMap;

    #[test]
    fn holds_its_cap_and_evicts_the_idlest() {
        let mut m = IdleMap::new(16);
        for k in 0..16u32 {
            m.insert(k, k);
        }
        // Keys 0 and 1 are used again: the idlest are now 2 and 3.
        assert_eq!(m.get_mut(&0), Some(&mut 0));
        assert_eq!(m.get_mut(&1), Some(&mut 1));
        m.insert(100, 100);
        assert_eq!((m.len(), m.evicted), (15, 2));
        assert!(m.get_mut(&2).is_none() && m.get_mut(&3).is_none());
        assert!(m.get_mut(&0).is_some() && m.get_mut(&4).is_some());
        // Replacing an existing key in a full map evicts nothing.
        m.insert(200, 0);
        m.insert(200, 1);
        assert_eq!((m.len(), m.evicted), (16, 2));
        for k in 1000..100_000u32 {
            m.insert(k, k);
            assert!(m.len() <= 16);
        }
        // Nothing is lost without being counted.
        assert_eq!(m.evicted as usize, 2 + 16 + (100_000 - 1000) - m.len());
        assert_eq!(m.remove(&99_999), Some(99_999));
    }
}
