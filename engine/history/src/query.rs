//! The questions the historical API asks: flows in a range with filters, sort and paging (reads the segments the
//! range touches); top-N keys of a dimension and time series (read rollups only: hour files for whole hours,
//! the segments' minute blocks for the rest).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::IpAddr;

use hashbrown::HashMap;

use crate::rollup::{Block, Dim, Metrics};
use crate::row::{ip16, Name, RowRef};
use crate::segment::Segment;
use crate::store::{read_hour_dim, History};

const MINUTE_NS: u64 = 60_000_000_000;

/// Which flows to return.
#[derive(Clone, Debug, Default)]
pub struct FlowQuery {
    /// Flows active in `[from_ns, to_ns)`: first seen before `to`, last seen at or after `from`.
    pub from_ns: u64,
    pub to_ns: u64,
    /// Either endpoint.
    pub host: Option<IpAddr>,
    /// Either endpoint inside this network (address, prefix length).
    pub network: Option<(IpAddr, u8)>,
    /// Either port.
    pub port: Option<u16>,
    /// Application or master protocol name, case-insensitive ("TLS.YouTube", "TLS", "YouTube").
    pub application: Option<String>,
    pub category: Option<String>,
    /// A risk name the record's `risks` array holds.
    pub risk: Option<String>,
    /// An ISO country code either side's `*_country` field holds.
    pub country: Option<String>,
    pub vlan: Option<u16>,
    pub proto: Option<u8>,
    /// Case-insensitive substring of the record's JSON line.
    pub text: Option<String>,
    pub sort: SortKey,
    pub ascending: bool,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    Bytes,
    Packets,
    FirstSeen,
    LastSeen,
    Duration,
}

/// A page of flows.
#[derive(Debug, Default)]
pub struct FlowPage {
    /// Flows that matched.
    pub total: u64,
    /// Their sums: bytes, packets.
    pub bytes: u64,
    pub packets: u64,
    /// The page's records, as JSON lines (without the newline).
    pub flows: Vec<String>,
    /// Segments read.
    pub segments: usize,
}

fn in_network(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    let (a, n) = (ip16(ip), ip16(net));
    // IPv4 prefixes count from the mapped address's bit 96.
    let bits = if net.is_ipv4() {
        if !ip.is_ipv4() {
            return false;
        }
        96 + u32::from(len.min(32))
    } else {
        u32::from(len.min(128))
    };
    let full = (bits / 8) as usize;
    if a[..full] != n[..full] {
        return false;
    }
    let rem = bits % 8;
    rem == 0 || (a[full] >> (8 - rem)) == (n[full] >> (8 - rem))
}

fn contains_ci(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    n.is_empty() || hay.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

impl FlowQuery {
    fn matches_row(&self, row: RowRef<'_>, dict: &[&str]) -> bool {
        if row.first_ns() >= self.to_ns || row.last_ns() < self.from_ns {
            return false;
        }
        let (s, d) = (row.src(), row.dst());
        if self.host.is_some_and(|h| s != h && d != h) {
            return false;
        }
        if let Some((net, len)) = self.network {
            if !in_network(s, net, len) && !in_network(d, net, len) {
                return false;
            }
        }
        if self
            .port
            .is_some_and(|p| row.src_port() != p && row.dst_port() != p)
        {
            return false;
        }
        if self.vlan.is_some_and(|v| row.vlan() != v)
            || self.proto.is_some_and(|p| row.proto() != p)
        {
            return false;
        }
        let name = |n: Name| dict.get(usize::from(row.name(n))).copied().unwrap_or("");
        if let Some(a) = &self.application {
            let app = name(Name::App);
            let short = app.split_once('.').map_or(app, |(_, s)| s);
            if !app.eq_ignore_ascii_case(a)
                && !name(Name::Master).eq_ignore_ascii_case(a)
                && !short.eq_ignore_ascii_case(a)
            {
                return false;
            }
        }
        if self
            .category
            .as_ref()
            .is_some_and(|c| !name(Name::Category).eq_ignore_ascii_case(c))
        {
            return false;
        }
        true
    }

    /// Filters that need the record's JSON (its tail or the whole line).
    fn matches_json(&self, tail: &[u8], line: Option<&[u8]>) -> bool {
        if let Some(r) = &self.risk {
            // `"risks":[...]` when DPI reports risks; a record without the field matches no risk.
            let Some(at) = find(tail, b"\"risks\":[") else {
                return false;
            };
            let end = tail[at..]
                .iter()
                .position(|&b| b == b']')
                .map_or(tail.len(), |e| at + e);
            if !contains_ci(&tail[at..end], &format!("\"{r}\"")) {
                return false;
            }
        }
        if let Some(c) = &self.country {
            if !contains_ci(tail, &format!("_country\":\"{c}\"")) {
                return false;
            }
        }
        if let (Some(t), Some(line)) = (&self.text, line) {
            if !contains_ci(line, t) {
                return false;
            }
        }
        true
    }

    fn sort_value(&self, row: RowRef<'_>) -> u64 {
        let (p, b) = (row.packets(), row.bytes());
        match self.sort {
            SortKey::Bytes => b[0] + b[1],
            SortKey::Packets => p[0] + p[1],
            SortKey::FirstSeen => row.first_ns(),
            SortKey::LastSeen => row.last_ns(),
            SortKey::Duration => row.last_ns().saturating_sub(row.first_ns()),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A flow kept for the page: sort value, (segment, row) for a stable order, its JSON line.
type Candidate = (u64, Reverse<(u64, usize)>, String);

/// Flows of a range (see [`FlowQuery`]).
#[must_use]
pub fn flows(h: &History, q: &FlowQuery) -> FlowPage {
    let (segments, _, _) = h.snapshot();
    let keep = q.offset + q.limit;
    // Min-heap of the best `keep` so far (by sort value, ties by segment and row order for a stable order).
    let mut best: BinaryHeap<Reverse<Candidate>> = BinaryHeap::new();
    let mut page = FlowPage::default();
    let mut line = Vec::with_capacity(1024);
    for s in segments
        .iter()
        .filter(|s| s.meta.min_first < q.to_ns && s.meta.max_last >= q.from_ns)
    {
        let Ok(seg) = Segment::open(&s.path) else {
            continue;
        };
        page.segments += 1;
        let dict = seg.dict();
        for i in 0..seg.rows() {
            let row = seg.row(i);
            if !q.matches_row(row, &dict) {
                continue;
            }
            let tail = seg.tail(row);
            let need_line = q.text.is_some();
            if need_line {
                line.clear();
                row.write_json_line(&dict, tail, &mut line);
            }
            if !q.matches_json(tail, need_line.then_some(line.as_slice())) {
                continue;
            }
            page.total += 1;
            let (p, b) = (row.packets(), row.bytes());
            page.packets += p[0] + p[1];
            page.bytes += b[0] + b[1];
            if keep == 0 {
                continue;
            }
            let v = q.sort_value(row);
            // Ascending sorts keep the smallest: store the complement so one heap serves both.
            let key = if q.ascending { u64::MAX - v } else { v };
            let order = Reverse((s.meta.seq, i));
            if best.len() == keep {
                let Some(Reverse(min)) = best.peek() else {
                    continue;
                };
                if (key, &order) <= (min.0, &min.1) {
                    continue;
                }
            }
            if !need_line {
                line.clear();
                row.write_json_line(&dict, tail, &mut line);
            }
            let text =
                String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(&line)).into_owned();
            best.push(Reverse((key, order, text)));
            if best.len() > keep {
                best.pop();
            }
        }
    }
    let mut sorted: Vec<_> = best.into_iter().map(|Reverse(x)| x).collect();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    page.flows = sorted.into_iter().skip(q.offset).map(|x| x.2).collect();
    page
}

/// The blocks answering `[from_ns, to_ns)` at minute resolution: hour files for whole sealed hours (with any
/// segment written after the hour was merged), the segments' minute blocks elsewhere. `visit` gets each block
/// whose minutes lie in the range; from hour files only the dimensions in `dims` are read.
fn for_blocks(
    h: &History,
    from_ns: u64,
    to_ns: u64,
    use_hours: bool,
    dims: &[Dim],
    mut visit: impl FnMut(&Block<'_>),
) {
    let (segments, hours, _) = h.snapshot();
    let (lo, hi) = (
        u32::try_from(from_ns / MINUTE_NS).unwrap_or(u32::MAX),
        u32::try_from(to_ns.div_ceil(MINUTE_NS)).unwrap_or(u32::MAX),
    );
    // Hours fully inside the range that have a file, and the newest segment each covers.
    let whole: HashMap<u32, u64> = hours
        .range(lo..hi)
        .filter(|(m, _)| use_hours && **m + 60 <= hi && m.is_multiple_of(60))
        .map(|(m, info)| (*m, info.covered_seq))
        .collect();
    for (m, info) in hours.range(lo..hi) {
        if !whole.contains_key(m) {
            continue;
        }
        for &d in dims {
            if let Ok((minute, span, section)) = read_hour_dim(&info.path, d) {
                visit(&Block::single(minute, span, d, &section));
            }
        }
    }
    for s in segments
        .iter()
        .filter(|s| s.meta.max_last >= from_ns && s.meta.min_last < to_ns)
    {
        // Segments whose minutes all lie in whole hours they were merged into are not read at all.
        let (first_min, last_min) = (
            u32::try_from(s.meta.min_last / MINUTE_NS).unwrap_or(u32::MAX),
            u32::try_from(s.meta.max_last / MINUTE_NS).unwrap_or(u32::MAX),
        );
        let all_merged = (first_min - first_min % 60..=last_min - last_min % 60)
            .step_by(60)
            .all(|hour| whole.get(&hour).is_some_and(|&c| s.meta.seq <= c));
        if all_merged {
            continue;
        }
        let Ok(rollups) = Segment::read_rollups(&s.path, &s.meta) else {
            continue;
        };
        for b in Block::all(&rollups) {
            if b.minute < lo || b.minute >= hi {
                continue;
            }
            let hour = b.minute - b.minute % 60;
            if whole
                .get(&hour)
                .is_some_and(|&covered| s.meta.seq <= covered)
            {
                continue;
            }
            visit(&b);
        }
    }
}

/// One key of a top list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopEntry {
    /// The dimension's key bytes (see [`crate::rollup::Dim`]); empty = every key beyond the rollups' caps.
    pub key: Vec<u8>,
    pub metrics: Metrics,
}

/// The `n` largest keys of `dim` by `metric` (0 bytes, 1 packets, 2 flows) over the range, and the range's
/// totals over all keys.
#[must_use]
pub fn top(
    h: &History,
    from_ns: u64,
    to_ns: u64,
    dim: Dim,
    metric: usize,
    n: usize,
) -> (Vec<TopEntry>, Metrics) {
    let mut sums: HashMap<Vec<u8>, Metrics> = HashMap::new();
    let mut total = [0u64; 3];
    let dims: &[Dim] = if dim == Dim::Iface {
        &[Dim::Iface]
    } else {
        &[dim, Dim::Iface]
    };
    for_blocks(h, from_ns, to_ns, true, dims, |b| {
        for (k, m) in b.entries(dim) {
            let e = sums.entry_ref(k).or_insert([0; 3]);
            for i in 0..3 {
                e[i] += m[i];
            }
        }
        // Totals from the interface dimension: every flow once, whatever the dimension double counts (hosts).
        for (_, m) in b.entries(Dim::Iface) {
            for i in 0..3 {
                total[i] += m[i];
            }
        }
    });
    let metric = metric.min(2);
    let mut all: Vec<TopEntry> = sums
        .into_iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(key, metrics)| TopEntry { key, metrics })
        .collect();
    all.sort_unstable_by(|a, b| {
        b.metrics[metric]
            .cmp(&a.metrics[metric])
            .then_with(|| a.key.cmp(&b.key))
    });
    all.truncate(n);
    (all, total)
}

/// One point of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesPoint {
    /// Start of the step, seconds since the epoch.
    pub t: u64,
    pub metrics: Metrics,
}

/// Bytes, packets and flows per `step_s` (a multiple of 60) over the range, of one key of `dim` or (key `None`)
/// of everything (the interface dimension summed).
#[must_use]
pub fn series(
    h: &History,
    from_ns: u64,
    to_ns: u64,
    step_s: u64,
    dim: Dim,
    key: Option<&[u8]>,
) -> Vec<SeriesPoint> {
    let step_min = (step_s / 60).max(1);
    let first = from_ns / MINUTE_NS / step_min * step_min;
    let last = to_ns.div_ceil(MINUTE_NS);
    let n = usize::try_from(last.saturating_sub(first).div_ceil(step_min))
        .unwrap_or(0)
        .min(100_000);
    let mut points: Vec<SeriesPoint> = (0..n as u64)
        .map(|i| SeriesPoint {
            t: (first + i * step_min) * 60,
            metrics: [0; 3],
        })
        .collect();
    // Hour files only when a step holds whole hours: their minutes are merged.
    let wanted_dim = if key.is_some() { dim } else { Dim::Iface };
    for_blocks(
        h,
        from_ns,
        to_ns,
        step_min.is_multiple_of(60),
        &[wanted_dim],
        |b| {
            // An hour block spreads evenly over its minutes' steps (its minutes are merged); minute blocks land whole.
            let span = u64::from(b.span.max(1));
            let mut m = [0u64; 3];
            let (d, wanted) = match key {
                None => (Dim::Iface, None),
                Some(k) => (dim, Some(k)),
            };
            for (k, v) in b.entries(d) {
                if wanted.is_none_or(|w| w == k) {
                    for i in 0..3 {
                        m[i] += v[i];
                    }
                }
            }
            if m == [0; 3] {
                return;
            }
            let start = u64::from(b.minute);
            let steps: Vec<u64> = (start..start + span)
                .map(|minute| minute.saturating_sub(first) / step_min)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let parts = steps.len() as u64;
            for (j, s) in steps.iter().enumerate() {
                if let Some(p) = points.get_mut(usize::try_from(*s).unwrap_or(usize::MAX)) {
                    for (total, v) in p.metrics.iter_mut().zip(m) {
                        // Integer shares that add up to the whole.
                        *total += v / parts + u64::from((j as u64) < v % parts);
                    }
                }
            }
        },
    );
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or([0u8; 4].into());
        assert!(in_network(ip("10.1.2.3"), ip("10.1.0.0"), 16));
        assert!(!in_network(ip("10.2.2.3"), ip("10.1.0.0"), 16));
        assert!(in_network(ip("10.1.2.3"), ip("10.1.2.0"), 25));
        assert!(!in_network(ip("10.1.2.200"), ip("10.1.2.0"), 25));
        assert!(in_network(ip("2001:db8::5"), ip("2001:db8::"), 64));
        assert!(!in_network(ip("2001:db9::5"), ip("2001:db8::"), 32));
        assert!(!in_network(ip("::ffff:1.2.3.4"), ip("10.0.0.0"), 8));
        assert!(in_network(ip("1.2.3.4"), ip("0.0.0.0"), 0));
    }
}
