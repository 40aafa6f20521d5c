//! The aggregator's view (what the web UI and API serve) agrees with the flow records and the capture: interface
//! totals equal capinfos', every host's bytes and packets equal the sum over the records it appears in.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::HashMap;

use common::{cores_for, project_pcaps, snapshot_of, tmpdir};

#[test]
fn hosts_and_interfaces_agree_with_records() {
    for pcap in project_pcaps() {
        let dir = tmpdir("view");
        let flows = dir.join("f.jsonl");
        let snap = snapshot_of(
            &pcap,
            &[
                "-F",
                &format!("jsonl:{}", flows.display()),
                "-w",
                "0",
                "-g",
                &cores_for(2),
                "--active-timeout",
                "5",
                "--udp-idle",
                "3",
            ],
            &dir,
        );

        let (total_packets, total_bytes) = common::capinfos_totals(&pcap);
        let iface = &snap["interfaces"][0];
        assert_eq!(
            iface["packets"].as_u64(),
            Some(total_packets),
            "{}",
            pcap.display()
        );
        assert_eq!(
            iface["bytes"].as_u64(),
            Some(total_bytes),
            "{}",
            pcap.display()
        );

        // (bytes sent, bytes received, packets sent, packets received) per host, from the records.
        let mut expect: HashMap<String, [u64; 4]> = HashMap::new();
        let mut records = 0u64;
        // (bytes, packets, flows) per application name, from the records.
        let mut apps: HashMap<String, [u64; 3]> = HashMap::new();
        for line in std::fs::read_to_string(&flows).unwrap().lines() {
            let r: serde_json::Value = serde_json::from_str(line).unwrap();
            let n = |k: &str| r[k].as_u64().unwrap();
            let a = apps
                .entry(r["app"].as_str().unwrap().to_string())
                .or_default();
            a[0] += n("bytes_c2s") + n("bytes_s2c");
            a[1] += n("packets_c2s") + n("packets_s2c");
            // A flow is one final record; the partial records of an active timeout continue it.
            a[2] += u64::from(r["end_reason"] != "active_timeout");
            let c = expect
                .entry(r["src_ip"].as_str().unwrap().to_string())
                .or_default();
            c[0] += n("bytes_c2s");
            c[1] += n("bytes_s2c");
            c[2] += n("packets_c2s");
            c[3] += n("packets_s2c");
            let s = expect
                .entry(r["dst_ip"].as_str().unwrap().to_string())
                .or_default();
            s[0] += n("bytes_s2c");
            s[1] += n("bytes_c2s");
            s[2] += n("packets_s2c");
            s[3] += n("packets_c2s");
            records += 1;
        }
        assert!(records > 0);
        let hosts = snap["hosts"].as_array().unwrap();
        assert_eq!(hosts.len(), expect.len(), "{}: host count", pcap.display());
        for h in hosts {
            let ip = h["ip"].as_str().unwrap();
            let got = ["bytes_sent", "bytes_rcvd", "packets_sent", "packets_rcvd"]
                .map(|k| h[k].as_u64().unwrap());
            assert_eq!(Some(&got), expect.get(ip), "{}: host {ip}", pcap.display());
            assert_eq!(
                h["active_flows"].as_u64(),
                Some(0),
                "every flow ended at shutdown"
            );
        }
        // Applications: the view's totals are the sums of the records, name by name.
        let views = snap["applications"].as_array().unwrap();
        assert_eq!(
            views.len(),
            apps.len(),
            "{}: applications {views:?}",
            pcap.display()
        );
        for a in views {
            let name = a["name"].as_str().unwrap();
            let got = ["bytes", "packets", "flows"].map(|k| a[k].as_u64().unwrap());
            assert_eq!(
                Some(&got),
                apps.get(name),
                "{}: application {name}",
                pcap.display()
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
