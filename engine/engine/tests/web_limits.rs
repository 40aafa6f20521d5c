//! The web server's resource limits against a real xntop on loopback: thousands of silent connections do not stop
//! the API (the connection caps refuse or evict, counted, and the header-read timeout closes the rest), an event
//! stream whose client never reads is dropped after a bounded backlog, stalled bodies and unread responses are
//! given up, and the error responses hyper writes itself carry the security headers.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use common::{free_tcp_port, http_get};

const TOKEN: &str = "test-token-limits-0123456789";
/// The server's caps and timeouts (web/src/conns.rs, web/src/server.rs).
const MAX_CONNECTIONS: u64 = 1024;
const MAX_PER_ADDRESS: u64 = 256;
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// xntop replaying the demo capture in a loop on `port` with [`TOKEN`], run through `wrapper` when given.
fn start(tag: &str, port: u16, wrapper: &[&str]) -> (Child, PathBuf) {
    common::serve_demo(tag, port, &["--api-token", TOKEN], wrapper)
}

/// A connection to 127.0.0.1:`port` from the loopback address `src` (all of 127/8 is local).
fn connect_from(src: Ipv4Addr, port: u16, recv_buffer: Option<usize>) -> TcpStream {
    try_connect_from(src, port, recv_buffer).unwrap()
}

/// The same, or the error: a connection the server refuses at accept may be reset before `connect` returns.
fn try_connect_from(
    src: Ipv4Addr,
    port: u16,
    recv_buffer: Option<usize>,
) -> std::io::Result<TcpStream> {
    let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    if let Some(b) = recv_buffer {
        s.set_recv_buffer_size(b)?;
    }
    s.bind(&SocketAddr::from((src, 0)).into())?;
    s.connect(&SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    Ok(s.into())
}

fn metrics(port: u16) -> String {
    let (status, text) = http_get(port, "/metrics", Some(TOKEN)).unwrap();
    assert_eq!(status, 200, "{text}");
    text
}

fn closed(reason: &str) -> String {
    format!("xntop_web_connections_closed_total{{reason=\"{reason}\"}}")
}

fn refused(reason: &str) -> String {
    format!("xntop_web_connections_refused_total{{reason=\"{reason}\"}}")
}

/// A line of `/proc/<pid>/limits`: (soft, hard).
fn open_files_limit(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let v: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (v[0], v[1])
}

/// What is left to read on `s`, which the server has closed (EOF or reset within 10 s, else the test fails).
fn read_until_closed(s: &mut TcpStream) -> Vec<u8> {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = Vec::new();
    let r = s.read_to_end(&mut got);
    assert!(
        r.is_ok()
            || r.as_ref()
                .is_err_and(|e| e.kind() == ErrorKind::ConnectionReset),
        "the server did not close the connection: {r:?}"
    );
    got
}

/// Whether the server has closed `s` (EOF or reset), without waiting.
fn is_closed(mut s: &TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

/// The finding: 1,100 idle connections made the API time out under the usual 1,024-descriptor limit. Now
/// xntop raises its own soft limit for its connection cap, 2,000 silent (or half-sent) connections are refused
/// beyond an address's share or evict the longest-waiting ones, authorized requests are answered within 100 ms
/// while they are held, and the header-read timeout closes every one of them.
#[test]
fn idle_connections_do_not_stop_the_api() {
    // The test itself holds 2,000 sockets.
    let own = xntop_web::fdlimit::raise_for(4096).unwrap();
    assert!(
        own.soft >= 2_500,
        "the test needs 2,500 descriptors; the hard limit is {}",
        own.hard
    );
    let port = free_tcp_port();
    let (child, dir) = start("weblimits-idle", port, &["prlimit", "--nofile=1024:4096"]);
    assert_eq!(
        open_files_limit(child.id()),
        (4096, 4096),
        "xntop raises its soft limit to the hard one"
    );

    let opened = Instant::now();
    let mut held = Vec::new();
    // A connection the server refused or evicted may already be reset when `connect` returns: it is closed, as
    // it should be, and counted by the server.
    let hold = |src: Ipv4Addr| -> Option<TcpStream> {
        match try_connect_from(src, port, None) {
            Ok(s) => Some(s),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => None,
            Err(e) => panic!("connect from {src}: {e}"),
        }
    };
    // One address asks for more than its share.
    for _ in 0..300 {
        held.extend(hold(Ipv4Addr::new(127, 0, 0, 2)));
    }
    // 1,700 more from 34 other addresses; every fourth sends half a request head and stops.
    for a in 0..34 {
        for i in 0..50 {
            let Some(mut s) = hold(Ipv4Addr::new(127, 0, 1, a + 1)) else {
                continue;
            };
            if i % 4 == 0 {
                // (An evicted connection may already be reset: the write's result does not matter.)
                let _ = s.write_all(b"GET /api/v1/interfaces HTTP/1.1\r\nHost: localhost\r\n");
            }
            held.push(s);
        }
    }
    // Until the server has taken them all from the kernel's accept queue (each request of ours is one more).
    let mut asked = 0;
    loop {
        let m = metrics(port);
        asked += 1;
        let seen = common::prom_sample(&m, "xntop_web_connections_accepted_total")
            + common::prom_sample(&m, &refused("per_address"));
        if seen >= 2_000 + asked {
            break;
        }
        assert!(opened.elapsed() < HEADER_READ_TIMEOUT, "{m}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let opening = opened.elapsed();

    // While they are held, the API answers authorized requests promptly.
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let t = Instant::now();
        let (status, body) = http_get(port, "/api/v1/interfaces", Some(TOKEN)).unwrap();
        assert_eq!(status, 200, "{body}");
        slowest = slowest.max(t.elapsed());
    }
    assert!(
        slowest < Duration::from_millis(100),
        "an API request took {slowest:?}"
    );
    let m = metrics(port);
    assert!(
        opened.elapsed() < HEADER_READ_TIMEOUT - Duration::from_secs(1),
        "opening took {opening:?}: too slow to see the caps before the timeout"
    );
    let per_address = common::prom_sample(&m, &refused("per_address"));
    assert_eq!(per_address, 300 - MAX_PER_ADDRESS, "{m}");
    assert_eq!(
        common::prom_sample(&m, &refused("all_busy")),
        0,
        "waiting ones are evicted instead"
    );
    let admitted = 2_000 - per_address;
    assert!(
        common::prom_sample(&m, &closed("evicted")) >= admitted - MAX_CONNECTIONS,
        "{m}"
    );
    let open = common::prom_sample(&m, "xntop_web_connections");
    assert!(open <= MAX_CONNECTIONS, "{open}");

    // After the header-read timeout the server has closed every one of them.
    let wait = (opened + opening + HEADER_READ_TIMEOUT + Duration::from_secs(3))
        .saturating_duration_since(Instant::now());
    std::thread::sleep(wait);
    let still_open = held.iter().filter(|s| !is_closed(s)).count();
    assert_eq!(still_open, 0, "connections the server left open");
    let m = metrics(port);
    assert_eq!(
        common::prom_sample(&m, &closed("header_timeout")),
        open - 1,
        "every connection but the one asking for /metrics timed out: {m}"
    );
    assert_eq!(common::prom_sample(&m, "xntop_web_connections"), 1);
    common::stop_serving(child, &dir);
}

/// An event stream whose client never reads (a small receive window, nothing read) falls behind by more than the
/// server's backlog within seconds: the server closes it and counts it, a reading client alongside keeps its
/// stream, and the server's memory does not grow with the stalled streams.
#[test]
fn event_stream_that_is_never_read_is_dropped() {
    const STALLED: u64 = 100;
    let port = free_tcp_port();
    let (child, dir) = start("weblimits-sse", port, &[]);
    let rss_kib = || -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap()
    };
    std::thread::sleep(Duration::from_secs(2));
    let rss_before = rss_kib();
    let request = format!(
        "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    );

    // A client that reads, for comparison: it counts the events it gets.
    let mut reader = TcpStream::connect(("127.0.0.1", port)).unwrap();
    reader.write_all(request.as_bytes()).unwrap();
    reader
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let reading = std::thread::spawn(move || {
        let mut got = 0usize;
        let mut buf = [0u8; 8192];
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(150) {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got += String::from_utf8_lossy(&buf[..n])
                        .matches("event: summary")
                        .count()
                }
            }
        }
        (got, started.elapsed())
    });

    let mut stalled: Vec<TcpStream> = (0..STALLED)
        .map(|_| {
            let mut s = connect_from(Ipv4Addr::LOCALHOST, port, Some(4096));
            s.write_all(request.as_bytes()).unwrap();
            s
        })
        .collect();
    let started = Instant::now();
    let mut rss_peak = 0;
    let dropped = loop {
        rss_peak = rss_peak.max(rss_kib());
        let n = common::prom_sample(&metrics(port), &closed("events_behind"));
        if n >= STALLED || started.elapsed() > Duration::from_secs(120) {
            break n;
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    let took = started.elapsed();
    assert_eq!(dropped, STALLED, "stalled streams dropped after {took:?}");
    let m = metrics(port);
    assert_eq!(
        common::prom_sample(&m, "xntop_web_connections"),
        2,
        "the reader and this request are left: {m}"
    );
    for s in &mut stalled {
        // What the kernel still held for it, then the end.
        read_until_closed(s);
    }
    // Sanity bound: the stalled streams' buffers are a few KiB each.
    assert!(
        rss_peak < rss_before + 32 * 1024,
        "RSS went from {rss_before} KiB to {rss_peak} KiB"
    );
    common::stop_serving(child, &dir);
    let (events, over) = reading.join().unwrap();
    assert!(
        events as u64 + 3 >= over.as_secs(),
        "the reading client got {events} events in {over:?}"
    );
}

/// A request whose body stops coming gets 408 once the login's body time is up, and a response nobody reads is
/// given up after the stall timeout: the connection is closed, counted, and the client never gets the rest.
#[test]
fn stalled_requests_are_closed() {
    let port = free_tcp_port();
    let (child, dir) = start("weblimits-stall", port, &[]);
    let asset = "/assets/vendor/uplot/uPlot.iife.min.js";
    let full = std::fs::metadata(common::repo_root().join("web").join(&asset[1..]))
        .unwrap()
        .len();
    let mut unread = connect_from(Ipv4Addr::LOCALHOST, port, Some(4096));
    write!(unread, "GET {asset} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let started = Instant::now();

    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(
        b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"pass",
    )
    .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut resp = vec![0u8; 4096];
    let n = slow.read(&mut resp).unwrap();
    let head = String::from_utf8_lossy(&resp[..n]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 408 "), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    let waited = started.elapsed();
    assert!(
        (Duration::from_secs(9)..Duration::from_secs(15)).contains(&waited),
        "408 after {waited:?}"
    );

    let stalled = loop {
        let n = common::prom_sample(&metrics(port), &closed("stalled"));
        if n > 0 || started.elapsed() > Duration::from_secs(60) {
            break n;
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    let waited = started.elapsed();
    assert_eq!(stalled, 1, "after {waited:?}");
    assert!(waited >= Duration::from_secs(29), "closed after {waited:?}");
    let got = read_until_closed(&mut unread);
    assert!(
        (got.len() as u64) < full,
        "the whole asset ({full} bytes) came through: {} bytes",
        got.len()
    );
    common::stop_serving(child, &dir);
}

/// What the server answers to `raw`, head and body.
fn raw_exchange(port: u16, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(raw).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The security headers are on every response, also those hyper writes itself for requests it cannot parse (a
/// head over its size limit: 431; garbage: 400) and the router's 404 and 405.
#[test]
fn error_responses_carry_the_security_headers() {
    let port = free_tcp_port();
    let (child, dir) = start("weblimits-errors", port, &[]);
    let long = format!(
        "GET /api/v1/interfaces HTTP/1.1\r\nHost: localhost\r\nX-Long: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let cases: [(&[u8], &str); 4] = [
        (long.as_bytes(), "431"),
        (b"NOT HTTP AT ALL\r\n\r\n", "400"),
        (
            b"GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            "404",
        ),
        (
            b"PUT /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            "405",
        ),
    ];
    for (raw, status) in cases {
        let resp = raw_exchange(port, raw);
        let head = resp.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
        assert!(head.starts_with(&format!("http/1.1 {status} ")), "{resp}");
        for h in [
            "content-security-policy: default-src 'self'",
            "x-content-type-options: nosniff",
            "x-frame-options: deny",
            "referrer-policy: same-origin",
        ] {
            assert!(head.contains(h), "{status}: {h} missing: {head}");
        }
        assert!(
            !head.contains("strict-transport-security"),
            "no HSTS over plain HTTP: {head}"
        );
        assert_eq!(head.matches("x-content-type-options").count(), 1, "{head}");
    }
    common::stop_serving(child, &dir);
}
