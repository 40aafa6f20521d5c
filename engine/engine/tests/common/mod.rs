//! Helpers shared by the binary's integration tests: run `xntop`, find the project's captures, call tshark.

#![allow(dead_code, reason = "each test file uses a different subset")]
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

pub mod geo;
pub mod netns;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn xntop() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xntop"));
    // The default data directory holds the flow history: tests keep theirs in a temporary one (a test's own -d
    // wins over it).
    c.env(
        "XNTOP_DATA_DIR",
        std::env::temp_dir().join(format!("xntop-test-data-{}", std::process::id())),
    );
    c
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every capture in `pcaps/`, sorted.
pub fn project_pcaps() -> Vec<PathBuf> {
    captures_in("pcaps")
}

/// Every capture in `pcaps/linktypes/` (the recorded packets in each link layer xntop decodes), sorted.
pub fn linktype_pcaps() -> Vec<PathBuf> {
    captures_in("pcaps/linktypes")
}

fn captures_in(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(repo_root().join(dir))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no captures in {dir}/");
    v
}

pub fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xntop-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs an external tool; the test command installs them, so a missing tool is a failure with a clear message.
pub fn tool(name: &str, args: &[&str]) -> String {
    let out: Output = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {name} ({e}): install it (the test command in README.md does)")
    });
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The tshark fields of a packet's addresses and TCP/UDP ports (IPv4 or IPv6; one of each pair is empty).
pub const TUPLE_FIELDS: [&str; 8] = [
    "ip.src",
    "ipv6.src",
    "ip.dst",
    "ipv6.dst",
    "tcp.srcport",
    "tcp.dstport",
    "udp.srcport",
    "udp.dstport",
];

/// tshark's `-T fields` output for `fields` (one tab-separated line per packet), `options` (`-Y`, `-E`, …) first.
pub fn tshark_columns(pcap: &Path, options: &[&str], fields: &[&str]) -> String {
    let mut args = vec!["-r", pcap.to_str().unwrap_or(""), "-n"];
    args.extend_from_slice(options);
    args.extend_from_slice(&["-T", "fields"]);
    for f in fields {
        args.extend_from_slice(&["-e", f]);
    }
    tool("tshark", &args)
}

/// Runs xntop on `pcap` with `args` and returns the snapshot it dumps at the end (written to `dir/snap.json`).
pub fn snapshot_of(pcap: &Path, args: &[&str], dir: &Path) -> serde_json::Value {
    let snap = dir.join("snap.json");
    let out = xntop()
        .arg("-i")
        .arg(pcap)
        .arg("--dump-snapshot")
        .arg(&snap)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        pcap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap()
}

/// Runs xntop on `pcap` with extra args, returns (sorted JSON lines of -F, stats JSON).
pub fn run_flows(pcap: &Path, extra: &[&str], tag: &str) -> (Vec<String>, serde_json::Value) {
    let dir = tmpdir(tag);
    let flows = dir.join("flows.jsonl");
    let stats = dir.join("stats.json");
    let out = xntop()
        .arg("-i")
        .arg(pcap)
        .arg("-F")
        .arg(format!("jsonl:{}", flows.display()))
        .arg("--stats-json")
        .arg(&stats)
        .args(["--shutdown-when-done", "-w", "0"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "xntop failed on {}: {stderr}",
        pcap.display()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let mut lines: Vec<String> = std::fs::read_to_string(&flows)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines.sort();
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (lines, stats)
}

/// The cores to name in `-g` for `n` workers on this machine (cores may repeat).
pub fn cores_for(n: usize) -> String {
    let available = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (0..n)
        .map(|i| (i % available).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// (packets, bytes) of a capture as `capinfos` counts them: the independent reference for totals.
pub fn capinfos_totals(pcap: &Path) -> (u64, u64) {
    let out = tool("capinfos", &["-M", "-c", "-d", pcap.to_str().unwrap()]);
    let grab = |label: &str| -> u64 {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap();
        line.split(':')
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (grab("Number of packets"), grab("Data size"))
}

/// A bare HTTP/1.1 GET to 127.0.0.1:`port` with an optional bearer token; (status, body), or None when nothing
/// answered.
pub fn http_get(port: u16, path: &str, token: Option<&str>) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    let status = resp.split_whitespace().nth(1)?.parse().ok()?;
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

/// A TCP port nothing listens on right now.
pub fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// Waits (up to 20 s) until something accepts connections on 127.0.0.1:`port`.
pub fn wait_listening(port: u16) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "nothing listened on port {port}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The value of a sample in Prometheus text, by its name and labels (e.g. `xntop_web_connections` or
/// `xntop_drops_total{stage="capture"}`).
pub fn prom_sample(text: &str, sample: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{sample} missing from the metrics"))
}

/// xntop replaying the demo capture in a loop, serving the web on 127.0.0.1:`port` with `args`, its data directory
/// in a fresh temporary one (returned); run through `wrapper` (e.g. `prlimit --nofile=…`) when one is given.
/// Returns once it listens.
pub fn serve_demo(
    tag: &str,
    port: u16,
    args: &[&str],
    wrapper: &[&str],
) -> (std::process::Child, PathBuf) {
    let dir = tmpdir(tag);
    let mut cmd = match wrapper.split_first() {
        Some((prog, rest)) => {
            let mut c = Command::new(prog);
            c.args(rest).arg(env!("CARGO_BIN_EXE_xntop"));
            c
        }
        None => xntop(),
    };
    let child = cmd
        .args(["--replay-loop", "-g", "0", "-w"])
        .arg(format!("127.0.0.1:{port}"))
        .args(args)
        .arg("-d")
        .arg(dir.join("data"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_listening(port);
    (child, dir)
}

/// Stops a [`serve_demo`] and removes its directory.
pub fn stop_serving(mut child: std::process::Child, dir: &Path) {
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
}
