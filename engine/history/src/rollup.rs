//! Pre-aggregated rollups: per minute (inside each segment) and per hour (built once an hour is sealed), by
//! interface, host, application, host × application, network, conversation and server port, so top-N questions
//! over days read a few thousand aggregates instead of millions of flows.
//!
//! A flow counts in the minute its record ended (`last_seen`), whole: totals over a range equal the records
//! that ended in it. Each dimension of a block keeps its largest keys by bytes up to a cap ([`MINUTE_KEYS`],
//! [`HOUR_KEYS`]); the rest is summed under the empty key ("other"), so totals stay exact and the named keys are
//! exact for every key that made the cap.

use std::net::IpAddr;

use hashbrown::HashMap;
use xntop_model::FlowRecord;

use crate::row::ip16;

/// Bytes, packets, flows.
pub type Metrics = [u64; 3];

/// Keys each dimension keeps per minute block (interface, host, application, host × application, network,
/// conversation, port): small for the high-cardinality ones, so a minute costs a few kB whatever the traffic; the
/// exact per-host numbers over hours come from the hour blocks, built from the raw flows.
pub const MINUTE_KEYS: [usize; 7] = [256, 100, 1_000, 100, 100, 100, 200];
/// Keys each dimension keeps per hour block.
pub const HOUR_KEYS: [usize; 7] = [256, 20_000, 5_000, 20_000, 20_000, 20_000, 5_000];

/// Bytes of a block's head: minute, span, and (count, length) of each dimension's section.
pub const BLOCK_HEAD: usize = 8 + 7 * 8;

/// What a rollup is keyed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dim {
    Iface = 0,
    Host = 1,
    App = 2,
    HostApp = 3,
    /// IPv4 /24 or IPv6 /64 of either endpoint.
    Network = 4,
    /// Client and server address.
    Conversation = 5,
    /// IP protocol and server port.
    Port = 6,
}

pub const DIMS: [Dim; 7] = [
    Dim::Iface,
    Dim::Host,
    Dim::App,
    Dim::HostApp,
    Dim::Network,
    Dim::Conversation,
    Dim::Port,
];

fn add(m: &mut Metrics, bytes: u64, packets: u64) {
    m[0] += bytes;
    m[1] += packets;
    m[2] += 1;
}

/// The /24 (IPv4) or /64 (IPv6) network of an address, as 16 bytes and the prefix length.
#[must_use]
pub fn network_of(ip: IpAddr) -> ([u8; 16], u8) {
    let mut b = ip16(ip);
    if ip.is_ipv4() {
        b[15] = 0;
        (b, 24)
    } else {
        b[8..].fill(0);
        (b, 64)
    }
}

/// What a rollup needs of a flow.
#[derive(Clone, Copy, Debug)]
pub struct Parts {
    pub iface: u8,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: u8,
    pub dst_port: u16,
    pub bytes: u64,
    pub packets: u64,
    /// Application as a dictionary code.
    pub app: u16,
}

/// One minute's (or hour's) aggregates; applications by dictionary code.
#[derive(Default)]
pub struct MinuteAgg {
    ifaces: HashMap<u8, Metrics>,
    hosts: HashMap<[u8; 16], Metrics>,
    apps: HashMap<u16, Metrics>,
    host_apps: HashMap<([u8; 16], u16), Metrics>,
    nets: HashMap<([u8; 16], u8), Metrics>,
    convs: HashMap<([u8; 16], [u8; 16]), Metrics>,
    ports: HashMap<(u8, u16), Metrics>,
}

impl MinuteAgg {
    /// Counts one record; `app` is its application's dictionary code.
    pub fn add(&mut self, r: &FlowRecord, app: u16) {
        self.add_parts(&Parts {
            iface: r.iface,
            src: r.src_ip,
            dst: r.dst_ip,
            proto: r.proto,
            dst_port: r.dst_port,
            bytes: r.bytes_c2s + r.bytes_s2c,
            packets: r.packets_c2s + r.packets_s2c,
            app,
        });
    }

    /// Counts one flow given by its parts.
    pub fn add_parts(&mut self, f: &Parts) {
        let (bytes, packets, app) = (f.bytes, f.packets, f.app);
        let (s, d) = (ip16(f.src), ip16(f.dst));
        add(self.ifaces.entry(f.iface).or_default(), bytes, packets);
        add(self.apps.entry(app).or_default(), bytes, packets);
        add(self.convs.entry((s, d)).or_default(), bytes, packets);
        add(
            self.ports.entry((f.proto, f.dst_port)).or_default(),
            bytes,
            packets,
        );
        add(self.hosts.entry(s).or_default(), bytes, packets);
        add(self.host_apps.entry((s, app)).or_default(), bytes, packets);
        let (sn, dn) = (network_of(f.src), network_of(f.dst));
        add(self.nets.entry(sn).or_default(), bytes, packets);
        if d != s {
            add(self.hosts.entry(d).or_default(), bytes, packets);
            add(self.host_apps.entry((d, app)).or_default(), bytes, packets);
        }
        if dn != sn {
            add(self.nets.entry(dn).or_default(), bytes, packets);
        }
    }

    /// Appends the aggregates as a block of `span` minutes from `minute`, names resolved through `dict`.
    pub fn encode(
        &self,
        minute: u32,
        span: u32,
        caps: &[usize; 7],
        dict: &[&str],
        out: &mut Vec<u8>,
    ) {
        let app = |c: u16| dict.get(usize::from(c)).copied().unwrap_or("Unknown");
        out.extend_from_slice(&minute.to_le_bytes());
        out.extend_from_slice(&span.to_le_bytes());
        let table_at = out.len();
        out.resize(table_at + 7 * 8, 0);
        let parts = [
            emit_dim(&self.ifaces, caps[0], |k, o| o.push(*k), out),
            emit_dim(&self.hosts, caps[1], |k, o| o.extend_from_slice(k), out),
            emit_dim(
                &self.apps,
                caps[2],
                |k, o| o.extend_from_slice(app(*k).as_bytes()),
                out,
            ),
            emit_dim(
                &self.host_apps,
                caps[3],
                |(h, a), o| {
                    o.extend_from_slice(h);
                    o.extend_from_slice(app(*a).as_bytes());
                },
                out,
            ),
            emit_dim(
                &self.nets,
                caps[4],
                |(n, len), o| {
                    o.extend_from_slice(n);
                    o.push(*len);
                },
                out,
            ),
            emit_dim(
                &self.convs,
                caps[5],
                |(a, b), o| {
                    o.extend_from_slice(a);
                    o.extend_from_slice(b);
                },
                out,
            ),
            emit_dim(
                &self.ports,
                caps[6],
                |(p, port), o| {
                    o.push(*p);
                    o.extend_from_slice(&port.to_be_bytes());
                },
                out,
            ),
        ];
        for (d, (count, len)) in parts.into_iter().enumerate() {
            let at = table_at + d * 8;
            out[at..at + 4].copy_from_slice(&count.to_le_bytes());
            out[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
        }
    }
}

/// Writes one dimension's entries (largest `cap` by bytes, then "other"), keys serialised by `put_key`; returns
/// (entries, bytes written). Only the kept keys are sorted and serialised.
fn emit_dim<K: Ord + Copy>(
    map: &HashMap<K, Metrics>,
    cap: usize,
    put_key: impl Fn(&K, &mut Vec<u8>),
    out: &mut Vec<u8>,
) -> (u32, u32) {
    let mut entries: Vec<(K, Metrics)> = map.iter().map(|(k, m)| (*k, *m)).collect();
    let order =
        |a: &(K, Metrics), b: &(K, Metrics)| b.1[0].cmp(&a.1[0]).then_with(|| a.0.cmp(&b.0));
    let mut other: Option<Metrics> = None;
    if entries.len() > cap {
        if cap > 0 {
            entries.select_nth_unstable_by(cap - 1, order);
        }
        for (_, m) in entries.drain(cap..) {
            let o = other.get_or_insert([0; 3]);
            for i in 0..3 {
                o[i] += m[i];
            }
        }
    }
    entries.sort_unstable_by(order);
    let start = out.len();
    let mut key = Vec::with_capacity(64);
    for (k, m) in &entries {
        key.clear();
        put_key(k, &mut key);
        out.extend_from_slice(&u16::try_from(key.len()).unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&key);
        for v in m {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    if let Some(o) = other {
        out.extend_from_slice(&0u16.to_le_bytes());
        for v in o {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    let count = entries.len() + usize::from(other.is_some());
    (
        u32::try_from(count).unwrap_or(u32::MAX),
        u32::try_from(out.len() - start).unwrap_or(u32::MAX),
    )
}

/// Writes one block: `minute u32, span u32`, a table of `count u32, len u32` per dimension, then each dimension's
/// entries (`key_len u16, key, bytes u64, packets u64, flows u64`), largest first, capped at `caps[dim]` plus
/// "other". The table lets a reader fetch one dimension of a file without reading the others.
pub fn encode_block(
    minute: u32,
    span: u32,
    dims: [Vec<(Vec<u8>, Metrics)>; 7],
    caps: &[usize; 7],
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(&minute.to_le_bytes());
    out.extend_from_slice(&span.to_le_bytes());
    let table_at = out.len();
    out.resize(table_at + 7 * 8, 0);
    for (d, mut entries) in dims.into_iter().enumerate() {
        let cap = caps[d];
        let mut other: Option<Metrics> = None;
        // An "other" already in the input (merging capped blocks) joins the new one; it never takes a named slot.
        if let Some(pos) = entries.iter().position(|(k, _)| k.is_empty()) {
            let (_, m) = entries.swap_remove(pos);
            other = Some(m);
        }
        entries.sort_unstable_by(|a, b| b.1[0].cmp(&a.1[0]).then_with(|| a.0.cmp(&b.0)));
        if entries.len() > cap {
            for (_, m) in entries.drain(cap..) {
                let o = other.get_or_insert([0; 3]);
                for i in 0..3 {
                    o[i] += m[i];
                }
            }
        }
        let count = entries.len() + usize::from(other.is_some());
        let start = out.len();
        let mut put = |k: &[u8], m: &Metrics| {
            out.extend_from_slice(&u16::try_from(k.len()).unwrap_or(0).to_le_bytes());
            out.extend_from_slice(k);
            for v in m {
                out.extend_from_slice(&v.to_le_bytes());
            }
        };
        for (k, m) in &entries {
            put(k, m);
        }
        if let Some(o) = other {
            put(&[], &o);
        }
        let len = u32::try_from(out.len() - start).unwrap_or(u32::MAX);
        let at = table_at + d * 8;
        out[at..at + 4].copy_from_slice(&u32::try_from(count).unwrap_or(u32::MAX).to_le_bytes());
        out[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
    }
}

/// One decoded block, borrowing its bytes.
#[derive(Clone, Copy)]
pub struct Block<'a> {
    /// Minutes since the epoch of its start.
    pub minute: u32,
    /// Minutes it covers (1 or 60).
    pub span: u32,
    sections: [&'a [u8]; 7],
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

impl<'a> Block<'a> {
    /// The block at the start of `b` and the bytes after it, or `None` if `b` is too short (corrupt).
    #[must_use]
    pub fn parse(b: &'a [u8]) -> Option<(Self, &'a [u8])> {
        let minute = u32_at(b, 0)?;
        let span = u32_at(b, 4)?;
        let mut at = BLOCK_HEAD;
        let mut sections: [&[u8]; 7] = [&[]; 7];
        for (d, s) in sections.iter_mut().enumerate() {
            let len = u32_at(b, 8 + d * 8 + 4)? as usize;
            *s = b.get(at..at + len)?;
            at += len;
        }
        Some((
            Self {
                minute,
                span,
                sections,
            },
            &b[at..],
        ))
    }

    /// A block holding one dimension's section only (read alone from a file).
    #[must_use]
    pub fn single(minute: u32, span: u32, dim: Dim, section: &'a [u8]) -> Self {
        let mut sections: [&[u8]; 7] = [&[]; 7];
        sections[dim as usize] = section;
        Self {
            minute,
            span,
            sections,
        }
    }

    /// Every block in `b`, stopping at the first that does not parse.
    pub fn all(mut b: &'a [u8]) -> impl Iterator<Item = Block<'a>> {
        std::iter::from_fn(move || {
            let (block, rest) = Self::parse(b)?;
            b = rest;
            Some(block)
        })
    }

    /// The entries of one dimension: key bytes (empty = other) and metrics.
    pub fn entries(&self, dim: Dim) -> impl Iterator<Item = (&'a [u8], Metrics)> {
        let mut s = self.sections[dim as usize];
        std::iter::from_fn(move || {
            let klen = usize::from(u16::from_le_bytes(s.get(..2)?.try_into().ok()?));
            let key = s.get(2..2 + klen)?;
            let mut m = [0u64; 3];
            for (i, v) in m.iter_mut().enumerate() {
                let at = 2 + klen + 8 * i;
                *v = u64::from_le_bytes(s.get(at..at + 8)?.try_into().ok()?);
            }
            s = &s[2 + klen + 24..];
            Some((key, m))
        })
    }
}

/// Sums blocks into one per dimension (to build an hour, or to answer a query).
#[derive(Default)]
pub struct Merge {
    pub dims: [HashMap<Vec<u8>, Metrics>; 7],
}

impl Merge {
    pub fn add(&mut self, block: &Block<'_>, dims: &[Dim]) {
        for &d in dims {
            let map = &mut self.dims[d as usize];
            for (k, m) in block.entries(d) {
                let e = map.entry_ref(k).or_insert([0; 3]);
                for i in 0..3 {
                    e[i] += m[i];
                }
            }
        }
    }

    /// The merged blocks as one block of `span` minutes from `minute`, capped at `caps` keys per dimension.
    pub fn encode(self, minute: u32, span: u32, caps: &[usize; 7], out: &mut Vec<u8>) {
        let dims = self.dims.map(|m| m.into_iter().collect::<Vec<_>>());
        encode_block(minute, span, dims, caps, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_fold_into_other_and_totals_survive() {
        let mut dims: [Vec<(Vec<u8>, Metrics)>; 7] = Default::default();
        dims[1] = (0..10u8)
            .map(|i| (vec![i; 16], [u64::from(i) * 100, 1, 1]))
            .collect();
        let mut out = Vec::new();
        encode_block(7, 1, dims, &[3; 7], &mut out);
        let (block, rest) = Block::parse(&out).expect("parse");
        assert!(rest.is_empty());
        assert_eq!((block.minute, block.span), (7, 1));
        let hosts: Vec<_> = block.entries(Dim::Host).collect();
        assert_eq!(hosts.len(), 4);
        assert_eq!(hosts[0], (&[9u8; 16][..], [900, 1, 1]));
        assert_eq!(hosts[2].0, &[7u8; 16][..]);
        // Other: hosts 0..=6.
        assert_eq!(hosts[3], (&[][..], [2100, 7, 7]));
        assert_eq!(block.entries(Dim::App).count(), 0);

        // Merging two capped blocks keeps one "other" and exact totals.
        let mut m = Merge::default();
        m.add(&block, &DIMS);
        m.add(&block, &DIMS);
        let mut again = Vec::new();
        m.encode(0, 60, &[2; 7], &mut again);
        let (merged, _) = Block::parse(&again).expect("parse");
        let hosts: Vec<_> = merged.entries(Dim::Host).collect();
        assert_eq!(hosts.len(), 3);
        let total: u64 = hosts.iter().map(|(_, m)| m[0]).sum();
        assert_eq!(total, 2 * 4500);
    }

    #[test]
    fn truncated_blocks_are_refused() {
        let mut out = Vec::new();
        encode_block(1, 1, Default::default(), &[10; 7], &mut out);
        assert!(Block::parse(&out[..out.len() - 1]).is_none());
        assert_eq!(Block::all(&out).count(), 1);
    }
}
