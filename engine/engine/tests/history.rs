//! The flow history end to end with the real binary: records written by one run are served by the next
//! (restart), the historical API's totals, top hosts, series and download equal the JSON-lines records, and a
//! size cap holds within 5 % while a capture replays at full speed, only the oldest data dropped.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{project_pcaps, tmpdir, xntop};

fn get(port: u16, path: &str, token: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let resp = String::from_utf8_lossy(&resp).into_owned();
    let status = resp.split_whitespace().nth(1).unwrap().parse().unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    // Chunked bodies (large downloads): join the chunks.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = body;
        while let Some((len, tail)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(len.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            rest = &tail[n + 2..];
        }
        out
    } else {
        body.to_string()
    };
    (status, body)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn pcap(name: &str) -> std::path::PathBuf {
    project_pcaps()
        .into_iter()
        .find(|p| p.ends_with(name))
        .unwrap()
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn history_survives_a_restart_and_equals_the_records() {
    let dir = tmpdir("history-restart");
    let data = dir.join("data");
    let first = dir.join("first.jsonl");
    let out = xntop()
        .arg("-i")
        .arg(pcap("demo.pcap"))
        .arg("-d")
        .arg(&data)
        .arg("-F")
        .arg(format!("jsonl:{}", first.display()))
        // A snapshot dump runs the aggregator, whose series are saved at exit.
        .arg("--dump-snapshot")
        .arg(dir.join("snap1.json"))
        .args(["--shutdown-when-done", "-w", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("0 dropped (writer behind), 0 lost"),
        "{stderr}"
    );

    // Start again an hour later (tls.pcap shifted by editcap), web on: the first run's flows are served with the
    // second's.
    let later = dir.join("later.pcap");
    common::tool(
        "editcap",
        &[
            "-t",
            "3600",
            pcap("tls.pcap").to_str().unwrap(),
            later.to_str().unwrap(),
        ],
    );
    let second = dir.join("second.jsonl");
    let port = free_port();
    let token = "history-token-0123456789";
    let mut child = xntop()
        .arg("-i")
        .arg(&later)
        .arg("-d")
        .arg(&data)
        .arg("-F")
        .arg(format!("jsonl:{}", second.display()))
        .args(["-w", &format!("127.0.0.1:{port}"), "--api-token", token])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let a = lines(&first);
    let deadline = Instant::now() + Duration::from_secs(60);
    let want = loop {
        // The second run's records reach the store once its input is done (every flow flushed).
        let b = std::fs::read_to_string(&second)
            .map(|s| s.lines().count())
            .unwrap_or(0);
        if b > 0 && TcpStream::connect(("127.0.0.1", port)).is_ok() {
            let (status, body) = get(port, "/api/v1/historical/bounds", token);
            assert_eq!(status, 200, "{body}");
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            if v["flows"].as_u64() == Some((a.len() + b) as u64) {
                break a.len() + b;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the history never held both runs' flows"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut all = a.clone();
    all.extend(lines(&second));
    assert_eq!(all.len(), want);
    let records: Vec<serde_json::Value> = all
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sum = |k: &str| records.iter().map(|r| r[k].as_u64().unwrap()).sum::<u64>();
    let bytes = sum("bytes_c2s") + sum("bytes_s2c");
    let packets = sum("packets_c2s") + sum("packets_s2c");

    // Totals over the whole range equal the records written.
    let range = "from=0&to=4102444800";
    let (status, body) = get(
        port,
        &format!("/api/v1/historical/flows?{range}&per_page=3"),
        token,
    );
    assert_eq!(status, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["total"].as_u64(), Some(want as u64));
    assert_eq!(page["bytes"].as_u64(), Some(bytes));
    assert_eq!(page["packets"].as_u64(), Some(packets));
    // Largest first.
    let first_item = &page["items"][0];
    let max = records
        .iter()
        .map(|r| r["bytes_c2s"].as_u64().unwrap() + r["bytes_s2c"].as_u64().unwrap())
        .max();
    assert_eq!(
        Some(first_item["bytes_c2s"].as_u64().unwrap() + first_item["bytes_s2c"].as_u64().unwrap()),
        max
    );

    // The JSON download is the records, line for line.
    let (status, body) = get(
        port,
        &format!("/api/v1/historical/flows?{range}&format=json"),
        token,
    );
    assert_eq!(status, 200);
    let mut got: Vec<&str> = body.lines().collect();
    let mut exp: Vec<&str> = all.iter().map(String::as_str).collect();
    got.sort_unstable();
    exp.sort_unstable();
    assert_eq!(got, exp, "the store gives back every record as written");

    // Top hosts by bytes equal the records' (a flow counts for both its endpoints).
    let mut by_host: HashMap<String, u64> = HashMap::new();
    for r in &records {
        let b = r["bytes_c2s"].as_u64().unwrap() + r["bytes_s2c"].as_u64().unwrap();
        *by_host
            .entry(r["src_ip"].as_str().unwrap().to_string())
            .or_default() += b;
        if r["dst_ip"] != r["src_ip"] {
            *by_host
                .entry(r["dst_ip"].as_str().unwrap().to_string())
                .or_default() += b;
        }
    }
    let (status, body) = get(
        port,
        &format!("/api/v1/historical/top?{range}&by=hosts&n=5"),
        token,
    );
    assert_eq!(status, 200, "{body}");
    let top: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(top["total_bytes"].as_u64(), Some(bytes));
    assert_eq!(top["total_flows"].as_u64(), Some(want as u64));
    for item in top["items"].as_array().unwrap() {
        assert_eq!(
            item["bytes"].as_u64(),
            by_host.get(item["key"].as_str().unwrap()).copied(),
            "{item}"
        );
    }
    let mut best: Vec<u64> = by_host.values().copied().collect();
    best.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(top["items"][0]["bytes"].as_u64(), best.first().copied());

    // The series from before the restart: the first run's minutes hold its bytes.
    let first_bytes: u64 = a
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|r| r["bytes_c2s"].as_u64().unwrap() + r["bytes_s2c"].as_u64().unwrap())
        .sum();
    let (lo, hi) = a.iter().fold((f64::MAX, 0f64), |(lo, hi), l| {
        let r: serde_json::Value = serde_json::from_str(l).unwrap();
        let t = r["last_seen"].as_f64().unwrap();
        (lo.min(t), hi.max(t))
    });
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "epoch seconds"
    )]
    let (lo, hi) = (lo as u64 / 60 * 60, hi as u64 + 60);
    let (status, body) = get(
        port,
        &format!("/api/v1/historical/timeseries?from={lo}&to={hi}&step=60"),
        token,
    );
    assert_eq!(status, 200, "{body}");
    let series: serde_json::Value = serde_json::from_str(&body).unwrap();
    let series_bytes: u64 = series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["bytes"].as_u64().unwrap())
        .sum();
    let second_in_range: u64 = lines(&second)
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| {
            let t = r["last_seen"].as_f64().unwrap();
            #[allow(clippy::cast_precision_loss, reason = "epoch seconds")]
            let inside = t >= lo as f64 && t < hi as f64;
            inside
        })
        .map(|r| r["bytes_c2s"].as_u64().unwrap() + r["bytes_s2c"].as_u64().unwrap())
        .sum();
    assert_eq!(series_bytes, first_bytes + second_in_range);

    // The live view's series continue: the first run's minutes and per-application series are in the second
    // run's charts (saved in series.json at the first run's exit).
    let snap1: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("snap1.json")).unwrap()).unwrap();
    let first_minutes: Vec<f64> = snap1["timeseries"]["minute"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["t"].as_f64().unwrap())
        .collect();
    assert!(!first_minutes.is_empty());
    let (status, body) = get(
        port,
        "/api/v1/timeseries?series=interface&resolution=minute",
        token,
    );
    assert_eq!(status, 200, "{body}");
    let live: serde_json::Value = serde_json::from_str(&body).unwrap();
    let live_t: Vec<f64> = live
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["t"].as_f64().unwrap())
        .collect();
    for t in &first_minutes {
        assert!(
            live_t.contains(t),
            "minute {t} of the first run is served after the restart: {live_t:?}"
        );
    }
    let (_, body) = get(port, "/api/v1/timeseries?series=applications", token);
    let apps: serde_json::Value = serde_json::from_str(&body).unwrap();
    for s in snap1["timeseries"]["applications"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        assert!(
            apps.as_array().unwrap().iter().any(|a| a["name"] == name),
            "the first run's {name} series is served"
        );
    }

    // Bad requests get a clear 400; no token, 401.
    assert_eq!(get(port, "/api/v1/historical/top?by=planets", token).0, 400);
    assert_eq!(
        get(port, "/api/v1/historical/flows?from=10&to=5", token).0,
        400
    );
    assert_eq!(get(port, "/api/v1/historical/flows", "wrong").0, 401);
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The store's files and sizes, for a failure message.
fn listing(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for sub in ["flows", "hours"] {
        if let Ok(rd) = std::fs::read_dir(dir.join(sub)) {
            for e in rd.flatten() {
                let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                out.push_str(&format!("{}={len} ", e.file_name().to_string_lossy()));
            }
        }
    }
    out
}

fn dir_bytes(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for sub in ["flows", "hours"] {
        if let Ok(rd) = std::fs::read_dir(dir.join(sub)) {
            for e in rd.flatten() {
                total += e.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    total
}

#[test]
fn size_cap_holds_while_replaying() {
    let dir = tmpdir("history-cap");
    let data = dir.join("data");
    let cap: u64 = 3 << 20;
    let mut child = xntop()
        .arg("-i")
        .arg(pcap("demo.pcap"))
        .arg("-d")
        .arg(&data)
        .args([
            "--replay-loop",
            "--replay-topspeed",
            "-w",
            "0",
            "--history-max-size",
            "3M",
            "--history-retention",
            "0",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let hist = data.join("history");
    let started = Instant::now();
    let mut peak = 0;
    let mut at_peak = String::new();
    while started.elapsed() < Duration::from_secs(12) {
        let now = dir_bytes(&hist);
        if now > peak {
            peak = now;
            at_peak = listing(&hist);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    nix_kill(child.id());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{stderr}");
    let last = dir_bytes(&hist);
    if last > peak {
        peak = last;
        at_peak = format!("after the stop: {}", listing(&hist));
    }
    #[allow(clippy::cast_precision_loss, reason = "ratio")]
    let ratio = peak as f64 / cap as f64;
    assert!(
        ratio <= 1.05,
        "peak {peak} bytes for a cap of {cap} ({ratio:.3}): {at_peak}"
    );
    let line = stderr
        .lines()
        .find(|l| l.contains("  history "))
        .unwrap_or_default()
        .to_string();
    let expired: u64 = line
        .split(", ")
        .find_map(|p| p.strip_suffix(" expired"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(expired > 0, "the replay filled the cap: {line}");
    // Only the oldest went: the segments left are the newest ones, without a gap.
    let index = xntop_history::store::open_index(&hist).unwrap();
    let seqs: Vec<u64> = index.segments.iter().map(|s| s.meta.seq).collect();
    assert!(!seqs.is_empty());
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    let written: u64 = line
        .split("; ")
        .nth(1)
        .and_then(|p| p.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert_eq!(
        seqs.last().copied(),
        Some(written),
        "the newest segment is kept: {line}"
    );
    assert!(ratio > 0.8, "the cap is used: {ratio:.3}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// SIGTERM: a clean stop, every flow flushed.
fn nix_kill(pid: u32) {
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
}
