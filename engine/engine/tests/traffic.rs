//! Traffic by country, AS, network and VLAN, the network matrix and the conversations equal the sums over the flow
//! records of the same replay, exactly: `pcaps/demo.pcap` rewritten to public addresses, once untagged and once on
//! VLAN 7 (two inputs), with `-m`, `--networks`, `--geoip` and `--asn`.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeMap;
use std::net::IpAddr;

use common::geo::{asn_mmdb, geolite_city, public_demo};
use common::{tmpdir, xntop};
use ipnet::IpNet;
use serde_json::Value;

/// `-m` and `--networks` (name, CIDR), in the order the view lists them: `-m` first.
const NETWORKS: [(&str, &str); 4] = [
    ("81.2.69.0/24", "81.2.69.0/24"),
    ("Backbone", "89.160.0.0/16"),
    ("JP net", "2001:218::/32"),
    ("Access upper", "81.2.69.128/25"),
];

fn u(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"))
}

/// The network label of `ip`: the most specific one containing it, else "remote".
fn network(ip: IpAddr) -> &'static str {
    NETWORKS
        .iter()
        .filter(|(_, c)| c.parse::<IpNet>().unwrap().contains(&ip))
        .max_by_key(|(_, c)| c.parse::<IpNet>().unwrap().prefix_len())
        .map_or("remote", |(n, _)| n)
}

#[derive(Default, Debug, PartialEq, Eq, Clone, Copy)]
struct Sums {
    bytes_sent: u64,
    bytes_rcvd: u64,
    packets_sent: u64,
    packets_rcvd: u64,
    flows: u64,
}

fn sums_of(v: &Value) -> Sums {
    Sums {
        bytes_sent: u(v, "bytes_sent"),
        bytes_rcvd: u(v, "bytes_rcvd"),
        packets_sent: u(v, "packets_sent"),
        packets_rcvd: u(v, "packets_rcvd"),
        flows: u(v, "flows"),
    }
}

/// Adds a record to the groups of its two ends (`group` of each side; a flow inside one group counts once).
fn add(m: &mut BTreeMap<String, Sums>, r: &Value, group: impl Fn(&str) -> Option<String>) {
    let (c, s) = (group("src"), group("dst"));
    let (b0, b1, p0, p1) = (
        u(r, "bytes_c2s"),
        u(r, "bytes_s2c"),
        u(r, "packets_c2s"),
        u(r, "packets_s2c"),
    );
    if let Some(c) = &c {
        let e = m.entry(c.clone()).or_default();
        e.bytes_sent += b0;
        e.packets_sent += p0;
        e.bytes_rcvd += b1;
        e.packets_rcvd += p1;
        e.flows += 1;
    }
    if let Some(sv) = &s {
        let e = m.entry(sv.clone()).or_default();
        e.bytes_sent += b1;
        e.packets_sent += p1;
        e.bytes_rcvd += b0;
        e.packets_rcvd += p0;
        e.flows += u64::from(c.as_ref() != Some(sv));
    }
}

#[test]
fn groups_and_matrix_equal_sums_over_records() {
    let dir = tmpdir("traffic");
    let (plain, tagged) = (public_demo(&dir, None), public_demo(&dir, Some(7)));
    let asn = asn_mmdb(&dir);
    let nets = dir.join("networks.txt");
    let named: String = NETWORKS[1..]
        .iter()
        .map(|(n, c)| format!("{c} {n}\n"))
        .collect();
    std::fs::write(&nets, format!("# test networks\n{named}")).unwrap();
    let (flows, snap) = (dir.join("flows.jsonl"), dir.join("snap.json"));
    let out = xntop()
        .arg("-i")
        .arg(&plain)
        .arg("-i")
        .arg(&tagged)
        .args(["-m", NETWORKS[0].1, "--networks"])
        .arg(&nets)
        .arg("--geoip")
        .arg(geolite_city())
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
    let records: Vec<Value> = std::fs::read_to_string(&flows)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(records.len() > 20);
    assert!(
        records.iter().all(|r| r["end_reason"] != "active_timeout"),
        "one record per flow"
    );
    let snap: Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();

    let (mut countries, mut asns, mut networks) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut vlans: BTreeMap<u64, (u64, u64, u64)> = BTreeMap::new();
    let mut matrix: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut convs: BTreeMap<(IpAddr, IpAddr), (u64, u64, u64, u64)> = BTreeMap::new();
    for r in &records {
        let field = |side: &str, k: &str| {
            r.get(format!("{side}_{k}"))
                .map(|v| v.to_string().trim_matches('"').to_string())
        };
        add(&mut countries, r, |side| field(side, "country"));
        add(&mut asns, r, |side| field(side, "asn"));
        let ip = |side: &str| {
            r[format!("{side}_ip")]
                .as_str()
                .unwrap()
                .parse::<IpAddr>()
                .unwrap()
        };
        add(&mut networks, r, |side| {
            Some(network(ip(side)))
                .filter(|n| *n != "remote")
                .map(str::to_string)
        });
        let v = vlans.entry(u(r, "vlan")).or_default();
        v.0 += u(r, "bytes_c2s") + u(r, "bytes_s2c");
        v.1 += u(r, "packets_c2s") + u(r, "packets_s2c");
        v.2 += 1;
        let (src, dst) = (
            network(ip("src")).to_string(),
            network(ip("dst")).to_string(),
        );
        *matrix.entry((src.clone(), dst.clone())).or_default() += u(r, "bytes_c2s");
        *matrix.entry((dst, src)).or_default() += u(r, "bytes_s2c");
        let (a, b) = (ip("src"), ip("dst"));
        let (key, fwd) = if a <= b {
            ((a, b), true)
        } else {
            ((b, a), false)
        };
        let c = convs.entry(key).or_default();
        let (ab, ba) = if fwd {
            (u(r, "bytes_c2s"), u(r, "bytes_s2c"))
        } else {
            (u(r, "bytes_s2c"), u(r, "bytes_c2s"))
        };
        c.0 += ab;
        c.1 += ba;
        c.2 += u(r, "packets_c2s") + u(r, "packets_s2c");
        c.3 += 1;
    }

    let view = |list: &str, key: &str| -> BTreeMap<String, Sums> {
        snap[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v[key].to_string().trim_matches('"').to_string(), sums_of(v)))
            .collect()
    };
    assert_eq!(view("countries", "country"), countries);
    assert_eq!(countries.len(), 4, "GB, SE, JP, US: {countries:?}");
    assert_eq!(view("asns", "asn"), asns);
    assert_eq!(asns.len(), 3);
    for a in snap["asns"].as_array().unwrap() {
        assert!(
            a["as_org"]
                .as_str()
                .is_some_and(|o| o.starts_with("Example")),
            "{a}"
        );
    }
    // Every configured network is listed, in order, traffic or not.
    let listed: Vec<&str> = snap["networks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, NETWORKS.map(|n| n.0));
    let mut got_networks = view("networks", "name");
    got_networks.retain(|_, s| *s != Sums::default());
    assert_eq!(got_networks, networks);
    assert_eq!(snap["networks"][0]["local"], true);
    assert_eq!(snap["networks"][1]["local"], false);

    let got_vlans: BTreeMap<u64, (u64, u64, u64)> = snap["vlans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                u(v, "vlan"),
                (u(v, "bytes"), u(v, "packets"), u(v, "flows")),
            )
        })
        .collect();
    assert_eq!(got_vlans, vlans);
    assert_eq!(got_vlans.keys().copied().collect::<Vec<_>>(), [0, 7]);
    // The same packets on both, each frame 4 bytes longer with its tag.
    let (plain, tagged) = (got_vlans[&0], got_vlans[&7]);
    assert_eq!(plain.1, tagged.1);
    assert_eq!(tagged.0, plain.0 + 4 * plain.1);

    let m = &snap["matrix"];
    let labels: Vec<String> = m["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert_eq!(labels.last().map(String::as_str), Some("remote"));
    for (i, from) in labels.iter().enumerate() {
        for (j, to) in labels.iter().enumerate() {
            let want = matrix
                .get(&(from.clone(), to.clone()))
                .copied()
                .unwrap_or(0);
            assert_eq!(m["bytes"][i][j].as_u64(), Some(want), "{from} → {to}");
        }
    }
    assert!(matrix.values().filter(|&&b| b > 0).count() >= 3);
    let got_convs: BTreeMap<(IpAddr, IpAddr), (u64, u64, u64, u64)> = m["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let ip = |k: &str| c[k].as_str().unwrap().parse().unwrap();
            (
                (ip("a"), ip("b")),
                (
                    u(c, "bytes_a_to_b"),
                    u(c, "bytes_b_to_a"),
                    u(c, "packets"),
                    u(c, "flows"),
                ),
            )
        })
        .collect();
    assert_eq!(got_convs, convs);
    let _ = std::fs::remove_dir_all(&dir);
}
