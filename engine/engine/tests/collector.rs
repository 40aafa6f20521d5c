//! The collector input (`-i ipfix://…`): flows from softflowd (a third-party IPFIX exporter) and from an xntop
//! edge probe arrive complete at a central xntop.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{free_tcp_port, http_get, project_pcaps, tmpdir, tool, xntop};

/// The central instance's API token.
const TOKEN: &str = "central-test-token";

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a central xntop collecting on `port` (UDP, or TCP with `scheme` "ipfix+tcp") with its REST API on
/// `web`, and waits until both are bound (the collector port can no longer be bound here, the API answers).
#[allow(
    clippy::zombie_processes,
    reason = "the caller stops and waits for the returned child"
)]
fn central_on(dir: &Path, scheme: &str, port: u16, web: u16) -> Child {
    let mut child = xntop()
        .arg("-i")
        .arg(format!("{scheme}://127.0.0.1:{port}"))
        .arg("-F")
        .arg(format!("jsonl:{}", dir.join("central.jsonl").display()))
        .arg("--dump-snapshot")
        .arg(dir.join("central.json"))
        .args([
            "-w",
            &format!("127.0.0.1:{web}"),
            "--api-token",
            TOKEN,
            "-g",
            "0",
            // The captures replayed through the exporters were recorded long ago: their records are old.
            "--collector-max-age",
            "0",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let collector_bound = if scheme == "ipfix" {
            std::net::UdpSocket::bind(("127.0.0.1", port)).is_err()
        } else {
            std::net::TcpListener::bind(("127.0.0.1", port)).is_err()
        };
        if collector_bound && http_get(web, "/api/v1/interfaces", Some(TOKEN)).is_some() {
            return child;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("central instance did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn central(dir: &Path, port: u16) -> Child {
    central_on(dir, "ipfix", port, free_tcp_port())
}

/// Stops the central instance (SIGTERM: it flushes) and returns its stderr.
fn stop(child: Child) -> String {
    std::thread::sleep(Duration::from_millis(600));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    let out = child.wait_with_output().unwrap();
    assert!(Instant::now() < deadline);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn records(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn totals(recs: &[serde_json::Value]) -> (u64, u64) {
    recs.iter().fold((0, 0), |(p, b), r| {
        let n = |k: &str| r[k].as_u64().unwrap();
        (
            p + n("packets_c2s") + n("packets_s2c"),
            b + n("bytes_c2s") + n("bytes_s2c"),
        )
    })
}

#[test]
fn softflowd_ipfix_to_xntop_collector() {
    softflowd_to_xntop("10", "ip or ipv6");
}

#[test]
fn softflowd_netflow_v5_to_xntop_collector() {
    // NetFlow v5 carries IPv4 only.
    softflowd_to_xntop("5", "ip");
}

fn softflowd_to_xntop(version: &str, filter: &str) {
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap();
    let dir = tmpdir(&format!("softflowd{version}"));
    let port = free_udp_port();
    let c = central(&dir, port);
    let status = Command::new("softflowd")
        .args([
            "-r",
            pcap.to_str().unwrap(),
            "-n",
            &format!("127.0.0.1:{port}"),
            "-v",
            version,
            "-D",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run softflowd ({e}): install it (the test command in README.md does)")
        });
    assert!(status.success());
    let log = stop(c);
    assert!(log.contains("0 lost"), "{log}");

    // softflowd counts IP packets and IP lengths: compare with tshark's view of the same capture.
    let fields = tool(
        "tshark",
        &[
            "-r",
            pcap.to_str().unwrap(),
            "-Y",
            filter,
            "-T",
            "fields",
            "-e",
            "ip.len",
            "-e",
            "ipv6.plen",
            "-e",
            "frame.time_epoch",
        ],
    );
    let (mut packets, mut bytes) = (0u64, 0u64);
    let (mut first, mut last) = (f64::MAX, 0f64);
    for line in fields.lines() {
        let mut f = line.split('\t');
        let (v4, v6) = (f.next().unwrap_or(""), f.next().unwrap_or(""));
        let t: f64 = f.next().unwrap().parse().unwrap();
        (first, last) = (first.min(t), last.max(t));
        packets += 1;
        bytes += if v4.is_empty() {
            40 + v6.parse::<u64>().unwrap()
        } else {
            v4.parse::<u64>().unwrap()
        };
    }
    let recs = records(&dir.join("central.jsonl"));
    assert_eq!(
        totals(&recs),
        (packets, bytes),
        "collected totals vs tshark's IP packets and lengths"
    );
    // The records' times are the capture's (softflowd's uptimes run from its own start, after the capture's
    // packets, so they wrap: read right, they land in the capture, not weeks ahead).
    for r in &recs {
        for k in ["first_seen", "last_seen"] {
            let t = r[k].as_f64().unwrap();
            assert!(
                t >= first - 1.0 && t <= last + 1.0,
                "{k} {t} outside the capture's {first}..{last}: {r}"
            );
        }
    }
    let snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("central.json")).unwrap()).unwrap();
    assert_eq!(snap["interfaces"][0]["packets"].as_u64(), Some(packets));
    assert_eq!(snap["interfaces"][0]["bytes"].as_u64(), Some(bytes));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn xntop_edge_to_xntop_central() {
    edge_to_central("ipfix");
}

#[test]
fn xntop_edge_to_xntop_central_over_tcp() {
    edge_to_central("ipfix+tcp");
}

fn edge_to_central(scheme: &str) {
    for pcap in project_pcaps() {
        let dir = tmpdir(&format!("edge-{scheme}"));
        let port = if scheme == "ipfix" {
            free_udp_port()
        } else {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        };
        let web = free_tcp_port();
        let c = central_on(&dir, scheme, port, web);
        let edge_flows = dir.join("edge.jsonl");
        let out = xntop()
            .arg("-i")
            .arg(&pcap)
            .arg("-F")
            .arg(format!("jsonl:{}", edge_flows.display()))
            .args([
                "-I",
                &format!("{scheme}://127.0.0.1:{port}"),
                "-w",
                "0",
                "-g",
                "0",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The central's REST API: its interface totals reach the edge's.
        let (edge_packets, edge_bytes) = totals(&records(&edge_flows));
        let deadline = Instant::now() + Duration::from_secs(15);
        let iface = loop {
            if let Some((200, body)) = http_get(web, "/api/v1/interfaces", Some(TOKEN)) {
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                if v[0]["packets"].as_u64() == Some(edge_packets) {
                    break v[0].clone();
                }
            }
            assert!(
                Instant::now() < deadline,
                "central API never reached the edge's totals"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(iface["bytes"].as_u64(), Some(edge_bytes), "{iface}");
        let log = stop(c);
        assert!(log.contains("0 lost"), "{log}");
        let edge_log = String::from_utf8_lossy(&out.stderr);

        let key = |r: &serde_json::Value| {
            let s = |k: &str| r[k].to_string();
            [
                "proto",
                "src_ip",
                "src_port",
                "dst_ip",
                "dst_port",
                "vlan",
                "packets_c2s",
                "packets_s2c",
                "bytes_c2s",
                "bytes_s2c",
                "tcp_flags_c2s",
                "tcp_flags_s2c",
                "end_reason",
                // The edge's DPI verdict travels as applicationId and L7_PROTO_NAME; server names as ntop's elements.
                "app",
                "master",
                "category",
                "server_name",
                "dns_query",
                "ja3",
                "ja4",
            ]
            .map(s)
            .join(" ")
        };
        let edge = records(&edge_flows);
        assert!(
            edge.iter().any(|r| r["app"] != "Unknown"),
            "{}: the edge named no application",
            pcap.display()
        );
        let central_recs = records(&dir.join("central.jsonl"));
        let mut a: Vec<String> = edge.iter().map(key).collect();
        let mut b: Vec<String> = central_recs.iter().map(key).collect();
        a.sort();
        b.sort();
        assert_eq!(
            a,
            b,
            "{}: central records vs edge records; central: {log}; edge: {edge_log}",
            pcap.display()
        );
        let snap: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("central.json")).unwrap())
                .unwrap();
        let (p, by) = totals(&edge);
        assert_eq!(snap["interfaces"][0]["packets"].as_u64(), Some(p));
        assert_eq!(snap["interfaces"][0]["bytes"].as_u64(), Some(by));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
