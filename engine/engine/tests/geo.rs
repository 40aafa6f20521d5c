//! Enrichment (`--geoip`, `--asn`) against `mmdblookup` (Debian's mmdb-bin, libmaxminddb's own tool) on the same
//! files: every address of a replay, in the flow records and in the host view.
//!
//! The replay is `pcaps/demo.pcap` with its addresses rewritten by `tcprewrite` to public ones the GeoLite2 City file
//! of PyPI's `maxminddb-geolite2` knows; the ASN file is written by `tests/data/make_asn_mmdb.py` (PyPI's
//! mmdb-writer). test.sh installs all three.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::Path;

use common::geo::{asn_mmdb, geolite_city, mmdblookup, public_demo};
use common::{repo_root, tmpdir, xntop};
use serde_json::Value;

/// What mmdblookup says of `ip`: (country, city, asn, as_org).
fn reference(city: &Path, asn: &Path, ip: &str) -> [Option<String>; 4] {
    [
        mmdblookup(city, ip, &["country", "iso_code"]),
        mmdblookup(city, ip, &["city", "names", "en"]),
        mmdblookup(asn, ip, &["autonomous_system_number"]),
        mmdblookup(asn, ip, &["autonomous_system_organization"]),
    ]
}

fn fields(v: &Value, prefix: &str) -> [Option<String>; 4] {
    ["country", "city", "asn", "as_org"].map(|f| {
        v.get(format!("{prefix}{f}")).map(|x| match x {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    })
}

#[test]
fn records_and_hosts_equal_mmdblookup() {
    let dir = tmpdir("geo");
    let pcap = public_demo(&dir, None);
    let asn = asn_mmdb(&dir);
    let city = geolite_city();
    let (flows, snap) = (dir.join("flows.jsonl"), dir.join("snap.json"));
    let out = xntop()
        .arg("-i")
        .arg(&pcap)
        .arg("--geoip")
        .arg(&city)
        .arg("--asn")
        .arg(&asn)
        .arg("-F")
        .arg(format!("jsonl:{}", flows.display()))
        .arg("--dump-snapshot")
        .arg(&snap)
        .args(["--shutdown-when-done", "-w", "0"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut checked = std::collections::BTreeSet::new();
    let mut known = 0;
    for line in std::fs::read_to_string(&flows).unwrap().lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        for side in ["src", "dst"] {
            let ip = r[format!("{side}_ip")].as_str().unwrap();
            let want = reference(&city, &asn, ip);
            assert_eq!(
                fields(&r, &format!("{side}_")),
                want,
                "{side} {ip} in {line}"
            );
            known += usize::from(want[0].is_some());
            checked.insert(ip.to_string());
        }
    }
    // Every kind of answer came up: city and AS known, country without city, nothing at all.
    for ip in [
        "81.2.69.142",
        "89.160.20.112",
        "2001:218::1",
        "2001:4860:4860::8888",
    ] {
        assert!(checked.contains(ip), "{ip} not in the records");
    }
    assert!(checked.iter().any(|ip| ip.starts_with("fe80:")));
    assert!(known > 0);

    let snap: Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    let hosts = snap["hosts"].as_array().unwrap();
    assert!(!hosts.is_empty());
    for h in hosts {
        let ip = h["ip"].as_str().unwrap();
        assert_eq!(fields(h, ""), reference(&city, &asn, ip), "host {ip}");
        checked.remove(ip);
    }
    assert!(
        checked.is_empty(),
        "addresses of records with no host: {checked:?}"
    );
    // Flows of the view carry both ends' country and AS as well.
    for f in snap["flows"].as_array().unwrap() {
        for side in ["src", "dst"] {
            let ip = f[format!("{side}_ip")].as_str().unwrap();
            let want = reference(&city, &asn, ip);
            assert_eq!(
                f.get(format!("{side}_country")).and_then(Value::as_str),
                want[0].as_deref()
            );
            assert_eq!(
                f.get(format!("{side}_asn")).map(ToString::to_string),
                want[2]
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without the flags nothing is added; a bad file is one line naming the flag and the file, exit code 1.
#[test]
fn absent_without_files_and_bad_files_are_named() {
    let demo = repo_root().join("pcaps/demo.pcap");
    let (lines, _) = common::run_flows(&demo, &[], "geo-none");
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(!l.contains("_country") && !l.contains("_asn"), "{l}");
    }
    for flag in ["--geoip", "--asn"] {
        let out = xntop()
            .arg("-i")
            .arg(&demo)
            .args([
                flag,
                "/nonexistent/db.mmdb",
                "--shutdown-when-done",
                "-w",
                "0",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(flag) && err.contains("/nonexistent/db.mmdb"),
            "{err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}
