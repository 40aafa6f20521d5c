//! `/api/v1/…` handlers: JSON views of the snapshot, sorted, filtered and paged.

use std::cmp::Ordering;
use std::net::IpAddr;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use xntop_model::snapshot::{FlowView, HostView};

use crate::AppState;

/// Default and largest page sizes.
const PER_PAGE: usize = 50;
const MAX_PER_PAGE: usize = 1000;

/// One page of a list.
#[derive(Serialize)]
struct Page<'a, T> {
    total: usize,
    page: usize,
    per_page: usize,
    items: Vec<&'a T>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    sort: Option<String>,
    order: Option<String>,
    page: Option<usize>,
    per_page: Option<usize>,
    /// Hosts: substring of the address or name. Flows: substring of either address, the application, the
    /// protocol or the server name, or either port; case-insensitive.
    q: Option<String>,
    local: Option<bool>,
    host: Option<IpAddr>,
    app: Option<String>,
    port: Option<u16>,
    proto: Option<String>,
}

fn bad(msg: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": msg })),
    )
        .into_response()
}

/// Sorts only as much as the requested page needs: a partial selection, then a sort of that prefix, so a page of
/// the top flows among a million costs O(n), not O(n log n).
fn page_of<'a, T>(
    items: &'a [T],
    mut picked: Vec<usize>,
    q: &ListQuery,
    cmp: impl Fn(&T, &T) -> Ordering,
) -> Page<'a, T> {
    let per_page = q.per_page.unwrap_or(PER_PAGE).clamp(1, MAX_PER_PAGE);
    let page = q.page.unwrap_or(1).max(1);
    let total = picked.len();
    let desc = q.order.as_deref() != Some("asc");
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

pub async fn hosts(State(s): State<AppState>, Query(q): Query<ListQuery>) -> Response {
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
    Json(page_of(&snap.hosts, picked, &q, cmp)).into_response()
}

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
    let flows: Vec<&FlowView> = snap
        .flows
        .iter()
        .filter(|f| f.src_ip == ip || f.dst_ip == ip)
        .collect();
    Json(serde_json::json!({ "host": h, "flows": flows })).into_response()
}

fn flow_cmp(key: &str) -> Option<fn(&FlowView, &FlowView) -> Ordering> {
    Some(match key {
        "bytes" => |a, b| (a.bytes_c2s + a.bytes_s2c).cmp(&(b.bytes_c2s + b.bytes_s2c)),
        "packets" => |a, b| (a.packets_c2s + a.packets_s2c).cmp(&(b.packets_c2s + b.packets_s2c)),
        "throughput" => |a, b| a.throughput_bps.total_cmp(&b.throughput_bps),
        "first_seen" => |a, b| a.first_seen.total_cmp(&b.first_seen),
        "last_seen" => |a, b| a.last_seen.total_cmp(&b.last_seen),
        _ => return None,
    })
}

/// The flows table's filter box: `needle` is lowercase.
fn flow_matches(f: &FlowView, needle: &str) -> bool {
    let has = |s: &str| s.to_ascii_lowercase().contains(needle);
    needle
        .parse::<u16>()
        .is_ok_and(|p| f.src_port == p || f.dst_port == p)
        || has(&f.src_ip.to_string())
        || has(&f.dst_ip.to_string())
        || has(&f.app)
        || has(&f.proto)
        || f.server_name.as_deref().is_some_and(has)
}

pub async fn flows(State(s): State<AppState>, Query(q): Query<ListQuery>) -> Response {
    let snap = s.snapshot.load();
    let Some(cmp) = flow_cmp(q.sort.as_deref().unwrap_or("bytes")) else {
        return bad(format!("unknown sort key {:?}", q.sort));
    };
    let needle = q.q.as_deref().unwrap_or("").trim().to_ascii_lowercase();
    let picked: Vec<usize> = snap
        .flows
        .iter()
        .enumerate()
        .filter(|(_, f)| needle.is_empty() || flow_matches(f, &needle))
        .filter(|(_, f)| q.host.is_none_or(|h| f.src_ip == h || f.dst_ip == h))
        .filter(|(_, f)| q.port.is_none_or(|p| f.src_port == p || f.dst_port == p))
        .filter(|(_, f)| {
            q.app
                .as_deref()
                .is_none_or(|a| f.app.eq_ignore_ascii_case(a))
        })
        .filter(|(_, f)| {
            q.proto
                .as_deref()
                .is_none_or(|p| f.proto.eq_ignore_ascii_case(p))
        })
        .map(|(i, _)| i)
        .collect();
    Json(page_of(&snap.flows, picked, &q, cmp)).into_response()
}

pub async fn applications(State(s): State<AppState>) -> Response {
    let snap = s.snapshot.load();
    Json(&snap.applications).into_response()
}

#[derive(Deserialize)]
pub struct SeriesQuery {
    resolution: Option<String>,
}

pub async fn timeseries(State(s): State<AppState>, Query(q): Query<SeriesQuery>) -> Response {
    let snap = s.snapshot.load();
    match q.resolution.as_deref().unwrap_or("second") {
        "second" => Json(&snap.timeseries.second).into_response(),
        "minute" => Json(&snap.timeseries.minute).into_response(),
        other => bad(format!("unknown resolution {other:?} (second or minute)")),
    }
}

/// The dashboard's counters: live flows, hosts, current rates and drops.
pub async fn summary(State(s): State<AppState>) -> Response {
    let snap = s.snapshot.load();
    Json(serde_json::json!({
        "time_ns": snap.time_ns,
        "uptime_s": snap.uptime_s,
        "interfaces": snap.interfaces.len(),
        "flows_active": snap.flows.len(),
        "hosts": snap.hosts.len(),
        "local_hosts": snap.hosts.iter().filter(|h| h.local).count(),
        "bits_per_second": snap.interfaces.iter().map(|i| i.bits_per_second).sum::<f64>(),
        "packets_per_second": snap.interfaces.iter().map(|i| i.packets_per_second).sum::<f64>(),
        "drops": snap.drops,
    }))
    .into_response()
}
