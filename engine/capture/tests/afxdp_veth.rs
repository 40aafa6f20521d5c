//! Live AF_XDP capture on a veth pair (root only): replays `pcaps/demo.pcap` from a network namespace into the
//! root-side end and checks that the sockets received exactly what was sent, with no drop in XDP_STATISTICS.
//!
//! Run: `CARGO_TARGET_DIR=/work/target-xdp cargo test -p xntop-capture --test afxdp_veth -- --nocapture`
//! Needs root, `ip` (iproute2), `tcpreplay` and `taskset`.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use xntop_capture::xdp::{XdpMode, XdpProgram, XskConfig, XskSocket, XskStats};
use xntop_capture::CaptureFile;

/// The scenarios share the CPUs and tcpreplay; run them one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn run(args: &[&str]) -> Result<String, String> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{}: {e}", args[0]))?;
    if !out.status.success() {
        return Err(format!(
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// A namespace and a veth pair (`host` in the root namespace, `peer` in `ns`), removed on drop on every path.
struct Veth {
    ns: String,
    host: String,
    peer: String,
}

impl Veth {
    fn new(tag: &str, queues: u32) -> Self {
        let id = std::process::id() % 100_000;
        let v = Self {
            ns: format!("xnt{tag}{id}"),
            host: format!("xh{tag}{id}"),
            peer: format!("xp{tag}{id}"),
        };
        let q = queues.to_string();
        let (ns, host, peer) = (v.ns.as_str(), v.host.as_str(), v.peer.as_str());
        run(&["ip", "netns", "add", ns]).unwrap();
        run(&[
            "ip",
            "link",
            "add",
            host,
            "numrxqueues",
            &q,
            "numtxqueues",
            &q,
            "type",
            "veth",
            "peer",
            "name",
            peer,
            "numrxqueues",
            &q,
            "numtxqueues",
            &q,
        ])
        .unwrap();
        run(&["ip", "link", "set", peer, "netns", ns]).unwrap();
        // No IPv6 on either end: no router/neighbour solicitations mixed with the replayed packets.
        run(&[
            "sysctl",
            "-qw",
            &format!("net.ipv6.conf.{host}.disable_ipv6=1"),
        ])
        .unwrap();
        run(&[
            "ip",
            "netns",
            "exec",
            ns,
            "sysctl",
            "-qw",
            &format!("net.ipv6.conf.{peer}.disable_ipv6=1"),
        ])
        .unwrap();
        run(&["ip", "link", "set", host, "up"]).unwrap();
        run(&["ip", "-n", ns, "link", "set", peer, "up"]).unwrap();
        // XPS: a packet sent from CPU k leaves on TX queue k of the peer, so it arrives on RX queue k of `host`.
        if queues == 2 {
            let sh = format!(
                "echo 1 > /sys/class/net/{peer}/queues/tx-0/xps_cpus && echo 2 > /sys/class/net/{peer}/queues/tx-1/xps_cpus"
            );
            run(&["ip", "netns", "exec", ns, "sh", "-c", &sh]).unwrap();
        }
        v
    }

    /// Replays `pcap` on the peer from CPU `cpu` at top speed; returns the packets tcpreplay reports as sent.
    fn replay(&self, pcap: &str, cpu: u32) -> u64 {
        let c = cpu.to_string();
        let out = run(&[
            "ip",
            "netns",
            "exec",
            &self.ns,
            "taskset",
            "-c",
            &c,
            "tcpreplay",
            "-i",
            &self.peer,
            "--topspeed",
            pcap,
        ])
        .unwrap();
        let failed = out
            .lines()
            .find(|l| l.contains("Failed packets:"))
            .and_then(|l| l.split(':').nth(1))
            .map(str::trim);
        assert_eq!(
            failed,
            Some("0"),
            "tcpreplay failed to send some packets:\n{out}"
        );
        out.lines()
            .find_map(|l| l.trim().strip_prefix("Actual: "))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("cannot read tcpreplay's count:\n{out}"))
    }
}

impl Drop for Veth {
    fn drop(&mut self) {
        // Deleting one end deletes the pair; deleting the namespace deletes what is left in it.
        let _ = run(&["ip", "link", "del", &self.host]);
        let _ = run(&["ip", "netns", "del", &self.ns]);
    }
}

/// demo.pcap without the frames larger than the veth MTU (1500 + 14): written to a temporary pcap.
/// Returns (path, packets, UDP packets).
fn sendable_pcap(dir: &std::path::Path) -> (String, u64, u64) {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../pcaps/demo.pcap");
    let file = CaptureFile::open(&src).unwrap();
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes()); // Ethernet
    let (mut n, mut udp) = (0u64, 0u64);
    for p in file.packets() {
        let p = p.unwrap();
        if p.linktype != 1 || p.caplen != p.wire_len || p.data.len() > 1514 || p.data.len() < 14 {
            continue;
        }
        out.extend_from_slice(
            &u32::try_from(p.ts_ns / 1_000_000_000)
                .unwrap()
                .to_le_bytes(),
        );
        out.extend_from_slice(
            &u32::try_from(p.ts_ns / 1000 % 1_000_000)
                .unwrap()
                .to_le_bytes(),
        );
        out.extend_from_slice(&p.caplen.to_le_bytes());
        out.extend_from_slice(&p.wire_len.to_le_bytes());
        out.extend_from_slice(p.data);
        n += 1;
        if ip_proto(p.data) == Some(17) {
            udp += 1;
        }
    }
    let path = dir.join("sendable.pcap");
    std::fs::write(&path, out).unwrap();
    (path.to_string_lossy().into_owned(), n, udp)
}

/// IP protocol after up to two VLAN tags (what the XDP filter looks at).
fn ip_proto(f: &[u8]) -> Option<u8> {
    let mut et = u16::from_be_bytes([*f.get(12)?, *f.get(13)?]);
    let mut off = 14;
    for _ in 0..2 {
        if et == 0x8100 || et == 0x88a8 {
            et = u16::from_be_bytes([*f.get(off + 2)?, *f.get(off + 3)?]);
            off += 4;
        }
    }
    match et {
        0x0800 if f.len() >= off + 20 => f.get(off + 9).copied(),
        0x86dd if f.len() >= off + 40 => f.get(off + 6).copied(),
        _ => None,
    }
}

struct Received {
    per_queue: Vec<u64>,
    stats: Vec<XskStats>,
    bytes: u64,
}

/// Opens one socket per queue on `host`, registers them, runs `send`, and collects until `expected` packets came
/// (or 10 s), then 300 ms more to catch any extra.
fn capture(
    prog: &mut XdpProgram,
    host: &str,
    queues: u32,
    expected: u64,
    send: impl FnOnce(),
) -> Received {
    let cfg = XskConfig {
        force_copy: true,
        ..XskConfig::default()
    };
    let total = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for q in 0..queues {
        let mut s = XskSocket::open(host, q, &cfg).unwrap();
        assert!(!s.zero_copy(), "veth has no zero-copy");
        prog.register(q, &s).unwrap();
        let (total, stop) = (Arc::clone(&total), Arc::clone(&stop));
        handles.push(std::thread::spawn(move || {
            let mut last_ts = 0u64;
            while !stop.load(Ordering::Relaxed) {
                s.poll(20).unwrap();
                let n = s.recv_batch(64, |frame, ts| {
                    assert!(
                        frame.len() >= 14 && frame.len() <= 1514,
                        "frame of {} bytes",
                        frame.len()
                    );
                    last_ts = ts;
                });
                total.fetch_add(n as u64, Ordering::Relaxed);
            }
            let now = xntop_capture::xdp::realtime_ns();
            assert!(
                last_ts == 0 || (last_ts <= now && now - last_ts < 60_000_000_000),
                "timestamp {last_ts} vs {now}"
            );
            let (packets, bytes) = s.received();
            (packets, bytes, s.stats().unwrap())
        }));
    }
    send();
    let deadline = Instant::now() + Duration::from_secs(10);
    while total.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let mut r = Received {
        per_queue: Vec::new(),
        stats: Vec::new(),
        bytes: 0,
    };
    for h in handles {
        let (p, b, s) = h.join().unwrap();
        r.per_queue.push(p);
        r.bytes += b;
        r.stats.push(s);
    }
    r
}

fn scenario(tag: &str, mode: XdpMode, queues: u32, drop_udp: bool) {
    if !is_root() {
        println!("skipping: needs root (netns, veth, XDP)");
        return;
    }
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let tmp = std::env::temp_dir().join(format!("xntop-afxdp-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let (pcap, n, udp) = sendable_pcap(&tmp);
    assert!(
        n > 300 && udp > 0,
        "demo.pcap: {n} sendable packets, {udp} UDP"
    );
    let veth = Veth::new(tag, queues);
    let mut prog = XdpProgram::attach(&veth.host, mode).unwrap();
    assert_eq!(prog.mode(), mode, "attach mode");
    if drop_udp {
        prog.set_drop_protocol(Some(17)).unwrap();
    }
    let sent_per_cpu: Vec<u64> = Vec::new();
    let sent = Arc::new(Mutex::new(sent_per_cpu));
    let per_send = if drop_udp { n - udp } else { n };
    let expected = per_send * u64::from(queues);
    let r = capture(&mut prog, &veth.host, queues, expected, || {
        // One replay per queue, each from the CPU whose XPS entry selects that queue.
        for cpu in 0..queues {
            let s = veth.replay(&pcap, cpu);
            sent.lock().unwrap().push(s);
        }
    });
    let c = prog.counters();
    let sent = sent.lock().unwrap().clone();
    let total: u64 = r.per_queue.iter().sum();
    println!("{tag}: mode {mode:?}, queues {queues}, sent {sent:?}, received per queue {:?} ({} bytes), XDP {c:?}, stats {:?}", r.per_queue, r.bytes, r.stats);
    assert!(
        sent.iter().all(|&s| s == n),
        "tcpreplay sent {sent:?}, expected {n} each"
    );
    assert_eq!(total, expected, "packets received by the sockets");
    for s in &r.stats {
        assert_eq!(s.rx_dropped, 0, "rx_dropped");
        assert_eq!(s.rx_ring_full, 0, "rx_ring_full");
        assert_eq!(s.rx_invalid_descs, 0, "rx_invalid_descs");
    }
    assert_eq!(c.seen, n * u64::from(queues), "XDP seen");
    assert_eq!(c.redirected, expected, "XDP redirected");
    assert_eq!(c.passed, 0, "XDP passed");
    assert_eq!(
        c.dropped,
        if drop_udp { udp * u64::from(queues) } else { 0 },
        "XDP dropped"
    );
    if mode == XdpMode::Native && queues == 2 {
        // Native veth XDP runs per RX queue: each replay lands on its own queue.
        assert_eq!(r.per_queue, vec![per_send; 2], "per-queue split");
    }
    drop(prog);
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn native_two_queues() {
    scenario("n2", XdpMode::Native, 2, false);
}

#[test]
fn native_one_queue() {
    scenario("n1", XdpMode::Native, 1, false);
}

#[test]
fn generic_two_queues() {
    // Generic XDP on veth sees every packet as received on queue 0 (veth does not record the RX queue on the skb
    // path), so only the total is checked.
    scenario("g2", XdpMode::Generic, 2, false);
}

#[test]
fn generic_one_queue() {
    scenario("g1", XdpMode::Generic, 1, false);
}

#[test]
fn native_drop_filter_udp() {
    scenario("nf", XdpMode::Native, 2, true);
}

#[test]
fn bad_interface_is_one_line_error() {
    let e = XdpProgram::attach("xntop-nonexistent0", XdpMode::Auto)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("xntop-nonexistent0: "), "{e}");
    assert!(!e.contains('\n'), "{e}");
    let e = XskSocket::open("xntop-nonexistent0", 0, &XskConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("xntop-nonexistent0: no such interface"),
        "{e}"
    );
    let e = xntop_capture::xdp::rx_queues("xntop-nonexistent0")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("xntop-nonexistent0: "), "{e}");
    let e = XskSocket::open(
        "lo",
        0,
        &XskConfig {
            frame_size: 1000,
            ..XskConfig::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("frame size"), "{e}");
}

#[test]
fn af_packet_fanout_two_sockets() {
    use xntop_capture::xdp::{PacketConfig, PacketRing};
    if !is_root() {
        println!("skipping: needs root (netns, veth, XDP)");
        return;
    }
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let tmp = std::env::temp_dir().join(format!("xntop-afpacket-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let (pcap, n, _) = sendable_pcap(&tmp);
    let veth = Veth::new("pf", 2);
    let group = u16::try_from(std::process::id() & 0xffff).unwrap();
    let cfg = PacketConfig {
        block_size: 1 << 16,
        blocks: 8,
        fanout_group: Some(group),
        ..PacketConfig::default()
    };
    let total = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let mut r = PacketRing::open(&veth.host, &cfg).unwrap();
            let (total, stop) = (Arc::clone(&total), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut mine = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    r.poll(20).unwrap();
                    let k = r.recv_batch(64, |frame, ts| {
                        assert!(
                            (14..=1514).contains(&frame.len()),
                            "frame of {} bytes",
                            frame.len()
                        );
                        assert!(ts > 1_000_000_000_000_000_000, "timestamp {ts}");
                    });
                    mine += k as u64;
                    total.fetch_add(k as u64, Ordering::Relaxed);
                }
                (mine, r.stats().unwrap())
            })
        })
        .collect();
    let sent: Vec<u64> = (0..2).map(|cpu| veth.replay(&pcap, cpu)).collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while total.load(Ordering::Relaxed) < 2 * n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!("af_packet: sent {sent:?}, per socket {results:?}");
    assert_eq!(
        results.iter().map(|r| r.0).sum::<u64>(),
        2 * n,
        "packets received"
    );
    assert!(results.iter().all(|r| r.1.drops == 0), "drops");
    assert!(results.iter().all(|r| r.0 > 0), "fan-out used both sockets");
    let _ = std::fs::remove_dir_all(&tmp);
}
