//! The hostile corpus (`pcaps/hostile/`, made by its `make.py`): every malformed frame is counted under its reason,
//! the run goes on, and the totals are exact.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use common::{repo_root, run_flows};

#[test]
fn every_broken_frame_is_counted_by_reason() {
    let dir = repo_root().join("pcaps/hostile");
    let expect: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expect.json")).unwrap()).unwrap();
    let (lines, stats) = run_flows(&dir.join("hostile.pcap"), &["-g", "0"], "hostile");
    assert_eq!(stats["packets"], expect["packets"]);
    assert_eq!(stats["bytes"], expect["bytes"]);
    let reasons = expect["reasons"].as_object().unwrap();
    for (name, got) in stats["rejects"].as_object().unwrap() {
        let want = reasons
            .get(name)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        assert_eq!(got.as_u64(), Some(want), "reason {name}");
    }
    let in_flows: u64 = lines
        .iter()
        .map(|l| {
            let r: serde_json::Value = serde_json::from_str(l).unwrap();
            r["packets_c2s"].as_u64().unwrap() + r["packets_s2c"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(
        Some(in_flows),
        reasons["ok"].as_u64(),
        "well-formed frames (jumbo, DNS loop, TLS/QUIC overflow) are flows"
    );
}
