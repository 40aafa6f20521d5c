//! `/api/v1/historical/…`: the flow history on disk (`xntop-history`), behind the same authentication as the rest
//! of `/api`. Queries read files, so they run on the runtime's blocking pool, never on the thread that serves
//! the live views.

use std::net::IpAddr;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xntop_history::{Dim, History, SortKey};

/// Largest page of historical flows.
const MAX_PER_PAGE: usize = 1000;
/// Largest page of a download (`format=csv` or `json`).
const MAX_DOWNLOAD: usize = 100_000;
/// Largest top list.
const MAX_TOP: usize = 1000;
/// Most points a series returns (the step grows to stay under it).
const MAX_POINTS: u64 = 1500;

/// The handlers' state: the store, when history is on.
#[derive(Clone)]
pub struct HistState(Option<History>);

/// The historical routes, with their own state; merged into the authenticated part of the router.
pub fn routes<S: Clone + Send + Sync + 'static>(history: Option<History>) -> Router<S> {
    Router::new()
        .route("/api/v1/historical/flows", get(flows))
        .route("/api/v1/historical/top", get(top))
        .route("/api/v1/historical/timeseries", get(timeseries))
        .route("/api/v1/historical/bounds", get(bounds))
        .with_state(HistState(history))
}

#[derive(Serialize, ToSchema)]
struct HistError {
    error: String,
}

fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(HistError { error: msg.into() })).into_response()
}

fn off() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the flow history is off (--no-history, or its directory is unusable)",
    )
}

/// The range every historical query takes.
#[derive(Deserialize, IntoParams, Clone, Copy)]
#[into_params(parameter_in = Query)]
pub struct Range {
    /// Start, seconds since the epoch (inclusive).
    from: Option<u64>,
    /// End, seconds since the epoch (exclusive); default: now.
    to: Option<u64>,
}

impl Range {
    /// `[from, to)` in ns, defaulting to the last hour before the newest stored flow.
    fn ns(self, newest_ns: u64) -> Result<(u64, u64), &'static str> {
        let to = self
            .to
            .map_or(newest_ns / 1_000_000_000 + 1, |t| t)
            .saturating_mul(1_000_000_000);
        let from = self.from.map_or(to.saturating_sub(3_600_000_000_000), |f| {
            f.saturating_mul(1_000_000_000)
        });
        if from >= to {
            return Err("from must be before to");
        }
        Ok((from, to))
    }
}

/// `/api/v1/historical/flows`' filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistFlowQuery {
    /// Either endpoint is this address.
    #[param(value_type = Option<String>, format = "ip")]
    host: Option<IpAddr>,
    /// Either endpoint is inside this network (`10.0.0.0/8`, `2001:db8::/32`).
    network: Option<String>,
    /// Either port.
    port: Option<u16>,
    /// Application or master protocol (`TLS.YouTube`, `TLS`, `YouTube`; case-insensitive).
    application: Option<String>,
    /// Category (`Media`, `Web`, …; case-insensitive).
    category: Option<String>,
    /// A risk name in the record's `risks` (records without risks match none).
    risk: Option<String>,
    /// ISO country code of either side (records without `*_country` match none).
    country: Option<String>,
    vlan: Option<u16>,
    /// IP protocol (`TCP`, `UDP`, or the number).
    proto: Option<String>,
    /// Case-insensitive text anywhere in the record.
    q: Option<String>,
    /// `bytes` (default), `packets`, `first_seen`, `last_seen` or `duration`.
    sort: Option<String>,
    /// `desc` (default) or `asc`.
    order: Option<String>,
    /// 1-based page (default 1).
    page: Option<usize>,
    /// 1 to 1000 (default 50).
    per_page: Option<usize>,
    /// `csv` or `json` for a download of up to 100,000 records (as an attachment).
    format: Option<String>,
}

/// A page of historical flows.
#[derive(Serialize, ToSchema)]
pub struct HistFlowPage {
    /// Seconds since the epoch.
    from: u64,
    to: u64,
    /// Flows matching, their bytes and packets.
    total: u64,
    bytes: u64,
    packets: u64,
    page: usize,
    per_page: usize,
    /// Flow records (README "The flow record").
    #[schema(value_type = Vec<Object>)]
    items: Vec<serde_json::Value>,
}

fn parse_proto(p: &str) -> Option<u8> {
    p.parse::<u8>().ok().or_else(|| {
        (0..=255u8)
            .find(|n| xntop_model::proto_name(*n).is_some_and(|name| name.eq_ignore_ascii_case(p)))
    })
}

fn parse_network(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, len) = s.split_once('/').unwrap_or((s, ""));
    let ip: IpAddr = ip.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = if len.is_empty() {
        max
    } else {
        len.parse().ok()?
    };
    (len <= max).then_some((ip, len))
}

/// CSV columns of a download.
const CSV_COLUMNS: [&str; 19] = [
    "first_seen",
    "last_seen",
    "proto",
    "src_ip",
    "src_port",
    "dst_ip",
    "dst_port",
    "vlan",
    "iface",
    "app",
    "category",
    "packets_c2s",
    "packets_s2c",
    "bytes_c2s",
    "bytes_s2c",
    "end_reason",
    "server_name",
    "ja4",
    "community_id",
];

fn csv_field(v: &serde_json::Value, out: &mut String) {
    let s = match v {
        serde_json::Value::Null => return,
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&s);
    }
}

/// Flows of a time range (active in it), filtered, sorted and paged; or downloaded as CSV/JSON.
#[utoipa::path(get, path = "/api/v1/historical/flows", tag = "history", params(Range, HistFlowQuery),
    responses((status = 200, body = HistFlowPage), (status = 400, body = HistError),
              (status = 401, body = HistError), (status = 503, body = HistError)))]
pub async fn flows(
    State(HistState(h)): State<HistState>,
    Query(range): Query<Range>,
    Query(f): Query<HistFlowQuery>,
) -> Response {
    let Some(h) = h else { return off() };
    let newest = h.snapshot().2;
    let (from_ns, to_ns) = match range.ns(newest) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let download = match f.format.as_deref() {
        None => None,
        Some(x @ ("csv" | "json")) => Some(x.to_string()),
        Some(_) => return error(StatusCode::BAD_REQUEST, "format: csv or json"),
    };
    let sort = match f.sort.as_deref().unwrap_or("bytes") {
        "bytes" => SortKey::Bytes,
        "packets" => SortKey::Packets,
        "first_seen" => SortKey::FirstSeen,
        "last_seen" => SortKey::LastSeen,
        "duration" => SortKey::Duration,
        other => return error(StatusCode::BAD_REQUEST, format!("unknown sort '{other}'")),
    };
    let network = match f.network.as_deref().map(parse_network) {
        Some(None) => return error(StatusCode::BAD_REQUEST, "network: ADDRESS/LENGTH"),
        Some(n) => n,
        None => None,
    };
    let proto = match f.proto.as_deref().map(parse_proto) {
        Some(None) => return error(StatusCode::BAD_REQUEST, "unknown proto"),
        Some(p) => p,
        None => None,
    };
    let per_page = if download.is_some() {
        f.per_page.unwrap_or(MAX_DOWNLOAD).clamp(1, MAX_DOWNLOAD)
    } else {
        f.per_page.unwrap_or(50).clamp(1, MAX_PER_PAGE)
    };
    let page = f.page.unwrap_or(1).max(1);
    let q = xntop_history::FlowQuery {
        from_ns,
        to_ns,
        host: f.host,
        network,
        port: f.port,
        application: f.application,
        category: f.category,
        risk: f.risk,
        country: f.country,
        vlan: f.vlan,
        proto,
        text: f.q.filter(|t| !t.is_empty()),
        sort,
        ascending: f.order.as_deref() == Some("asc"),
        offset: (page - 1).saturating_mul(per_page),
        limit: per_page,
    };
    let Ok(result) = tokio::task::spawn_blocking(move || xntop_history::flows(&h, &q)).await else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "query failed");
    };
    let items: Vec<serde_json::Value> = result
        .flows
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    match download.as_deref() {
        Some("csv") => {
            let mut out = CSV_COLUMNS.join(",");
            out.push('\n');
            for item in &items {
                for (i, c) in CSV_COLUMNS.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    csv_field(&item[*c], &mut out);
                }
                out.push('\n');
            }
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"xntop-flows.csv\"",
                    ),
                ],
                out,
            )
                .into_response()
        }
        Some(_) => {
            let mut out = String::new();
            for l in &result.flows {
                out.push_str(l);
                out.push('\n');
            }
            (
                [
                    (header::CONTENT_TYPE, "application/x-ndjson"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"xntop-flows.jsonl\"",
                    ),
                ],
                out,
            )
                .into_response()
        }
        None => Json(HistFlowPage {
            from: from_ns / 1_000_000_000,
            to: to_ns / 1_000_000_000,
            total: result.total,
            bytes: result.bytes,
            packets: result.packets,
            page,
            per_page,
            items,
        })
        .into_response(),
    }
}

/// `/api/v1/historical/top`'s question.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopQuery {
    /// `hosts` (default), `applications`, `conversations`, `ports`, `networks`, `interfaces` or
    /// `host_applications`.
    by: Option<String>,
    /// `bytes` (default), `packets` or `flows`.
    metric: Option<String>,
    /// How many (default 10, at most 1000).
    n: Option<usize>,
}

/// One entry of a top list.
#[derive(Serialize, ToSchema)]
pub struct TopItem {
    /// The host address, application name, `client server`, `TCP/443`, `network/len`, interface number, or
    /// `address application`.
    key: String,
    bytes: u64,
    packets: u64,
    flows: u64,
}

/// A top list with the range's totals.
#[derive(Serialize, ToSchema)]
pub struct TopList {
    from: u64,
    to: u64,
    by: String,
    metric: String,
    /// All flows that ended in the range.
    total_bytes: u64,
    total_packets: u64,
    total_flows: u64,
    items: Vec<TopItem>,
}

fn dim_of(by: &str) -> Option<Dim> {
    Some(match by {
        "hosts" => Dim::Host,
        "applications" => Dim::App,
        "conversations" => Dim::Conversation,
        "ports" => Dim::Port,
        "networks" => Dim::Network,
        "interfaces" => Dim::Iface,
        "host_applications" => Dim::HostApp,
        _ => return None,
    })
}

/// Top hosts, applications, conversations, ports, … over a range, from the rollups (flows count in the minute
/// they ended).
#[utoipa::path(get, path = "/api/v1/historical/top", tag = "history", params(Range, TopQuery),
    responses((status = 200, body = TopList), (status = 400, body = HistError),
              (status = 401, body = HistError), (status = 503, body = HistError)))]
pub async fn top(
    State(HistState(h)): State<HistState>,
    Query(range): Query<Range>,
    Query(t): Query<TopQuery>,
) -> Response {
    let Some(h) = h else { return off() };
    let (from_ns, to_ns) = match range.ns(h.snapshot().2) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let by = t.by.unwrap_or_else(|| "hosts".into());
    let Some(dim) = dim_of(&by) else {
        return error(StatusCode::BAD_REQUEST, format!("unknown by '{by}'"));
    };
    let metric = t.metric.unwrap_or_else(|| "bytes".into());
    let m = match metric.as_str() {
        "bytes" => 0,
        "packets" => 1,
        "flows" => 2,
        _ => return error(StatusCode::BAD_REQUEST, "metric: bytes, packets or flows"),
    };
    let n = t.n.unwrap_or(10).clamp(1, MAX_TOP);
    let Ok((entries, totals)) =
        tokio::task::spawn_blocking(move || xntop_history::top(&h, from_ns, to_ns, dim, m, n))
            .await
    else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "query failed");
    };
    Json(TopList {
        from: from_ns / 1_000_000_000,
        to: to_ns / 1_000_000_000,
        by,
        metric,
        total_bytes: totals[0],
        total_packets: totals[1],
        total_flows: totals[2],
        items: entries
            .iter()
            .map(|e| TopItem {
                key: xntop_history::key_label(dim, &e.key),
                bytes: e.metrics[0],
                packets: e.metrics[1],
                flows: e.metrics[2],
            })
            .collect(),
    })
    .into_response()
}

/// What the store holds.
#[derive(Serialize, ToSchema)]
pub struct Bounds {
    /// Seconds since the epoch: the oldest flow start and the newest flow end stored (0 when empty).
    oldest: u64,
    newest: u64,
    /// Flows in segments on disk.
    flows: u64,
    /// Bytes on disk (segments and hour rollups).
    disk_bytes: u64,
}

/// The time span the history covers, so a client can offer ranges that hold data (a replayed capture's
/// flows carry its packet times).
#[utoipa::path(get, path = "/api/v1/historical/bounds", tag = "history",
    responses((status = 200, body = Bounds), (status = 401, body = HistError), (status = 503, body = HistError)))]
pub async fn bounds(State(HistState(h)): State<HistState>) -> Response {
    let Some(h) = h else { return off() };
    let (segments, _, newest) = h.snapshot();
    Json(Bounds {
        oldest: segments.iter().map(|s| s.meta.min_first).min().unwrap_or(0) / 1_000_000_000,
        newest: newest / 1_000_000_000,
        flows: segments.iter().map(|s| u64::from(s.meta.count)).sum(),
        disk_bytes: h.bytes(),
    })
    .into_response()
}

/// `/api/v1/historical/timeseries`' question.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// `total` (default: all traffic), `host` or `application`.
    series: Option<String>,
    /// The host address or application name of `series=host|application`.
    key: Option<String>,
    /// Seconds per point, a multiple of 60 (default: the smallest that gives at most 1500 points).
    step: Option<u64>,
}

/// One point.
#[derive(Serialize, ToSchema)]
pub struct HistPoint {
    /// Start of the step, seconds since the epoch.
    t: u64,
    bytes: u64,
    packets: u64,
    flows: u64,
    /// Average bits per second over the step.
    bps: f64,
}

/// A series.
#[derive(Serialize, ToSchema)]
pub struct HistSeries {
    from: u64,
    to: u64,
    step: u64,
    points: Vec<HistPoint>,
}

/// Traffic over a range, per step: everything, one host or one application (from the rollups; a flow counts in
/// the minute it ended).
#[utoipa::path(get, path = "/api/v1/historical/timeseries", tag = "history", params(Range, SeriesQuery),
    responses((status = 200, body = HistSeries), (status = 400, body = HistError),
              (status = 401, body = HistError), (status = 503, body = HistError)))]
pub async fn timeseries(
    State(HistState(h)): State<HistState>,
    Query(range): Query<Range>,
    Query(s): Query<SeriesQuery>,
) -> Response {
    let Some(h) = h else { return off() };
    let (from_ns, to_ns) = match range.ns(h.snapshot().2) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let (dim, key) = match (s.series.as_deref().unwrap_or("total"), s.key) {
        ("total", _) => (Dim::Iface, None),
        ("host", Some(k)) => match k.parse::<IpAddr>() {
            Ok(ip) => (Dim::Host, Some(xntop_history::host_key(ip))),
            Err(_) => return error(StatusCode::BAD_REQUEST, "key: an IP address"),
        },
        ("application", Some(k)) => (Dim::App, Some(k.into_bytes())),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "series: total, host (with key) or application (with key)",
            )
        }
    };
    let span_s = (to_ns - from_ns) / 1_000_000_000;
    let min_step = span_s.div_ceil(MAX_POINTS).div_ceil(60).max(1) * 60;
    let step = s
        .step
        .map_or(min_step, |st| (st / 60).max(1) * 60)
        .max(min_step);
    // Steps of whole hours read the hour files.
    let step = if step >= 3600 {
        step.div_ceil(3600) * 3600
    } else {
        step
    };
    let Ok(points) = tokio::task::spawn_blocking(move || {
        xntop_history::series(&h, from_ns, to_ns, step, dim, key.as_deref())
    })
    .await
    else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "query failed");
    };
    #[allow(clippy::cast_precision_loss, reason = "rates for display")]
    let points = points
        .iter()
        .map(|p| HistPoint {
            t: p.t,
            bytes: p.metrics[0],
            packets: p.metrics[1],
            flows: p.metrics[2],
            bps: p.metrics[0] as f64 * 8.0 / step as f64,
        })
        .collect();
    Json(HistSeries {
        from: from_ns / 1_000_000_000,
        to: to_ns / 1_000_000_000,
        step,
        points,
    })
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_filters() {
        assert_eq!(parse_proto("tcp"), Some(6));
        assert_eq!(parse_proto("17"), Some(17));
        assert_eq!(parse_proto("bogus"), None);
        assert_eq!(
            parse_network("10.0.0.0/8"),
            Some(("10.0.0.0".parse().unwrap_or([0u8; 4].into()), 8))
        );
        assert_eq!(parse_network("10.0.0.0/33"), None);
        assert_eq!(parse_network("2001:db8::1").map(|n| n.1), Some(128));
        let mut s = String::new();
        csv_field(&serde_json::json!("a,\"b\""), &mut s);
        assert_eq!(s, "\"a,\"\"b\"\"\"");
    }
}
