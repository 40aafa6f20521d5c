//! SIGTERM and SIGINT during a replay: reading stops, every live flow is flushed to `-F`, and the records account
//! for every packet that was read.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::time::Duration;

use common::{project_pcaps, tmpdir, xntop};

fn stop_midway(signal: &str) {
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap();
    let dir = tmpdir(&format!("sig{signal}"));
    let flows = dir.join("flows.jsonl");
    let stats = dir.join("stats.json");
    let child = xntop()
        .arg("-i")
        .arg(&pcap)
        .arg("-F")
        .arg(format!("jsonl:{}", flows.display()))
        .arg("--stats-json")
        .arg(&stats)
        .args(["--replay-pace", "-w", "0", "-g", "0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The demo capture lasts about 8 s at its recorded pace; stop it a quarter of the way in.
    std::thread::sleep(Duration::from_millis(2000));
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status();
    assert!(status.unwrap().success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("stopped by signal"), "{stderr}");

    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let read = stats["packets"].as_u64().unwrap();
    let total = common::capinfos_totals(&pcap).0;
    assert!(
        read > 0 && read < total,
        "stopped midway: read {read} of {total}"
    );

    let rejected: u64 = stats["rejects"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&flows)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let in_records: u64 = records
        .iter()
        .map(|r| r["packets_c2s"].as_u64().unwrap() + r["packets_s2c"].as_u64().unwrap())
        .sum();
    assert_eq!(
        in_records + rejected,
        read,
        "every packet read is in a record or counted as rejected"
    );
    assert!(
        records.iter().any(|r| r["end_reason"] == "shutdown"),
        "live flows flushed as shutdown"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigterm_flushes_every_live_flow() {
    stop_midway("TERM");
}

#[test]
fn sigint_flushes_every_live_flow() {
    stop_midway("INT");
}
