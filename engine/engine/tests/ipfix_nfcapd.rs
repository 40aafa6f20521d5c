//! IPFIX export read by a real collector: xntop → nfdump's `nfcapd` on loopback, then `nfdump -r` must show the
//! same flows, packets and bytes (both directions, as RFC 5103 biflows) as xntop's own flow records.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{project_pcaps, tmpdir, xntop};

/// (proto, src, sport, dst, dport, packets, bytes, reverse packets, reverse bytes)
type Row = (u64, String, u64, String, u64, u64, u64, u64, u64);

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn nfdump_reads_what_xntop_exports() {
    for pcap in project_pcaps() {
        let dir = tmpdir("nfcapd");
        let store = dir.join("store");
        std::fs::create_dir_all(&store).unwrap();
        let port = free_udp_port().to_string();
        let mut collector = Command::new("nfcapd")
            .args(["-b", "127.0.0.1", "-p", &port, "-w"])
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run nfcapd ({e}): install nfdump (the test command in README.md does)"
                )
            });
        std::thread::sleep(Duration::from_millis(300));

        let flows = dir.join("flows.jsonl");
        let out = xntop()
            .arg("-i")
            .arg(&pcap)
            .arg("-F")
            .arg(format!("jsonl:{}", flows.display()))
            .args([
                "-I",
                &format!("ipfix://127.0.0.1:{port}"),
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
        std::thread::sleep(Duration::from_millis(300));
        // nfcapd writes its file when it terminates.
        let _ = Command::new("kill")
            .args(["-TERM", &collector.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while collector.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let file = std::fs::read_dir(&store)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("nfcapd.2")
            })
            .unwrap_or_else(|| panic!("nfcapd wrote no file for {}", pcap.display()));
        let dumped = Command::new("nfdump")
            .arg("-r")
            .arg(&file)
            .args(["-o", "json"])
            .output()
            .unwrap();
        assert!(
            dumped.status.success(),
            "{}",
            String::from_utf8_lossy(&dumped.stderr)
        );
        let theirs: Vec<serde_json::Value> = serde_json::from_slice(&dumped.stdout).unwrap();

        let mut from_nfdump: Vec<Row> = theirs
            .iter()
            .filter(|f| f["type"] == "FLOW")
            .map(|f| {
                let n = |k: &str| f[k].as_u64().unwrap_or(0);
                let addr = |v4: &str, v6: &str| {
                    f[v4]
                        .as_str()
                        .or_else(|| f[v6].as_str())
                        .unwrap()
                        .to_string()
                };
                (
                    n("proto"),
                    addr("src4_addr", "src6_addr"),
                    n("src_port"),
                    addr("dst4_addr", "dst6_addr"),
                    n("dst_port"),
                    n("in_packets"),
                    n("in_bytes"),
                    n("out_packets"),
                    n("out_bytes"),
                )
            })
            .collect();
        let mut from_xntop: Vec<Row> = std::fs::read_to_string(&flows)
            .unwrap()
            .lines()
            .map(|l| {
                let r: serde_json::Value = serde_json::from_str(l).unwrap();
                let n = |k: &str| r[k].as_u64().unwrap();
                let proto = match r["proto"].as_str() {
                    Some("TCP") => 6,
                    Some("UDP") => 17,
                    Some("ICMP") => 1,
                    Some("ICMPV6") => 58,
                    Some("SCTP") => 132,
                    _ => r["proto"].as_u64().unwrap(),
                };
                (
                    proto,
                    r["src_ip"].as_str().unwrap().to_string(),
                    n("src_port"),
                    r["dst_ip"].as_str().unwrap().to_string(),
                    n("dst_port"),
                    n("packets_c2s"),
                    n("bytes_c2s"),
                    n("packets_s2c"),
                    n("bytes_s2c"),
                )
            })
            .collect();
        from_nfdump.sort();
        from_xntop.sort();
        assert!(!from_xntop.is_empty());
        assert_eq!(
            from_nfdump,
            from_xntop,
            "{}: nfdump vs xntop records",
            pcap.display()
        );
        let _ = collector.kill();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
