//! `/api/v1/{countries,asns,networks,vlans,matrix,devices}`: traffic by group, the matrix and the asset inventory,
//! read from the snapshot like the other views.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xntop_model::devices::{DeviceStats, DeviceView};
use xntop_model::snapshot::{AsView, CountryView, Matrix, NetworkView, VlanView};

use crate::api::ApiError;
use crate::AppState;

/// Traffic per country (`--geoip`) since start, most bytes first.
#[utoipa::path(get, path = "/api/v1/countries", tag = "view",
    responses((status = 200, body = Vec<CountryView>), (status = 401, body = ApiError)))]
pub async fn countries(State(s): State<AppState>) -> Response {
    Json(&s.snapshot.load().countries).into_response()
}

/// Traffic per autonomous system (`--asn`) since start, most bytes first.
#[utoipa::path(get, path = "/api/v1/asns", tag = "view",
    responses((status = 200, body = Vec<AsView>), (status = 401, body = ApiError)))]
pub async fn asns(State(s): State<AppState>) -> Response {
    Json(&s.snapshot.load().asns).into_response()
}

/// Traffic per network (`-m` and `--networks`) since start, in the order they were given.
#[utoipa::path(get, path = "/api/v1/networks", tag = "view",
    responses((status = 200, body = Vec<NetworkView>), (status = 401, body = ApiError)))]
pub async fn networks(State(s): State<AppState>) -> Response {
    Json(&s.snapshot.load().networks).into_response()
}

/// Traffic per VLAN since start, most bytes first.
#[utoipa::path(get, path = "/api/v1/vlans", tag = "view",
    responses((status = 200, body = Vec<VlanView>), (status = 401, body = ApiError)))]
pub async fn vlans(State(s): State<AppState>) -> Response {
    Json(&s.snapshot.load().vlans).into_response()
}

/// Bytes between networks (rows send to columns; the last is "remote") and the top host conversations.
#[utoipa::path(get, path = "/api/v1/matrix", tag = "view",
    responses((status = 200, body = Matrix), (status = 401, body = ApiError)))]
pub async fn matrix(State(s): State<AppState>) -> Response {
    Json(&s.snapshot.load().matrix).into_response()
}

/// `/api/v1/devices`' query.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeviceQuery {
    /// Case-insensitive substring of the id, MAC, an address, a name, the vendor, the OS or the type.
    q: Option<String>,
    /// Only devices of this OS family (case-insensitive).
    os: Option<String>,
    /// Only devices of this type (case-insensitive).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    device_type: Option<String>,
    /// Only devices whose vendor contains this (case-insensitive).
    vendor: Option<String>,
    /// 1-based page number (default 1).
    page: Option<usize>,
    /// Items per page, 1 to 1000 (default 50).
    per_page: Option<usize>,
}

/// One page of devices.
#[derive(Serialize, ToSchema)]
pub struct DevicePage<'a> {
    total: usize,
    page: usize,
    per_page: usize,
    items: Vec<&'a DeviceView>,
    stats: &'a DeviceStats,
}

fn contains(hay: Option<&str>, needle: &str) -> bool {
    hay.is_some_and(|h| h.to_ascii_lowercase().contains(needle))
}

fn matches(d: &DeviceView, q: &DeviceQuery) -> bool {
    let eq = |v: Option<&str>, want: &Option<String>| {
        want.as_deref()
            .is_none_or(|w| v.is_some_and(|v| v.eq_ignore_ascii_case(w)))
    };
    let needle = q.q.as_deref().unwrap_or("").trim().to_ascii_lowercase();
    let text = needle.is_empty()
        || contains(Some(&d.id), &needle)
        || contains(d.vendor.as_deref(), &needle)
        || contains(d.os.as_deref(), &needle)
        || contains(d.device_type.as_deref(), &needle)
        || d.names.iter().any(|n| contains(Some(&n.name), &needle))
        || d.addresses
            .iter()
            .any(|a| a.ip.to_string().contains(&needle));
    text && eq(d.os.as_deref(), &q.os)
        && eq(d.device_type.as_deref(), &q.device_type)
        && q.vendor
            .as_deref()
            .is_none_or(|v| contains(d.vendor.as_deref(), &v.to_ascii_lowercase()))
}

/// The asset inventory: devices, most recently seen first, filtered and paged.
#[utoipa::path(get, path = "/api/v1/devices", tag = "view", params(DeviceQuery),
    responses((status = 200, body = DevicePage), (status = 401, body = ApiError)))]
pub async fn devices(State(s): State<AppState>, Query(q): Query<DeviceQuery>) -> Response {
    let snap = s.snapshot.load();
    let all: Vec<&DeviceView> = snap.devices.iter().filter(|d| matches(d, &q)).collect();
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 1000);
    let items = all
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .copied()
        .collect();
    Json(DevicePage {
        total: all.len(),
        page,
        per_page,
        items,
        stats: &snap.device_stats,
    })
    .into_response()
}

/// One device with its addresses, names, services, evidence and change log.
#[utoipa::path(get, path = "/api/v1/devices/{id}", tag = "view",
    params(("id" = String, Path, description = "The device's MAC (aa:bb:cc:dd:ee:ff) or, for a device known by address, the address")),
    responses((status = 200, body = DeviceView), (status = 401, body = ApiError), (status = 404, body = ApiError)))]
pub async fn device(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    let snap = s.snapshot.load();
    let id = id.to_ascii_lowercase();
    match snap.devices.iter().find(|d| d.id == id) {
        Some(d) => Json(d).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": "no such device"})),
        )
            .into_response(),
    }
}
