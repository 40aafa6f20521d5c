//! The aggregator thread: merges the workers' reports into the global view (interfaces, hosts, applications, live
//! flows, time series) and publishes it as an immutable `Arc<Snapshot>` that readers load without locking.
//!
//! Hosts are derived from flow deltas: the aggregator remembers each live flow's last counters, so each report adds
//! exactly what happened since the previous one. Workers never see any of this state.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use ipnet::IpNet;
use xntop_assets::geo::GeoCache;
use xntop_flow::{FlowKey, Mac};
use xntop_model::snapshot::{
    AppName, AppView, Drops, FlowRow, HostView, InterfaceView, Point, Series, TimeSeries,
};
use xntop_model::{GeoInfo, Snapshot};
use xntop_wire::Reject;

use crate::devices::{FlowTouch, Inventory};
use crate::reader::InputCounters;
use crate::report::{FlowSample, NameSample, WorkerReport};
use crate::traffic::{FlowDelta, Network, Place, Traffic};

/// 1 s points kept: 10 minutes.
const SECOND_POINTS: usize = 600;
/// 1 min points kept: 24 hours.
const MINUTE_POINTS: usize = 1440;
/// Packet time of one minute point.
const MINUTE_NS: u64 = 60 * 1_000_000_000;
/// Applications and hosts that get a point in each minute's per-application and per-host series: the ones with the
/// most bytes in that minute. Memory: at most `MINUTE_POINTS × 2 × TOP_SERIES` entries.
const TOP_SERIES: usize = 16;
/// Server ports remembered per host.
const MAX_SERVER_PORTS: usize = 32;
/// A host with no live flow and no traffic for this long (packet time) is purged (ntopng's default idle).
const HOST_IDLE_NS: u64 = 300 * 1_000_000_000;
/// How far a wall-clocked report (a collector's) may take packet time past this machine's clock: a collector
/// never reports beyond it, this is defence in depth against a far-future record carrying the view's time with it
/// (every host would then look idle and be purged, and stay purged).
const WALL_SLACK_NS: u64 = 1_000_000_000;
/// A live flow no report mentioned for this long (packet time) has ended without the view hearing of it. Longer than
/// any idle timeout a worker uses by default, shorter than the host purge.
const STALE_FLOW_NS: u64 = 240 * 1_000_000_000;

/// One application's totals.
#[derive(Clone, Copy, Debug, Default)]
struct AppAgg {
    bytes: u64,
    packets: u64,
    flows: u64,
    category: &'static str,
}

/// Applications kept per host (the ones with the most bytes stay when it is full).
const MAX_HOST_APPS: usize = 16;

#[derive(Clone, Debug, Default)]
struct HostAgg {
    /// Bytes per application, sent and received.
    apps: Vec<(xntop_dpi::NameParts, u64)>,
    bytes_sent: u64,
    bytes_rcvd: u64,
    packets_sent: u64,
    packets_rcvd: u64,
    flows_as_client: u64,
    flows_as_server: u64,
    active_flows: u64,
    first_ns: u64,
    last_ns: u64,
    server_ports: BTreeSet<u16>,
    /// The MAC its latest flow's first packet carried for it (zeros: none seen).
    mac: Mac,
    /// What `--geoip`/`--asn` say of it, looked up once when it appears.
    geo: Option<Arc<GeoInfo>>,
    /// Its country, AS and network, for the traffic groups.
    place: Place,
    /// It may be a device of the inventory (a local address).
    device: bool,
}

/// Bytes and packets in one minute.
type Volume = (u64, u64);

/// What one closed minute keeps for the per-application and per-host series: its top [`TOP_SERIES`] of each.
#[derive(Clone, Debug)]
struct MinuteTop {
    /// End of the minute, seconds since the epoch.
    t: f64,
    /// Packet time the minute covered, seconds (60, less for the first minute of a run).
    span_s: f64,
    apps: Vec<(xntop_dpi::NameParts, Volume)>,
    hosts: Vec<(IpAddr, Volume)>,
}

/// The name learned for an address, and the first packet time of the flow that told it.
#[derive(Clone, Debug)]
struct LearnedName {
    name: Box<str>,
    ts_ns: u64,
}

/// What the aggregator keeps per live flow.
#[derive(Clone, Copy, Debug)]
struct LiveFlow {
    sample: FlowSample,
    /// Bytes at the previous publish, for the throughput column.
    bytes_at_publish: u64,
    throughput_bps: f64,
    /// Country codes and AS numbers of `[client, server]`, from their hosts when the flow appeared.
    country: [[u8; 2]; 2],
    asn: [u32; 2],
}

/// Everything the aggregator owns.
pub struct Aggregator {
    inputs: Vec<(String, Arc<InputCounters>)>,
    local: Vec<IpNet>,
    max_hosts: usize,
    flows: HashMap<FlowKey, LiveFlow, foldhash::fast::RandomState>,
    hosts: HashMap<IpAddr, HostAgg, foldhash::fast::RandomState>,
    /// Every application name a flow row has carried, and its index in `flow_apps` (a few hundred at most).
    app_index: HashMap<xntop_dpi::NameParts, u16>,
    flow_apps: Vec<AppName>,
    flows_total: u64,
    flows_evicted: u64,
    hosts_evicted: u64,
    reports_missed: u64,
    clock_ns: u64,
    last_publish_ns: u64,
    last_totals: (u64, u64),
    second: VecDeque<Point>,
    minute: VecDeque<Point>,
    /// Packets and bytes of all interfaces in the minute in progress, and that minute's index.
    minute_acc: (u64, u64),
    iface_minute: Option<u64>,
    started: Instant,
    /// Counters of hosts cached in Redis by an earlier run: a host that comes back starts from them.
    restored: HashMap<IpAddr, HostAgg>,
    /// Samples the workers left out of full reports.
    samples_dropped: u64,
    /// Live flows the view dropped because no word came of them for [`STALE_FLOW_NS`] (their end was in a sample
    /// that was left out).
    flows_stale: u64,
    /// Bytes, packets and flows per application since start.
    apps: HashMap<xntop_dpi::NameParts, AppAgg>,
    /// With a Redis cache, a host purged as idle keeps its counters (as Redis does, for its TTL) and gets them
    /// back when it returns in the same run.
    keep_purged: bool,
    /// Names learned by DPI, by address: kept apart from the hosts because a DNS answer names an address before
    /// any flow reaches it. At most `max_hosts` entries (the oldest names of addresses that are not hosts go).
    names: HashMap<IpAddr, LearnedName>,
    names_dropped: u64,
    /// Index (packet time / [`MINUTE_NS`]) of the minute being accumulated; `None` before the first report.
    minute_index: Option<u64>,
    /// Packet time of the first report: the first minute covers only what came after it.
    series_start_ns: u64,
    /// The minute in progress, per application and per host.
    minute_apps: HashMap<xntop_dpi::NameParts, Volume>,
    minute_hosts: HashMap<IpAddr, Volume>,
    /// Closed minutes, oldest first, at most [`MINUTE_POINTS`].
    minute_tops: VecDeque<MinuteTop>,
    /// Series an earlier run saved (`series_file`): shown before this run's own points.
    saved_series: Option<crate::series_file::Saved>,
    /// Lookups in the `--geoip`/`--asn` files, once per new host.
    geo: Option<GeoCache>,
    /// Traffic by country, AS, network, VLAN; the matrix and conversations.
    traffic: Traffic,
    /// The asset inventory.
    devices: Inventory,
    facts_dropped: u64,
}

/// Adds `bytes` to a host's application list, keeping at most [`MAX_HOST_APPS`] (the largest).
fn add_app(apps: &mut Vec<(xntop_dpi::NameParts, u64)>, app: xntop_dpi::NameParts, bytes: u64) {
    if let Some(e) = apps.iter_mut().find(|(n, _)| *n == app) {
        e.1 += bytes;
    } else if apps.len() < MAX_HOST_APPS {
        apps.push((app, bytes));
    } else if let Some(min) = apps.iter_mut().min_by_key(|(_, b)| *b) {
        if bytes > min.1 {
            *min = (app, bytes);
        }
    }
    apps.sort_unstable_by_key(|&(_, b)| std::cmp::Reverse(b));
}

fn add_volume(v: &mut Volume, d: Volume) {
    v.0 += d.0;
    v.1 += d.1;
}

/// Orders series keys when their bytes tie, so tops and series come out the same every run.
trait SeriesKey: Copy + Eq + std::hash::Hash {
    fn rank(&self) -> impl Ord;
}

impl SeriesKey for IpAddr {
    fn rank(&self) -> impl Ord {
        *self
    }
}

impl SeriesKey for xntop_dpi::NameParts {
    fn rank(&self) -> impl Ord {
        (self.master.id(), self.app.id())
    }
}

/// The `n` entries with the most bytes (ties: the smaller key), most first.
fn top<K: SeriesKey>(m: &HashMap<K, Volume>, n: usize) -> Vec<(K, Volume)> {
    let mut v: Vec<(K, Volume)> = m.iter().map(|(k, v)| (*k, *v)).collect();
    let by = |a: &(K, Volume), b: &(K, Volume)| {
        b.1 .0
            .cmp(&a.1 .0)
            .then_with(|| a.0.rank().cmp(&b.0.rank()))
    };
    if v.len() > n {
        v.select_nth_unstable_by(n - 1, by);
        v.truncate(n);
    }
    v.sort_unstable_by(by);
    v
}

/// Groups per-minute tops into named series, ordered by bytes over all the minutes (most first).
#[allow(clippy::cast_precision_loss, reason = "rates for display")]
fn series<'m, K: SeriesKey + 'm>(
    minutes: impl Iterator<Item = (f64, f64, &'m [(K, Volume)])>,
    name: impl Fn(K) -> String,
) -> Vec<Series> {
    let mut by_key: HashMap<K, (u64, Vec<Point>)> = HashMap::new();
    for (t, span_s, entries) in minutes {
        for &(k, (bytes, packets)) in entries {
            let e = by_key.entry(k).or_default();
            e.0 += bytes;
            e.1.push(Point {
                t,
                bps: bytes as f64 * 8.0 / span_s,
                pps: packets as f64 / span_s,
            });
        }
    }
    let mut v: Vec<(K, (u64, Vec<Point>))> = by_key.into_iter().collect();
    v.sort_unstable_by(|a, b| {
        b.1 .0
            .cmp(&a.1 .0)
            .then_with(|| a.0.rank().cmp(&b.0.rank()))
    });
    v.into_iter()
        .map(|(k, (_, points))| Series {
            name: name(k),
            points,
        })
        .collect()
}

/// "aa:bb:cc:dd:ee:ff".
pub(crate) fn format_mac(m: Mac) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(17);
    for (i, b) in m.iter().enumerate() {
        let sep = if i == 0 { "" } else { ":" };
        let _ = write!(s, "{sep}{b:02x}");
    }
    s
}

pub(crate) fn parse_mac(s: &str) -> Option<Mac> {
    let mut m = Mac::default();
    let mut parts = s.split(':');
    for b in &mut m {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(m)
}

fn secs(ns: u64) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "display")]
    let s = ns as f64 / 1e9;
    s
}

impl Aggregator {
    pub fn new(
        inputs: Vec<(String, Arc<InputCounters>)>,
        local: Vec<IpNet>,
        max_hosts: usize,
    ) -> Self {
        let networks: Vec<Network> = local
            .iter()
            .map(|n| Network {
                net: n.trunc(),
                name: n.trunc().to_string(),
                local: true,
            })
            .collect();
        Self {
            inputs,
            local: local.clone(),
            max_hosts: max_hosts.max(1),
            flows: HashMap::default(),
            hosts: HashMap::default(),
            app_index: HashMap::new(),
            flow_apps: Vec::new(),
            flows_total: 0,
            flows_evicted: 0,
            hosts_evicted: 0,
            reports_missed: 0,
            clock_ns: 0,
            last_publish_ns: 0,
            last_totals: (0, 0),
            second: VecDeque::with_capacity(SECOND_POINTS),
            minute: VecDeque::with_capacity(MINUTE_POINTS),
            minute_acc: (0, 0),
            iface_minute: None,
            started: Instant::now(),
            restored: HashMap::new(),
            keep_purged: false,
            apps: HashMap::new(),
            samples_dropped: 0,
            flows_stale: 0,
            names: HashMap::new(),
            names_dropped: 0,
            minute_index: None,
            series_start_ns: 0,
            minute_apps: HashMap::new(),
            minute_hosts: HashMap::new(),
            minute_tops: VecDeque::with_capacity(MINUTE_POINTS),
            saved_series: None,
            geo: None,
            traffic: Traffic::new(networks),
            devices: Inventory::new(local.clone(), crate::devices::MAX_DEVICES),
            facts_dropped: 0,
        }
    }

    /// Keeps the device inventory in `dir` across restarts.
    pub fn persist_devices(&mut self, dir: std::path::PathBuf) {
        self.devices.persist(dir);
    }

    /// SYN signatures for the inventory's OS guesses (`--syn-signatures`).
    pub fn syn_signatures(&mut self, db: &'static xntop_assets::p0f::SynDb) {
        self.devices.syn_signatures(db);
    }

    /// Writes the device inventory (at exit).
    pub fn save_devices(&mut self) {
        self.devices.save();
    }

    /// Named networks (`--networks`) besides the `-m` ones; a network given both ways is local and takes the name.
    pub fn name_networks(&mut self, named: Vec<(IpNet, String)>) {
        let mut nets: Vec<Network> = self
            .local
            .iter()
            .map(|n| Network {
                net: n.trunc(),
                name: n.trunc().to_string(),
                local: true,
            })
            .collect();
        for (net, name) in named {
            match nets.iter_mut().find(|n| n.net == net) {
                Some(n) => n.name = name,
                None => nets.push(Network {
                    net,
                    name,
                    local: false,
                }),
            }
        }
        self.traffic = Traffic::new(nets);
    }

    /// Hosts get their country and AS from these files (`--geoip`, `--asn`).
    pub fn enrich(&mut self, cache: GeoCache) {
        self.geo = Some(cache);
    }

    /// Keeps purged hosts' counters for their return (`-r`: ntopng restores a returning host from its cache).
    pub fn keep_purged_hosts(&mut self, keep: bool) {
        self.keep_purged = keep;
    }

    /// Hosts read back from the Redis cache.
    pub fn restore(&mut self, hosts: Vec<HostView>) {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "seconds to ns"
        )]
        let ns = |s: f64| (s.max(0.0) * 1e9) as u64;
        for h in hosts {
            if let Some(name) = h.name.as_deref().filter(|n| !n.is_empty()) {
                self.names.entry(h.ip).or_insert(LearnedName {
                    name: name.into(),
                    ts_ns: ns(h.first_seen),
                });
            }
            self.restored.insert(
                h.ip,
                HostAgg {
                    apps: h
                        .applications
                        .iter()
                        .filter_map(|(n, b)| Some((xntop_dpi::NameParts::parse(n)?, *b)))
                        .take(MAX_HOST_APPS)
                        .collect(),
                    bytes_sent: h.bytes_sent,
                    bytes_rcvd: h.bytes_rcvd,
                    packets_sent: h.packets_sent,
                    packets_rcvd: h.packets_rcvd,
                    flows_as_client: h.flows_as_client,
                    flows_as_server: h.flows_as_server,
                    active_flows: 0,
                    first_ns: ns(h.first_seen),
                    last_ns: ns(h.last_seen),
                    server_ports: h.server_ports.into_iter().take(MAX_SERVER_PORTS).collect(),
                    mac: h.mac.as_deref().and_then(parse_mac).unwrap_or_default(),
                    geo: None,
                    place: Place::default(),
                    device: false,
                },
            );
        }
    }

    fn host(&mut self, ip: IpAddr, ts: u64) -> &mut HostAgg {
        let (restored, geo, traffic, devices) = (
            &mut self.restored,
            &mut self.geo,
            &mut self.traffic,
            &self.devices,
        );
        let h = self.hosts.entry(ip).or_insert_with(|| {
            let mut h = restored.remove(&ip).unwrap_or(HostAgg {
                first_ns: ts,
                ..HostAgg::default()
            });
            h.geo = geo.as_mut().and_then(|c| c.get(ip));
            h.place = traffic.place(ip, h.geo.as_deref());
            h.device = devices.eligible(ip);
            h
        });
        h.last_ns = h.last_ns.max(ts);
        h
    }

    /// Adds the difference between `now` and `before` (zero for a flow not seen yet) to both hosts.
    fn account(&mut self, now: &FlowSample, before: Option<&FlowSample>, is_new: bool) {
        let (client, server) = (now.key.addr(now.client), now.key.addr(now.client.peer()));
        let d =
            |i: usize, a: [u64; 2], b: Option<[u64; 2]>| a[i].saturating_sub(b.map_or(0, |b| b[i]));
        let (p0, p1) = (
            d(0, now.packets, before.map(|b| b.packets)),
            d(1, now.packets, before.map(|b| b.packets)),
        );
        let (b0, b1) = (
            d(0, now.bytes, before.map(|b| b.bytes)),
            d(1, now.bytes, before.map(|b| b.bytes)),
        );
        let server_port = now.key.port(now.client.peer());
        let app = now.class.name();
        // A flow classified since its last report: what was counted under its old name moves to the new one, so
        // application totals always equal the sums of the flow records.
        let mut moved = (0u64, 0u64);
        if let Some(b) = before.filter(|b| b.class.name() != app) {
            let old = b.class.name();
            moved = (b.bytes[0] + b.bytes[1], b.packets[0] + b.packets[1]);
            if let Some(o) = self.apps.get_mut(&old) {
                o.bytes = o.bytes.saturating_sub(moved.0);
                o.packets = o.packets.saturating_sub(moved.1);
                o.flows = o.flows.saturating_sub(1);
            }
            for ip in [client, server] {
                if let Some(h) = self.hosts.get_mut(&ip) {
                    if let Some(e) = h.apps.iter_mut().find(|(n, _)| *n == old) {
                        e.1 = e.1.saturating_sub(moved.0);
                    }
                    h.apps.retain(|(_, bytes)| *bytes > 0);
                }
            }
        }
        let reclassified = moved != (0, 0) || before.is_some_and(|b| b.class.name() != app);
        let a = self.apps.entry(app).or_insert_with(|| AppAgg {
            category: now.class.category().name(),
            ..AppAgg::default()
        });
        a.bytes += b0 + b1 + moved.0;
        a.packets += p0 + p1 + moved.1;
        if is_new || reclassified {
            a.flows += 1;
        }
        let answered = now.packets[1] > 0;
        let ts = now.last_ns;
        // The minute's series take what happened since the last report; bytes moved by a reclassification
        // happened in earlier minutes and stay there.
        let volume = (b0 + b1, p0 + p1);
        if volume != (0, 0) {
            add_volume(self.minute_apps.entry(app).or_default(), volume);
            for ip in [client, server] {
                add_volume(self.minute_hosts.entry(ip).or_default(), volume);
            }
        }
        let c = self.host(client, now.first_ns);
        let (client_place, client_device) = (c.place, c.device);
        if now.macs[0] != Mac::default() {
            c.mac = now.macs[0];
        }
        c.last_ns = c.last_ns.max(ts);
        c.packets_sent += p0;
        c.bytes_sent += b0;
        c.packets_rcvd += p1;
        c.bytes_rcvd += b1;
        if is_new {
            c.flows_as_client += 1;
        }
        add_app(&mut c.apps, app, b0 + b1 + moved.0);
        let s = self.host(server, now.first_ns);
        let (server_place, server_device) = (s.place, s.device);
        if now.macs[1] != Mac::default() {
            s.mac = now.macs[1];
        }
        s.last_ns = s.last_ns.max(ts);
        s.packets_sent += p1;
        s.bytes_sent += b1;
        s.packets_rcvd += p0;
        s.bytes_rcvd += b0;
        if is_new {
            s.flows_as_server += 1;
        }
        add_app(&mut s.apps, app, b0 + b1 + moved.0);
        if answered && server_port != 0 && s.server_ports.len() < MAX_SERVER_PORTS {
            s.server_ports.insert(server_port);
        }
        self.traffic.add(&FlowDelta {
            client: (client, client_place),
            server: (server, server_place),
            vlan: now.key.vlan,
            bytes: [b0, b1],
            packets: [p0, p1],
            new: is_new,
        });
        if client_device || server_device {
            self.devices.flow(&FlowTouch {
                client: (client, now.macs[0]),
                server: (server, now.macs[1]),
                proto: now.key.proto,
                server_port,
                app,
                bytes: [b0, b1],
                new: is_new,
                answered,
                ts_ns: ts,
                eligible: [client_device, server_device],
            });
        }
    }

    /// Keeps a learned name unless the address already has one from a flow that started later.
    fn learn_name(&mut self, n: NameSample) {
        match self.names.get_mut(&n.ip) {
            Some(e) if (e.ts_ns, &*e.name) >= (n.ts_ns, &*n.name) => {}
            Some(e) => {
                e.name = n.name;
                e.ts_ns = n.ts_ns;
            }
            None => {
                self.names.insert(
                    n.ip,
                    LearnedName {
                        name: n.name,
                        ts_ns: n.ts_ns,
                    },
                );
            }
        }
    }

    /// Closes the minute in progress when packet time `now_ns` is past it.
    fn roll_minute(&mut self, now_ns: u64) {
        let m = now_ns / MINUTE_NS;
        let Some(cur) = self.minute_index else {
            if now_ns > 0 {
                self.minute_index = Some(m);
                self.series_start_ns = now_ns;
            }
            return;
        };
        if m <= cur {
            return;
        }
        let (t, span_s) = self.minute_span(cur, minute_end_ns(cur));
        if self.minute_tops.len() == MINUTE_POINTS {
            self.minute_tops.pop_front();
        }
        self.minute_tops.push_back(MinuteTop {
            t,
            span_s,
            apps: top(&self.minute_apps, TOP_SERIES),
            hosts: top(&self.minute_hosts, TOP_SERIES),
        });
        // Emptied, not dropped: the next minute likely sees as many entries.
        self.minute_apps.clear();
        self.minute_hosts.clear();
        self.minute_index = Some(m);
    }

    /// The end (seconds) of minute `index` and the packet time (seconds, at least 1) it covered up to `until_ns`.
    fn minute_span(&self, index: u64, until_ns: u64) -> (f64, f64) {
        let start = (index * MINUTE_NS).max(self.series_start_ns);
        (
            secs(minute_end_ns(index)),
            secs(until_ns.saturating_sub(start)).max(1.0),
        )
    }

    /// The per-application and per-host minute series: the closed minutes and the one in progress.
    fn top_series(&self) -> (Vec<Series>, Vec<Series>) {
        let current = self.minute_index.map(|m| {
            let (t, span_s) = self.minute_span(m, self.clock_ns);
            MinuteTop {
                t,
                span_s,
                apps: top(&self.minute_apps, TOP_SERIES),
                hosts: top(&self.minute_hosts, TOP_SERIES),
            }
        });
        let minutes = || self.minute_tops.iter().chain(current.as_ref());
        (
            series(
                minutes().map(|m| (m.t, m.span_s, &m.apps[..])),
                |n: xntop_dpi::NameParts| n.to_string(),
            ),
            series(
                minutes().map(|m| (m.t, m.span_s, &m.hosts[..])),
                |ip: IpAddr| ip.to_string(),
            ),
        )
    }

    /// Forgets names of addresses that are not hosts, first those older than a host's idle time, then (over the
    /// `-x` cap) the oldest.
    fn purge_names(&mut self) {
        let now = self.clock_ns;
        let hosts = &self.hosts;
        self.names
            .retain(|ip, n| hosts.contains_key(ip) || now.saturating_sub(n.ts_ns) < HOST_IDLE_NS);
        if self.names.len() > self.max_hosts {
            let mut by_age: Vec<(bool, u64, IpAddr)> = self
                .names
                .iter()
                .map(|(ip, n)| (self.hosts.contains_key(ip), n.ts_ns, *ip))
                .collect();
            by_age.sort_unstable();
            let excess = self.names.len() - self.max_hosts * 95 / 100;
            for &(_, _, ip) in by_age.iter().take(excess) {
                self.names.remove(&ip);
            }
        }
    }

    fn set_active(&mut self, key: &FlowSample, delta: i64) {
        for ip in [key.key.addr(key.client), key.key.addr(key.client.peer())] {
            if let Some(h) = self.hosts.get_mut(&ip) {
                h.active_flows = h.active_flows.saturating_add_signed(delta);
            }
        }
    }

    /// Applies one worker report: endings first (they come before the updates in time), then updates.
    pub fn apply(&mut self, mut r: WorkerReport) {
        let clock = if r.wall_clock {
            r.clock_ns.min(wall_ns().saturating_add(WALL_SLACK_NS))
        } else {
            r.clock_ns
        };
        self.clock_ns = self.clock_ns.max(clock);
        self.roll_minute(self.clock_ns);
        self.samples_dropped += r.samples_dropped;
        self.names_dropped += r.names_dropped;
        for n in std::mem::take(&mut r.names) {
            self.learn_name(n);
        }
        for f in &r.facts {
            self.devices.fact(f);
        }
        for syn in &r.syns {
            self.devices.syn(syn);
        }
        self.facts_dropped += r.facts_dropped;
        self.flows_evicted += r.evicted;
        self.reports_missed += r.missed;
        for end in &r.ended {
            if end.partial {
                // The flow goes on from zero: account the partial, keep the flow with its counters reset.
                let before = self.flows.get(&end.key).map(|l| l.sample);
                let is_new = before.is_none();
                self.account(end, before.as_ref(), is_new);
                if is_new {
                    self.flows_total += 1;
                    self.set_active(end, 1);
                }
                let reset = FlowSample {
                    packets: [0; 2],
                    bytes: [0; 2],
                    ..*end
                };
                let geo = self.flow_geo(end);
                let entry = self.flows.entry(end.key).or_insert(LiveFlow {
                    sample: reset,
                    bytes_at_publish: 0,
                    throughput_bps: 0.0,
                    country: geo.0,
                    asn: geo.1,
                });
                entry.sample = reset;
                entry.bytes_at_publish = 0;
                continue;
            }
            let before = self.flows.remove(&end.key);
            let is_new = before.is_none();
            self.account(end, before.as_ref().map(|l| &l.sample), is_new);
            if is_new {
                self.flows_total += 1;
            } else {
                self.set_active(end, -1);
            }
        }
        for upd in &r.updated {
            let before = self.flows.get(&upd.key).map(|l| l.sample);
            let is_new = before.is_none();
            self.account(upd, before.as_ref(), is_new);
            if is_new {
                self.flows_total += 1;
                self.set_active(upd, 1);
            }
            let geo = if is_new {
                self.flow_geo(upd)
            } else {
                Default::default()
            };
            let entry = self.flows.entry(upd.key).or_insert(LiveFlow {
                sample: *upd,
                bytes_at_publish: 0,
                throughput_bps: 0.0,
                country: geo.0,
                asn: geo.1,
            });
            entry.sample = *upd;
        }
        r.acknowledge();
    }

    /// Country codes and AS numbers of a flow's `[client, server]`, from their hosts.
    fn flow_geo(&self, s: &FlowSample) -> ([[u8; 2]; 2], [u32; 2]) {
        let mut out = ([[0; 2]; 2], [0; 2]);
        if self.geo.is_none() {
            return out;
        }
        for (i, ip) in [s.key.addr(s.client), s.key.addr(s.client.peer())]
            .iter()
            .enumerate()
        {
            if let Some(h) = self.hosts.get(ip) {
                out.0[i] = h.place.country;
                out.1[i] = h.place.asn;
            }
        }
        out
    }

    /// Forgets live flows not heard of for [`STALE_FLOW_NS`]: only possible when their end was left out of a full
    /// report, so the view does not keep them (and their memory) forever.
    fn purge_stale_flows(&mut self) {
        let now = self.clock_ns;
        let stale: Vec<FlowSample> = self
            .flows
            .values()
            .filter(|l| now.saturating_sub(l.sample.last_ns) > STALE_FLOW_NS)
            .map(|l| l.sample)
            .collect();
        for s in &stale {
            self.flows.remove(&s.key);
            self.set_active(s, -1);
        }
        self.flows_stale += stale.len() as u64;
    }

    fn purge_hosts(&mut self) {
        self.purge_stale_flows();
        self.purge_names();
        let now = self.clock_ns;
        let (keep, cap) = (self.keep_purged, self.max_hosts);
        let restored = &mut self.restored;
        self.hosts.retain(|ip, h| {
            let live = h.active_flows > 0 || now.saturating_sub(h.last_ns) < HOST_IDLE_NS;
            if !live && keep && restored.len() < cap {
                restored.insert(*ip, h.clone());
            }
            live
        });
        if self.hosts.len() > self.max_hosts {
            // Over the cap: drop the idlest hosts without live flows (then any) down to 95 % of the cap.
            let mut by_idle: Vec<(u64, bool, IpAddr)> = self
                .hosts
                .iter()
                .map(|(ip, h)| (h.last_ns, h.active_flows > 0, *ip))
                .collect();
            by_idle.sort_unstable_by_key(|&(last, active, _)| (active, last));
            let excess = self.hosts.len() - self.max_hosts * 95 / 100;
            for &(_, _, ip) in by_idle.iter().take(excess) {
                self.hosts.remove(&ip);
                self.hosts_evicted += 1;
            }
        }
    }

    fn totals(&self) -> (u64, u64) {
        self.inputs.iter().fold((0, 0), |(p, b), (_, c)| {
            (
                p + c.packets.load(Ordering::Relaxed),
                b + c.bytes.load(Ordering::Relaxed),
            )
        })
    }

    /// Builds the snapshot of the current state.
    #[allow(clippy::cast_precision_loss, reason = "rates for display")]
    pub fn snapshot(&mut self, records_dropped: u64, reports_dropped: u64) -> Snapshot {
        self.purge_hosts();
        let now = self.clock_ns;
        let dt = secs(now.saturating_sub(self.last_publish_ns)).max(1e-3);
        let first_publish = self.last_publish_ns == 0;
        let (packets, bytes) = self.totals();
        let (dp, db) = (
            packets - self.last_totals.0.min(packets),
            bytes - self.last_totals.1.min(bytes),
        );
        let (pps, bps) = if first_publish {
            (0.0, 0.0)
        } else {
            (dp as f64 / dt, db as f64 * 8.0 / dt)
        };
        self.last_totals = (packets, bytes);
        self.last_publish_ns = now;
        self.push_series(
            Point {
                t: secs(now),
                bps,
                pps,
            },
            dp,
            db,
        );

        let flows = self.flow_rows(first_publish, dt);
        let host_flows = Some(host_index(&flows));
        let (local, names) = (&self.local, &self.names);
        let hosts: Vec<HostView> = self
            .hosts
            .iter()
            .map(|(ip, h)| {
                let is_local = local.iter().any(|n| n.contains(ip));
                (ip, h, is_local)
            })
            .map(|(ip, h, is_local)| HostView {
                ip: *ip,
                mac: (h.mac != Mac::default() && (is_local || local.is_empty()))
                    .then(|| format_mac(h.mac)),
                name: names.get(ip).map(|n| n.name.to_string()),
                local: is_local,
                bytes_sent: h.bytes_sent,
                bytes_rcvd: h.bytes_rcvd,
                packets_sent: h.packets_sent,
                packets_rcvd: h.packets_rcvd,
                flows_as_client: h.flows_as_client,
                flows_as_server: h.flows_as_server,
                active_flows: h.active_flows,
                first_seen: secs(h.first_ns),
                last_seen: secs(h.last_ns),
                applications: h.apps.iter().map(|(n, b)| (n.to_string(), *b)).collect(),
                server_ports: h.server_ports.iter().copied().collect(),
                country: h
                    .geo
                    .as_ref()
                    .and_then(|g| g.country.as_deref().map(Into::into)),
                city: h
                    .geo
                    .as_ref()
                    .and_then(|g| g.city.as_deref().map(Into::into)),
                asn: h.geo.as_ref().and_then(|g| g.asn),
                as_org: h
                    .geo
                    .as_ref()
                    .and_then(|g| g.as_org.as_deref().map(Into::into)),
            })
            .collect();
        let mut applications: Vec<AppView> = self
            .apps
            .iter()
            // A name all of whose flows were reclassified keeps an empty entry: not an application seen.
            .filter(|(_, a)| a.flows > 0 || a.bytes > 0)
            .map(|(name, a)| AppView {
                name: name.to_string(),
                category: a.category.into(),
                bytes: a.bytes,
                packets: a.packets,
                flows: a.flows,
            })
            .collect();
        applications
            .sort_unstable_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
        let interfaces = self
            .inputs
            .iter()
            .enumerate()
            .map(|(i, (name, c))| InterfaceView {
                id: u8::try_from(i).unwrap_or(u8::MAX),
                name: name.clone(),
                packets: c.packets.load(Ordering::Relaxed),
                bytes: c.bytes.load(Ordering::Relaxed),
                dropped: c.dropped.load(Ordering::Relaxed),
                rejected: Reject::ALL
                    .iter()
                    .map(|&r| {
                        (
                            r.name().to_string(),
                            c.rejects[r as usize].load(Ordering::Relaxed),
                        )
                    })
                    .filter(|(_, n)| *n > 0)
                    .collect(),
                collector: crate::collector::COUNTER_NAMES
                    .iter()
                    .zip(&c.collector)
                    .map(|(name, n)| ((*name).to_string(), n.load(Ordering::Relaxed)))
                    .filter(|(_, n)| *n > 0)
                    .collect(),
                flows_active: self
                    .flows
                    .keys()
                    .filter(|k| usize::from(k.iface) == i)
                    .count() as u64,
                flows_total: self.flows_total,
                hosts: self.hosts.len() as u64,
                bits_per_second: bps,
                packets_per_second: pps,
            })
            .collect();
        let (app_series, host_series) = self.top_series();
        let traffic = self.traffic.views(self.hosts.values().map(|h| h.place));
        let names = &self.names;
        let (devices, mut device_stats) = self
            .devices
            .views(|ip| names.get(&ip).map(|n| n.name.to_string()));
        device_stats.facts_dropped = self.facts_dropped;
        Snapshot {
            time_ns: now,
            uptime_s: self.started.elapsed().as_secs_f64(),
            interfaces,
            hosts,
            flows,
            host_flows,
            flow_apps: self.flow_apps.clone(),
            applications,
            timeseries: self.with_saved(TimeSeries {
                second: self.second.iter().copied().collect(),
                minute: self.minute_points(),
                applications: app_series,
                hosts: host_series,
            }),
            drops: Drops {
                reports_dropped: reports_dropped + self.reports_missed,
                samples_dropped: self.samples_dropped,
                flows_stale: self.flows_stale,
                names_dropped: self.names_dropped,
                records_dropped,
                flows_evicted: self.flows_evicted,
                hosts_evicted: self.hosts_evicted,
                capture_dropped: self
                    .inputs
                    .iter()
                    .map(|(_, c)| c.dropped.load(Ordering::Relaxed))
                    .sum(),
            },
            countries: traffic.countries,
            asns: traffic.asns,
            networks: traffic.networks,
            vlans: traffic.vlans,
            matrix: traffic.matrix,
            devices,
            device_stats,
        }
    }

    /// The live flows as rows, largest first, with their throughput over the last `dt` seconds.
    #[allow(clippy::cast_precision_loss, reason = "rates for display")]
    fn flow_rows(&mut self, first_publish: bool, dt: f64) -> Vec<FlowRow> {
        let (app_index, flow_apps) = (&mut self.app_index, &mut self.flow_apps);
        let mut rows: Vec<FlowRow> = Vec::with_capacity(self.flows.len());
        for l in self.flows.values_mut() {
            let total = l.sample.bytes[0] + l.sample.bytes[1];
            l.throughput_bps = if first_publish {
                0.0
            } else {
                total.saturating_sub(l.bytes_at_publish) as f64 * 8.0 / dt
            };
            l.bytes_at_publish = total;
            let s = &l.sample;
            let name = s.class.name();
            let app = *app_index.entry(name).or_insert_with(|| {
                flow_apps.push(AppName {
                    name: name.to_string(),
                    category: s.class.category().name(),
                });
                u16::try_from(flow_apps.len() - 1).unwrap_or(u16::MAX)
            });
            rows.push(FlowRow {
                id: s.key.symmetric_hash(),
                src_ip: s.key.addr(s.client),
                dst_ip: s.key.addr(s.client.peer()),
                packets: s.packets,
                bytes: s.bytes,
                first_ns: s.first_ns,
                last_ns: s.last_ns,
                throughput_bps: l.throughput_bps,
                src_port: s.key.port(s.client),
                dst_port: s.key.port(s.client.peer()),
                vlan: s.key.vlan,
                app,
                proto: s.key.proto,
                iface: s.key.iface,
                country: l.country,
                asn: l.asn,
            });
        }
        // Sort small keys, then gather: cheaper than moving the rows around a million times.
        let mut order: Vec<(std::cmp::Reverse<u64>, u64, u32)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    std::cmp::Reverse(r.total_bytes()),
                    r.id,
                    u32::try_from(i).unwrap_or(u32::MAX),
                )
            })
            .collect();
        order.sort_unstable();
        order.iter().map(|&(_, _, i)| rows[i as usize]).collect()
    }

    #[allow(clippy::cast_precision_loss, reason = "rates for display")]
    fn push_series(&mut self, p: Point, dp: u64, db: u64) {
        if self.second.len() == SECOND_POINTS {
            self.second.pop_front();
        }
        self.second.push_back(p);
        let m = self.clock_ns / MINUTE_NS;
        if let Some(cur) = self.iface_minute.filter(|&cur| m > cur) {
            let (mp, mb) = std::mem::take(&mut self.minute_acc);
            let (t, span_s) = self.minute_span(cur, minute_end_ns(cur));
            if self.minute.len() == MINUTE_POINTS {
                self.minute.pop_front();
            }
            self.minute.push_back(Point {
                t,
                bps: mb as f64 * 8.0 / span_s,
                pps: mp as f64 / span_s,
            });
        }
        if self.clock_ns > 0 {
            self.iface_minute = Some(m);
        }
        self.minute_acc.0 += dp;
        self.minute_acc.1 += db;
    }

    /// Series saved by an earlier run, to be shown before this run's points.
    pub fn restore_series(&mut self, saved: crate::series_file::Saved) {
        self.saved_series = Some(saved);
    }

    /// `ts` with the saved series' older points in front.
    fn with_saved(&self, mut ts: TimeSeries) -> TimeSeries {
        use crate::series_file::{prepend, prepend_named};
        if let Some(s) = &self.saved_series {
            prepend(&s.second, &mut ts.second, SECOND_POINTS);
            prepend(&s.minute, &mut ts.minute, MINUTE_POINTS + 1);
            prepend_named(&s.applications, &mut ts.applications, MINUTE_POINTS + 1);
            prepend_named(&s.hosts, &mut ts.hosts, MINUTE_POINTS + 1);
        }
        ts
    }

    /// The closed minutes of all interfaces and the minute in progress.
    #[allow(clippy::cast_precision_loss, reason = "rates for display")]
    fn minute_points(&self) -> Vec<Point> {
        let mut v: Vec<Point> = Vec::with_capacity(self.minute.len() + 1);
        v.extend(self.minute.iter().copied());
        if let Some(cur) = self.iface_minute {
            let (t, span_s) = self.minute_span(cur, self.clock_ns);
            let (mp, mb) = self.minute_acc;
            v.push(Point {
                t,
                bps: mb as f64 * 8.0 / span_s,
                pps: mp as f64 / span_s,
            });
        }
        v
    }
}

/// The end of minute `index` (packet time, ns); the last minute before 2^64 ns ends there, not past it.
fn minute_end_ns(index: u64) -> u64 {
    (index + 1).saturating_mul(MINUTE_NS)
}

/// The wall clock, ns since the epoch.
fn wall_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Per address, the rows it is an endpoint of, ascending.
fn host_index(rows: &[FlowRow]) -> HashMap<IpAddr, Vec<u32>> {
    let mut m: HashMap<IpAddr, Vec<u32>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        m.entry(r.src_ip).or_default().push(i);
        if r.dst_ip != r.src_ip {
            m.entry(r.dst_ip).or_default().push(i);
        }
    }
    m
}

/// Runs the aggregator until every worker has hung up, publishing a snapshot at most once per `period` of wall
/// time and once per second of packet time, and a last one at the end.
pub fn run(
    mut agg: Aggregator,
    rx: &Receiver<WorkerReport>,
    published: &Arc<ArcSwap<Snapshot>>,
    period: Duration,
) -> Aggregator {
    let mut last_wall = Instant::now();
    let mut last_clock = 0u64;
    loop {
        match rx.recv_timeout(period) {
            Ok(r) => agg.apply(r),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let packet_second = agg.clock_ns >= last_clock.saturating_add(1_000_000_000);
        if last_wall.elapsed() >= period && (packet_second || last_clock == 0) {
            published.store(Arc::new(agg.snapshot(0, 0)));
            last_wall = Instant::now();
            last_clock = agg.clock_ns;
        }
    }
    published.store(Arc::new(agg.snapshot(0, 0)));
    agg.save_devices();
    agg
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use xntop_flow::FlowKey;

    const S: u64 = 1_000_000_000;

    fn flow(client: u8, at_s: u64, bytes: u64) -> FlowSample {
        let c = IpAddr::V4(Ipv4Addr::new(10, 0, 0, client));
        let s = IpAddr::V4(Ipv4Addr::new(10, 0, 1, 1));
        let (key, from) = FlowKey::new(c, 40000 + at_s as u16, s, 443, 6, 0, 0);
        FlowSample {
            key,
            client: from,
            packets: [1, 1],
            bytes: [bytes, bytes],
            first_ns: at_s * S,
            last_ns: at_s * S,
            partial: false,
            class: xntop_dpi::Classification::default(),
            macs: [[0; 6]; 2],
        }
    }

    fn ended(agg: &mut Aggregator, f: FlowSample) {
        agg.apply(WorkerReport {
            clock_ns: f.last_ns,
            ended: vec![f],
            ..WorkerReport::default()
        });
    }

    fn sent(agg: &mut Aggregator, last: u8) -> Option<u64> {
        let snap = agg.snapshot(0, 0);
        snap.hosts
            .iter()
            .find(|h| h.ip == IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)))
            .map(|h| h.bytes_sent)
    }

    /// A host purged as idle comes back with its counters when a Redis cache is configured, and from zero
    /// without one (ntopng's behaviour in both cases).
    #[test]
    fn purged_host_returns_with_its_counters_only_with_a_cache() {
        for keep in [true, false] {
            let mut agg = Aggregator::new(Vec::new(), Vec::new(), 100);
            agg.keep_purged_hosts(keep);
            ended(&mut agg, flow(7, 1, 100));
            assert_eq!(sent(&mut agg, 7), Some(100));
            // Another host keeps the clock moving past the idle timeout; the first is purged.
            ended(&mut agg, flow(8, 1 + HOST_IDLE_NS / S + 10, 5));
            assert_eq!(sent(&mut agg, 7), None, "idle host purged");
            ended(&mut agg, flow(7, 2 + HOST_IDLE_NS / S + 10, 50));
            assert_eq!(
                sent(&mut agg, 7),
                Some(if keep { 150 } else { 50 }),
                "keep={keep}"
            );
        }
    }

    /// A wall-clocked report (a collector's) claiming a far-future clock does not carry the view's time there: the
    /// hosts of earlier and later flows stay. The same report from a capture input (packet time) is followed.
    #[test]
    fn wall_clocked_reports_cannot_push_packet_time_into_the_future() {
        let now_s = wall_ns() / S;
        for wall_clock in [true, false] {
            let mut agg = Aggregator::new(Vec::new(), Vec::new(), 100);
            let report = |f: FlowSample, clock_ns: u64| WorkerReport {
                clock_ns,
                ended: vec![f],
                wall_clock,
                ..WorkerReport::default()
            };
            agg.apply(report(flow(7, now_s, 100), now_s * S));
            agg.apply(report(flow(8, now_s, 100), u64::MAX));
            agg.apply(report(flow(9, now_s, 100), now_s * S));
            let kept = [7, 8, 9].map(|h| sent(&mut agg, h).is_some());
            if wall_clock {
                assert!(agg.clock_ns <= wall_ns() + WALL_SLACK_NS);
                assert_eq!(kept, [true; 3]);
            } else {
                assert_eq!(agg.clock_ns, u64::MAX);
                assert_eq!(kept, [false; 3]);
            }
        }
    }

    fn ip4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }

    /// A UDP flow `client → server` of `bytes` each way at `at_s`, classified as `app`, with MACs.
    fn sample(
        client: IpAddr,
        server: IpAddr,
        at_s: u64,
        bytes: u64,
        app: xntop_dpi::Proto,
        macs: [Mac; 2],
    ) -> FlowSample {
        let (key, from) = FlowKey::new(client, 40000, server, 53, 17, 0, 0);
        FlowSample {
            key,
            client: from,
            packets: [1, 1],
            bytes: [bytes, bytes],
            first_ns: at_s * S,
            last_ns: at_s * S,
            partial: false,
            class: xntop_dpi::Classification {
                master: app,
                app,
                confidence: xntop_dpi::Confidence::Dpi,
            },
            macs,
        }
    }

    /// A report of one ended flow and the names its metadata teaches.
    /// Metadata naming the server (TLS SNI, HTTP Host).
    fn sni(name: &str) -> xntop_model::L7Meta {
        xntop_model::L7Meta {
            server_name: Some(name.into()),
            ..Default::default()
        }
    }

    fn ended_with_meta(agg: &mut Aggregator, f: FlowSample, meta: &xntop_model::L7Meta) {
        let mut r = WorkerReport {
            clock_ns: f.last_ns,
            ..WorkerReport::default()
        };
        let (client, server) = (f.key.addr(f.client), f.key.addr(f.client.peer()));
        r.push_meta_names(meta, client, server, f.first_ns);
        r.ended.push(f);
        agg.apply(r);
    }

    fn host_of(snap: &Snapshot, ip: IpAddr) -> &HostView {
        let h = snap.hosts.iter().find(|h| h.ip == ip);
        h.unwrap_or_else(|| panic!("no host {ip}"))
    }

    /// DNS A/AAAA answers name the answered addresses (even before any flow reaches them), not the resolver; SNI
    /// and HTTP Host name the server; a DHCP host name names its client once it has an address; answers to other
    /// query types and address literals name nothing; the name of the flow that started last wins.
    #[test]
    fn names_from_dns_answers_sni_and_dhcp() {
        use xntop_dpi::Proto;
        let mut agg = Aggregator::new(Vec::new(), Vec::new(), 100);
        let (client, resolver) = (ip4(10, 0, 0, 1), ip4(10, 0, 0, 53));
        let (web, web6) = (ip4(10, 0, 1, 1), "fd00::1".parse::<IpAddr>().unwrap());
        let dns = xntop_model::L7Meta {
            server_name: Some("www.example.test".into()),
            dns_query: Some("www.example.test".into()),
            dns_qtype: Some(1),
            dns_rcode: Some(0),
            dns_answers: vec![web, web6],
            ..Default::default()
        };
        ended_with_meta(
            &mut agg,
            sample(client, resolver, 1, 80, Proto::Dns, [[0; 6]; 2]),
            &dns,
        );
        // An MX answer's addresses belong to the mail exchanger's name, not to the query.
        let mx = xntop_model::L7Meta {
            dns_query: Some("example.test".into()),
            dns_qtype: Some(15),
            dns_rcode: Some(0),
            dns_answers: vec![ip4(10, 0, 1, 25)],
            ..Default::default()
        };
        ended_with_meta(
            &mut agg,
            sample(client, resolver, 2, 80, Proto::Dns, [[0; 6]; 2]),
            &mx,
        );
        // The client then talks to the answered address: TLS with the same SNI, HTTP by address literal.
        let tls = sni("www.example.test");
        ended_with_meta(
            &mut agg,
            sample(client, web, 3, 500, Proto::Tls, [[0; 6]; 2]),
            &tls,
        );
        let literal = sni("10.0.1.3");
        let bare = ip4(10, 0, 1, 3);
        ended_with_meta(
            &mut agg,
            sample(client, bare, 3, 500, Proto::Http, [[0; 6]; 2]),
            &literal,
        );
        // DHCP: a REQUEST from 0.0.0.0 names nobody; a renewal from the leased address names it.
        let dhcp = xntop_model::L7Meta {
            dhcp_hostname: Some("laptop".into()),
            ..Default::default()
        };
        let (unspec, leased, dhcp_server) = (ip4(0, 0, 0, 0), ip4(10, 0, 0, 7), ip4(10, 0, 0, 254));
        ended_with_meta(
            &mut agg,
            sample(
                unspec,
                ip4(255, 255, 255, 255),
                4,
                300,
                Proto::Dhcp,
                [[0; 6]; 2],
            ),
            &dhcp,
        );
        ended_with_meta(
            &mut agg,
            sample(leased, dhcp_server, 5, 300, Proto::Dhcp, [[0; 6]; 2]),
            &dhcp,
        );

        let snap = agg.snapshot(0, 0);
        let name = |ip: IpAddr| host_of(&snap, ip).name.clone();
        assert_eq!(name(web).as_deref(), Some("www.example.test"));
        assert_eq!(
            name(client),
            None,
            "a client is not named by what it asks for"
        );
        assert_eq!(
            name(resolver),
            None,
            "a DNS query does not name the resolver"
        );
        assert_eq!(name(bare), None, "an address literal is no name");
        assert_eq!(name(unspec), None);
        assert_eq!(name(dhcp_server), None);
        assert_eq!(name(leased).as_deref(), Some("laptop"));
        // fd00::1 and 10.0.1.25 have no flow: no host, but fd00::1's name waits for it; the MX answer taught none.
        assert!(snap.hosts.iter().all(|h| h.ip != web6));
        assert!(!agg.names.contains_key(&ip4(10, 0, 1, 25)));
        let client6 = "fd00::7".parse::<IpAddr>().unwrap();
        ended(
            &mut agg,
            sample(client6, web6, 6, 100, Proto::Tls, [[0; 6]; 2]),
        );
        let snap = agg.snapshot(0, 0);
        assert_eq!(
            host_of(&snap, web6).name.as_deref(),
            Some("www.example.test")
        );

        // A later flow's name replaces it; an earlier flow's, reported late, does not.
        let newer = sni("cdn.example.test");
        ended_with_meta(
            &mut agg,
            sample(client, web, 8, 100, Proto::Tls, [[0; 6]; 2]),
            &newer,
        );
        let older = sni("old.example.test");
        let mut late = sample(client, web, 7, 100, Proto::Tls, [[0; 6]; 2]);
        late.last_ns = 9 * S;
        ended_with_meta(&mut agg, late, &older);
        let snap = agg.snapshot(0, 0);
        assert_eq!(
            host_of(&snap, web).name.as_deref(),
            Some("cdn.example.test")
        );
    }

    /// Names of addresses that never become hosts stay bounded by the host cap.
    #[test]
    fn learned_names_stay_bounded() {
        let mut agg = Aggregator::new(Vec::new(), Vec::new(), 10);
        let mut r = WorkerReport {
            clock_ns: S,
            ..WorkerReport::default()
        };
        for i in 0..100u8 {
            r.names.push(NameSample {
                ip: ip4(10, 9, 0, i),
                name: format!("n{i}").into(),
                ts_ns: S + u64::from(i),
            });
        }
        agg.apply(r);
        let _ = agg.snapshot(0, 0);
        assert!(agg.names.len() <= 10, "{}", agg.names.len());
        // The newest stay.
        assert!(agg.names.contains_key(&ip4(10, 9, 0, 99)));
    }

    /// Each host gets the MAC its flows' first packets carried for it; with `-m`, only local hosts show one.
    #[test]
    fn macs_go_to_client_and_server() {
        let (c_mac, s_mac) = ([0x02, 0, 0, 0, 0, 0x01], [0x02, 0, 0, 0, 0, 0x02]);
        let (client, server) = (ip4(10, 0, 0, 1), ip4(192, 0, 2, 1));
        for local in [Vec::new(), vec!["10.0.0.0/24".parse::<IpNet>().unwrap()]] {
            let with_m = !local.is_empty();
            let mut agg = Aggregator::new(Vec::new(), local, 100);
            let f = sample(
                client,
                server,
                1,
                100,
                xntop_dpi::Proto::Tls,
                [c_mac, s_mac],
            );
            ended(&mut agg, f);
            // A flow without MACs (IPFIX, raw IP) leaves them.
            ended(
                &mut agg,
                sample(client, server, 2, 100, xntop_dpi::Proto::Tls, [[0; 6]; 2]),
            );
            let snap = agg.snapshot(0, 0);
            assert_eq!(
                host_of(&snap, client).mac.as_deref(),
                Some("02:00:00:00:00:01")
            );
            let server_mac = host_of(&snap, server).mac.as_deref();
            if with_m {
                assert_eq!(server_mac, None, "remote host: its MAC is the router's");
            } else {
                assert_eq!(server_mac, Some("02:00:00:00:00:02"));
            }
        }
        assert_eq!(parse_mac("02:00:00:00:00:0a"), Some([2, 0, 0, 0, 0, 10]));
        assert_eq!(parse_mac("02:00:00:00:00"), None);
        assert_eq!(format_mac([0xab, 0, 1, 2, 3, 0xff]), "ab:00:01:02:03:ff");
    }

    /// Per-application and per-host minute series: a point per minute of packet time with that minute's rates,
    /// at most the top 16 of each per minute, at most 24 hours of minutes.
    #[test]
    fn minute_series_are_bounded_and_exact() {
        let protos = &xntop_dpi::Proto::all()[1..=20];
        let mut agg = Aggregator::new(Vec::new(), Vec::new(), 10_000);
        let minutes = MINUTE_POINTS as u64 + 30;
        // Minute m (from 1): 20 applications and 20 client hosts, app i / host i with (i + 1) × 1000 bytes.
        for m in 1..=minutes {
            let at = m * 60 + 1;
            let mut r = WorkerReport {
                clock_ns: at * S,
                ..WorkerReport::default()
            };
            for (i, &p) in protos.iter().enumerate() {
                let i8 = u8::try_from(i).unwrap();
                let b = (i as u64 + 1) * 500;
                r.ended.push(sample(
                    ip4(10, 1, 0, i8),
                    ip4(10, 2, 0, i8),
                    at,
                    b,
                    p,
                    [[0; 6]; 2],
                ));
            }
            agg.apply(r);
        }
        let snap = agg.snapshot(0, 0);
        let ts = &snap.timeseries;
        assert_eq!(
            ts.applications.len(),
            16,
            "the same 16 apps top every minute"
        );
        // Both ends of a flow count its bytes: the 8 largest client/server pairs are the top 16 hosts.
        assert_eq!(ts.hosts.len(), 16);
        for h in &ts.hosts {
            let last: u8 = h.name.rsplit('.').next().unwrap().parse().unwrap();
            assert!((12..20).contains(&last), "{}", h.name);
        }
        for s in ts.applications.iter().chain(&ts.hosts) {
            // Closed minutes kept, plus the one in progress.
            assert!(
                s.points.len() <= MINUTE_POINTS + 1,
                "{} {}",
                s.name,
                s.points.len()
            );
            assert!(s.points.windows(2).all(|w| w[0].t < w[1].t));
        }
        // The largest application: 20 × 1000 bytes in each full minute.
        let big = &ts.applications[0];
        assert_eq!(big.name, protos[19].name());
        let p = big.points[big.points.len() - 2];
        assert!((p.bps - 20_000.0 * 8.0 / 60.0).abs() < 1e-6, "{}", p.bps);
        assert!((p.pps - 2.0 / 60.0).abs() < 1e-9, "{}", p.pps);
        assert_eq!(p.t, ((minutes) * 60) as f64);
        // The 4 smallest applications never made a minute's top.
        let names: Vec<&str> = ts.applications.iter().map(|s| s.name.as_str()).collect();
        for small in &protos[..4] {
            assert!(!names.contains(&small.name()), "{}", small.name());
        }
        // Memory: the closed minutes are capped.
        assert_eq!(agg.minute_tops.len(), MINUTE_POINTS);
        assert!(agg
            .minute_tops
            .iter()
            .all(|m| m.apps.len() <= TOP_SERIES && m.hosts.len() <= TOP_SERIES));
    }
}
