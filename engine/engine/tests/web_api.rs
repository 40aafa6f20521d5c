//! The REST API against a real xntop on loopback: every route needs the token, interface totals equal capinfos',
//! hosts agree with the flow records, sorting and paging work, and /metrics speaks Prometheus.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::io::{Read, Write};

use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{project_pcaps, tmpdir, xntop};

/// A bare HTTP/1.1 GET; returns (status, body).
fn get(port: u16, path: &str, token: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn api_serves_the_view_behind_a_token() {
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap();
    let dir = tmpdir("webapi");
    let flows = dir.join("f.jsonl");
    let port = free_port();
    let token = "test-token-0123456789";
    let child = xntop()
        .arg("-i")
        .arg(&pcap)
        .arg("-F")
        .arg(format!("jsonl:{}", flows.display()))
        .arg("-d")
        .arg(dir.join("data"))
        .args([
            "-g",
            "0",
            "-w",
            &format!("127.0.0.1:{port}"),
            "--api-token",
            token,
            "--udp-idle",
            "86400",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Without --shutdown-when-done the final view stays served: wait until it shows every packet.
    let (total_packets, total_bytes) = common::capinfos_totals(&pcap);
    let deadline = Instant::now() + Duration::from_secs(20);
    let ifaces: serde_json::Value = loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            let (status, body) = get(port, "/api/v1/interfaces", Some(token));
            assert_eq!(status, 200, "{body}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            if v[0]["packets"].as_u64() == Some(total_packets) && v[0]["flows_active"] == 0 {
                break v;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the view never reached the capture's totals"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(ifaces[0]["bytes"].as_u64(), Some(total_bytes));

    for path in [
        "/api/v1/interfaces",
        "/api/v1/hosts",
        "/api/v1/hosts/10.77.0.1",
        "/api/v1/flows",
        "/api/v1/applications",
        "/api/v1/timeseries",
        "/metrics",
    ] {
        assert_eq!(get(port, path, None).0, 401, "{path} without a token");
        assert_eq!(
            get(port, path, Some("wrong-token")).0,
            401,
            "{path} with a wrong token"
        );
        assert_eq!(get(port, path, Some(token)).0, 200, "{path} with the token");
    }

    // Hosts agree with the flow records (bytes sent per host), and come sorted by bytes.
    let mut sent = std::collections::HashMap::<String, u64>::new();
    for l in std::fs::read_to_string(&flows).unwrap().lines() {
        let r: serde_json::Value = serde_json::from_str(l).unwrap();
        *sent
            .entry(r["src_ip"].as_str().unwrap().into())
            .or_default() += r["bytes_c2s"].as_u64().unwrap();
        *sent
            .entry(r["dst_ip"].as_str().unwrap().into())
            .or_default() += r["bytes_s2c"].as_u64().unwrap();
    }
    let (_, body) = get(port, "/api/v1/hosts?sort=bytes&per_page=1000", Some(token));
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["total"].as_u64(), Some(sent.len() as u64));
    let items = page["items"].as_array().unwrap();
    let totals: Vec<u64> = items
        .iter()
        .map(|h| h["bytes_sent"].as_u64().unwrap() + h["bytes_rcvd"].as_u64().unwrap())
        .collect();
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "sorted by bytes, descending"
    );
    for h in items {
        assert_eq!(
            h["bytes_sent"].as_u64(),
            sent.get(h["ip"].as_str().unwrap()).copied(),
            "{h}"
        );
    }
    // Paging: page 2 of 3 per page continues page 1.
    let (_, p1) = get(
        port,
        "/api/v1/hosts?sort=bytes&per_page=3&page=1",
        Some(token),
    );
    let (_, p2) = get(
        port,
        "/api/v1/hosts?sort=bytes&per_page=3&page=2",
        Some(token),
    );
    let ip = |b: &str, i: usize| {
        serde_json::from_str::<serde_json::Value>(b).unwrap()["items"][i]["ip"].clone()
    };
    assert_eq!(ip(&p1, 0), items[0]["ip"]);
    assert_eq!(ip(&p2, 0), items[3]["ip"]);
    assert_eq!(get(port, "/api/v1/hosts?sort=nonsense", Some(token)).0, 400);

    // Time series per application and per top host (1 min points), and the host page's own series.
    let (status, body) = get(port, "/api/v1/timeseries?series=applications", Some(token));
    assert_eq!(status, 200, "{body}");
    let app_series: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    let (_, body) = get(port, "/api/v1/applications", Some(token));
    let apps: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert!(!app_series.is_empty());
    assert!(app_series.len() <= 16 * app_series[0]["points"].as_array().unwrap().len());
    for s in &app_series {
        assert!(
            apps.iter().any(|a| a["name"] == s["name"]),
            "{} is no application",
            s["name"]
        );
        let points = s["points"].as_array().unwrap();
        assert!(!points.is_empty());
        assert!(points.iter().all(|p| p["bps"].as_f64().unwrap() > 0.0));
    }
    let (status, body) = get(port, "/api/v1/timeseries?series=hosts", Some(token));
    assert_eq!(status, 200, "{body}");
    let host_series: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    let top = host_series[0]["name"].as_str().unwrap();
    let (status, body) = get(port, &format!("/api/v1/hosts/{top}"), Some(token));
    assert_eq!(status, 200, "{body}");
    let detail: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(detail["minute"], host_series[0]["points"]);
    let (_, body) = get(
        port,
        "/api/v1/timeseries?series=interface&resolution=minute",
        Some(token),
    );
    let minute: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert!(!minute.is_empty());
    for bad in [
        "series=nonsense",
        "series=hosts&resolution=second",
        "resolution=hour",
    ] {
        let (status, _) = get(port, &format!("/api/v1/timeseries?{bad}"), Some(token));
        assert_eq!(status, 400, "{bad}");
    }
    assert_eq!(get(port, "/api/v1/hosts/not-an-ip", Some(token)).0, 400);

    let (_, metrics) = get(port, "/metrics", Some(token));
    assert!(
        metrics.contains("# TYPE xntop_packets_total counter"),
        "{metrics}"
    );
    assert!(metrics.contains(&format!(
        "xntop_packets_total{{interface=\"{}\"}} {}",
        pcap.display(),
        total_packets
    )));

    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
