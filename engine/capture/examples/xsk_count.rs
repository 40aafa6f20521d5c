//! `xsk_count <iface> [--queues N] [--generic] [--copy] [--seconds S] [--frames N]`: attaches the XDP program,
//! opens one AF_XDP socket per queue (one thread each), counts packets and bytes, and prints the per-stage counters
//! (XDP program, per-socket XDP_STATISTICS) as one JSON object at the end.

#[cfg(target_os = "linux")]
fn main() {
    if let Err(e) = linux::run() {
        eprintln!("xsk_count: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("xsk_count: AF_XDP needs Linux");
    std::process::exit(1);
}

#[cfg(target_os = "linux")]
mod linux {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use xntop_capture::xdp::{rx_queues, XdpMode, XdpProgram, XskConfig, XskSocket, XskStats};

    struct Args {
        iface: String,
        queues: Option<u32>,
        mode: XdpMode,
        cfg: XskConfig,
        seconds: f64,
    }

    fn parse() -> Result<Args, String> {
        let mut it = std::env::args().skip(1);
        let mut a = Args {
            iface: String::new(),
            queues: None,
            mode: XdpMode::Auto,
            cfg: XskConfig::default(),
            seconds: 10.0,
        };
        let num = |v: Option<String>, what: &str| -> Result<String, String> {
            v.ok_or(format!("{what} needs a value"))
        };
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--queues" => {
                    a.queues = Some(num(it.next(), "--queues")?.parse().map_err(|e| format!("--queues: {e}"))?);
                }
                "--seconds" => a.seconds = num(it.next(), "--seconds")?.parse().map_err(|e| format!("--seconds: {e}"))?,
                "--frames" => a.cfg.frames = num(it.next(), "--frames")?.parse().map_err(|e| format!("--frames: {e}"))?,
                "--generic" => a.mode = XdpMode::Generic,
                "--native" => a.mode = XdpMode::Native,
                "--copy" => a.cfg.force_copy = true,
                "-h" | "--help" => {
                    return Err(
                        "usage: xsk_count <iface> [--queues N] [--generic|--native] [--copy] [--seconds S] [--frames N]"
                            .into(),
                    )
                }
                s if s.starts_with('-') => return Err(format!("unknown option {s}")),
                s => a.iface = s.to_owned(),
            }
        }
        if a.iface.is_empty() {
            return Err(
                "usage: xsk_count <iface> [--queues N] [--generic|--native] [--copy] [--seconds S]"
                    .into(),
            );
        }
        if !(a.seconds.is_finite() && a.seconds >= 0.0) {
            return Err("--seconds must be a non-negative number".into());
        }
        Ok(a)
    }

    struct QueueResult {
        queue: u32,
        packets: u64,
        bytes: u64,
        zero_copy: bool,
        stats: XskStats,
        error: Option<String>,
    }

    pub(crate) fn run() -> Result<(), String> {
        let a = parse()?;
        let queues = match a.queues {
            Some(q) => q,
            None => {
                u32::try_from(rx_queues(&a.iface).map_err(|e| e.to_string())?.max(1)).unwrap_or(1)
            }
        };
        let mut prog = XdpProgram::attach(&a.iface, a.mode).map_err(|e| e.to_string())?;
        let mut socks = Vec::new();
        for q in 0..queues {
            let s = XskSocket::open(&a.iface, q, &a.cfg).map_err(|e| e.to_string())?;
            prog.register(q, &s).map_err(|e| e.to_string())?;
            socks.push(s);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = socks
            .into_iter()
            .map(|mut s| {
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    let mut error = None;
                    let drain = |s: &mut XskSocket| while s.recv_batch(64, |_, _| {}) > 0 {};
                    while !stop.load(Ordering::Relaxed) {
                        if let Err(e) = s.poll(100) {
                            error = Some(e.to_string());
                            break;
                        }
                        drain(&mut s);
                    }
                    drain(&mut s);
                    let (packets, bytes) = s.received();
                    QueueResult {
                        queue: s.queue(),
                        packets,
                        bytes,
                        zero_copy: s.zero_copy(),
                        stats: s.stats().unwrap_or_default(),
                        error,
                    }
                })
            })
            .collect();
        let start = Instant::now();
        std::thread::sleep(Duration::from_secs_f64(a.seconds));
        stop.store(true, Ordering::Relaxed);
        let results: Vec<QueueResult> = handles.into_iter().filter_map(|h| h.join().ok()).collect();
        let elapsed = start.elapsed().as_secs_f64();
        let c = prog.counters();
        let (mut packets, mut bytes) = (0u64, 0u64);
        let mut per_queue = Vec::new();
        for r in &results {
            packets += r.packets;
            bytes += r.bytes;
            per_queue.push(format!(
                "{{\"queue\":{},\"packets\":{},\"bytes\":{},\"zero_copy\":{},\"rx_dropped\":{},\"rx_invalid_descs\":{},\"rx_ring_full\":{},\"rx_fill_ring_empty_descs\":{}{}}}",
                r.queue,
                r.packets,
                r.bytes,
                r.zero_copy,
                r.stats.rx_dropped,
                r.stats.rx_invalid_descs,
                r.stats.rx_ring_full,
                r.stats.rx_fill_ring_empty_descs,
                r.error.as_ref().map(|e| format!(",\"error\":{e:?}")).unwrap_or_default()
            ));
        }
        println!(
            "{{\"interface\":{:?},\"xdp_mode\":\"{}\",\"seconds\":{elapsed:.3},\"packets\":{packets},\"bytes\":{bytes},\"xdp\":{{\"seen\":{},\"redirected\":{},\"passed\":{},\"dropped\":{}}},\"queues\":[{}]}}",
            a.iface,
            if prog.mode() == XdpMode::Native { "native" } else { "generic" },
            c.seen,
            c.redirected,
            c.passed,
            c.dropped,
            per_queue.join(",")
        );
        Ok(())
    }
}
