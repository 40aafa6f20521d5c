//! The store end to end on a temporary directory: every record comes back as the JSON line it was written as,
//! queries agree with a brute-force answer over the same records, hour files agree with the minutes they merge,
//! a reopened store serves what the previous one wrote, and retention drops only the oldest data.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use xntop_history::{flows, series, top, Config, Dim, FlowQuery, SortKey, Writer};
use xntop_model::{FlowRecord, L7Meta};

const T0: u64 = 1_700_000_000_000_000_000;
const SEC: u64 = 1_000_000_000;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xntop-history-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A flow ending `i` seconds after T0 (plus a varying duration), between a few dozen hosts.
fn record(i: u64) -> FlowRecord {
    let client = IpAddr::from([10, 0, (i % 3) as u8, (i % 40) as u8]);
    let server = IpAddr::from([192, 0, 2, (i % 7) as u8]);
    let last = T0 + i * SEC;
    FlowRecord {
        proto: if i.is_multiple_of(5) { 17 } else { 6 },
        src_ip: client,
        src_port: 30_000 + (i % 20_000) as u16,
        dst_ip: server,
        dst_port: if i.is_multiple_of(5) { 53 } else { 443 },
        vlan: (i % 3) as u16,
        iface: (i % 2) as u8,
        tunnel: None,
        app: if i.is_multiple_of(5) {
            "DNS".into()
        } else {
            "TLS.YouTube".into()
        },
        master: if i.is_multiple_of(5) { "DNS" } else { "TLS" },
        category: if i.is_multiple_of(5) {
            "Network"
        } else {
            "Media"
        },
        confidence: "DPI",
        app_ids: [0, 0],
        packets_c2s: 1 + i % 9,
        packets_s2c: i % 11,
        bytes_c2s: 60 * (1 + i % 9),
        bytes_s2c: 1400 * (i % 11),
        first_seen_ns: last - (i % 30) * SEC,
        last_seen_ns: last,
        tcp_flags_c2s: 0x1b,
        tcp_flags_s2c: 0x1b,
        tcp_state: (!i.is_multiple_of(5)).then_some("closed"),
        end_reason: "idle",
        rtt_us: None,
        retransmissions: 0,
        out_of_order: 0,
        l7: (i % 4 == 1).then(|| {
            Box::new(L7Meta {
                server_name: Some(format!("s{}.example", i % 7).into()),
                ..L7Meta::default()
            })
        }),
        geo: [None, None],
    }
}

fn config(dir: &std::path::Path) -> Config {
    Config {
        flush_rows: 1000,
        flush_interval: Duration::from_secs(3600),
        ..Config::new(dir.to_path_buf())
    }
}

#[test]
fn records_queries_hours_and_restart() {
    let dir = tmp("main");
    let n = 3 * 3600; // three hours, one flow a second
    let records: Vec<FlowRecord> = (0..n).map(record).collect();
    {
        let mut w = Writer::open(config(&dir)).expect("open");
        for r in &records {
            w.add(r);
        }
        w.flush();
        let h = w.history();
        // Hours 0 and 1 are sealed (the newest flow is > 15 min past their end); the third is not.
        let (_, hours, _) = h.snapshot();
        assert_eq!(hours.len(), 2, "{hours:?}");
    }
    // A second store on the same directory is refused while one is open; after the first closed it opens.
    let w = Writer::open(config(&dir)).expect("reopen");
    let h = w.history();
    assert!(
        Writer::open(config(&dir)).is_err(),
        "the directory is locked"
    );

    // Every record back, as its JSON line.
    let all = FlowQuery {
        from_ns: 0,
        to_ns: u64::MAX,
        limit: n as usize,
        sort: SortKey::LastSeen,
        ascending: true,
        ..FlowQuery::default()
    };
    let page = flows(&h, &all);
    assert_eq!(page.total, n);
    let expected: Vec<String> = records
        .iter()
        .map(|r| {
            let mut l = Vec::new();
            r.write_json_line(&mut l);
            String::from_utf8_lossy(&l).trim_end().to_string()
        })
        .collect();
    assert_eq!(page.flows, expected);

    // A filtered, sorted page equals the brute-force answer.
    let host: IpAddr = IpAddr::from([10, 0, 1, 7]);
    let (from, to) = (T0 + 1000 * SEC, T0 + 5000 * SEC);
    let q = FlowQuery {
        from_ns: from,
        to_ns: to,
        host: Some(host),
        port: Some(443),
        limit: 5,
        offset: 2,
        sort: SortKey::Bytes,
        ..FlowQuery::default()
    };
    let mut want: Vec<&FlowRecord> = records
        .iter()
        .filter(|r| r.first_seen_ns < to && r.last_seen_ns >= from)
        .filter(|r| r.src_ip == host || r.dst_ip == host)
        .filter(|r| r.src_port == 443 || r.dst_port == 443)
        .collect();
    let total = want.len() as u64;
    want.sort_by_key(|r| std::cmp::Reverse(r.bytes_c2s + r.bytes_s2c));
    let page = flows(&h, &q);
    assert_eq!(page.total, total);
    let got_bytes: Vec<u64> = page
        .flows
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["bytes_c2s"].as_u64().unwrap_or(0) + v["bytes_s2c"].as_u64().unwrap_or(0)
        })
        .collect();
    let want_bytes: Vec<u64> = want[2..7]
        .iter()
        .map(|r| r.bytes_c2s + r.bytes_s2c)
        .collect();
    assert_eq!(got_bytes, want_bytes);

    // Text, application and server-name filters.
    let q = FlowQuery {
        from_ns: 0,
        to_ns: u64::MAX,
        text: Some("S3.EXAMPLE".into()),
        application: Some("youtube".into()),
        limit: 1,
        ..FlowQuery::default()
    };
    let want = records
        .iter()
        .filter(|r| r.app == "TLS.YouTube")
        .filter(|r| r.l7.as_ref().and_then(|m| m.server_name.as_deref()) == Some("s3.example"))
        .count() as u64;
    assert!(want > 0);
    assert_eq!(flows(&h, &q).total, want);

    // Top hosts over the whole range (whole hours from hour files, the rest from minutes) = brute force.
    let mut by_host: std::collections::HashMap<IpAddr, u64> = std::collections::HashMap::new();
    for r in &records {
        let b = r.bytes_c2s + r.bytes_s2c;
        *by_host.entry(r.src_ip).or_default() += b;
        *by_host.entry(r.dst_ip).or_default() += b;
    }
    let mut want: Vec<(IpAddr, u64)> = by_host.into_iter().collect();
    want.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| xntop_history::host_key(a.0).cmp(&xntop_history::host_key(b.0)))
    });
    let (got, totals) = top(&h, T0 - 3600 * SEC, T0 + 4 * 3600 * SEC, Dim::Host, 0, 10);
    let got: Vec<(String, u64)> = got
        .iter()
        .map(|e| (xntop_history::key_label(Dim::Host, &e.key), e.metrics[0]))
        .collect();
    let want10: Vec<(String, u64)> = want
        .iter()
        .take(10)
        .map(|(ip, b)| (ip.to_string(), *b))
        .collect();
    assert_eq!(got, want10);
    let all_bytes: u64 = records.iter().map(|r| r.bytes_c2s + r.bytes_s2c).sum();
    assert_eq!(
        totals,
        [
            all_bytes,
            records.iter().map(|r| r.packets_c2s + r.packets_s2c).sum(),
            n
        ]
    );

    // Series: per-minute bytes add up to the range's, hour steps (from hour files) to the same.
    let minute = series(&h, T0, T0 + 3 * 3600 * SEC, 60, Dim::Iface, None);
    let hourly = series(
        &h,
        T0 - T0 % (3600 * SEC),
        T0 + 4 * 3600 * SEC,
        3600,
        Dim::Iface,
        None,
    );
    let sum = |v: &[xntop_history::SeriesPoint]| v.iter().map(|p| p.metrics[0]).sum::<u64>();
    assert_eq!(sum(&minute), all_bytes);
    assert_eq!(sum(&hourly), all_bytes);
    // One app's series.
    let dns: u64 = records
        .iter()
        .filter(|r| r.app == "DNS")
        .map(|r| r.bytes_c2s + r.bytes_s2c)
        .sum();
    assert_eq!(
        sum(&series(
            &h,
            T0,
            T0 + 3 * 3600 * SEC,
            300,
            Dim::App,
            Some(b"DNS")
        )),
        dns
    );
    drop(w);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn retention_by_size_keeps_the_newest_within_the_cap() {
    let dir = tmp("size");
    let cap = 2_000_000;
    let mut w = Writer::open(Config {
        max_bytes: cap,
        retention_s: 0,
        ..config(&dir)
    })
    .expect("open");
    let h = w.history();
    let mut max_seen = 0;
    for i in 0..40_000 {
        w.add(&record(i));
        if i % 1000 == 999 {
            max_seen = max_seen.max(h.bytes());
        }
    }
    w.flush();
    assert!(max_seen <= cap, "{max_seen} > {cap}");
    assert!(
        h.bytes() > cap * 9 / 10,
        "the cap is used, not wasted: {}",
        h.bytes()
    );
    // What is left is the newest flows, with no gap: the oldest were dropped first.
    let page = flows(
        &h,
        &FlowQuery {
            from_ns: 0,
            to_ns: u64::MAX,
            limit: 1,
            sort: SortKey::LastSeen,
            ascending: true,
            ..FlowQuery::default()
        },
    );
    let kept = page.total;
    assert!(kept > 1000 && kept < 40_000);
    let oldest: serde_json::Value = serde_json::from_str(&page.flows[0]).expect("json");
    let oldest_s = oldest["last_seen"].as_f64().unwrap_or(0.0);
    #[allow(clippy::cast_precision_loss, reason = "test arithmetic")]
    let expect_s = (T0 + (40_000 - kept) * SEC) as f64 / 1e9;
    assert!(
        (oldest_s - expect_s).abs() < 1.0,
        "{oldest_s} vs {expect_s}"
    );
    drop(w);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn retention_by_age_uses_packet_time() {
    let dir = tmp("age");
    let mut w = Writer::open(Config {
        retention_s: 3600,
        ..config(&dir)
    })
    .expect("open");
    let h = w.history();
    for i in 0..4 * 3600 {
        w.add(&record(i));
    }
    w.flush();
    let (segments, hours, newest) = h.snapshot();
    let cutoff = newest - 3600 * SEC;
    assert!(segments.iter().all(|s| s.meta.max_last >= cutoff));
    assert!(hours
        .keys()
        .all(|m| (u64::from(*m) + 60) * 60 * SEC >= cutoff));
    // The last hour is all there.
    let q = FlowQuery {
        from_ns: cutoff + 120 * SEC,
        to_ns: u64::MAX,
        ..FlowQuery::default()
    };
    let want = (0..4 * 3600)
        .map(record)
        .filter(|r| r.last_seen_ns >= cutoff + 120 * SEC)
        .count() as u64;
    assert_eq!(flows(&h, &q).total, want);
    drop(w);
    let _ = std::fs::remove_dir_all(&dir);
}
