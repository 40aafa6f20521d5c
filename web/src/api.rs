//! `/api/v1/…` handlers: JSON views of the snapshot, sorted, filtered and paged.

use std::cmp::Ordering;
use std::net::IpAddr;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xntop_model::snapshot::{
    AppView, Drops, FlowRow, FlowView, HostView, InterfaceView, Point, Series,
};
use xntop_model::{proto_name, Snapshot};

use crate::AppState;

/// Default and largest page sizes.
const PER_PAGE: usize = 50;
const MAX_PER_PAGE: usize = 1000;

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    /// Items matching the filters, on every page.
    total: usize,
    /// 1-based.
    page: usize,
    per_page: usize,
    items: Vec<T>,
}

/// `/api/v1/hosts`' query.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HostQuery {
    /// Sort key: `bytes` (default), `packets`, `flows`, `active_flows`, `last_seen`, `first_seen` or `ip`.
    sort: Option<String>,
    /// `desc` (default) or `asc`.
    order: Option<String>,
    /// 1-based page number (default 1).
    page: Option<usize>,
    /// Items per page, 1 to 1000 (default 50).
    per_page: Option<usize>,
    /// Substring of the address or the name.
    q: Option<String>,
    /// Only hosts inside (`true`) or outside (`false`) the `-m` local networks.
    local: Option<bool>,
}

/// `/api/v1/flows`' query.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlowQuery {
    /// Sort key: `bytes` (default), `packets`, `throughput`, `first_seen` or `last_seen`.
    sort: Option<String>,
    /// `desc` (default) or `asc`.
    order: Option<String>,
    /// 1-based page number (default 1).
    page: Option<usize>,
    /// Items per page, 1 to 1000 (default 50).
    per_page: Option<usize>,
    /// Case-insensitive substring of either address, the application or the protocol, or
    /// either port.
    q: Option<String>,
    /// Only flows from or to this address.
    #[param(value_type = Option<String>, format = "ip")]
    host: Option<IpAddr>,
    /// Only flows of this application (case-insensitive).
    app: Option<String>,
    /// Only flows from or to this port.
    port: Option<u16>,
    /// Only flows of this protocol (`TCP`, `UDP`, …; case-insensitive).
    proto: Option<String>,
}

/// Paging and order, common to the lists.
struct Paging<'q> {
    order: Option<&'q str>,
    page: Option<usize>,
    per_page: Option<usize>,
}

impl Paging<'_> {
    /// The 1-based page and its size, clamped.
    fn page_and_size(&self) -> (usize, usize) {
        (
            self.page.unwrap_or(1).max(1),
            self.per_page.unwrap_or(PER_PAGE).clamp(1, MAX_PER_PAGE),
        )
    }
}

fn bad(msg: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(ApiError { error: msg })).into_response()
}

/// Sorts only as much as the requested page needs: a partial selection, then a sort of that prefix, so a page of
/// the top flows among a million costs O(n), not O(n log n).
fn page_of<'a, T>(
    items: &'a [T],
    mut picked: Vec<usize>,
    q: &Paging<'_>,
    cmp: impl Fn(&T, &T) -> Ordering,
) -> Page<&'a T> {
    let (page, per_page) = q.page_and_size();
    let total = picked.len();
    let desc = q.order != Some("asc");
    let ord = |a: &usize, b: &usize| {
        let o = cmp(&items[*a], &items[*b]);
        if desc {
            o.reverse()
        } else {
            o
        }
    };
    let end = page.saturating_mul(per_page).min(total);
    let start = (page - 1).saturating_mul(per_page).min(end);
    if end > 0 && end < total {
        picked.select_nth_unstable_by(end - 1, ord);
        picked.truncate(end);
    }
    picked.sort_unstable_by(ord);
    Page {
        total,
        page,
        per_page,
        items: picked[start..end.min(picked.len())]
            .iter()
            .map(|&i| &items[i])
            .collect(),
    }
}

/// An error's body.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    error: String,
}

/// The inputs (`-i`) and their counters.
#[utoipa::path(get, path = "/api/v1/interfaces", tag = "view",
    responses((status = 200, body = Vec<InterfaceView>), (status = 401, body = ApiError)))]
pub async fn interfaces(State(s): State<AppState>) -> Response {
    let snap = s.snapshot.load();
    Json(&snap.interfaces).into_response()
}

fn host_cmp(key: &str) -> Option<fn(&HostView, &HostView) -> Ordering> {
    Some(match key {
        "bytes" => |a, b| (a.bytes_sent + a.bytes_rcvd).cmp(&(b.bytes_sent + b.bytes_rcvd)),
        "packets" => {
            |a, b| (a.packets_sent + a.packets_rcvd).cmp(&(b.packets_sent + b.packets_rcvd))
        }
        "flows" => |a, b| {
            (a.flows_as_client + a.flows_as_server).cmp(&(b.flows_as_client + b.flows_as_server))
        },
        "active_flows" => |a, b| a.active_flows.cmp(&b.active_flows),
        "last_seen" => |a, b| a.last_seen.total_cmp(&b.last_seen),
        "first_seen" => |a, b| a.first_seen.total_cmp(&b.first_seen),
        "ip" => |a, b| a.ip.cmp(&b.ip),
        _ => return None,
    })
}

/// Hosts, sorted, filtered and paged.
#[utoipa::path(get, path = "/api/v1/hosts", tag = "view", params(HostQuery),
    responses((status = 200, body = Page<HostView>), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
pub async fn hosts(State(s): State<AppState>, Query(q): Query<HostQuery>) -> Response {
    let snap = s.snapshot.load();
    let Some(cmp) = host_cmp(q.sort.as_deref().unwrap_or("bytes")) else {
        return bad(format!("unknown sort key {:?}", q.sort));
    };
    let needle = q.q.as_deref().unwrap_or("");
    let picked: Vec<usize> = snap
        .hosts
        .iter()
        .enumerate()
        .filter(|(_, h)| q.local.is_none_or(|l| h.local == l))
        .filter(|(_, h)| {
            needle.is_empty()
                || h.ip.to_string().contains(needle)
                || h.name.as_deref().is_some_and(|n| n.contains(needle))
        })
        .map(|(i, _)| i)
        .collect();
    let paging = Paging {
        order: q.order.as_deref(),
        page: q.page,
        per_page: q.per_page,
    };
    Json(page_of(&snap.hosts, picked, &paging, cmp)).into_response()
}

/// One host and its live flows.
#[derive(Serialize, ToSchema)]
pub struct HostDetail<'a> {
    host: &'a HostView,
    flows: Vec<FlowView>,
    /// The host's 1 min points (last 24 hours), for the minutes it was among the 16 hosts with the most bytes;
    /// empty when it never was.
    minute: &'a [Point],
}

/// One host and its live flows.
#[utoipa::path(get, path = "/api/v1/hosts/{ip}", tag = "view",
    params(("ip" = String, Path, description = "The host's IPv4 or IPv6 address")),
    responses((status = 200, body = HostDetail), (status = 400, body = ApiError),
        (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn host(State(s): State<AppState>, Path(ip): Path<String>) -> Response {
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return bad(format!("{ip:?} is not an IP address"));
    };
    let snap = s.snapshot.load();
    let Some(h) = snap.hosts.iter().find(|h| h.ip == ip) else {
        return (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": "no such host"})),
        )
            .into_response();
    };
    let flows: Vec<FlowView> = match snap.flows_of(ip) {
        Some(ix) => ix
            .iter()
            .filter_map(|&i| snap.flows.get(i as usize))
            .map(|f| FlowView::of(f, &snap))
            .collect(),
        None => snap
            .flows
            .iter()
            .filter(|f| f.src_ip == ip || f.dst_ip == ip)
            .map(|f| FlowView::of(f, &snap))
            .collect(),
    };
    let key = ip.to_string();
    let minute = snap
        .timeseries
        .hosts
        .iter()
        .find(|s| s.name == key)
        .map_or(&[][..], |s| &s.points[..]);
    Json(HostDetail {
        host: h,
        flows,
        minute,
    })
    .into_response()
}

fn flow_cmp(key: &str) -> Option<fn(&FlowRow, &FlowRow) -> Ordering> {
    Some(match key {
        "bytes" => |a, b| a.total_bytes().cmp(&b.total_bytes()),
        "packets" => |a, b| a.total_packets().cmp(&b.total_packets()),
        "throughput" => |a, b| a.throughput_bps.total_cmp(&b.throughput_bps),
        "first_seen" => |a, b| a.first_ns.cmp(&b.first_ns),
        "last_seen" => |a, b| a.last_ns.cmp(&b.last_ns),
        _ => return None,
    })
}

/// An address as text without allocating, for the filter box.
struct AddrText {
    buf: [u8; 48],
    len: usize,
}

impl AddrText {
    fn of(ip: IpAddr) -> Self {
        use std::fmt::Write;
        let mut t = Self {
            buf: [0; 48],
            len: 0,
        };
        let _ = write!(t, "{ip}");
        t
    }

    fn contains(&self, needle: &str) -> bool {
        let hay = &self.buf[..self.len];
        hay.windows(needle.len().max(1))
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    }
}

impl std::fmt::Write for AddrText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The flows list's filters, resolved once per request so each row costs a few compares.
struct FlowFilter {
    /// Lowercase text of the filter box, empty for none.
    needle: String,
    needle_port: Option<u16>,
    /// Per application index: whether its name matches the filter box / the `app` parameter.
    needle_apps: Vec<bool>,
    app: Option<Vec<bool>>,
    /// Per IP protocol number: whether its name matches the filter box / the `proto` parameter.
    needle_protos: Box<[bool; 256]>,
    proto: Option<Box<[bool; 256]>>,
    host: Option<IpAddr>,
    port: Option<u16>,
}

fn proto_text(n: u8) -> String {
    proto_name(n).map_or_else(|| n.to_string(), str::to_string)
}

impl FlowFilter {
    fn new(q: &FlowQuery, snap: &Snapshot) -> Self {
        let needle = q.q.as_deref().unwrap_or("").trim().to_ascii_lowercase();
        let protos = |f: &dyn Fn(&str) -> bool| {
            let mut t = Box::new([false; 256]);
            for (n, slot) in (0..=255u8).zip(t.iter_mut()) {
                *slot = f(&proto_text(n));
            }
            t
        };
        let has = |s: &str| !needle.is_empty() && s.to_ascii_lowercase().contains(&needle);
        Self {
            needle_port: needle.parse().ok(),
            needle_apps: snap.flow_apps.iter().map(|a| has(&a.name)).collect(),
            app: q.app.as_deref().map(|want| {
                snap.flow_apps
                    .iter()
                    .map(|a| a.name.eq_ignore_ascii_case(want))
                    .collect()
            }),
            // Without a filter box nothing is looked up: no 256 protocol names formatted per request.
            needle_protos: if needle.is_empty() {
                Box::new([false; 256])
            } else {
                protos(&has)
            },
            proto: q
                .proto
                .as_deref()
                .map(|want| protos(&|p: &str| p.eq_ignore_ascii_case(want))),
            host: q.host,
            port: q.port,
            needle,
        }
    }

    fn is_empty(&self) -> bool {
        self.needle.is_empty()
            && self.app.is_none()
            && self.proto.is_none()
            && self.host.is_none()
            && self.port.is_none()
    }

    fn matches(&self, f: &FlowRow) -> bool {
        let app = usize::from(f.app);
        let proto = usize::from(f.proto);
        self.host.is_none_or(|h| f.src_ip == h || f.dst_ip == h)
            && self.port.is_none_or(|p| f.src_port == p || f.dst_port == p)
            && self
                .app
                .as_ref()
                .is_none_or(|a| a.get(app).copied().unwrap_or(false))
            && self.proto.as_ref().is_none_or(|p| p[proto])
            && (self.needle.is_empty() || self.matches_needle(f, app, proto))
    }

    /// The flows table's filter box: either address, the application, the protocol (or the server name), or
    /// either port.
    fn matches_needle(&self, f: &FlowRow, app: usize, proto: usize) -> bool {
        self.needle_port
            .is_some_and(|p| f.src_port == p || f.dst_port == p)
            || self.needle_apps.get(app).copied().unwrap_or(false)
            || self.needle_protos[proto]
            || AddrText::of(f.src_ip).contains(&self.needle)
            || AddrText::of(f.dst_ip).contains(&self.needle)
    }
}

/// Live flows, sorted, filtered and paged.
#[utoipa::path(get, path = "/api/v1/flows", tag = "view", params(FlowQuery),
    responses((status = 200, body = Page<FlowView>), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
pub async fn flows(State(s): State<AppState>, Query(q): Query<FlowQuery>) -> Response {
    let snap = s.snapshot.load();
    match flows_page(&snap, &q) {
        Ok(page) => Json(page).into_response(),
        Err(msg) => bad(msg),
    }
}

/// The page of flows a query asks for.
fn flows_page(snap: &Snapshot, q: &FlowQuery) -> Result<Page<FlowView>, String> {
    let key = q.sort.as_deref().unwrap_or("bytes");
    let Some(cmp) = flow_cmp(key) else {
        return Err(format!("unknown sort key {:?}", q.sort));
    };
    let filter = FlowFilter::new(q, snap);
    let paging = Paging {
        order: q.order.as_deref(),
        page: q.page,
        per_page: q.per_page,
    };
    let view = |rows: Page<&FlowRow>| Page {
        total: rows.total,
        page: rows.page,
        per_page: rows.per_page,
        items: rows
            .items
            .into_iter()
            .map(|r| FlowView::of(r, snap))
            .collect::<Vec<_>>(),
    };
    // One host's flows come from the snapshot's index when it has one, not from a scan of every row.
    let by_host: Option<&[u32]> = q.host.and_then(|h| snap.flows_of(h));
    if key == "bytes" {
        // The snapshot is already in this order: a page is a walk, never a sort.
        let (page, per_page) = paging.page_and_size();
        let start = (page - 1).saturating_mul(per_page);
        let mut total = 0;
        let mut items = Vec::with_capacity(per_page.min(snap.flows.len()));
        let mut take = |f: &FlowRow| {
            if filter.matches(f) {
                if total >= start && items.len() < per_page {
                    items.push(FlowView::of(f, snap));
                }
                total += 1;
            }
        };
        let asc = paging.order == Some("asc");
        if filter.is_empty() {
            total = snap.flows.len();
            let end = start.saturating_add(per_page).min(total);
            let start = start.min(end);
            items = if asc {
                snap.flows[total - end..total - start]
                    .iter()
                    .rev()
                    .map(|f| FlowView::of(f, snap))
                    .collect()
            } else {
                snap.flows[start..end]
                    .iter()
                    .map(|f| FlowView::of(f, snap))
                    .collect()
            };
        } else {
            match (by_host, asc) {
                (Some(ix), false) => ix
                    .iter()
                    .filter_map(|&i| snap.flows.get(i as usize))
                    .for_each(&mut take),
                (Some(ix), true) => ix
                    .iter()
                    .rev()
                    .filter_map(|&i| snap.flows.get(i as usize))
                    .for_each(&mut take),
                (None, false) => snap.flows.iter().for_each(&mut take),
                (None, true) => snap.flows.iter().rev().for_each(&mut take),
            }
        }
        return Ok(Page {
            total,
            page,
            per_page,
            items,
        });
    }
    let picked: Vec<usize> = match by_host {
        Some(ix) => ix
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| snap.flows.get(i).is_some_and(|f| filter.matches(f)))
            .collect(),
        None => snap
            .flows
            .iter()
            .enumerate()
            .filter(|(_, f)| filter.matches(f))
            .map(|(i, _)| i)
            .collect(),
    };
    Ok(view(page_of(&snap.flows, picked, &paging, cmp)))
}

/// Applications (nDPI-style names), summed over flows.
#[utoipa::path(get, path = "/api/v1/applications", tag = "view",
    responses((status = 200, body = Vec<AppView>), (status = 401, body = ApiError)))]
pub async fn applications(State(s): State<AppState>) -> Response {
    let snap = s.snapshot.load();
    Json(&snap.applications).into_response()
}

/// `/api/v1/timeseries`' query.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// `interface` (default: all interfaces together, a list of points), `applications` or `hosts` (a list of
    /// named series, 1 min points only: each minute's 16 applications or hosts with the most bytes).
    series: Option<String>,
    /// `second` (default for `interface`: 1 s points, last 10 minutes) or `minute` (1 min points, last 24 hours;
    /// the only one for `applications` and `hosts`).
    resolution: Option<String>,
}

/// Points, or named series of points.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum SeriesBody<'a> {
    /// `series=interface`.
    Points(&'a [Point]),
    /// `series=applications` or `series=hosts`.
    Named(&'a [Series]),
}

/// Throughput and packet rate over time: of all interfaces together, per application, or per top host.
#[utoipa::path(get, path = "/api/v1/timeseries", tag = "view", params(SeriesQuery),
    responses((status = 200, body = SeriesBody,
            description = "`series=interface`: a list of points; `applications` and `hosts`: a list of named series"),
        (status = 400, body = ApiError), (status = 401, body = ApiError)))]
pub async fn timeseries(State(s): State<AppState>, Query(q): Query<SeriesQuery>) -> Response {
    let snap = s.snapshot.load();
    let ts = &snap.timeseries;
    let series = q.series.as_deref().unwrap_or("interface");
    let resolution = q.resolution.as_deref();
    let body = match (series, resolution) {
        ("interface", None | Some("second")) => SeriesBody::Points(&ts.second),
        ("interface", Some("minute")) => SeriesBody::Points(&ts.minute),
        ("applications", None | Some("minute")) => SeriesBody::Named(&ts.applications),
        ("hosts", None | Some("minute")) => SeriesBody::Named(&ts.hosts),
        ("interface" | "applications" | "hosts", Some(other)) => {
            return bad(format!(
                "unknown resolution {other:?} for {series} (second or minute for interface, minute otherwise)"
            ))
        }
        (other, _) => {
            return bad(format!(
                "unknown series {other:?} (interface, applications or hosts)"
            ))
        }
    };
    Json(body).into_response()
}

/// The dashboard's counters: the body of `/api/v1/summary` and of each `summary` event.
#[derive(Serialize, ToSchema)]
pub struct Summary<'a> {
    /// Packet time of the snapshot, ns since the epoch.
    time_ns: u64,
    /// Wall-clock seconds since xntop started.
    uptime_s: f64,
    interfaces: usize,
    flows_active: usize,
    hosts: usize,
    local_hosts: usize,
    /// All interfaces together, over the last second.
    bits_per_second: f64,
    packets_per_second: f64,
    drops: &'a Drops,
}

impl<'a> Summary<'a> {
    pub fn of(snap: &'a Snapshot) -> Self {
        Self {
            time_ns: snap.time_ns,
            uptime_s: snap.uptime_s,
            interfaces: snap.interfaces.len(),
            flows_active: snap.flows.len(),
            hosts: snap.hosts.len(),
            local_hosts: snap.hosts.iter().filter(|h| h.local).count(),
            bits_per_second: snap.interfaces.iter().map(|i| i.bits_per_second).sum(),
            packets_per_second: snap.interfaces.iter().map(|i| i.packets_per_second).sum(),
            drops: &snap.drops,
        }
    }
}

/// The dashboard's counters: live flows, hosts, current rates and drops.
#[utoipa::path(get, path = "/api/v1/summary", tag = "view",
    responses((status = 200, body = Summary), (status = 401, body = ApiError)))]
pub async fn summary(State(s): State<AppState>) -> Response {
    let snap = s.snapshot.load();
    Json(Summary::of(&snap)).into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use std::net::Ipv4Addr;
    use xntop_model::snapshot::AppName;

    /// A snapshot of `n` pseudo-random flows with many ties, in the aggregator's order.
    fn snapshot(n: u32) -> Snapshot {
        let mut x = 0x9e37_79b9_u64;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let mut flows: Vec<FlowRow> = (0..n)
            .map(|i| FlowRow {
                id: u64::from(i) * 7919,
                src_ip: IpAddr::V4(Ipv4Addr::new(10, 0, next(4) as u8, next(30) as u8)),
                dst_ip: IpAddr::V4(Ipv4Addr::new(192, 168, 1, next(5) as u8)),
                packets: [next(50), next(50)],
                bytes: [next(20) * 100, next(3) * 100],
                first_ns: next(1000) * 1_000_000_000,
                last_ns: next(1000) * 1_000_000_000,
                throughput_bps: next(10) as f64,
                src_port: 40000 + next(100) as u16,
                dst_port: [53, 443, 80, 8080][next(4) as usize],
                vlan: 0,
                app: next(3) as u16,
                proto: [6, 17, 1][next(3) as usize],
                iface: 0,
                country: [[0; 2]; 2],
                asn: [0; 2],
            })
            .collect();
        flows.sort_by(|a, b| b.total_bytes().cmp(&a.total_bytes()).then(a.id.cmp(&b.id)));
        Snapshot {
            flows,
            flow_apps: ["TLS.Google", "DNS", "HTTP"]
                .map(|n| AppName {
                    name: n.into(),
                    category: "Web",
                })
                .into(),
            ..Snapshot::default()
        }
    }

    /// The old way: every flow as a `FlowView`, filtered on its text, fully sorted.
    fn naive(snap: &Snapshot, q: &FlowQuery) -> (usize, Vec<FlowView>) {
        let needle = q.q.as_deref().unwrap_or("").trim().to_ascii_lowercase();
        let has = |s: &str| s.to_ascii_lowercase().contains(&needle);
        let mut all: Vec<FlowView> = snap
            .flows
            .iter()
            .map(|r| FlowView::of(r, snap))
            .filter(|f| {
                needle.is_empty()
                    || needle
                        .parse::<u16>()
                        .is_ok_and(|p| f.src_port == p || f.dst_port == p)
                    || has(&f.src_ip.to_string())
                    || has(&f.dst_ip.to_string())
                    || has(&f.app)
                    || has(&f.proto)
            })
            .filter(|f| q.host.is_none_or(|h| f.src_ip == h || f.dst_ip == h))
            .filter(|f| q.port.is_none_or(|p| f.src_port == p || f.dst_port == p))
            .filter(|f| {
                q.app
                    .as_deref()
                    .is_none_or(|a| f.app.eq_ignore_ascii_case(a))
            })
            .filter(|f| {
                q.proto
                    .as_deref()
                    .is_none_or(|p| f.proto.eq_ignore_ascii_case(p))
            })
            .collect();
        let bytes = |f: &FlowView| f.bytes_c2s + f.bytes_s2c;
        // The snapshot's tie order (id ascending) under bytes descending; reversed for ascending.
        all.sort_by(|a, b| bytes(b).cmp(&bytes(a)).then(a.id.cmp(&b.id)));
        if q.order.as_deref() == Some("asc") {
            all.reverse();
        }
        let per = q.per_page.unwrap_or(PER_PAGE).clamp(1, MAX_PER_PAGE);
        let page = q.page.unwrap_or(1).max(1);
        let total = all.len();
        let items = all.into_iter().skip((page - 1) * per).take(per).collect();
        (total, items)
    }

    /// The filters a test page uses: text box, host, app, port, protocol.
    type Filters<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<u16>,
        Option<&'a str>,
    );

    fn query(order: Option<&str>, page: usize, per_page: usize, f: Filters<'_>) -> FlowQuery {
        let (q, host, app, port, proto) = f;
        FlowQuery {
            sort: Some("bytes".into()),
            order: order.map(Into::into),
            page: Some(page),
            per_page: Some(per_page),
            q: q.map(Into::into),
            host: host.map(|h| h.parse().unwrap()),
            app: app.map(Into::into),
            port,
            proto: proto.map(Into::into),
        }
    }

    /// Pages by bytes (walked from the presorted snapshot) equal a full sort of all flows' views, for every
    /// filter and page, both orders.
    #[test]
    fn bytes_pages_equal_a_full_sort() {
        let mut indexed = snapshot(3000);
        let mut index: std::collections::HashMap<IpAddr, Vec<u32>> =
            std::collections::HashMap::new();
        for (i, r) in indexed.flows.iter().enumerate() {
            let i = u32::try_from(i).unwrap();
            index.entry(r.src_ip).or_default().push(i);
            index.entry(r.dst_ip).or_default().push(i);
        }
        indexed.host_flows = Some(index);
        for snap in [snapshot(3000), indexed] {
            pages_equal_a_full_sort(&snap);
        }
    }

    fn pages_equal_a_full_sort(snap: &Snapshot) {
        let filters: [Filters<'_>; 9] = [
            (None, None, None, None, None),
            (Some("10.0.2"), None, None, None, None),
            (Some("goo"), None, None, None, None),
            (Some("udp"), None, None, None, None),
            (Some("443"), None, None, None, None),
            (None, Some("192.168.1.3"), None, None, None),
            (None, None, Some("dns"), None, None),
            (None, None, None, Some(53), Some("tcp")),
            (Some("nothing-matches"), None, None, None, None),
        ];
        for f in filters {
            let (q, host, app, port, proto) = f;
            for order in [None, Some("asc")] {
                for (page, per) in [(1, 50), (2, 50), (7, 13), (1, 1000), (400, 50)] {
                    let fq = query(order, page, per, f);
                    let got = flows_page(snap, &fq).unwrap();
                    let (total, want) = naive(snap, &fq);
                    assert_eq!(
                        got.total, total,
                        "{q:?} {host:?} {app:?} {port:?} {proto:?}"
                    );
                    let ids = |v: &[FlowView]| v.iter().map(|f| f.id).collect::<Vec<_>>();
                    assert_eq!(ids(&got.items), ids(&want), "{q:?} {order:?} page {page}");
                }
            }
        }
    }

    /// Other sort keys select the page without a full sort: same key values as a full sort.
    #[test]
    fn other_keys_give_the_same_key_sequence_as_a_full_sort() {
        let snap = snapshot(2000);
        for key in ["packets", "throughput", "first_seen", "last_seen"] {
            let cmp = flow_cmp(key).unwrap();
            let mut all: Vec<&FlowRow> = snap.flows.iter().filter(|f| f.proto == 6).collect();
            all.sort_by(|a, b| cmp(b, a));
            for page in [1, 3] {
                let fq = FlowQuery {
                    sort: Some(key.into()),
                    page: Some(page),
                    per_page: Some(40),
                    proto: Some("TCP".into()),
                    ..FlowQuery::default()
                };
                let got = flows_page(&snap, &fq).unwrap();
                assert_eq!(got.total, all.len());
                let want: Vec<&FlowRow> =
                    all.iter().skip((page - 1) * 40).take(40).copied().collect();
                assert_eq!(got.items.len(), want.len());
                for (g, w) in got.items.iter().zip(want) {
                    let row = snap.flows.iter().find(|r| r.id == g.id).unwrap();
                    assert_eq!(cmp(row, w), Ordering::Equal, "{key} page {page}");
                }
            }
        }
        assert!(flows_page(
            &snap,
            &FlowQuery {
                sort: Some("nope".into()),
                ..FlowQuery::default()
            }
        )
        .is_err());
    }
}
