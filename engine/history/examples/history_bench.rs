//! The history store's benchmark (bench/history.sh runs it; numbers in bench/README.md):
//! ingest rate on one thread against the JSON-lines writer in the same run, top-10 hosts by bytes over 24 h,
//! a 5-minute drill-down of raw flows, and disk bytes per flow.
//!
//! `cargo run --release -p xntop-history --example history_bench -- DIR [FLOWS] [JSONL_FLOWS]`
//!
//! Flows are synthetic but shaped like a site's: 60,000 clients in a /16, 4,000 servers, 40 applications with a
//! skewed popularity, 40 % of flows with DPI metadata (server name, JA3/JA4), ending evenly over 24 hours.

use std::io::Write;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use xntop_history::{flows, top, Config, Dim, FlowQuery, SortKey, Writer};
use xntop_model::{FlowRecord, L7Meta};

const DAY_NS: u64 = 86_400_000_000_000;
const T0: u64 = 1_767_225_600_000_000_000; // 2026-01-01 00:00 UTC

const APPS: [(&str, &str, &str); 8] = [
    ("TLS.YouTube", "TLS", "Media"),
    ("TLS.Google", "TLS", "Web"),
    ("QUIC.Google", "QUIC", "Web"),
    ("DNS", "DNS", "Network"),
    ("HTTP", "HTTP", "Web"),
    ("TLS.Microsoft", "TLS", "Cloud"),
    ("SSH", "SSH", "RemoteAccess"),
    ("TLS.Netflix", "TLS", "Video"),
];

/// xorshift64*: deterministic and cheap, so generation costs little next to what is measured.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn record(i: u64, n: u64, rng: &mut Rng) -> FlowRecord {
    let r = rng.next();
    let client = 10u32 << 24 | 20 << 16 | (r % 60_000) as u32;
    // Skewed: a few servers and applications carry most flows.
    let s = (rng.next() % 4000) * (rng.next() % 4000) / 4000;
    let server = 172u32 << 24 | 16 << 16 | s as u32;
    let app = APPS[((rng.next() % 64).leading_zeros() as usize + (r as usize % 3)) % APPS.len()];
    let last = T0 + u64::try_from(u128::from(i) * u128::from(DAY_NS) / u128::from(n)).unwrap_or(0);
    let dur = rng.next() % 120_000_000_000;
    let pk_c = 1 + rng.next() % 40;
    let pk_s = rng.next() % 60;
    let meta = (r % 10 < 4).then(|| {
        Box::new(L7Meta {
            server_name: Some(format!("cdn{}.example{}.com", s % 97, s % 13).into()),
            ja3: Some("d4e5b18d6b55c71272893221c96ba240".into()),
            ja4: Some("t13d1516h2_8daaf6152771_b186095e22b6".into()),
            alpn: Some("h2".into()),
            tls_version: Some("TLSv1.3".into()),
            ..L7Meta::default()
        })
    });
    FlowRecord {
        proto: if app.1 == "DNS" || app.1 == "QUIC" {
            17
        } else {
            6
        },
        src_ip: IpAddr::from(client.to_be_bytes()),
        src_port: 1024 + (r >> 20) as u16 % 60_000,
        dst_ip: IpAddr::from(server.to_be_bytes()),
        dst_port: match app.1 {
            "DNS" => 53,
            "HTTP" => 80,
            "SSH" => 22,
            _ => 443,
        },
        vlan: 0,
        iface: (r >> 40) as u8 % 2,
        tunnel: None,
        app: app.0.into(),
        master: app.1,
        category: app.2,
        confidence: "DPI",
        app_ids: [91, 124],
        packets_c2s: pk_c,
        packets_s2c: pk_s,
        bytes_c2s: pk_c * (60 + rng.next() % 600),
        bytes_s2c: pk_s * (60 + rng.next() % 1400),
        first_seen_ns: last - dur,
        last_seen_ns: last,
        tcp_flags_c2s: 0x1b,
        tcp_flags_s2c: 0x1b,
        tcp_state: Some("closed"),
        end_reason: "idle",
        rtt_us: Some(800),
        retransmissions: 0,
        out_of_order: 0,
        l7: meta,
        geo: [None, None],
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(
        args.get(1)
            .map_or("/tmp/xntop-history-bench", String::as_str),
    );
    let n: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000_000);
    let jn: u64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");

    // The JSON-lines writer on the same records (the -F path: format + buffered write to a file).
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut chunk: Vec<FlowRecord> = Vec::with_capacity(100_000);
    let jsonl_path = dir.join("flows.jsonl");
    let mut out = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&jsonl_path).expect("jsonl"),
    );
    let mut line = Vec::with_capacity(1 << 20);
    let mut jsonl_time = Duration::ZERO;
    let mut i = 0;
    while i < jn {
        chunk.clear();
        while chunk.len() < 100_000 && i < jn {
            chunk.push(record(i, jn, &mut rng));
            i += 1;
        }
        let t = Instant::now();
        for r in &chunk {
            r.write_json_line(&mut line);
            if line.len() > 1 << 20 {
                out.write_all(&line).expect("write");
                line.clear();
            }
        }
        out.write_all(&line).expect("write");
        line.clear();
        jsonl_time += t.elapsed();
    }
    out.flush().expect("flush");
    let jsonl_bytes = std::fs::metadata(&jsonl_path).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&jsonl_path);

    // The store, same generator, `n` flows over 24 h.
    let cfg = Config {
        retention_s: 0,
        max_bytes: u64::MAX,
        ..Config::new(dir.join("history"))
    };
    let mut w = Writer::open(cfg).expect("store");
    let h = w.history();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut store_time = Duration::ZERO;
    let mut i = 0;
    while i < n {
        chunk.clear();
        while chunk.len() < 100_000 && i < n {
            chunk.push(record(i, n, &mut rng));
            i += 1;
        }
        let t = Instant::now();
        for r in &chunk {
            w.add(r);
        }
        store_time += t.elapsed();
    }
    let t = Instant::now();
    w.flush();
    store_time += t.elapsed();
    let disk = h.bytes();
    let unreadable = h
        .snapshot()
        .0
        .iter()
        .filter(|s| xntop_history::segment::Segment::open(&s.path).is_err())
        .count();
    assert_eq!(unreadable, 0, "every segment reads back");
    let (segments, hours, _) = h.snapshot();

    // Drop the page cache's advantage? No: a server answers from a warm cache; the first query is reported too.
    let day = (T0, T0 + DAY_NS);
    let mut top_times = Vec::new();
    let mut first_top = None;
    let mut top10 = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let (list, totals) = top(&h, day.0, day.1, Dim::Host, 0, 10);
        let e = t.elapsed();
        first_top.get_or_insert(e);
        top_times.push(e);
        assert_eq!(totals[2], n, "every flow counted");
        top10 = list;
    }
    let mut drill_times = Vec::new();
    let mut drill_total = 0;
    let mut first_drill = None;
    for k in 0..7u64 {
        // Five minutes somewhere in the afternoon, a different window each time.
        let from = T0 + 14 * 3_600_000_000_000 + k * 600_000_000_000;
        let q = FlowQuery {
            from_ns: from,
            to_ns: from + 300_000_000_000,
            sort: SortKey::Bytes,
            limit: 50,
            ..FlowQuery::default()
        };
        let t = Instant::now();
        let page = flows(&h, &q);
        let e = t.elapsed();
        first_drill.get_or_insert(e);
        drill_times.push(e);
        drill_total = page.total;
        assert_eq!(
            page.flows.len(),
            50,
            "{} flows in the window, {} segments read",
            page.total,
            page.segments
        );
    }
    let secs = |d: Duration| d.as_secs_f64();
    #[allow(clippy::cast_precision_loss, reason = "report")]
    let report = format!(
        "flows: {n} over 24 h ({} segments, {} hour rollups)\n\
         store ingest: {:.0} flows/s on one thread ({:.2} s)\n\
         jsonl writer: {:.0} flows/s on one thread ({jn} flows, {:.2} s, {:.0} bytes/flow)\n\
         disk: {disk} bytes = {:.1} bytes/flow\n\
         top-10 hosts by bytes over 24 h: median {:.1} ms of 7 (first {:.1} ms); #1 {} with {} bytes\n\
         5-minute drill-down, 50 largest of ~{drill_total} flows: median {:.1} ms of 7 (first {:.1} ms)\n",
        segments.len(),
        hours.len(),
        n as f64 / secs(store_time),
        secs(store_time),
        jn as f64 / secs(jsonl_time),
        secs(jsonl_time),
        jsonl_bytes as f64 / jn as f64,
        disk as f64 / n as f64,
        secs(median(top_times)) * 1e3,
        secs(first_top.unwrap_or_default()) * 1e3,
        top10.first().map_or_else(String::new, |e| xntop_history::key_label(Dim::Host, &e.key)),
        top10.first().map_or(0, |e| e.metrics[0]),
        secs(median(drill_times)) * 1e3,
        secs(first_drill.unwrap_or_default()) * 1e3,
    );
    print!("{report}");
}
