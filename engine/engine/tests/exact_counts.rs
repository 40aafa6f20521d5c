//! Every capture in `pcaps/` and `pcaps/linktypes/`: totals equal `capinfos`, and per-flow packets and bytes per
//! direction equal tshark's, exactly, for TCP and UDP.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeMap;

use common::{linktype_pcaps, project_pcaps, run_flows, tool, tshark_columns, TUPLE_FIELDS};

/// Frames tshark dissects that xntop deliberately counts as malformed instead of accounting them to a flow:
/// 802.11 frames whose radio header says they failed their FCS check (their addresses cannot be trusted; nDPI
/// drops them too).
const NOT_FLOWS: &str = "radiotap.flags.badfcs == 1";

/// Unordered conversation key: the two (address, port) endpoints sorted, plus the protocol.
type ConvKey = (String, (String, u16), (String, u16));

/// Per-direction counts, oriented lower endpoint → higher endpoint first.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    packets_lo_hi: u64,
    bytes_lo_hi: u64,
    packets_hi_lo: u64,
    bytes_hi_lo: u64,
}

fn conv_key(proto: &str, a: (String, u16), b: (String, u16)) -> (ConvKey, bool) {
    if a <= b {
        ((proto.to_string(), a, b), true)
    } else {
        ((proto.to_string(), b, a), false)
    }
}

fn add(
    map: &mut BTreeMap<ConvKey, Counts>,
    proto: &str,
    src: (String, u16),
    dst: (String, u16),
    p: u64,
    b: u64,
) {
    let (key, forward) = conv_key(proto, src, dst);
    let c = map.entry(key).or_default();
    if forward {
        c.packets_lo_hi += p;
        c.bytes_lo_hi += b;
    } else {
        c.packets_hi_lo += p;
        c.bytes_hi_lo += b;
    }
}

/// xntop's records summed per conversation (active-timeout records are partial, so they add up).
fn xntop_convs(lines: &[String]) -> BTreeMap<ConvKey, Counts> {
    let mut map = BTreeMap::new();
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let proto = v["proto"].as_str().unwrap_or("");
        if proto != "TCP" && proto != "UDP" {
            continue;
        }
        let ep = |ip: &str, port: &str| {
            (
                v[ip].as_str().unwrap().to_string(),
                u16::try_from(v[port].as_u64().unwrap()).unwrap(),
            )
        };
        let (src, dst) = (ep("src_ip", "src_port"), ep("dst_ip", "dst_port"));
        let n = |k: &str| v[k].as_u64().unwrap();
        add(
            &mut map,
            proto,
            src.clone(),
            dst.clone(),
            n("packets_c2s"),
            n("bytes_c2s"),
        );
        add(&mut map, proto, dst, src, n("packets_s2c"), n("bytes_s2c"));
    }
    map.retain(|_, c| *c != Counts::default());
    map
}

/// tshark's per-packet dissection, summed per conversation. ICMP errors quote TCP/UDP headers; they are ICMP
/// packets, not part of the quoted flow, so they are filtered out.
fn tshark_fields(pcap: &str) -> BTreeMap<ConvKey, Counts> {
    let columns: Vec<&str> = std::iter::once("frame.len").chain(TUPLE_FIELDS).collect();
    let out = tshark_columns(
        std::path::Path::new(pcap),
        &[
            "-Y",
            &format!("(tcp or udp) and not icmp and not icmpv6 and not {NOT_FLOWS}"),
            "-E",
            "occurrence=f",
        ],
        &columns,
    );
    let mut map = BTreeMap::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 9, "unexpected tshark line {line:?}");
        let len: u64 = f[0].parse().unwrap();
        let src = if f[1].is_empty() { f[2] } else { f[1] };
        let dst = if f[3].is_empty() { f[4] } else { f[3] };
        let (proto, sp, dp) = if f[5].is_empty() {
            ("UDP", f[7], f[8])
        } else {
            ("TCP", f[5], f[6])
        };
        let port = |s: &str| s.parse::<u16>().unwrap();
        add(
            &mut map,
            proto,
            (src.to_string(), port(sp)),
            (dst.to_string(), port(dp)),
            1,
            len,
        );
    }
    map
}

/// tshark's conversation tables (`-z conv,tcp -z conv,udp`): frames exactly; bytes exactly where tshark prints
/// them in bytes (it rounds larger values to kB/MB).
fn tshark_conv(pcap: &str) -> Vec<(ConvKey, Counts, bool)> {
    let (tcp, udp) = (
        format!("conv,tcp,not {NOT_FLOWS}"),
        format!("conv,udp,not {NOT_FLOWS}"),
    );
    let out = tool("tshark", &["-r", pcap, "-n", "-q", "-z", &tcp, "-z", &udp]);
    let mut proto = "";
    let mut rows = Vec::new();
    for line in out.lines() {
        if line.starts_with("TCP Conversations") {
            proto = "TCP";
        } else if line.starts_with("UDP Conversations") {
            proto = "UDP";
        }
        let t: Vec<&str> = line.split_whitespace().collect();
        if t.len() < 9 || t[1] != "<->" {
            continue;
        }
        let ep = |s: &str| {
            let (ip, port) = s.rsplit_once(':').unwrap();
            (ip.to_string(), port.parse::<u16>().unwrap())
        };
        // A <-> B  frames(B→A) bytes unit  frames(A→B) bytes unit ...
        let (a, b) = (ep(t[0]), ep(t[2]));
        let exact = t[5] == "bytes" && t[8] == "bytes";
        let num = |s: &str| s.parse::<u64>().unwrap();
        let (ba_p, ba_b, ab_p, ab_b) = (num(t[3]), num(t[4]), num(t[6]), num(t[7]));
        let (key, forward) = conv_key(proto, a, b);
        let c = if forward {
            Counts {
                packets_lo_hi: ab_p,
                bytes_lo_hi: ab_b,
                packets_hi_lo: ba_p,
                bytes_hi_lo: ba_b,
            }
        } else {
            Counts {
                packets_lo_hi: ba_p,
                bytes_lo_hi: ba_b,
                packets_hi_lo: ab_p,
                bytes_hi_lo: ab_b,
            }
        };
        rows.push((key, c, exact));
    }
    rows
}

#[test]
fn totals_and_flows_match_capinfos_and_tshark() {
    for pcap in project_pcaps() {
        check_against_tshark(&pcap, "exact");
    }
}

/// The link layers: the same recorded packets in every framing xntop decodes, and the frames each link sends on
/// its own. Besides the flows, every frame tshark does not see IP in is one xntop gives no flow either.
#[test]
fn every_link_type_matches_capinfos_and_tshark() {
    for pcap in linktype_pcaps() {
        let stats = check_against_tshark(&pcap, "exact-link");
        let name = pcap.display().to_string();
        // One line per frame: IPv4 source, IPv6 source, radiotap's bad-FCS flag (empty when absent).
        let frames = tshark_columns(
            &pcap,
            &["-E", "occurrence=f"],
            &["ip.src", "ipv6.src", "radiotap.flags.badfcs"],
        );
        let (mut no_flow, mut bad_fcs) = (0u64, 0u64);
        for line in frames.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 3, "unexpected tshark line {line:?}");
            let bad = matches!(f[2], "1" | "True");
            bad_fcs += u64::from(bad);
            no_flow += u64::from(bad || (f[0].is_empty() && f[1].is_empty()));
        }
        let rejected: u64 = stats["rejects"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            rejected, no_flow,
            "{name}: frames without a flow vs tshark's frames without IP: {}",
            stats["rejects"]
        );
        assert_eq!(
            stats["rejects"]["ieee80211_bad_fcs"].as_u64(),
            Some(bad_fcs),
            "{name}: frames with a bad FCS"
        );
        assert!(
            stats["rejects"]["unsupported_link"].as_u64() == Some(0),
            "{name}: {}",
            stats["rejects"]
        );
    }
}

/// Runs xntop on `pcap` and compares its totals with capinfos and its TCP/UDP flows with tshark; returns the run's
/// statistics. `tag` names the run's scratch directory (tests run in parallel).
fn check_against_tshark(pcap: &std::path::Path, tag: &str) -> serde_json::Value {
    let name = pcap.display().to_string();
    // Long timeouts so a flow is one record, as tshark sees it.
    let (lines, stats) = run_flows(pcap, &["--udp-idle", "86400", "--tcp-idle", "86400"], tag);
    let (packets, bytes) = common::capinfos_totals(pcap);
    assert_eq!(
        stats["packets"].as_u64(),
        Some(packets),
        "{name}: packets vs capinfos"
    );
    assert_eq!(
        stats["bytes"].as_u64(),
        Some(bytes),
        "{name}: bytes vs capinfos"
    );

    let ours = xntop_convs(&lines);
    let theirs = tshark_fields(&name);
    assert!(!theirs.is_empty(), "{name}: tshark saw no TCP/UDP flows");
    assert_eq!(
        ours, theirs,
        "{name}: per-flow counts differ from tshark's dissection"
    );

    for (key, counts, exact) in tshark_conv(&name) {
        let mine = ours
            .get(&key)
            .unwrap_or_else(|| panic!("{name}: tshark conversation {key:?} missing"));
        assert_eq!(
            (mine.packets_lo_hi, mine.packets_hi_lo),
            (counts.packets_lo_hi, counts.packets_hi_lo),
            "{name}: {key:?} frames vs tshark conv"
        );
        if exact {
            assert_eq!(
                (mine.bytes_lo_hi, mine.bytes_hi_lo),
                (counts.bytes_lo_hi, counts.bytes_hi_lo),
                "{name}: {key:?} bytes vs tshark conv"
            );
        }
    }
    stats
}
