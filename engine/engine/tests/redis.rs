//! The Redis cache against a real `redis-server` on a free loopback port: keys, TTLs and values after a replay,
//! counters restored after a restart of xntop, and a Redis killed and restarted during a replay without any loss
//! of packets or flows.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{project_pcaps, tmpdir, tool, xntop};

fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A redis-server this test started; killed when dropped, also when an assertion fails first.
struct RedisServer(Child);

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn redis_server(port: u16) -> RedisServer {
    let mut child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run redis-server ({e}): install it (the test command in README.md does)")
        });
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return RedisServer(child);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("redis-server did not start on port {port}");
}

fn cli(port: u16, args: &[&str]) -> String {
    let p = port.to_string();
    let mut all = vec!["-p", &p];
    all.extend_from_slice(args);
    tool("redis-cli", &all).trim().to_string()
}

fn demo() -> std::path::PathBuf {
    project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap()
}

fn run_xntop(port: u16, extra: &[&str], snap: &std::path::Path) -> (serde_json::Value, String) {
    let out = xntop()
        .arg("-i")
        .arg(demo())
        .args([
            "-w",
            "0",
            "-g",
            "0",
            "-r",
            &format!("127.0.0.1:{port}"),
            "--dump-snapshot",
        ])
        .arg(snap)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (
        serde_json::from_str(&std::fs::read_to_string(snap).unwrap()).unwrap(),
        stderr,
    )
}

#[test]
fn hosts_are_cached_with_ttl_and_restored_after_a_restart() {
    let port = free_tcp_port();
    let server = redis_server(port);
    let dir = tmpdir("redis");
    let (first, log) = run_xntop(port, &["--redis-ttl", "600"], &dir.join("a.json"));
    let hosts = first["hosts"].as_array().unwrap();
    assert!(!hosts.is_empty());
    let keys = cli(port, &["--scan", "--pattern", "xntop.serialized_hosts.*"]);
    assert_eq!(keys.lines().count(), hosts.len(), "{log}");
    for h in hosts {
        let key = format!("xntop.serialized_hosts.{}", h["ip"].as_str().unwrap());
        let ttl: u64 = cli(port, &["ttl", &key]).parse().unwrap();
        assert!(ttl > 0 && ttl <= 600, "{key}: ttl {ttl}");
        let cached: serde_json::Value = serde_json::from_str(&cli(port, &["get", &key])).unwrap();
        assert_eq!(cached["bytes_sent"], h["bytes_sent"], "{key}");
        assert_eq!(cached["packets_rcvd"], h["packets_rcvd"], "{key}");
    }
    let iface: serde_json::Value =
        serde_json::from_str(&cli(port, &["get", "xntop.iface.0"])).unwrap();
    assert_eq!(iface["packets"], first["interfaces"][0]["packets"]);
    assert!(cli(port, &["get", "xntop.top.hosts"]).starts_with('['));

    // A second run: every host comes back with the first run's counters plus its own.
    let (second, _) = run_xntop(port, &[], &dir.join("b.json"));
    for h in second["hosts"].as_array().unwrap() {
        let before = hosts.iter().find(|x| x["ip"] == h["ip"]).unwrap();
        for k in [
            "bytes_sent",
            "bytes_rcvd",
            "packets_sent",
            "packets_rcvd",
            "flows_as_client",
        ] {
            assert_eq!(
                h[k].as_u64().unwrap(),
                2 * before[k].as_u64().unwrap(),
                "{} {k}",
                h["ip"]
            );
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redis_killed_and_restarted_during_a_replay_loses_nothing() {
    let port = free_tcp_port();
    let server = redis_server(port);
    let dir = tmpdir("redis-kill");
    let snap = dir.join("s.json");
    let stats = dir.join("stats.json");
    let child = xntop()
        .arg("-i")
        .arg(demo())
        .args([
            "-w",
            "0",
            "-g",
            "0",
            "--replay-pace",
            "-r",
            &format!("127.0.0.1:{port}"),
            "--dump-snapshot",
        ])
        .arg(&snap)
        .arg("--stats-json")
        .arg(&stats)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The demo lasts about 8 s at its pace: Redis is down from 2 s to 4.5 s.
    std::thread::sleep(Duration::from_millis(2000));
    drop(server);
    std::thread::sleep(Duration::from_millis(2500));
    let server = redis_server(port);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");

    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let total = common::capinfos_totals(&demo()).0;
    assert_eq!(
        stats["packets"].as_u64(),
        Some(total),
        "capture went on while Redis was down"
    );
    let line = stderr
        .lines()
        .find(|l| l.contains("redis:") && l.contains("snapshots written"))
        .unwrap();
    let failed: u64 = line
        .split(", ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(failed > 0, "failures counted: {line}");
    assert!(
        stderr.contains("(capture goes on"),
        "the outage is logged: {stderr}"
    );
    // Writes resumed: the final counters are in the restarted Redis.
    let snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    let iface: serde_json::Value =
        serde_json::from_str(&cli(port, &["get", "xntop.iface.0"])).unwrap();
    assert_eq!(iface["packets"].as_u64(), Some(total));
    assert_eq!(
        cli(port, &["--scan", "--pattern", "xntop.serialized_hosts.*"])
            .lines()
            .count(),
        snap["hosts"].as_array().unwrap().len()
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
