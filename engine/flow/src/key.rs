//! The canonical flow key and its symmetric hash.
//!
//! Both directions of a conversation map to the same [`FlowKey`]: the (address, port) pair that sorts lower is
//! stored first. Hashing the canonical key therefore gives the same value for both directions, which is what lets
//! a reader (or a NIC without symmetric RSS) steer every packet of a flow to the one worker that owns it.

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
        // Compared as big-endian integers, which orders exactly as the bytes do, without a byte-wise compare.
        let (s, v6) = addr_bits(src);
        let (d, _) = addr_bits(dst);
        let sender_is_lo = (s, src_port) <= (d, dst_port);
        let (lo_addr, lo_port, hi_addr, hi_port) = if sender_is_lo {
            (s.to_be_bytes(), src_port, d.to_be_bytes(), dst_port)
        } else {
            (d.to_be_bytes(), dst_port, s.to_be_bytes(), src_port)
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
    ///
    /// Four folded multiplies over the key's words: every packet pays for this once, so it is not a generic `Hash`
    /// walk (one hasher call per field).
    #[must_use]
    pub fn symmetric_hash(&self) -> u64 {
        let lo = u128::from_le_bytes(self.lo_addr);
        let hi = u128::from_le_bytes(self.hi_addr);
        let rest = u64::from(self.lo_port)
            | u64::from(self.hi_port) << 16
            | u64::from(self.vlan) << 32
            | u64::from(self.proto) << 48
            | u64::from(self.iface) << 56;
        #[allow(clippy::cast_possible_truncation, reason = "the halves of a u128")]
        let (lo0, lo1, hi0, hi1) = (lo as u64, (lo >> 64) as u64, hi as u64, (hi >> 64) as u64);
        let a = folded_multiply(lo0 ^ HASH_SEED, lo1 ^ K[0]);
        let b = folded_multiply(hi0 ^ K[1], hi1 ^ K[2]);
        let c = folded_multiply(rest ^ K[3], a ^ u64::from(self.v6) ^ K[4]);
        folded_multiply(b ^ c, K[5])
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

/// The address as the big-endian integer of its 16 key bytes (IPv4 in the first 4, rest zero).
fn addr_bits(a: IpAddr) -> (u128, bool) {
    match a {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, false),
        IpAddr::V6(v6) => (u128::from(v6), true),
    }
}

/// Hash constants (digits of pi, as in foldhash).
const K: [u64; 6] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
    0x082e_fa98_ec4e_6c89,
    0x4528_21e6_38d0_1377,
    0xbe54_66cf_34e9_0c6c,
];

/// The high and low halves of the full product, xor-ed: every input bit reaches both halves of the result.
fn folded_multiply(x: u64, y: u64) -> u64 {
    let p = u128::from(x) * u128::from(y);
    #[allow(clippy::cast_possible_truncation, reason = "the halves of a u128")]
    let folded = (p as u64) ^ ((p >> 64) as u64);
    folded
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

    /// The table's buckets use the low bits: keys that differ in one field only (a port scan, a client subnet)
    /// must still spread over them.
    #[test]
    fn low_bits_spread_for_one_varying_field() {
        let keys: [Box<dyn Fn(u32) -> FlowKey>; 3] = [
            Box::new(|i| {
                FlowKey::new(
                    v4([10, 0, 0, 1]),
                    40_000,
                    v4([192, 0, 2, 1]),
                    i as u16,
                    6,
                    0,
                    0,
                )
                .0
            }),
            Box::new(|i| {
                FlowKey::new(
                    v4((0x0a00_0000 + i).to_be_bytes()),
                    5353,
                    v4([224, 0, 0, 251]),
                    5353,
                    17,
                    0,
                    0,
                )
                .0
            }),
            Box::new(|i| {
                let mut a = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
                a[12..].copy_from_slice(&i.to_be_bytes());
                FlowKey::new(
                    IpAddr::V6(Ipv6Addr::from(a)),
                    443,
                    IpAddr::V6(Ipv6Addr::LOCALHOST),
                    50_000,
                    6,
                    (i % 7) as u16,
                    0,
                )
                .0
            }),
        ];
        for key in &keys {
            let mut buckets = vec![0u32; 1024];
            for i in 0..20_480u32 {
                buckets[(key(i).symmetric_hash() & 1023) as usize] += 1;
            }
            // 20 per bucket on average; a poor mix leaves some empty and piles others up.
            let (min, max) = (buckets.iter().min().copied(), buckets.iter().max().copied());
            assert!(
                min >= Some(3) && max <= Some(45),
                "buckets {min:?}..{max:?}"
            );
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
