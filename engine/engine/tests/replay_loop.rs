//! `--replay-loop --replay-topspeed`: passes follow each other in packet time at the file's own span plus one
//! second, however many there are (the benchmarks rely on flows staying live across passes).

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::HashMap;
use std::time::Duration;

#[test]
fn topspeed_passes_are_one_span_plus_a_second_apart() {
    let pcap = common::repo_root().join("pcaps/dns.pcap");
    // The file's span from tshark, independent of xntop.
    let times = common::tool(
        "tshark",
        &[
            "-r",
            pcap.to_str().unwrap(),
            "-T",
            "fields",
            "-e",
            "frame.time_epoch",
        ],
    );
    let ts: Vec<f64> = times.lines().map(|l| l.trim().parse().unwrap()).collect();
    let span =
        ts.iter().copied().fold(f64::MIN, f64::max) - ts.iter().copied().fold(f64::MAX, f64::min);
    let dir = common::tmpdir("replay-loop");
    let out = dir.join("flows.jsonl");
    let mut child = common::xntop()
        .args([
            "-i",
            pcap.to_str().unwrap(),
            "--replay-loop",
            "--replay-topspeed",
            "-w",
            "0",
            "-g",
            "0",
        ])
        .arg("-F")
        .arg(format!("jsonl:{}", out.display()))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(child.wait().unwrap().success());
    let mut starts: HashMap<String, Vec<f64>> = HashMap::new();
    for line in std::fs::read_to_string(&out).unwrap().lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let key = format!(
            "{} {} {} {} {}",
            r["proto"], r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"]
        );
        starts
            .entry(key)
            .or_default()
            .push(r["first_seen"].as_f64().unwrap());
    }
    let (key, mut v) = starts.into_iter().max_by_key(|(_, v)| v.len()).unwrap();
    v.sort_by(f64::total_cmp);
    assert!(v.len() >= 50, "only {} passes of {key} in 0.7 s", v.len());
    for w in v.windows(2) {
        let gap = w[1] - w[0];
        assert!(
            (gap - (span + 1.0)).abs() < 1e-3,
            "{key}: passes {gap} s apart, want {} s",
            span + 1.0
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
