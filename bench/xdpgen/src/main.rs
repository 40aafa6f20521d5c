//! xdpgen — the live benchmark's packet generator (this kernel has no pktgen module).
//!
//! Loads the Ethernet frames of a capture (at most one UMEM frame each) into an AF_XDP socket's UMEM once, then
//! sends them round-robin through the TX ring of (interface, queue) in copy mode at a given rate (token bucket;
//! 0 = as fast as the kernel takes them) for a time or a packet count. Prints one JSON object:
//! `{"sent", "failed", "seconds", "pps", ...}` where `sent` counts frames the kernel completed and did not report as
//! dropped by the device, and `failed` the ones it did (EBUSY from sendto: NET_XMIT_DROP).
//!
//! ```text
//! ip netns exec NS xdpgen PEER pcaps/demo.pcap --rate 100000 --seconds 5
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use xntop_capture::xdp::{Kick, XskTx, XskTxConfig};
use xntop_capture::CaptureFile;

const LINKTYPE_ETHERNET: u32 = 1;

#[derive(Parser, Debug)]
#[command(
    name = "xdpgen",
    version,
    about = "Send a capture's frames through AF_XDP at a given rate"
)]
struct Cli {
    /// Interface to send on.
    iface: String,
    /// pcap/pcapng file whose Ethernet frames are sent (frames longer than --max-len are skipped).
    capture: PathBuf,
    /// Packets per second (0 = as fast as possible).
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// Send for this many seconds (default 5 unless --count is given).
    #[arg(long, conflicts_with = "count")]
    seconds: Option<f64>,
    /// Send this many packets.
    #[arg(long)]
    count: Option<u64>,
    /// TX queue to bind to.
    #[arg(long, default_value_t = 0)]
    queue: u32,
    /// Longest frame taken from the capture.
    #[arg(long, default_value_t = 1514)]
    max_len: usize,
    /// Frames put into the TX ring per kick (the kernel sends at most 32 per kick in copy mode).
    #[arg(long, default_value_t = 32)]
    batch: u32,
}

fn load(path: &Path, max_len: usize) -> Result<(Vec<Vec<u8>>, u64)> {
    let file = CaptureFile::open(path).with_context(|| format!("open {}", path.display()))?;
    let mut frames = Vec::new();
    let mut skipped = 0u64;
    for p in file.packets() {
        let p = p.with_context(|| format!("read {}", path.display()))?;
        let whole = u64::from(p.caplen) == u64::from(p.wire_len);
        if p.linktype == LINKTYPE_ETHERNET && whole && (14..=max_len).contains(&p.data.len()) {
            frames.push(p.data.to_vec());
        } else {
            skipped += 1;
        }
    }
    if frames.is_empty() {
        bail!(
            "{}: no whole Ethernet frame of 14..={max_len} bytes",
            path.display()
        );
    }
    Ok((frames, skipped))
}

struct Totals {
    failed: u64,
    kicks: u64,
    again: u64,
}

fn kick(tx: &XskTx, t: &mut Totals) -> Result<()> {
    t.kicks += 1;
    match tx.kick()? {
        Kick::Sent => {}
        Kick::Again => t.again += 1,
        Kick::Dropped => t.failed += 1,
    }
    Ok(())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let (frames, skipped) = load(&cli.capture, cli.max_len)?;
    let frame_size = if cli.max_len <= 2048 { 2048 } else { 4096 };
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    let cfg = XskTxConfig {
        frame_size,
        ..XskTxConfig::default()
    };
    let mut tx = XskTx::open(&cli.iface, cli.queue, &cfg, &refs)?;
    let seconds = match (cli.seconds, cli.count) {
        (Some(s), _) => Some(s),
        (None, None) => Some(5.0),
        (None, Some(_)) => None,
    };
    let limit = cli.count.unwrap_or(u64::MAX);
    let batch = cli.batch.clamp(1, 1024);
    let rate = cli.rate as f64;
    // At most 10 ms of tokens (and at least one batch) pile up while the ring is full or the generator was
    // preempted: short stalls are caught up, long ones are lost (and show as a lower "pps").
    let burst = (rate / 100.0).max(f64::from(batch));
    let mut tokens = 0.0f64;
    let mut t = Totals {
        failed: 0,
        kicks: 0,
        again: 0,
    };

    let start = Instant::now();
    let deadline = seconds.map(|s| start + Duration::from_secs_f64(s.max(0.0)));
    let mut last = start;
    loop {
        let now = Instant::now();
        let (queued, _) = tx.counts();
        if queued >= limit || deadline.is_some_and(|d| now >= d) {
            break;
        }
        tx.complete();
        let mut allow = batch;
        if cli.rate > 0 {
            tokens = (tokens + now.duration_since(last).as_secs_f64() * rate).min(burst);
            last = now;
            if tokens < 1.0 {
                let wait = (1.0 - tokens) / rate;
                if wait > 100e-6 {
                    std::thread::sleep(Duration::from_secs_f64(wait - 50e-6));
                } else {
                    std::hint::spin_loop();
                }
                continue;
            }
            allow = allow.min(tokens as u32);
        }
        allow = allow.min(u32::try_from(limit - queued).unwrap_or(u32::MAX));
        let q = tx.queue(allow);
        tokens -= f64::from(q);
        if tx.in_flight() > 0 {
            kick(&tx, &mut t)?;
        }
    }
    let send_time = start.elapsed();
    // Let the kernel finish what is in the ring (at most one second).
    let drain_until = Instant::now() + Duration::from_secs(1);
    while tx.in_flight() > 0 && Instant::now() < drain_until {
        kick(&tx, &mut t)?;
        if tx.complete() == 0 {
            std::thread::sleep(Duration::from_micros(50));
        }
    }
    let (queued, completed) = tx.counts();
    let sent = completed.saturating_sub(t.failed);
    let secs = send_time.as_secs_f64();
    let stats = tx.stats()?;
    let out = serde_json::json!({
        "sent": sent,
        "failed": t.failed,
        "seconds": (secs * 1e6).round() / 1e6,
        "pps": if secs > 0.0 { (sent as f64 / secs).round() } else { 0.0 },
        "rate": cli.rate,
        "queued": queued,
        "completed": completed,
        "not_completed": queued - completed,
        "kicks": t.kicks,
        "kicks_again": t.again,
        "tx_invalid_descs": stats.tx_invalid_descs,
        "frames": frames.len(),
        "frames_skipped": skipped,
        "umem_slots": tx.slots(),
        "iface": cli.iface,
        "queue": cli.queue,
    });
    println!("{out}");
    Ok(())
}
