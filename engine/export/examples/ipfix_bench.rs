//! IPFIX export throughput: encode and send N flow records over UDP to a receiver on loopback, in one thread.
//!
//!     cargo run --release -p xntop-export --example ipfix_bench -- [RECORDS]
//!
//! Prints records/s for encode only, for the collector's decode only, and for encode + send to a collector
//! thread that receives and decodes (each side on its own core).

use std::net::{IpAddr, Ipv4Addr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use xntop_export::collector::{Collector, TimeLimits};
use xntop_export::ipfix::Encoder;
use xntop_export::IpfixUdp;
use xntop_model::FlowRecord;

/// The collector's clock: just after the records' times (2023), which it would otherwise refuse as too old.
const NOW_MS: u64 = 1_700_000_005_000;

fn record(i: u32) -> FlowRecord {
    FlowRecord {
        proto: if i.is_multiple_of(2) { 6 } else { 17 },
        src_ip: IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | (i & 0x00ff_ffff))),
        src_port: (1024 + i % 60_000) as u16,
        dst_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, (i % 250) as u8)),
        dst_port: 443,
        vlan: 0,
        iface: 0,
        tunnel: None,
        app: "Unknown".into(),
        master: "Unknown",
        category: "Unspecified",
        confidence: "unknown",
        app_ids: [0, 0],
        packets_c2s: 10,
        packets_s2c: 12,
        bytes_c2s: 1_000,
        bytes_s2c: 15_000,
        first_seen_ns: 1_700_000_000_000_000_000 + u64::from(i) * 1000,
        last_seen_ns: 1_700_000_001_000_000_000 + u64::from(i) * 1000,
        tcp_flags_c2s: 0x1b,
        tcp_flags_s2c: 0x1b,
        tcp_state: None,
        end_reason: "idle",
        rtt_us: None,
        retransmissions: 0,
        out_of_order: 0,
        l7: None,
        geo: [None, None],
    }
}

fn main() -> std::io::Result<()> {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let records: Vec<FlowRecord> = (0..n).map(record).collect();

    let mut enc = Encoder::new(1, 1400, 64);
    let mut buf = Vec::with_capacity(1500);
    let mut bytes = 0usize;
    let t = Instant::now();
    for chunk in records.chunks(256) {
        enc.encode(chunk, 0, &mut buf, |m| bytes += m.len());
    }
    let encode_s = t.elapsed().as_secs_f64();
    println!(
        "encode only: {n} records in {encode_s:.3} s = {:.2} M records/s ({bytes} bytes)",
        f64::from(n) / encode_s / 1e6
    );

    // Collector side, in process: decode the same messages.
    let mut enc = Encoder::new(1, 1400, 64);
    let mut messages = Vec::new();
    for chunk in records.chunks(256) {
        enc.encode(chunk, 0, &mut buf, |m| messages.push(m.to_vec()));
    }
    let mut collector = Collector::new(0, TimeLimits::default());
    let from = std::net::SocketAddr::from(([127, 0, 0, 1], 4739));
    let mut out = Vec::with_capacity(64);
    let t = Instant::now();
    for m in &messages {
        out.clear();
        let _ = collector.ingest(from, m, NOW_MS, &mut out);
    }
    let decode_s = t.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss, reason = "a rate")]
    let rate = collector.stats.records as f64 / decode_s / 1e6;
    println!(
        "collector decode only: {} records in {decode_s:.3} s = {rate:.2} M records/s",
        collector.stats.records
    );

    let rx = UdpSocket::bind("127.0.0.1:0")?;
    rx.set_read_timeout(Some(Duration::from_millis(200)))?;
    let port = rx.local_addr()?.port();
    let got = Arc::new(AtomicU64::new(0));
    let decoded = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (g, d, s) = (Arc::clone(&got), Arc::clone(&decoded), Arc::clone(&stop));
    // The receiver is a collector: receive and decode, on its own core.
    let receiver = std::thread::spawn(move || {
        let mut b = [0u8; 65536];
        let mut c = Collector::new(0, TimeLimits::default());
        let mut out = Vec::with_capacity(64);
        while !s.load(Ordering::Relaxed) {
            if let Ok((len, from)) = rx.recv_from(&mut b) {
                g.fetch_add(len as u64, Ordering::Relaxed);
                out.clear();
                let _ = c.ingest(from, &b[..len], NOW_MS, &mut out);
                d.fetch_add(out.len() as u64, Ordering::Relaxed);
            }
        }
    });
    let mut exp = IpfixUdp::connect(&format!("127.0.0.1:{port}"), 1)?;
    let t = Instant::now();
    for chunk in records.chunks(256) {
        exp.send(chunk);
    }
    let send_s = t.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let _ = receiver.join();
    println!(
        "encode + send: {n} records in {send_s:.3} s = {:.2} M records/s, {} messages, {} send errors; \
         the receiving collector got {} bytes and decoded {} records",
        f64::from(n) / send_s / 1e6,
        exp.stats.messages,
        exp.stats.send_errors,
        got.load(Ordering::Relaxed),
        decoded.load(Ordering::Relaxed)
    );
    Ok(())
}
