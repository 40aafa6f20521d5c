//! Network namespaces and veth pairs the live tests make (and remove on every exit path), and the processes they
//! run there. Needs root and iproute2.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Runs a command to completion; panics with its output when it fails.
pub fn run(args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A process killed (and reaped) if the test fails before stopping it.
pub struct Running(pub Child);

impl Running {
    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// Sends `signal` (e.g. "INT") to the process.
    pub fn signal(&self, signal: &str) {
        run(&["kill", &format!("-{signal}"), &self.id().to_string()]);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A child's standard error, read line by line on a thread of its own (so the child never blocks on the pipe).
pub struct Log {
    rx: Receiver<String>,
    pub lines: Vec<String>,
}

impl Log {
    /// Takes `child`'s stderr (spawned with `Stdio::piped()`).
    pub fn of(child: &mut Child) -> Self {
        let stderr = child
            .stderr
            .take()
            .unwrap_or_else(|| panic!("stderr not piped"));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Self {
            rx,
            lines: Vec::new(),
        }
    }

    /// Waits until a line contains `needle`; panics with what was logged after `timeout`.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.lines.iter().any(|l| l.contains(needle)) {
            match self.rx.recv_timeout(Duration::from_millis(200)) {
                Ok(l) => self.lines.push(l),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the process ended before logging {needle:?}: {:?}",
                        self.lines
                    )
                }
                Err(_) => assert!(
                    Instant::now() < deadline,
                    "no {needle:?} within {timeout:?}: {:?}",
                    self.lines
                ),
            }
        }
    }

    /// Everything logged until the pipe closes (the process has exited), one string.
    pub fn rest(&mut self) -> String {
        while let Ok(l) = self.rx.recv_timeout(Duration::from_secs(10)) {
            self.lines.push(l);
        }
        self.lines.join("\n")
    }
}

/// A namespace and a veth pair (`host` here, `peer` in `ns`), removed on every exit path.
pub struct Veth {
    pub ns: String,
    pub host: String,
    pub peer: String,
}

impl Veth {
    /// No address on either end and IPv6 off on both: the host end is a dedicated capture port and sees only
    /// what the test sends from the peer.
    pub fn new(tag: &str, queues: u32) -> Self {
        Self::with_ipv6(tag, queues, false)
    }

    /// As [`new`](Self::new); with `host_ipv6`, the host end keeps IPv6 and so its link-local address (which the
    /// kernel gives every interface that is up, a span port included). Its own solicitations go out, not in.
    pub fn with_ipv6(tag: &str, queues: u32, host_ipv6: bool) -> Self {
        let id = std::process::id() % 100_000;
        let v = Self {
            ns: format!("xlt{tag}{id}"),
            host: format!("xlh{tag}{id}"),
            peer: format!("xlp{tag}{id}"),
        };
        let q = queues.to_string();
        run(&["ip", "netns", "add", &v.ns]);
        run(&[
            "ip",
            "link",
            "add",
            &v.host,
            "numrxqueues",
            &q,
            "numtxqueues",
            &q,
            "type",
            "veth",
            "peer",
            "name",
            &v.peer,
            "numrxqueues",
            &q,
            "numtxqueues",
            &q,
        ]);
        run(&["ip", "link", "set", &v.peer, "netns", &v.ns]);
        // No IPv6 on the peer: no solicitations of the kernel's own mixed with the replayed packets.
        if !host_ipv6 {
            run(&[
                "sysctl",
                "-qw",
                &format!("net.ipv6.conf.{}.disable_ipv6=1", v.host),
            ]);
        }
        run(&[
            "ip",
            "netns",
            "exec",
            &v.ns,
            "sysctl",
            "-qw",
            &format!("net.ipv6.conf.{}.disable_ipv6=1", v.peer),
        ]);
        run(&["ip", "link", "set", &v.host, "up"]);
        run(&["ip", "-n", &v.ns, "link", "set", &v.peer, "up"]);
        v
    }

    /// Sends `pcap` from the peer end, 2000 packets a second.
    pub fn replay(&self, pcap: &str) {
        let out = run(&[
            "ip",
            "netns",
            "exec",
            &self.ns,
            "taskset",
            "-c",
            "0",
            "tcpreplay",
            "-i",
            &self.peer,
            "--pps",
            "2000",
            pcap,
        ]);
        let failed = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("Failed packets:"))
            .map(str::trim);
        assert_eq!(failed, Some("0"), "tcpreplay: {out}");
    }

    /// Starts tcpdump on the peer end writing to `out`, and waits until it listens.
    pub fn record(&self, out: &std::path::Path) -> Recorder {
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns,
                "tcpdump",
                "-i",
                &self.peer,
                "-n",
                "-s",
                "0",
                "-U",
                "--immediate-mode",
                // 32 MiB of ring: with the default 2 MiB a loaded machine made tcpdump (not xntop) drop a third of
                // the replay ("dropped by kernel").
                "-B",
                "32768",
                "-w",
            ])
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("tcpdump: {e}"));
        let mut log = Log::of(&mut child);
        log.wait_for("listening on", Duration::from_secs(10));
        Recorder(Running(child), log)
    }
}

impl Drop for Veth {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.host])
            .output();
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).output();
    }
}

/// tcpdump recording the sending end (inside the namespace), and what it says.
pub struct Recorder(Running, Log);

impl Recorder {
    /// Stops tcpdump with SIGINT, so it writes out what it has; returns its log (with its counts).
    pub fn stop(mut self) -> String {
        self.0.signal("INT");
        let _ = self.0 .0.wait();
        self.1.rest()
    }
}

/// Two namespaces joined by a veth pair: `a` (10.77.`net`.1/24, IPv6 off) and `b`. With `b_address`, `b` has
/// 10.77.`net`.2/24: an interface its host uses. Without, `b` has no address (only its IPv6 link-local one): a
/// dedicated capture port, which `a` still reaches at 10.77.`net`.2 through a static neighbour entry (no ARP). No
/// route leads out of either namespace.
pub struct NsPair {
    pub a: String,
    pub b: String,
    pub dev_a: String,
    pub dev_b: String,
    pub ip_a: String,
    pub ip_b: String,
}

impl NsPair {
    pub fn new(tag: &str, net: u8, b_address: bool) -> Self {
        let id = std::process::id() % 100_000;
        let p = Self {
            a: format!("xpa{tag}{id}"),
            b: format!("xpb{tag}{id}"),
            dev_a: format!("xva{tag}{id}"),
            dev_b: format!("xvb{tag}{id}"),
            ip_a: format!("10.77.{net}.1"),
            ip_b: format!("10.77.{net}.2"),
        };
        run(&["ip", "netns", "add", &p.a]);
        run(&["ip", "netns", "add", &p.b]);
        run(&[
            "ip", "link", "add", &p.dev_a, "netns", &p.a, "type", "veth", "peer", "name", &p.dev_b,
            "netns", &p.b,
        ]);
        run(&[
            "ip",
            "netns",
            "exec",
            &p.a,
            "sysctl",
            "-qw",
            &format!("net.ipv6.conf.{}.disable_ipv6=1", p.dev_a),
        ]);
        run(&[
            "ip",
            "-n",
            &p.a,
            "addr",
            "add",
            &format!("{}/24", p.ip_a),
            "dev",
            &p.dev_a,
        ]);
        if b_address {
            run(&[
                "ip",
                "-n",
                &p.b,
                "addr",
                "add",
                &format!("{}/24", p.ip_b),
                "dev",
                &p.dev_b,
            ]);
        }
        for (ns, dev) in [(&p.a, &p.dev_a), (&p.b, &p.dev_b)] {
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
        }
        if !b_address {
            let mac = run(&[
                "ip",
                "netns",
                "exec",
                &p.b,
                "cat",
                &format!("/sys/class/net/{}/address", p.dev_b),
            ]);
            run(&[
                "ip",
                "-n",
                &p.a,
                "neigh",
                "replace",
                &p.ip_b,
                "lladdr",
                mac.trim(),
                "dev",
                &p.dev_a,
                "nud",
                "permanent",
            ]);
        }
        p
    }

    /// A command run inside namespace `ns` (`ip netns exec`, which execs it: same process id).
    pub fn exec(ns: &str, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns, program]);
        c
    }

    /// `ping` from `a` to `b`, `count` echo requests `interval_s` apart: (requests lost in %, every RTT in µs).
    pub fn ping(&self, count: u32, interval_s: &str) -> (f64, Vec<f64>) {
        let out = Self::exec(&self.a, "ping")
            .args([
                "-n",
                "-c",
                &count.to_string(),
                "-i",
                interval_s,
                "-W",
                "1",
                &self.ip_b,
            ])
            .output()
            .unwrap_or_else(|e| panic!("ping: {e} (install iputils-ping)"));
        let text = String::from_utf8_lossy(&out.stdout);
        let loss = text
            .lines()
            .find_map(|l| l.split(", ").find(|f| f.ends_with("packet loss")))
            .and_then(|f| f.trim_end_matches("% packet loss").parse::<f64>().ok())
            .unwrap_or_else(|| panic!("ping printed no loss: {text}"));
        let rtts = text
            .lines()
            .filter_map(|l| l.split("time=").nth(1))
            .filter_map(|t| t.trim_end_matches(" ms").parse::<f64>().ok())
            .map(|ms| ms * 1000.0)
            .collect();
        (loss, rtts)
    }
}

impl Drop for NsPair {
    fn drop(&mut self) {
        // Deleting a namespace deletes the veth end in it, and with it the pair.
        let _ = Command::new("ip").args(["netns", "del", &self.a]).output();
        let _ = Command::new("ip").args(["netns", "del", &self.b]).output();
    }
}

/// The median of `v` (sorted in place); 0 when empty.
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
