//! The web server's live push (`/api/v1/events`, Server-Sent Events) and its OpenAPI document, against a real
//! xntop on loopback.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{free_tcp_port, http_get, tmpdir};

const TOKEN: &str = "test-token-events-0123456789";

/// xntop replaying the demo capture in a loop, serving on `port` with [`TOKEN`].
fn start(tag: &str, port: u16, extra: &[&str]) -> (Child, std::path::PathBuf) {
    let mut args = vec!["--api-token", TOKEN];
    args.extend_from_slice(extra);
    common::serve_demo(tag, port, &args, &[])
}

#[test]
fn events_stream_summaries_behind_the_token() {
    let port = free_tcp_port();
    let (child, dir) = start("webevents", port, &[]);

    assert_eq!(http_get(port, "/api/v1/events", None).unwrap().0, 401);
    assert_eq!(
        http_get(port, "/api/v1/events", Some("wrong-token"))
            .unwrap()
            .0,
        401
    );

    let started = Instant::now();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    write!(
        s,
        "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    )
    .unwrap();
    let mut got = String::new();
    let mut buf = [0u8; 4096];
    let summaries = |t: &str| t.matches("event: summary\n").count();
    while summaries(&got) < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "fewer than 2 events in 3 s: {got}"
        );
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "the stream ended: {got}");
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let (head, body) = got.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "{head}"
    );
    // Each event's data is the /api/v1/summary JSON (the body is chunked: take the data lines).
    let data: Vec<serde_json::Value> = body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    assert!(!data.is_empty(), "{body}");
    for d in &data {
        for key in [
            "time_ns",
            "uptime_s",
            "flows_active",
            "hosts",
            "bits_per_second",
            "drops",
        ] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
    }
    common::stop_serving(child, &dir);
}

#[test]
fn openapi_lists_every_route() {
    let port = free_tcp_port();
    let (child, dir) = start("webopenapi", port, &[]);

    // Served without credentials (it holds no data).
    let (status, body) = http_get(port, "/api/v1/openapi.json", None).unwrap();
    assert_eq!(status, 200, "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    // Every route the router serves under /api/v1 (web/src/lib.rs), in OpenAPI's template syntax.
    let routes = [
        "/api/v1/interfaces",
        "/api/v1/hosts",
        "/api/v1/hosts/{ip}",
        "/api/v1/flows",
        "/api/v1/applications",
        "/api/v1/timeseries",
        "/api/v1/summary",
        "/api/v1/countries",
        "/api/v1/asns",
        "/api/v1/networks",
        "/api/v1/vlans",
        "/api/v1/matrix",
        "/api/v1/devices",
        "/api/v1/devices/{id}",
        "/api/v1/events",
        "/api/v1/openapi.json",
        "/api/v1/historical/flows",
        "/api/v1/historical/top",
        "/api/v1/historical/timeseries",
        "/api/v1/historical/bounds",
    ];
    for r in routes {
        assert!(paths.contains_key(r), "{r} missing from {:?}", paths.keys());
        // …and the server really answers there.
        let concrete = r.replace("{ip}", "10.77.0.1").replace("{id}", "10.77.0.1");
        if r != "/api/v1/events" {
            let (status, _) = http_get(port, &concrete, Some(TOKEN)).unwrap();
            assert!(status == 200 || status == 404, "{concrete}: {status}");
        }
    }
    assert_eq!(paths.len(), routes.len(), "{:?}", paths.keys());

    let params = |p: &str| -> Vec<String> {
        doc["paths"][p]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_string())
            .collect()
    };
    for name in ["sort", "order", "page", "per_page", "q", "local"] {
        assert!(
            params("/api/v1/hosts").iter().any(|p| p == name),
            "hosts: {name}"
        );
    }
    for name in [
        "sort", "order", "page", "per_page", "q", "host", "app", "port", "proto",
    ] {
        assert!(
            params("/api/v1/flows").iter().any(|p| p == name),
            "flows: {name}"
        );
    }
    assert_eq!(params("/api/v1/hosts/{ip}"), ["ip"]);
    assert_eq!(params("/api/v1/timeseries"), ["series", "resolution"]);

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert!(doc["security"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s.get("bearer").is_some()));
    for s in [
        "HostView",
        "FlowView",
        "InterfaceView",
        "AppView",
        "Drops",
        "Summary",
        "Series",
        "SeriesBody",
        "HostDetail",
    ] {
        assert!(
            doc["components"]["schemas"].get(s).is_some(),
            "schema {s} missing"
        );
    }
    common::stop_serving(child, &dir);
}

/// `curl -k` (the certificate is self-signed); (status, headers and body).
fn curl(args: &[&str]) -> (u16, String) {
    let out = std::process::Command::new("curl")
        .args(["-k", "-s", "-i", "--max-time", "10"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// HTTPS serves the API, marks the session cookie `Secure` and every response (hyper's own 431 included) with
/// HSTS; plain HTTP is not answered on the same port.
#[test]
fn https_serves_the_api_and_secure_cookies() {
    let dir = tmpdir("webhttps");
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let ok = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success(), "openssl req failed");

    let port = free_tcp_port();
    let password = "https test password";
    let (child, data) = start(
        "webhttpsrun",
        port,
        &[
            "-W",
            cert.to_str().unwrap(),
            "--https-key",
            key.to_str().unwrap(),
            "--admin-password",
            password,
        ],
    );
    let base = format!("https://127.0.0.1:{port}");
    let auth = format!("Authorization: Bearer {TOKEN}");

    let (status, text) = curl(&["-H", &auth, &format!("{base}/api/v1/interfaces")]);
    assert_eq!(status, 200, "{text}");
    let hsts = "strict-transport-security: max-age=31536000";
    assert!(text.to_ascii_lowercase().contains(hsts), "{text}");
    let body = text.split_once("\r\n\r\n").unwrap().1;
    assert!(serde_json::from_str::<serde_json::Value>(body)
        .unwrap()
        .is_array());
    assert_eq!(curl(&[&format!("{base}/api/v1/interfaces")]).0, 401);
    // hyper's own error responses carry the security headers and HSTS too.
    let long = format!("X-Long: {}", "a".repeat(20_000));
    let (status, text) = curl(&["-H", &long, &format!("{base}/")]);
    assert_eq!(status, 431, "{text}");
    let lower = text.to_ascii_lowercase();
    assert!(lower.contains(hsts), "{text}");
    assert!(
        lower.contains("content-security-policy: default-src 'self'"),
        "{text}"
    );

    // The login's session cookie is Secure.
    let login = serde_json::json!({ "username": "admin", "password": password }).to_string();
    let (status, text) = curl(&[
        "-H",
        "Content-Type: application/json",
        "--data",
        &login,
        &format!("{base}/login"),
    ]);
    assert_eq!(status, 200, "{text}");
    let cookie = text
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap();
    assert!(cookie.contains("xntop_session="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");

    // No plain HTTP on the same port.
    let plain = http_get(port, "/api/v1/interfaces", Some(TOKEN));
    assert!(
        !matches!(plain, Some((200, _))),
        "plain HTTP answered: {plain:?}"
    );

    common::stop_serving(child, &data);
    let _ = std::fs::remove_dir_all(&dir);
}
