//! Overload: far more concurrent flows than `-X` allows. Every packet is still counted, the table never holds more
//! than the cap, and every evicted flow leaves as a record (nothing is silently forgotten).

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use common::{run_flows, tmpdir};

/// A pcap of `flows` UDP flows, two packets each (request, then reply after all requests): all concurrent.
fn many_flows_pcap(path: &std::path::Path, flows: u32) {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for pass in 0..2u32 {
        for i in 0..flows {
            let client = (10u32 << 24) | i;
            let server = 0xc000_0201u32; // 192.0.2.1
            let (src, dst, sport, dport) = if pass == 0 {
                (client, server, 40000u16, 53u16)
            } else {
                (server, client, 53, 40000)
            };
            let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
            f.extend_from_slice(&[0x45, 0, 0, 29, 0, 0, 0, 0, 64, 17, 0, 0]);
            f.extend_from_slice(&src.to_be_bytes());
            f.extend_from_slice(&dst.to_be_bytes());
            f.extend_from_slice(&sport.to_be_bytes());
            f.extend_from_slice(&dport.to_be_bytes());
            f.extend_from_slice(&[0, 9, 0, 0, b'x']);
            let ts = 1_700_000_000u32 + pass;
            out.extend_from_slice(&ts.to_le_bytes());
            out.extend_from_slice(&(i % 1_000_000).to_le_bytes());
            out.extend_from_slice(&u32::try_from(f.len()).unwrap().to_le_bytes());
            out.extend_from_slice(&u32::try_from(f.len()).unwrap().to_le_bytes());
            out.extend_from_slice(&f);
        }
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn tiny_flow_cap_counts_every_packet_and_exports_evictions() {
    let dir = tmpdir("overload");
    let pcap = dir.join("many.pcap");
    let flows = 50_000u32;
    many_flows_pcap(&pcap, flows);
    let (lines, stats) = run_flows(&pcap, &["-X", "1000", "-g", "0,0"], "overload-run");
    assert_eq!(stats["packets"].as_u64(), Some(2 * u64::from(flows)));
    for w in stats["workers"].as_array().unwrap() {
        assert!(
            w["peak_live_flows"].as_u64().unwrap() <= 500,
            "cap split across 2 workers: {w}"
        );
    }
    let evicted = stats["records"]["evicted"].as_u64().unwrap();
    assert!(evicted > 0);
    let mut packets = 0;
    let mut evicted_records = 0;
    for l in &lines {
        let r: serde_json::Value = serde_json::from_str(l).unwrap();
        packets += r["packets_c2s"].as_u64().unwrap() + r["packets_s2c"].as_u64().unwrap();
        evicted_records += u64::from(r["end_reason"] == "evicted");
    }
    assert_eq!(
        packets,
        2 * u64::from(flows),
        "every packet is in some record"
    );
    assert_eq!(evicted_records, evicted, "every eviction is a record");
    let _ = std::fs::remove_dir_all(&dir);
}
