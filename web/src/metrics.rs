//! Prometheus text exposition of the snapshot's counters.

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::stats::{get, WebStats};
use crate::AppState;

/// The web server's own counters: connections and what its caps refused, event streams dropped, logins.
fn web_families(w: &WebStats, family: &mut impl FnMut(&str, &str, &str, &[(String, u64)])) {
    let one = |v| [(String::new(), get(v))];
    family(
        "web_connections",
        "gauge",
        "Web connections open now.",
        &one(&w.open),
    );
    family(
        "web_connections_accepted_total",
        "counter",
        "Web connections accepted.",
        &one(&w.accepted),
    );
    family(
        "web_connections_refused_total",
        "counter",
        "Web connections closed at accept, by reason.",
        &[
            (
                "{reason=\"per_address\"}".into(),
                get(&w.refused_per_address),
            ),
            ("{reason=\"all_busy\"}".into(), get(&w.refused_full)),
            ("{reason=\"accept_error\"}".into(), get(&w.accept_errors)),
        ],
    );
    family(
        "web_connections_closed_total",
        "counter",
        "Web connections the server closed, by reason.",
        &[
            ("{reason=\"evicted\"}".into(), get(&w.evicted)),
            (
                "{reason=\"header_timeout\"}".into(),
                get(&w.header_timeouts),
            ),
            ("{reason=\"stalled\"}".into(), get(&w.stalled)),
            ("{reason=\"tls_handshake\"}".into(), get(&w.tls_failed)),
            ("{reason=\"events_behind\"}".into(), get(&w.events_dropped)),
        ],
    );
    family(
        "web_login_verifications_total",
        "counter",
        "Password checks run (argon2).",
        &one(&w.login_verifications),
    );
    family(
        "web_login_refused_total",
        "counter",
        "Logins refused with 429 before any password check, by reason.",
        &[
            ("{reason=\"budget\"}".into(), get(&w.login_refused_budget)),
            (
                "{reason=\"address_busy\"}".into(),
                get(&w.login_refused_address_busy),
            ),
            (
                "{reason=\"server_busy\"}".into(),
                get(&w.login_refused_server_busy),
            ),
        ],
    );
}

/// Escapes a label value (backslash, quote, newline).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    let snap = s.snapshot.load();
    let mut out = String::with_capacity(4096);
    let mut family = |name: &str, kind: &str, help: &str, rows: &[(String, u64)]| {
        let _ = writeln!(
            out,
            "# HELP xntop_{name} {help}\n# TYPE xntop_{name} {kind}"
        );
        for (labels, v) in rows {
            let _ = writeln!(out, "xntop_{name}{labels} {v}");
        }
    };
    let per_iface =
        |f: &dyn Fn(&xntop_model::snapshot::InterfaceView) -> u64| -> Vec<(String, u64)> {
            snap.interfaces
                .iter()
                .map(|i| (format!("{{interface=\"{}\"}}", label(&i.name)), f(i)))
                .collect()
        };
    family(
        "packets_total",
        "counter",
        "Packets seen per interface.",
        &per_iface(&|i| i.packets),
    );
    family(
        "bytes_total",
        "counter",
        "Bytes (frame lengths) seen per interface.",
        &per_iface(&|i| i.bytes),
    );
    family(
        "flows_active",
        "gauge",
        "Live flows per interface.",
        &per_iface(&|i| i.flows_active),
    );
    family(
        "flows_total",
        "counter",
        "Flows seen per interface.",
        &per_iface(&|i| i.flows_total),
    );
    let rejected: Vec<(String, u64)> = snap
        .interfaces
        .iter()
        .flat_map(|i| {
            i.rejected.iter().map(move |(reason, n)| {
                (
                    format!(
                        "{{interface=\"{}\",reason=\"{}\"}}",
                        label(&i.name),
                        label(reason)
                    ),
                    *n,
                )
            })
        })
        .collect();
    family(
        "frames_without_flow_total",
        "counter",
        "Frames that made no flow, by reason.",
        &rejected,
    );
    family(
        "hosts",
        "gauge",
        "Hosts in the host view.",
        &[(String::new(), snap.hosts.len() as u64)],
    );
    let d = &snap.drops;
    family(
        "drops_total",
        "counter",
        "Things dropped, by stage.",
        &[
            ("{stage=\"worker_reports\"}".into(), d.reports_dropped),
            ("{stage=\"flow_records\"}".into(), d.records_dropped),
            ("{stage=\"flow_table_evictions\"}".into(), d.flows_evicted),
            ("{stage=\"host_table_evictions\"}".into(), d.hosts_evicted),
            ("{stage=\"capture\"}".into(), d.capture_dropped),
            ("{stage=\"view_samples\"}".into(), d.samples_dropped),
            ("{stage=\"view_stale_flows\"}".into(), d.flows_stale),
        ],
    );
    web_families(&s.web, &mut family);
    family(
        "web_login_limit_evictions_total",
        "counter",
        "Addresses the login limit forgot early because its table was full.",
        &[(String::new(), get(&s.auth.limit.evicted))],
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
