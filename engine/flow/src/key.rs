//! The canonical flow key and its symmetric hash.
//!
//! Both directions of a conversation map to the same [`FlowKey`]: the (address, port) pair that sorts lower is
//! stored first. Hashing the canonical key therefore gives the same value for both directions, which is what lets
//! a reader (or a NIC without symmetric RSS) steer every packet of a flow to the one worker that owns it.

use std::hash::BuildHasher;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use xntop_wire::Decoded;

/// Seed of the flow hash. Fixed so that shard assignment, and so eviction order, is the same on every run.
const HASH_SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Canonical identity of a flow: both directions give the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    /// Lower endpoint address (IPv4 as the first 4 bytes, rest zero, when `v6` is false).
    pub lo_addr: [u8; 16],
    /// Higher endpoint address.
    pub hi_addr: [u8; 16],
    pub lo_port: u16,
    pub hi_port: u16,
    pub vlan: u16,
    pub proto: u8,
    pub v6: bool,
    /// Index of the capture interface (`-i` order), so the same 5-tuple on two interfaces stays two flows.
    pub iface: u8,
}

/// Which endpoint of the canonical key sent a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Lo,
    Hi,
}

impl FlowKey {
    /// Builds the canonical key of a decoded packet and says which endpoint sent it.
    #[must_use]
    pub fn from_decoded(d: &Decoded<'_>, iface: u8) -> (Self, Endpoint) {
        Self::new(d.src, d.src_port, d.dst, d.dst_port, d.proto, d.vlan, iface)
    }

    /// Builds the canonical key from one direction's endpoints.
    #[must_use]
    pub fn new(
        src: IpAddr,
        src_port: u16,
        dst: IpAddr,
        dst_port: u16,
        proto: u8,
        vlan: u16,
        iface: u8,
    ) -> (Self, Endpoint) {
        let (s, v6) = addr_bytes(src);
        let (d, _) = addr_bytes(dst);
        let sender_is_lo = (s, src_port) <= (d, dst_port);
        let (lo_addr, lo_port, hi_addr, hi_port) = if sender_is_lo {
            (s, src_port, d, dst_port)
        } else {
            (d, dst_port, s, src_port)
        };
        let key = Self {
            lo_addr,
            hi_addr,
            lo_port,
            hi_port,
            vlan,
            proto,
            v6,
            iface,
        };
        (
            key,
            if sender_is_lo {
                Endpoint::Lo
            } else {
                Endpoint::Hi
            },
        )
    }

    /// Symmetric hash of the key (the key is already canonical). Deterministic across runs.
    #[must_use]
    pub fn symmetric_hash(&self) -> u64 {
        foldhash::fast::FixedState::with_seed(HASH_SEED).hash_one(self)
    }

    /// The address of one endpoint.
    #[must_use]
    pub fn addr(&self, end: Endpoint) -> IpAddr {
        let b = match end {
            Endpoint::Lo => &self.lo_addr,
            Endpoint::Hi => &self.hi_addr,
        };
        if self.v6 {
            IpAddr::V6(Ipv6Addr::from(*b))
        } else {
            IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
        }
    }

    /// The port of one endpoint.
    #[must_use]
    pub fn port(&self, end: Endpoint) -> u16 {
        match end {
            Endpoint::Lo => self.lo_port,
            Endpoint::Hi => self.hi_port,
        }
    }
}

impl Endpoint {
    /// The other endpoint.
    #[must_use]
    pub fn peer(self) -> Self {
        match self {
            Self::Lo => Self::Hi,
            Self::Hi => Self::Lo,
        }
    }
}

/// Picks the shard of a hash among `shards` with a multiply-shift on the high bits, so the low bits (which the
/// shard's own hash table uses for buckets) stay uniformly spread inside every shard.
#[must_use]
pub fn shard_of(hash: u64, shards: usize) -> usize {
    let high = hash >> 32;
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the product shifted by 32 is < shards"
    )]
    let shard = ((high * shards as u64) >> 32) as usize;
    shard
}

fn addr_bytes(a: IpAddr) -> ([u8; 16], bool) {
    match a {
        IpAddr::V4(v4) => {
            let mut b = [0u8; 16];
            b[..4].copy_from_slice(&v4.octets());
            (b, false)
        }
        IpAddr::V6(v6) => (v6.octets(), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v4(a: [u8; 4]) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(a))
    }

    #[test]
    fn both_directions_give_one_key() {
        let (k1, e1) = FlowKey::new(v4([10, 0, 0, 2]), 40000, v4([10, 0, 0, 1]), 80, 6, 0, 0);
        let (k2, e2) = FlowKey::new(v4([10, 0, 0, 1]), 80, v4([10, 0, 0, 2]), 40000, 6, 0, 0);
        assert_eq!(k1, k2);
        assert_eq!(k1.symmetric_hash(), k2.symmetric_hash());
        assert_eq!(e1, Endpoint::Hi);
        assert_eq!(e2, Endpoint::Lo);
        assert_eq!(k1.addr(e1), v4([10, 0, 0, 2]));
        assert_eq!(k1.port(e1.peer()), 80);
    }

    #[test]
    fn vlan_and_interface_separate_flows() {
        let (a, _) = FlowKey::new(v4([1, 1, 1, 1]), 1, v4([2, 2, 2, 2]), 2, 17, 10, 0);
        let (b, _) = FlowKey::new(v4([1, 1, 1, 1]), 1, v4([2, 2, 2, 2]), 2, 17, 11, 0);
        let (c, _) = FlowKey::new(v4([1, 1, 1, 1]), 1, v4([2, 2, 2, 2]), 2, 17, 10, 1);
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn shards_spread_evenly() {
        let mut counts = [0usize; 4];
        for i in 0..40_000u32 {
            let (k, _) = FlowKey::new(
                v4(i.to_be_bytes()),
                (i % 60_000) as u16,
                v4([192, 0, 2, 1]),
                443,
                6,
                0,
                0,
            );
            counts[shard_of(k.symmetric_hash(), 4)] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "uneven shards: {counts:?}");
        }
    }

    proptest! {
        #[test]
        fn key_is_symmetric(a in any::<[u8; 16]>(), b in any::<[u8; 16]>(), pa: u16, pb: u16, v6: bool) {
            let to_ip = |x: [u8; 16]| if v6 { IpAddr::V6(Ipv6Addr::from(x)) } else { v4([x[0], x[1], x[2], x[3]]) };
            let (k1, e1) = FlowKey::new(to_ip(a), pa, to_ip(b), pb, 17, 0, 0);
            let (k2, e2) = FlowKey::new(to_ip(b), pb, to_ip(a), pa, 17, 0, 0);
            prop_assert_eq!(k1, k2);
            prop_assert_eq!(k1.addr(e1), to_ip(a));
            prop_assert_eq!(k2.addr(e2), to_ip(b));
            prop_assert!(shard_of(k1.symmetric_hash(), 3) < 3);
        }
    }
}
