//! The global view the aggregator publishes once per second (packet time) and every reader (web, Redis, exporters)
//! gets as an immutable `Arc<Snapshot>`. Plain data with serde: the web serialises it as JSON.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// Everything the UI and the API show, as of one tick.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    /// Packet time of the tick, ns since the epoch.
    pub time_ns: u64,
    /// Wall-clock seconds since xntop started.
    pub uptime_s: f64,
    pub interfaces: Vec<InterfaceView>,
    pub hosts: Vec<HostView>,
    /// Live flows (at most the `-X` cap), largest first: sorted by bytes (both directions) descending, then by id,
    /// so the API's default order is a slice. Compact rows without heap data, so a million are published in one
    /// pass; [`FlowView::of`] makes the JSON view of the ones a page shows.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<FlowView>))]
    pub flows: Vec<FlowRow>,
    /// Application names and categories the rows' `app` index.
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub flow_apps: Vec<AppName>,
    /// Per address, the indices of the rows it is an endpoint of, ascending (so in the rows' order): a host's
    /// flows without scanning a million rows. `None` when not built (then readers scan).
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub host_flows: Option<std::collections::HashMap<IpAddr, Vec<u32>>>,
    pub applications: Vec<AppView>,
    pub timeseries: TimeSeries,
    pub drops: Drops,
    /// Traffic by country, AS, network and VLAN since start, most bytes first; and the matrix.
    pub countries: Vec<CountryView>,
    pub asns: Vec<AsView>,
    pub networks: Vec<NetworkView>,
    pub vlans: Vec<VlanView>,
    pub matrix: Matrix,
    /// The asset inventory, most recently seen first.
    pub devices: Vec<crate::devices::DeviceView>,
    pub device_stats: crate::devices::DeviceStats,
}

/// One input (`-i`).
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterfaceView {
    pub id: u8,
    pub name: String,
    pub packets: u64,
    pub bytes: u64,
    /// Packets lost before they were counted (live capture: NIC, socket and hand-off drops).
    pub dropped: u64,
    /// Frames that made no flow (non-IP and malformed), by reason name.
    pub rejected: Vec<(String, u64)>,
    /// Collector inputs: datagrams, connections and records refused (allow-list, connection caps and timeout,
    /// framing, times far from the clock) and exporter state evicted, by reason name; non-zero ones only.
    pub collector: Vec<(String, u64)>,
    pub flows_active: u64,
    pub flows_total: u64,
    pub hosts: u64,
    /// Rates over the last tick.
    pub bits_per_second: f64,
    pub packets_per_second: f64,
}

/// One host (IP address), summed over every shard.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "ip"))]
    pub ip: IpAddr,
    /// The Ethernet address ("aa:bb:cc:dd:ee:ff") this host's packets carried: the source MAC of the first packet
    /// of its latest flow that it sent, or the destination MAC of one it received. For a host beyond a router this
    /// is the router's, so with `-m` only hosts inside the local networks show one (ntopng's choice); without `-m`
    /// every host does (which networks are local is then unknown). None on links without MACs (raw IP, loopback,
    /// IPFIX input).
    pub mac: Option<String>,
    /// A name learned from DPI, when any: the query name of a DNS A/AAAA answer that listed this address, the SNI
    /// (TLS, QUIC) or HTTP Host a client asked this server for, or the host name this DHCP client announced. When
    /// several flows tell different names, the one of the flow that started last (packet time) wins, so a name
    /// follows the host's current use and does not depend on how flows were spread over workers. At most 256
    /// printable ASCII characters (others become `?`).
    pub name: Option<String>,
    /// Inside a `-m` local network.
    pub local: bool,
    pub bytes_sent: u64,
    pub bytes_rcvd: u64,
    pub packets_sent: u64,
    pub packets_rcvd: u64,
    pub flows_as_client: u64,
    pub flows_as_server: u64,
    pub active_flows: u64,
    /// Seconds since the epoch (packet time).
    pub first_seen: f64,
    pub last_seen: f64,
    /// Bytes per application name.
    pub applications: Vec<(String, u64)>,
    /// Ports on which this host answered as a server.
    pub server_ports: Vec<u16>,
    /// ISO country code, city, autonomous system and its organisation from the `--geoip`/`--asn` files, looked up
    /// once when the host appears; absent without the files or when they do not know the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asn: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_org: Option<String>,
}

/// An application's name and category, shared by the flow rows that carry its index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppName {
    pub name: String,
    pub category: &'static str,
}

/// One live flow as the snapshot keeps it, oriented client → server: plain copyable data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlowRow {
    pub id: u64,
    pub src_ip: IpAddr,
    pub dst_ip: IpAddr,
    /// Client → server, server → client.
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
    /// Packet time, ns since the epoch.
    pub first_ns: u64,
    pub last_ns: u64,
    /// Bits per second over the last tick, both directions.
    pub throughput_bps: f64,
    pub src_port: u16,
    pub dst_port: u16,
    pub vlan: u16,
    /// Index into [`Snapshot::flow_apps`].
    pub app: u16,
    /// IP protocol number.
    pub proto: u8,
    pub iface: u8,
    /// Country codes of `[src, dst]` from `--geoip` (`[0, 0]`: unknown), see [`crate::geo::country_str`].
    pub country: [[u8; 2]; 2],
    /// Autonomous systems of `[src, dst]` from `--asn` (0: unknown).
    pub asn: [u32; 2],
}

impl FlowRow {
    /// Bytes in both directions: the snapshot's order.
    #[must_use]
    pub fn total_bytes(&self) -> u64 {
        self.bytes[0] + self.bytes[1]
    }

    #[must_use]
    pub fn total_packets(&self) -> u64 {
        self.packets[0] + self.packets[1]
    }
}

/// One live flow, oriented client → server.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowView {
    pub id: u64,
    pub iface: u8,
    pub proto: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "ip"))]
    pub src_ip: IpAddr,
    pub src_port: u16,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "ip"))]
    pub dst_ip: IpAddr,
    pub dst_port: u16,
    pub vlan: u16,
    pub app: String,
    pub category: String,
    pub server_name: Option<String>,
    /// Enrichment of both ends (`--geoip`, `--asn`), prefixed by side as in the flow records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_asn: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_asn: Option<u32>,
    pub packets_c2s: u64,
    pub packets_s2c: u64,
    pub bytes_c2s: u64,
    pub bytes_s2c: u64,
    pub first_seen: f64,
    pub last_seen: f64,
    /// Bits per second over the last tick, both directions.
    pub throughput_bps: f64,
}

fn secs(ns: u64) -> f64 {
    #[allow(clippy::cast_precision_loss, reason = "display")]
    let s = ns as f64 / 1e9;
    s
}

impl Snapshot {
    /// Indices of the rows `ip` is an endpoint of, in the rows' order, when the index is built.
    #[must_use]
    pub fn flows_of(&self, ip: IpAddr) -> Option<&[u32]> {
        self.host_flows
            .as_ref()
            .map(|m| m.get(&ip).map_or(&[][..], Vec::as_slice))
    }
}

impl FlowView {
    /// The JSON view of one row of `snap`.
    #[must_use]
    pub fn of(row: &FlowRow, snap: &Snapshot) -> Self {
        let app = snap.flow_apps.get(usize::from(row.app));
        Self {
            id: row.id,
            iface: row.iface,
            proto: crate::proto_name(row.proto)
                .map_or_else(|| row.proto.to_string(), str::to_string),
            src_ip: row.src_ip,
            src_port: row.src_port,
            dst_ip: row.dst_ip,
            dst_port: row.dst_port,
            vlan: row.vlan,
            app: app.map_or_else(|| "Unknown".into(), |a| a.name.clone()),
            category: app.map_or_else(|| "Unspecified".into(), |a| a.category.into()),
            server_name: None,
            src_country: crate::geo::country_str(&row.country[0]).map(str::to_string),
            dst_country: crate::geo::country_str(&row.country[1]).map(str::to_string),
            src_asn: (row.asn[0] != 0).then_some(row.asn[0]),
            dst_asn: (row.asn[1] != 0).then_some(row.asn[1]),
            packets_c2s: row.packets[0],
            packets_s2c: row.packets[1],
            bytes_c2s: row.bytes[0],
            bytes_s2c: row.bytes[1],
            first_seen: secs(row.first_ns),
            last_seen: secs(row.last_ns),
            throughput_bps: row.throughput_bps,
        }
    }
}

/// The snapshot as JSON (`--dump-snapshot`): flows as [`FlowView`]s, in the snapshot's order.
impl Serialize for Snapshot {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Flows<'a>(&'a Snapshot);
        impl Serialize for Flows<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.flows.len()))?;
                for row in &self.0.flows {
                    seq.serialize_element(&FlowView::of(row, self.0))?;
                }
                seq.end()
            }
        }
        let mut st = s.serialize_struct("Snapshot", 15)?;
        st.serialize_field("time_ns", &self.time_ns)?;
        st.serialize_field("uptime_s", &self.uptime_s)?;
        st.serialize_field("interfaces", &self.interfaces)?;
        st.serialize_field("hosts", &self.hosts)?;
        st.serialize_field("flows", &Flows(self))?;
        st.serialize_field("applications", &self.applications)?;
        st.serialize_field("timeseries", &self.timeseries)?;
        st.serialize_field("drops", &self.drops)?;
        st.serialize_field("countries", &self.countries)?;
        st.serialize_field("asns", &self.asns)?;
        st.serialize_field("networks", &self.networks)?;
        st.serialize_field("vlans", &self.vlans)?;
        st.serialize_field("matrix", &self.matrix)?;
        st.serialize_field("devices", &self.devices)?;
        st.serialize_field("device_stats", &self.device_stats)?;
        st.end()
    }
}

/// One application (nDPI-style name), summed over flows.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppView {
    pub name: String,
    pub category: String,
    pub bytes: u64,
    pub packets: u64,
    pub flows: u64,
}

/// One point of a series.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    /// Seconds since the epoch (packet time).
    pub t: f64,
    pub bps: f64,
    pub pps: f64,
}

/// In-memory time series.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeSeries {
    /// All interfaces together, 1 s resolution, last 10 minutes.
    pub second: Vec<Point>,
    /// All interfaces together, 1 min resolution (minutes of packet time), last 24 hours; the last point is the
    /// minute in progress.
    pub minute: Vec<Point>,
    /// Per application, 1 min resolution, last 24 hours: in each minute the 16 applications with the most bytes
    /// get a point (an application outside a minute's top 16 has no point for it). Ordered by bytes over the
    /// window, most first.
    pub applications: Vec<Series>,
    /// Per host (name = the address), 1 min resolution, last 24 hours: in each minute the 16 hosts with the most
    /// bytes (sent + received) get a point. Ordered by bytes over the window, most first.
    pub hosts: Vec<Series>,
}

/// One named series. The last point of a minute series is the minute in progress, its rates averaged over the
/// part of it that has passed.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    /// Application name, or host address.
    pub name: String,
    pub points: Vec<Point>,
}

/// Drops by stage: nothing is lost silently.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Drops {
    /// Worker reports the aggregator's channel had no room for.
    pub reports_dropped: u64,
    /// Flow records an output ring had no room for (live input only).
    pub records_dropped: u64,
    /// Flows evicted by the `-X` cap.
    pub flows_evicted: u64,
    /// Hosts evicted by the `-x` cap.
    pub hosts_evicted: u64,
    /// Packets live capture lost: at the NIC, in the capture sockets, in the hand-off to the workers.
    pub capture_dropped: u64,
    /// Flow samples the workers left out of full reports (the aggregator was behind).
    pub samples_dropped: u64,
    /// Live flows forgotten because no report mentioned them for 4 minutes.
    pub flows_stale: u64,
    /// Learned host names the workers left out of full reports.
    pub names_dropped: u64,
}

/// Traffic of a group of hosts (a country, an AS, a network, a VLAN) since start: what its hosts sent and received
/// in every flow, so a group's totals equal the sums over the flow records of its hosts' ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    pub bytes_sent: u64,
    pub bytes_rcvd: u64,
    pub packets_sent: u64,
    pub packets_rcvd: u64,
    /// Flows with at least one end in the group.
    pub flows: u64,
    /// Hosts of the group in the view now.
    pub hosts: u64,
}

/// One country (`--geoip`).
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountryView {
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    #[serde(flatten)]
    pub totals: Totals,
}

/// One autonomous system (`--asn`).
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AsView {
    pub asn: u32,
    pub as_org: Option<String>,
    #[serde(flatten)]
    pub totals: Totals,
}

/// One network: a `-m` local network or one named in `--networks`. A host belongs to the most specific network
/// that contains it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkView {
    /// The name from `--networks`, else the CIDR.
    pub name: String,
    pub cidr: String,
    /// Given with `-m`.
    pub local: bool,
    #[serde(flatten)]
    pub totals: Totals,
}

/// One VLAN (0: untagged).
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VlanView {
    pub vlan: u16,
    /// Both directions.
    pub bytes: u64,
    pub packets: u64,
    pub flows: u64,
}

/// Who talks to whom: bytes between networks (ntopng's subnet matrix) and between the hosts that exchanged the
/// most.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matrix {
    /// Row and column labels: the networks in [`Snapshot::networks`]' order, then `remote` (every address in none).
    pub labels: Vec<String>,
    /// `bytes[from][to]`: bytes sent by hosts of network `from` to hosts of network `to`, since start.
    pub bytes: Vec<Vec<u64>>,
    /// The host pairs with the most bytes (both directions) since start, most first; at most 100.
    pub conversations: Vec<ConversationView>,
    /// Host pairs forgotten because the conversation table was full (the smallest go).
    pub conversations_evicted: u64,
}

/// Traffic between two hosts since start.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationView {
    /// The smaller address.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "ip"))]
    pub a: IpAddr,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "ip"))]
    pub b: IpAddr,
    pub bytes_a_to_b: u64,
    pub bytes_b_to_a: u64,
    pub packets: u64,
    pub flows: u64,
}
