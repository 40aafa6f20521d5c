//! Hosts' names and MACs in the view agree with tshark on the project's captures: a host's name is one tshark shows
//! for that address (DNS A/AAAA answers, TLS/QUIC SNI, HTTP Host, DHCP host name), a host tshark names nothing has
//! no name, and a host's MAC is one its frames carried (eth.src of what it sent, eth.dst of what it received).

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::Path;

use common::{cores_for, project_pcaps, snapshot_of, tmpdir, tool};

type ByAddr = HashMap<IpAddr, BTreeSet<String>>;

/// All occurrences of each field (comma-aggregated by tshark) per packet matching `filter`.
fn all(pcap: &Path, filter: &str, names: &[&str]) -> Vec<Vec<Vec<String>>> {
    let mut args = vec![
        "-r",
        pcap.to_str().unwrap(),
        "-Y",
        filter,
        "-T",
        "fields",
        "-E",
        "separator=/t",
        "-E",
        "aggregator=,",
    ];
    for n in names {
        args.extend(["-e", n]);
    }
    tool("tshark", &args)
        .lines()
        .map(|l| {
            l.split('\t')
                .map(|f| {
                    f.split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The first occurrence of each field per packet (so the headers inside ICMP errors do not count), empty when
/// absent.
fn fields(pcap: &Path, filter: &str, names: &[&str]) -> Vec<Vec<String>> {
    all(pcap, filter, names)
        .into_iter()
        .map(|p| {
            p.into_iter()
                .map(|f| f.into_iter().next().unwrap_or_default())
                .collect()
        })
        .collect()
}

/// The address in either the IPv4 or the IPv6 column.
fn addr(v4: &str, v6: &str) -> Option<IpAddr> {
    [v4, v6].iter().find_map(|s| s.parse().ok())
}

/// A Host header's host part (port and IPv6 brackets removed).
fn host_part(h: &str) -> &str {
    if let Some(rest) = h.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    h.split(':').next().unwrap_or(h)
}

/// The names tshark shows per address.
fn expected_names(pcap: &Path) -> ByAddr {
    let mut names = ByAddr::new();
    let mut add = |ip: IpAddr, name: &str| {
        if !name.is_empty() && name.parse::<IpAddr>().is_err() {
            names.entry(ip).or_default().insert(name.to_string());
        }
    };
    // DNS: successful answers to A/AAAA queries name each listed address with the query name.
    let dns = "dns.flags.response == 1 && dns.flags.rcode == 0 && (dns.qry.type == 1 || dns.qry.type == 28)";
    for p in all(pcap, dns, &["dns.qry.name", "dns.a", "dns.aaaa"]) {
        let query = p[0].first().cloned().unwrap_or_default();
        for a in p[1].iter().chain(&p[2]) {
            add(a.parse().unwrap(), &query);
        }
    }
    // TLS and QUIC ClientHello SNI, HTTP Host: the server.
    for p in fields(
        pcap,
        "tls.handshake.extensions_server_name",
        &["ip.dst", "ipv6.dst", "tls.handshake.extensions_server_name"],
    ) {
        if let Some(ip) = addr(&p[0], &p[1]) {
            add(ip, &p[2]);
        }
    }
    for p in fields(pcap, "http.host", &["ip.dst", "ipv6.dst", "http.host"]) {
        if let Some(ip) = addr(&p[0], &p[1]) {
            add(ip, host_part(&p[2]));
        }
    }
    // DHCP: the client, once it has an address.
    for p in fields(
        pcap,
        "dhcp.option.hostname",
        &["ip.src", "dhcp.option.hostname"],
    ) {
        if let Ok(ip) = p[0].parse::<IpAddr>() {
            if !ip.is_unspecified() {
                add(ip, &p[1]);
            }
        }
    }
    names
}

/// The MACs tshark shows per address: eth.src of the frames it sent, eth.dst of those it received.
fn expected_macs(pcap: &Path) -> ByAddr {
    let mut macs = ByAddr::new();
    for p in fields(
        pcap,
        "eth && (ip || ipv6)",
        &[
            "ip.src", "ipv6.src", "eth.src", "ip.dst", "ipv6.dst", "eth.dst",
        ],
    ) {
        for (ip, mac) in [(addr(&p[0], &p[1]), &p[2]), (addr(&p[3], &p[4]), &p[5])] {
            macs.entry(ip.unwrap()).or_default().insert(mac.clone());
        }
    }
    macs
}

#[test]
fn host_names_and_macs_agree_with_tshark() {
    let mut named_total = 0;
    for pcap in project_pcaps() {
        let dir = tmpdir("hostnames");
        let snap = snapshot_of(&pcap, &["-w", "0", "-g", &cores_for(2)], &dir);
        let (names, macs) = (expected_names(&pcap), expected_macs(&pcap));
        let hosts = snap["hosts"].as_array().unwrap();
        assert!(!hosts.is_empty(), "{}", pcap.display());
        for h in hosts {
            let ip: IpAddr = h["ip"].as_str().unwrap().parse().unwrap();
            let at = format!("{} {ip}", pcap.display());
            match (names.get(&ip), h["name"].as_str()) {
                (Some(want), Some(got)) => {
                    assert!(want.contains(got), "{at}: name {got:?}, tshark {want:?}");
                    named_total += 1;
                }
                (None, None) => {}
                (want, got) => panic!("{at}: name {got:?}, tshark {want:?}"),
            }
            // No -m: every host shows the MAC its frames carried.
            let want = macs.get(&ip).unwrap_or_else(|| panic!("{at}: no frames"));
            let got = h["mac"].as_str().unwrap_or_else(|| panic!("{at}: no MAC"));
            assert!(want.contains(got), "{at}: MAC {got}, tshark {want:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    // dns, http, tls and quic each name the server; demo all of them.
    assert!(named_total >= 6, "{named_total}");
}

/// With `-m`, only hosts inside the local networks show a MAC.
#[test]
fn macs_only_for_local_hosts_with_local_networks() {
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("http.pcap"))
        .unwrap();
    let dir = tmpdir("hostmacs");
    let snap = snapshot_of(&pcap, &["-w", "0", "-m", "10.77.0.1/32"], &dir);
    let macs = expected_macs(&pcap);
    for h in snap["hosts"].as_array().unwrap() {
        let ip: IpAddr = h["ip"].as_str().unwrap().parse().unwrap();
        if h["local"] == true {
            let got = h["mac"].as_str().unwrap();
            assert!(macs[&ip].contains(got), "{ip}: {got}");
        } else {
            assert!(h["mac"].is_null(), "{ip}: {}", h["mac"]);
        }
    }
    assert!(snap["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["local"] == true));
    let _ = std::fs::remove_dir_all(&dir);
}
