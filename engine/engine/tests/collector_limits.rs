//! The collector's limits against hostile senders (issue 13), each against the real binary as the collector:
//! thousands of stalled TCP connections, a new observation domain per datagram, a far-future record, senders
//! outside the allow-list. Memory is read from `/proc/<pid>/status` (VmRSS); what is refused must be counted.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{tmpdir, xntop};

/// A running collector; killed if the test fails before stopping it.
struct Running(Option<Child>);

impl Running {
    fn id(&self) -> u32 {
        self.0.as_ref().map_or(0, Child::id)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts a collector on 127.0.0.1:`port` (`scheme` "ipfix" or "ipfix+tcp") writing its records and last view
/// to `dir`, and waits until it is bound.
#[allow(
    clippy::zombie_processes,
    reason = "the returned guard stops and waits for the child"
)]
fn collector(dir: &Path, scheme: &str, port: u16, extra: &[&str]) -> Running {
    let mut child = xntop()
        .arg("-i")
        .arg(format!("{scheme}://127.0.0.1:{port}"))
        .arg("-F")
        .arg(format!("jsonl:{}", dir.join("flows.jsonl").display()))
        .arg("--dump-snapshot")
        .arg(dir.join("view.json"))
        .args(["-w", "0", "-g", "0"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let bound = if scheme == "ipfix" {
            UdpSocket::bind(("127.0.0.1", port)).is_err()
        } else {
            std::net::TcpListener::bind(("127.0.0.1", port)).is_err()
        };
        if bound {
            return Running(Some(child));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the collector did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Stops the collector with SIGTERM and returns its summary (stderr).
fn stop(mut running: Running) -> String {
    let child = running.0.take().unwrap();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{log}");
    log
}

fn free_port(tcp: bool) -> u16 {
    if tcp {
        common::free_tcp_port()
    } else {
        UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }
}

/// Resident memory of `pid`, kB.
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// Descriptors `pid` holds open.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

/// Lets this test (and the collector it starts, which inherits it) hold `n` descriptors.
fn raise_nofile(n: u64) {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    let hard = hard.max(n);
    setrlimit(Resource::RLIMIT_NOFILE, n, hard)
        .unwrap_or_else(|e| panic!("cannot raise RLIMIT_NOFILE to {n}: {e}"));
}

/// A TCP connection to `port` from the loopback address `ip` (all of 127/8 is loopback).
fn connect_from(ip: [u8; 4], port: u16) -> TcpStream {
    let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    s.bind(&SocketAddr::from((ip, 0)).into()).unwrap();
    s.connect(&SocketAddr::from(([127, 0, 0, 1], port)).into())
        .unwrap();
    s.into()
}

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// One flow: source, destination, flowStartMilliseconds, flowEndMilliseconds.
type Flow = ([u8; 4], [u8; 4], u64, u64);

/// An IPFIX message carrying its template (256) and one data record per flow: UDP 40000 → 53, 2 packets,
/// 200 bytes.
fn ipfix_flows(domain: u32, seq: u32, flows: &[Flow]) -> Vec<u8> {
    let fields: [(u16, u16); 9] = [
        (8, 4),
        (12, 4),
        (7, 2),
        (11, 2),
        (4, 1),
        (1, 8),
        (2, 8),
        (152, 8),
        (153, 8),
    ];
    let mut m = vec![0, 10, 0, 0];
    m.extend_from_slice(&u32::try_from(now_ms() / 1000).unwrap().to_be_bytes());
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(&domain.to_be_bytes());
    let mut t = vec![0, 2, 0, 0, 1, 0, 0, 9];
    for (e, l) in fields {
        t.extend_from_slice(&e.to_be_bytes());
        t.extend_from_slice(&l.to_be_bytes());
    }
    let tlen = u16::try_from(t.len()).unwrap();
    t[2..4].copy_from_slice(&tlen.to_be_bytes());
    m.extend_from_slice(&t);
    let mut d = vec![1, 0, 0, 0];
    for &(src, dst, start, end) in flows {
        d.extend_from_slice(&src);
        d.extend_from_slice(&dst);
        d.extend_from_slice(&40000u16.to_be_bytes());
        d.extend_from_slice(&53u16.to_be_bytes());
        d.push(17);
        d.extend_from_slice(&200u64.to_be_bytes());
        d.extend_from_slice(&2u64.to_be_bytes());
        d.extend_from_slice(&start.to_be_bytes());
        d.extend_from_slice(&end.to_be_bytes());
    }
    let dlen = u16::try_from(d.len()).unwrap();
    d[2..4].copy_from_slice(&dlen.to_be_bytes());
    m.extend_from_slice(&d);
    let len = u16::try_from(m.len()).unwrap();
    m[2..4].copy_from_slice(&len.to_be_bytes());
    m
}

/// Source addresses of the records written to `-F`.
fn record_sources(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("flows.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["src_ip"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The view's hosts and the collector interface's counters, from `--dump-snapshot`.
fn view(dir: &Path) -> (Vec<String>, serde_json::Value) {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("view.json")).unwrap()).unwrap();
    let mut hosts: Vec<String> = v["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["ip"].as_str().unwrap().to_string())
        .collect();
    hosts.sort();
    (hosts, v["interfaces"][0]["collector"].clone())
}

/// The count of a collector counter in the view (0 when absent: only non-zero ones are listed).
fn counter(list: &serde_json::Value, name: &str) -> u64 {
    list.as_array()
        .into_iter()
        .flatten()
        .find(|e| e[0] == name)
        .and_then(|e| e[1].as_u64())
        .unwrap_or(0)
}

/// Whether the collector closed `s` (refused it) within a short wait, rather than keeping it open.
fn closed_by_collector(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let mut b = [0u8; 1];
    match s.read(&mut b) {
        Ok(0) => true,
        Ok(_) => panic!("the collector never sends anything"),
        // Still open when the wait ran out; anything else is a reset.
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

/// 3,000 connections that never finish a message (a third send nothing, a third a header declaring 65,535
/// bytes, a third 1,000 bytes of a message) cost the collector little memory while held, a legitimate exporter
/// is served meanwhile, and the timeout closes them all, counted, with memory back where it was.
#[test]
fn thousands_of_stalled_tcp_connections_keep_memory_bounded() {
    const STALLED: usize = 3000;
    /// The bound this test states: RSS while they are held.
    const BOUND_KB: u64 = 100 * 1024;
    raise_nofile(16_384);
    let dir = tmpdir("stalled-tcp");
    let port = free_port(true);
    let c = collector(
        &dir,
        "ipfix+tcp",
        port,
        &[
            "--collector-max-conns",
            "4000",
            "--collector-max-conns-per-source",
            "4000",
            "--collector-tcp-timeout",
            "30",
        ],
    );
    let pid = c.id();
    std::thread::sleep(Duration::from_millis(500));
    let before = rss_kb(pid);
    let lying_header = [0u8, 10, 0xff, 0xff];
    let mut partial = vec![0u8; 1000];
    partial[..4].copy_from_slice(&lying_header);
    let mut stalled = Vec::with_capacity(STALLED);
    for i in 0..STALLED {
        let mut s = connect_from([127, 0, 0, 1], port);
        match i % 3 {
            0 => {}
            1 => s.write_all(&lying_header).unwrap(),
            _ => s.write_all(&partial).unwrap(),
        }
        stalled.push(s);
    }
    // (Connecting them takes seconds on a busy machine: the timeout is longer.)
    let deadline = Instant::now() + Duration::from_secs(30);
    while open_fds(pid) < STALLED {
        assert!(
            Instant::now() < deadline,
            "the collector never accepted them all"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // A legitimate exporter meanwhile, from another address.
    let t = now_ms();
    let mut legit = connect_from([127, 0, 0, 2], port);
    legit
        .write_all(&ipfix_flows(
            1,
            0,
            &[([10, 9, 0, 1], [10, 9, 0, 2], t - 1000, t)],
        ))
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let held = rss_kb(pid);
    // The timeout closes them (they completed no message); the collector's descriptors go back down.
    let deadline = Instant::now() + Duration::from_secs(60);
    while open_fds(pid) > 100 {
        assert!(Instant::now() < deadline, "the timeout never closed them");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kb(pid);
    // Our ends see the close.
    assert!(closed_by_collector(&mut stalled[0]));
    drop(stalled);
    // The legitimate exporter reconnects after its own timeout and is served again.
    let t = now_ms();
    let mut again = connect_from([127, 0, 0, 2], port);
    again
        .write_all(&ipfix_flows(
            1,
            1,
            &[([10, 9, 0, 3], [10, 9, 0, 2], t - 1000, t)],
        ))
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let log = stop(c);
    eprintln!(
        "VmRSS: {before} kB before, {held} kB with {STALLED} stalled connections, {after} kB after they closed"
    );
    assert!(
        held < BOUND_KB,
        "{held} kB with {STALLED} stalled connections"
    );
    assert!(
        after <= before + 8 * 1024,
        "{after} kB after they closed vs {before} kB before"
    );
    assert!(
        log.contains(&format!("{} connections accepted", STALLED + 2)),
        "{log}"
    );
    let timed_out: u64 = log
        .split(" timed out")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(timed_out >= STALLED as u64, "{log}");
    let mut sources = record_sources(&dir);
    sources.sort();
    assert_eq!(sources, ["10.9.0.1", "10.9.0.3"], "{log}");
    let (_, counters) = view(&dir);
    assert_eq!(counter(&counters, "tcp_timed_out"), timed_out);
    drop((legit, again));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The caps: 3,000 connections from one address get 16 (the per-source cap) and the rest are refused; another
/// address is still served, up to the total cap; everything refused is counted in the summary and the view.
#[test]
fn connection_caps_refuse_and_count_but_serve_other_exporters() {
    raise_nofile(16_384);
    let dir = tmpdir("tcp-caps");
    let port = free_port(true);
    let c = collector(&dir, "ipfix+tcp", port, &["--collector-max-conns", "100"]);
    let crowd: Vec<TcpStream> = (0..3000)
        .map(|_| connect_from([127, 0, 0, 1], port))
        .collect();
    let t = now_ms();
    let mut legit = connect_from([127, 0, 0, 2], port);
    legit
        .write_all(&ipfix_flows(
            7,
            0,
            &[([10, 8, 0, 1], [10, 8, 0, 2], t - 500, t)],
        ))
        .unwrap();
    assert!(!closed_by_collector(&mut legit), "the exporter was refused");
    // 100 more sources fill the total cap: 16 + 1 + 83 = 100 open, 17 refused, and then one more.
    let fill: Vec<TcpStream> = (1..=100)
        .map(|i| connect_from([127, 0, 1, i], port))
        .collect();
    let mut late = connect_from([127, 0, 0, 3], port);
    assert!(
        closed_by_collector(&mut late),
        "the total cap let a connection in"
    );
    let log = stop(c);
    assert!(
        log.contains("refused 2984 (per-source cap) + 18 (total cap)"),
        "{log}"
    );
    assert_eq!(record_sources(&dir), ["10.8.0.1"], "{log}");
    let (_, counters) = view(&dir);
    assert_eq!(counter(&counters, "tcp_refused_per_source"), 2984);
    assert_eq!(counter(&counters, "tcp_refused_total"), 18);
    drop((crowd, fill));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The kernel's count of datagrams dropped on the UDP socket bound to 127.0.0.1:`port` (`/proc/net/udp`), and
/// the bytes waiting in its receive queue.
fn udp_socket_state(port: u16) -> (u64, u64) {
    let local = format!("0100007F:{port:04X}");
    let table = std::fs::read_to_string("/proc/net/udp").unwrap();
    table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.get(1) == Some(&local.as_str()))
        .map_or((0, 0), |f| {
            let rx_queue = f[4]
                .split(':')
                .nth(1)
                .and_then(|q| u64::from_str_radix(q, 16).ok())
                .unwrap_or(0);
            (f.last().and_then(|d| d.parse().ok()).unwrap_or(0), rx_queue)
        })
}

/// The probe's second attack: a new observation domain in every datagram (3.67 M took RSS from 23 MB to 680 MB).
/// 4 M of them now leave the state tables at their caps, with every eviction counted.
#[test]
fn four_million_new_observation_domains_keep_memory_bounded() {
    const DATAGRAMS: u32 = 4_000_000;
    /// The bound this test states.
    const BOUND_KB: u64 = 64 * 1024;
    let dir = tmpdir("domains");
    let port = free_port(false);
    let c = collector(&dir, "ipfix", port, &[]);
    let pid = c.id();
    let before = rss_kb(pid);
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    tx.connect(("127.0.0.1", port)).unwrap();
    let mut m = [0u8; 16];
    m[..4].copy_from_slice(&[0, 10, 0, 16]);
    let mut peak = before;
    for i in 0..DATAGRAMS {
        m[12..16].copy_from_slice(&i.to_be_bytes());
        let _ = tx.send(&m);
        if i % 128 == 0 {
            // Keep the receive queue from overflowing (every loss is counted below anyway).
            while udp_socket_state(port).1 > 100 * 1024 {
                std::thread::sleep(Duration::from_micros(200));
            }
            if i % (1 << 18) == 0 {
                peak = peak.max(rss_kb(pid));
            }
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    peak = peak.max(rss_kb(pid));
    let (kernel_drops, _) = udp_socket_state(port);
    let log = stop(c);

    let number_before = |what: &str| -> u64 {
        log.split(what)
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no '{what}' in {log}"))
    };
    let messages = number_before(" messages,");
    let evicted = number_before(" exporter state entries evicted");
    eprintln!(
        "VmRSS: {before} kB at start, at most {peak} kB over {DATAGRAMS} datagrams ({messages} decoded, \
         {kernel_drops} dropped by the kernel, {evicted} state entries evicted)"
    );
    // Every datagram is accounted for: decoded, or dropped by the kernel on a full socket.
    assert_eq!(messages + kernel_drops, u64::from(DATAGRAMS), "{log}");
    assert!(messages >= u64::from(DATAGRAMS) / 2, "{log}");
    // One entry per domain: all but the cap's worth were evicted.
    let cap = xntop_export::collector::MAX_DOMAINS as u64;
    assert!(evicted >= messages - cap && evicted <= messages, "{log}");
    assert!(peak < BOUND_KB, "{peak} kB");
    let (_, counters) = view(&dir);
    assert_eq!(counter(&counters, "state_evicted"), evicted);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Hosts of `n` flows 10.`net`.0.i → 10.`net`.1.1 ending at `t`.
fn flows(net: u8, n: u8, t: u64) -> Vec<Flow> {
    (1..=n)
        .map(|i| ([10, net, 0, i], [10, net, 1, 1], t - 2000, t))
        .collect()
}

/// The probe's third attack: one record with flowEndMilliseconds = 2^64 − 1 wiped the host view (51 hosts → 2)
/// and froze it. Now it is refused and counted, and every host of the valid flows before and after it is in the
/// view; with a skew wide enough to let a future record in, the view's clock still stays with the wall clock.
#[test]
fn a_far_future_record_removes_and_freezes_no_host() {
    for (skew, hostile_end) in [
        ("600", u64::MAX),
        // Let it through (one year of skew): the record is kept, the view's time does not follow it.
        ("31536000", now_ms() + 200 * 86_400_000),
    ] {
        let dir = tmpdir("future");
        let port = free_port(false);
        let c = collector(&dir, "ipfix", port, &["--collector-max-skew", skew]);
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let t = now_ms();
        tx.send_to(&ipfix_flows(1, 0, &flows(1, 25, t)), ("127.0.0.1", port))
            .unwrap();
        std::thread::sleep(Duration::from_millis(700));
        let hostile = ipfix_flows(1, 25, &[([10, 66, 0, 1], [10, 66, 0, 2], t, hostile_end)]);
        tx.send_to(&hostile, ("127.0.0.1", port)).unwrap();
        std::thread::sleep(Duration::from_millis(700));
        let t = now_ms();
        tx.send_to(&ipfix_flows(1, 26, &flows(2, 25, t)), ("127.0.0.1", port))
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        let log = stop(c);
        let (hosts, counters) = view(&dir);
        let mut want: Vec<String> = (1..=2u8)
            .flat_map(|net| {
                (1..=25u8)
                    .map(move |i| format!("10.{net}.0.{i}"))
                    .chain([format!("10.{net}.1.1")])
            })
            .collect();
        let refused = hostile_end == u64::MAX;
        if !refused {
            want.extend(["10.66.0.1".to_string(), "10.66.0.2".to_string()]);
        }
        want.sort();
        assert_eq!(hosts, want, "skew {skew}: {log}");
        let future = u64::from(refused);
        assert_eq!(counter(&counters, "records_future"), future, "{log}");
        assert!(
            log.contains(&format!("{future} ahead of the clock")),
            "{log}"
        );
        assert_eq!(
            record_sources(&dir)
                .iter()
                .filter(|s| *s == "10.66.0.1")
                .count(),
            usize::from(!refused)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `--collector-allow`: datagrams and connections from outside the list are dropped and counted.
#[test]
fn allow_list_drops_and_counts_other_senders() {
    let t = now_ms();
    // UDP: 127.0.0.1 is allowed, 127.0.0.2 is not.
    let dir = tmpdir("allow-udp");
    let port = free_port(false);
    let c = collector(
        &dir,
        "ipfix",
        port,
        &["--collector-allow", "127.0.0.1/32,::1/128"],
    );
    let ok = UdpSocket::bind("127.0.0.1:0").unwrap();
    let other = UdpSocket::bind("127.0.0.2:0").unwrap();
    ok.send_to(&ipfix_flows(1, 0, &flows(3, 2, t)), ("127.0.0.1", port))
        .unwrap();
    for seq in 0..3 {
        other
            .send_to(&ipfix_flows(1, seq, &flows(4, 2, t)), ("127.0.0.1", port))
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(800));
    let log = stop(c);
    assert_eq!(record_sources(&dir), ["10.3.0.1", "10.3.0.2"], "{log}");
    assert!(log.contains("3 not allowed"), "{log}");
    assert_eq!(counter(&view(&dir).1, "not_allowed"), 3);
    let _ = std::fs::remove_dir_all(&dir);

    // TCP: the same list.
    let dir = tmpdir("allow-tcp");
    let port = free_port(true);
    let c = collector(
        &dir,
        "ipfix+tcp",
        port,
        &["--collector-allow", "127.0.0.1/32"],
    );
    let mut refused = connect_from([127, 0, 0, 2], port);
    let _ = refused.write_all(&ipfix_flows(1, 0, &flows(4, 2, t)));
    assert!(closed_by_collector(&mut refused));
    let mut ok = connect_from([127, 0, 0, 1], port);
    ok.write_all(&ipfix_flows(1, 0, &flows(3, 1, t))).unwrap();
    assert!(!closed_by_collector(&mut ok));
    let log = stop(c);
    assert_eq!(record_sources(&dir), ["10.3.0.1"], "{log}");
    assert!(log.contains("1 not allowed"), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}
