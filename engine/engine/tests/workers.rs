//! Results do not depend on the number of workers: sorted flow records are identical for 1, 2 and 4 workers.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use common::{cores_for, project_pcaps, run_flows};

#[test]
fn flows_identical_for_1_2_and_4_workers() {
    for pcap in project_pcaps() {
        let (one, stats1) = run_flows(&pcap, &["-g", &cores_for(1)], "w1");
        assert!(!one.is_empty(), "{}: no flows", pcap.display());
        assert_eq!(stats1["workers"].as_array().map(Vec::len), Some(1));
        for n in [2, 4] {
            let (many, stats) = run_flows(&pcap, &["-g", &cores_for(n)], &format!("w{n}"));
            assert_eq!(stats["workers"].as_array().map(Vec::len), Some(n));
            assert_eq!(
                one,
                many,
                "{}: records differ between 1 and {n} workers",
                pcap.display()
            );
        }
    }
}

#[test]
fn short_timeouts_are_still_deterministic() {
    // Expiry decided in packet time: splitting flows by a 1 s idle timeout must not depend on the shard layout.
    for pcap in project_pcaps() {
        let args = [
            "--udp-idle",
            "1",
            "--tcp-idle",
            "1",
            "--other-idle",
            "1",
            "--active-timeout",
            "2",
        ];
        let (one, _) = run_flows(&pcap, &[&args[..], &["-g", &cores_for(1)]].concat(), "t1");
        let (four, _) = run_flows(&pcap, &[&args[..], &["-g", &cores_for(4)]].concat(), "t4");
        assert_eq!(one, four, "{}", pcap.display());
    }
}
