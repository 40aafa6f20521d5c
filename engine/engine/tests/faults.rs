//! Faults around the capture: an unreachable collector (UDP and TCP), a second SIGTERM while the first one's flush
//! is stuck, slow API clients, and requests that try to leave the UI's file root. Capture goes on, counters say
//! what was lost, nothing escapes.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{free_tcp_port, http_get, project_pcaps, tmpdir, xntop};

fn demo() -> std::path::PathBuf {
    project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap()
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    free_tcp_port()
}

#[test]
fn unreachable_collector_loses_only_export_and_says_so() {
    for scheme in ["ipfix", "ipfix+tcp"] {
        let dir = tmpdir(&format!("unreach-{scheme}"));
        let (flows, stats) = (dir.join("f.jsonl"), dir.join("s.json"));
        let out = xntop()
            .arg("-i")
            .arg(demo())
            .arg("-F")
            .arg(format!("jsonl:{}", flows.display()))
            .arg("--stats-json")
            .arg(&stats)
            .args(["-I", &format!("{scheme}://127.0.0.1:{}", closed_port())])
            .args(["-w", "0", "-g", "0", "--shutdown-when-done"])
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{scheme}: {log}");
        let records = std::fs::read_to_string(&flows).unwrap().lines().count() as u64;
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
        assert_eq!(
            s["flows"].as_u64(),
            Some(records),
            "{scheme}: every flow still written to -F"
        );
        let x = &s["ipfix"];
        assert_eq!(x["records"].as_u64(), Some(records), "{scheme}: {x}");
        let lost = x["records_lost"].as_u64().unwrap();
        assert!(lost > 0, "{scheme}: the loss is counted: {x}");
        if scheme == "ipfix+tcp" {
            assert_eq!(
                lost, records,
                "{scheme}: nothing reached a collector that is not there"
            );
            // Logged once per outage, not once per record.
            let lines = log
                .lines()
                .filter(|l| l.contains("ipfix export over tcp"))
                .count();
            assert_eq!(lines, 1, "{log}");
        } else {
            assert!(x["send_errors"].as_u64().unwrap() > 0, "{x}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn second_sigterm_exits_at_once_when_the_flush_is_stuck() {
    // Records go to a FIFO that is opened but never read: once its buffer is full, the writer blocks, and the
    // flush the first SIGTERM asks for cannot finish. The second SIGTERM must end the process anyway.
    let dir = tmpdir("sig2");
    let fifo = dir.join("records.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let child = xntop()
        .arg("-i")
        .arg(demo())
        .arg("-F")
        .arg(format!("jsonl:{}", fifo.display()))
        .args([
            "--replay-loop",
            "--active-timeout",
            "1",
            "-w",
            "0",
            "-g",
            "0",
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Open the reading end (non-blocking, so the open itself does not wait) and never read from it.
    let _reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc_o_nonblock())
        .open(&fifo)
        .unwrap();
    let mut child = KillOnDrop(child);
    // Let partial records (one per flow per second) fill the pipe.
    std::thread::sleep(Duration::from_secs(6));
    let pid = child.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    if let Some(status) = child.0.try_wait().unwrap() {
        // The flush found room after all (a slow machine produced fewer records): nothing left to test.
        eprintln!("first SIGTERM already ended the run ({status}); the pipe never filled");
        return;
    }
    let sent = Instant::now();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(2),
            "the second SIGTERM did not end the process"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130), "{status}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn libc_o_nonblock() -> i32 {
    0o4000 // O_NONBLOCK on Linux
}

use std::os::unix::fs::OpenOptionsExt;

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the demo replay loop with the API on a free port; returns the process and the port.
fn serving(extra: &[&str]) -> (KillOnDrop, u16) {
    let port = free_tcp_port();
    let dir = tmpdir("faults-web");
    let child = xntop()
        .args([
            "--replay-loop",
            "-g",
            "0",
            "-w",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("-d")
        .arg(&dir)
        .args(["--api-token", "faults-token"])
        .args(extra)
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let child = KillOnDrop(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    // Up when the first view with traffic is published.
    while !http_get(port, "/api/v1/interfaces", Some("faults-token")).is_some_and(
        |(status, body)| {
            status == 200 && body.contains("\"packets\":") && !body.contains("\"packets\":0,")
        },
    ) {
        assert!(Instant::now() < deadline, "API did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

fn packets(port: u16) -> u64 {
    let (status, body) = http_get(port, "/api/v1/interfaces", Some("faults-token"))
        .unwrap_or_else(|| panic!("no answer from the API on port {port}"));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v[0]["packets"].as_u64().unwrap()
}

#[test]
fn slow_api_clients_stall_neither_the_api_nor_the_capture() {
    let (_child, port) = serving(&[]);
    // Clients that send half a request and never read, and clients that ask for everything and never read.
    let mut idle = Vec::new();
    for i in 0..64 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        if i % 2 == 0 {
            let _ = s.write_all(b"GET /api/v1/flows?per_page=1000 HTTP/1.1\r\nHost: x\r\n");
        } else {
            let _ = s.write_all(
                b"GET /api/v1/flows?per_page=1000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer faults-token\r\n\r\n",
            );
        }
        idle.push(s);
    }
    let before = packets(port);
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    let after = packets(port);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a normal request waited on the slow ones"
    );
    assert!(
        after > before,
        "capture stalled while slow clients hung on: {before} → {after}"
    );
    drop(idle);
}

#[test]
fn static_files_cannot_escape_their_root() {
    let (_child, port) = serving(&["--disable-login"]);
    for path in [
        "/assets/../../../../etc/passwd",
        "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/assets//etc/passwd",
        "/../../etc/passwd",
    ] {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        assert!(!resp.contains("root:x:0:0"), "{path} leaked /etc/passwd");
        assert!(
            !resp.contains("[workspace]"),
            "{path} leaked a repository file"
        );
        let status = resp.split_whitespace().nth(1).unwrap_or("");
        assert!(
            status != "200" || resp.contains("<!doctype html>") || resp.contains("<!DOCTYPE html>"),
            "{path}: {status}"
        );
    }
}

#[test]
fn secrets_are_never_logged() {
    let port = free_tcp_port();
    let dir = tmpdir("secrets");
    let password = "correct-horse-battery-staple-42";
    let child = xntop()
        .args(["-g", "0", "-w", &format!("127.0.0.1:{port}")])
        .arg("-d")
        .arg(&dir)
        .args(["--admin-password", password])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let child = KillOnDrop(child);
    let token_file = dir.join("api-token");
    let deadline = Instant::now() + Duration::from_secs(20);
    let token = loop {
        if let Ok(t) = std::fs::read_to_string(&token_file) {
            if let Some((200, _)) = http_get(port, "/api/v1/interfaces", Some(t.trim())) {
                break t.trim().to_string();
            }
        }
        assert!(Instant::now() < deadline, "no token file or API");
        std::thread::sleep(Duration::from_millis(50));
    };
    let meta = std::fs::metadata(&token_file).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
        0o600
    );
    Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    let mut child = child;
    let mut log = String::new();
    if let Some(mut e) = child.0.stderr.take() {
        let _ = e.read_to_string(&mut log);
    }
    assert!(log.contains("api-token"), "{log}");
    assert!(!log.contains(&token), "the API token was logged: {log}");
    assert!(
        !log.contains(password),
        "the admin password was logged: {log}"
    );
    let users = std::fs::read_to_string(dir.join("users.json")).unwrap();
    assert!(
        !users.contains(password) && users.contains("$argon2id$"),
        "{users}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
