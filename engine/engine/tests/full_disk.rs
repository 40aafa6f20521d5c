//! `-F` on a full disk (a tiny tmpfs): capture goes on, every packet is still counted, the error is logged once,
//! and the lost records are counted. Needs root to mount; without it the test says why and skips.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::process::Command;

use common::{project_pcaps, tmpdir, xntop};

#[test]
fn full_disk_loses_records_visibly_not_packets() {
    let dir = tmpdir("fulldisk");
    let mnt = dir.join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8k", "tmpfs"])
        .arg(&mnt)
        .status();
    if !mounted.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED full_disk: cannot mount a tmpfs (needs root)");
        return;
    }
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap();
    let stats = dir.join("stats.json");
    let out = xntop()
        .arg("-i")
        .arg(&pcap)
        .arg("-F")
        .arg(format!("jsonl:{}", mnt.join("flows.jsonl").display()))
        .arg("--stats-json")
        .arg(&stats)
        .args(["-w", "0", "-g", "0"])
        .output()
        .unwrap();
    let _ = Command::new("umount").arg(&mnt).status();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr.matches("flow dump write failed").count(),
        1,
        "logged once: {stderr}"
    );
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let total = common::capinfos_totals(&pcap).0;
    assert_eq!(stats["packets"].as_u64(), Some(total));
    let dump = &stats["flow_dump"];
    assert!(dump["write_errors"].as_u64().unwrap() >= 1);
    let flows = stats["flows"].as_u64().unwrap();
    assert_eq!(
        dump["records"].as_u64().unwrap() + dump["records_lost"].as_u64().unwrap(),
        flows,
        "{dump}"
    );
    assert!(dump["records_lost"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}
