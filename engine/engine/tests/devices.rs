//! The asset inventory on `pcaps/devices/devices.pcap` (real programs recorded by `pcaps/devices/record.sh`: BusyBox
//! udhcpc and wget, ISC dhclient, curl and python3 urllib, avahi-daemon, against dnsmasq and python3's
//! http.server), checked against tshark, Debian's ieee-data and p0f's own verdicts on the same capture.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{repo_root, tmpdir, tool, xntop};
use serde_json::Value;

const PI: &str = "b8:27:eb:5a:01:02";
const LAPTOP: &str = "f0:d5:bf:4c:03:04";
const PRINTER: &str = "00:80:77:2e:05:06";

fn capture() -> PathBuf {
    repo_root().join("pcaps/devices/devices.pcap")
}

/// Runs xntop on the capture with `-d dir` and `extra`; the snapshot's devices by id.
fn devices(dir: &Path, extra: &[&str]) -> (BTreeMap<String, Value>, Value) {
    let snap = dir.join("snap.json");
    let out = xntop()
        .arg("-i")
        .arg(capture())
        .args(["-m", "10.78.0.0/24", "-d"])
        .arg(dir)
        .arg("--dump-snapshot")
        .arg(&snap)
        .args(["--shutdown-when-done", "-w", "0"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    let by_id = v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap().to_string(), d.clone()))
        .collect();
    (by_id, v["device_stats"].clone())
}

fn strs(v: &Value, list: &str, field: &str) -> BTreeSet<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            if field.is_empty() {
                x.as_str().unwrap().to_string()
            } else {
                x[field].as_str().unwrap().to_string()
            }
        })
        .collect()
}

/// The organisation Debian's ieee-data registers for a MAC's OUI.
fn ieee_vendor(mac: &str) -> String {
    let oui = mac[..8].replace(':', "-").to_ascii_uppercase();
    let text = std::fs::read_to_string("/usr/share/ieee-data/oui.txt")
        .expect("apt-get install ieee-data (test.sh does)");
    let line = text
        .lines()
        .find(|l| l.starts_with(&oui) && l.contains("(hex)"))
        .unwrap_or_else(|| panic!("{oui} not in oui.txt"));
    line.split("(hex)")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// p0f's verdict for each SYN in the capture: client address → `os` line.
fn p0f_verdicts(fp: Option<&str>) -> BTreeMap<String, String> {
    let cap = capture();
    let mut args = vec!["-r", cap.to_str().unwrap()];
    if let Some(f) = fp {
        args.extend(["-f", f]);
    }
    let out = tool("p0f", &args);
    let mut m = BTreeMap::new();
    let mut client = None;
    let mut in_syn = false;
    for line in out.lines() {
        if line.starts_with(".-[") {
            in_syn = line.contains("(syn)");
            client = None;
        }
        let field = |name: &str| {
            line.strip_prefix("| ")
                .and_then(|l| l.split_once('='))
                .filter(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().to_string())
        };
        if let Some(c) = field("client").filter(|_| in_syn) {
            client = c.split('/').next().map(str::to_string);
        }
        if let (Some(os), Some(c)) = (field("os").filter(|_| in_syn), client.as_ref()) {
            m.insert(c.clone(), os);
        }
    }
    assert!(!m.is_empty(), "p0f named no SYN: {out}");
    m
}

#[test]
fn inventory_names_vendor_os_and_names_of_real_devices() {
    let dir = tmpdir("devices");
    let (devs, stats) = devices(&dir, &[]);

    // Addresses: what tshark says each MAC sent from (DHCP's 0.0.0.0 aside).
    let sent = tool(
        "tshark",
        &[
            "-r",
            capture().to_str().unwrap(),
            "-Y",
            "ip",
            "-T",
            "fields",
            "-e",
            "eth.src",
            "-e",
            "ip.src",
        ],
    );
    let mut by_mac: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for l in sent.lines() {
        let (mac, ip) = l.split_once('\t').unwrap();
        if ip != "0.0.0.0" {
            by_mac
                .entry(mac.to_string())
                .or_default()
                .insert(ip.to_string());
        }
    }
    for mac in [PI, LAPTOP, PRINTER] {
        let d = &devs[mac];
        assert_eq!(d["mac"], mac);
        assert_eq!(d["vendor"].as_str().unwrap(), ieee_vendor(mac), "{mac}");
        assert_eq!(strs(d, "addresses", "ip"), by_mac[mac], "{mac}");
        assert_eq!(d["os"], "Linux", "{mac}: {d}");
        assert!(d["os_confidence"].as_u64().unwrap() > 0);
        assert!(d["changes"][0]["kind"] == "new_device" && d["changes"][0]["alert"] == true);
        assert!(
            d["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["source"] == "tcp_syn"),
            "{mac}: a SYN was seen: {d}"
        );
    }
    let pi = &devs[PI];
    assert!(strs(pi, "names", "name").contains("kitchen-pi"), "{pi}");
    assert_eq!(pi["device_type"], "single-board computer");
    assert!(pi["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["source"] == "dhcp_vendor_class" && e["value"] == "udhcp 1.35.0"));
    assert!(
        strs(pi, "software", "")
            .iter()
            .any(|s| s.starts_with("Wget")),
        "{pi}"
    );

    let lap = &devs[LAPTOP];
    assert!(strs(lap, "names", "name").contains("work-laptop"), "{lap}");
    let sw = strs(lap, "software", "");
    assert!(
        sw.contains("curl 7.88.1") && sw.iter().any(|s| s.starts_with("Python-urllib")),
        "{sw:?}"
    );
    assert!(lap["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["source"] == "dhcp_fingerprint"
            && e["verdict"].as_str().unwrap().contains("ISC dhclient")));
    assert_eq!(lap["services_used"][0][0], "HTTP");

    let prn = &devs[PRINTER];
    assert!(
        strs(prn, "names", "name").contains("brother-printer"),
        "{prn}"
    );
    assert_eq!(prn["names"][0]["source"], "mdns");
    assert_eq!(prn["device_type"], "printer");

    // The gateway serves HTTP: a service offered, with a new-service alert; a DHCP reply echoing a client's host
    // name does not name it.
    let gw = devs
        .values()
        .find(|d| strs(d, "addresses", "ip").contains("10.78.0.1"))
        .unwrap();
    let offered: BTreeSet<(String, u64, String)> = gw["services_offered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["proto"].as_str().unwrap().into(),
                s["port"].as_u64().unwrap(),
                s["app"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        offered.contains(&("TCP".into(), 80, "HTTP".into())),
        "{offered:?}"
    );
    assert!(gw["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == "new_service" && c["alert"] == true));
    assert!(!strs(gw, "names", "name").contains("kitchen-pi"), "{gw}");
    assert_eq!(stats["devices"].as_u64().unwrap() as usize, devs.len());

    // Restarted on the same data directory: the devices come back, not new again.
    let file = dir.join("devices.json");
    let mode = std::fs::metadata(&file).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o600
    );
    let (again, stats) = devices(&dir, &[]);
    assert_eq!(stats["restored"].as_u64().unwrap() as usize, devs.len());
    assert_eq!(again.len(), devs.len());
    for d in again.values() {
        let new = d["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "new_device")
            .count();
        assert_eq!(new, 1, "{d}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// With p0f's own database (`--syn-signatures /etc/p0f/p0f.fp`) the verdict for every SYN equals p0f's on the
/// same capture; with the bundled signatures the OS family does.
#[test]
fn syn_verdicts_equal_p0f() {
    let fp = "/etc/p0f/p0f.fp";
    assert!(Path::new(fp).exists(), "apt-get install p0f (test.sh does)");
    let p0f = p0f_verdicts(None);
    for (bundled, extra) in [(false, vec!["--syn-signatures", fp]), (true, vec![])] {
        let dir = tmpdir(if bundled { "syn-bundled" } else { "syn-p0f" });
        let (devs, _) = devices(&dir, &extra);
        let mut checked = 0;
        for (ip, os) in &p0f {
            let d = devs
                .values()
                .find(|d| strs(d, "addresses", "ip").contains(ip))
                .unwrap_or_else(|| panic!("no device at {ip}"));
            let verdicts: BTreeSet<String> = d["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["source"] == "tcp_syn")
                .map(|e| e["verdict"].as_str().unwrap().to_string())
                .collect();
            if bundled {
                let family = os.split_whitespace().next().unwrap();
                assert_eq!(d["os"], family, "{ip}: p0f says {os}; {d}");
            } else {
                assert_eq!(verdicts, BTreeSet::from([os.clone()]), "{ip}");
            }
            checked += 1;
        }
        assert!(checked >= 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
