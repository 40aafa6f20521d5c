//! Command line and config file, with ntopng's flag names where ntopng has one.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Parser;
use ipnet::IpNet;
use xntop_flow::Timeouts;

/// Exit code for a bad flag or value (clap uses it too).
pub const EXIT_USAGE: i32 = 2;

/// An error the user can fix with other flags: exit code [`EXIT_USAGE`] rather than 1.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

#[derive(Parser, Debug)]
#[command(
    name = "xntop",
    version,
    about = "High-throughput network traffic monitor (ntopng-style flags)",
    after_help = "A config file may be given as the first argument: one option per line, e.g. `-i=trace.pcap`, \
                  `--tcp-idle=30`; lines starting with # are comments."
)]
pub struct Args {
    /// Input: a pcap or pcapng file (repeatable; each is an interface). Without -i, the embedded demo capture.
    #[arg(short = 'i', long = "interface", value_name = "FILE")]
    pub interfaces: Vec<String>,

    /// Cores to pin the workers to, e.g. `1,2,3` or `0-3`; one worker per entry, a core may repeat.
    /// Default: one worker per core but the first (at least one).
    #[arg(short = 'g', long = "core-affinity", value_name = "CORES")]
    pub cores: Option<String>,

    /// Local networks, comma-separated CIDRs (e.g. `192.168.0.0/16,fd00::/8`).
    #[arg(short = 'm', long = "local-networks", value_name = "CIDRS")]
    pub local_networks: Option<String>,

    /// Networks to account apart (traffic and matrix), one per line: `CIDR NAME`.
    #[arg(long = "networks", value_name = "FILE")]
    pub networks: Option<PathBuf>,

    /// TCP SYN signatures in p0f 3's format (a p0f.fp file) for the device inventory's OS guesses, instead of the
    /// bundled ones.
    #[arg(long = "syn-signatures", value_name = "FILE")]
    pub syn_signatures: Option<PathBuf>,

    /// MaxMind DB file (GeoLite2/GeoIP2 City or Country, DB-IP lite) giving hosts and flows their country and
    /// city.
    #[arg(long = "geoip", value_name = "PATH")]
    pub geoip: Option<PathBuf>,

    /// MaxMind DB file (GeoLite2 ASN, DB-IP ASN lite) giving hosts and flows their autonomous system.
    #[arg(long = "asn", value_name = "PATH")]
    pub asn: Option<PathBuf>,

    /// Maximum number of live flows (hard cap, split evenly across workers; the idlest flow is evicted).
    #[arg(short = 'X', long = "max-num-flows", value_name = "N", default_value_t = 1 << 20,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_flows: u64,

    /// Maximum number of hosts kept by the host view (idlest evicted beyond it).
    #[arg(short = 'x', long = "max-num-hosts", value_name = "N", default_value_t = 1 << 18,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_hosts: u64,

    /// Write the aggregator's last snapshot (interfaces, hosts, flows, applications, series) as JSON at exit.
    #[arg(long = "dump-snapshot", value_name = "PATH")]
    pub dump_snapshot: Option<PathBuf>,

    /// Dump ended flows (repeatable): `jsonl:PATH`, `eve:PATH` (Suricata EVE flow events), `ecs:PATH` (Elastic
    /// Common Schema), PATH `-` for standard output; `syslog[:SOCKET]` for the local syslog daemon.
    #[arg(short = 'F', long = "dump-flows", value_name = "SPEC")]
    pub dump_flows: Vec<String>,

    /// Rotate a `-F` record file once it holds this many bytes (into PATH.1.gz, …).
    #[arg(long = "dump-max-size", value_name = "SIZE", default_value = "256M")]
    pub dump_max_size: String,

    /// Also rotate a `-F` record file after this long (e.g. `1h`, `1d`; 0 = by size only).
    #[arg(
        long = "dump-rotate-interval",
        value_name = "DURATION",
        default_value = "0"
    )]
    pub dump_rotate_interval: String,

    /// Do not keep the flow history in `<data dir>/history` (kept by default).
    #[arg(long = "no-history")]
    pub no_history: bool,

    /// Keep history this long (packet time of the newest flow), e.g. `7d`, `12h`; 0 = by size only.
    #[arg(
        long = "history-retention",
        value_name = "DURATION",
        default_value = "7d"
    )]
    pub history_retention: String,

    /// Keep at most this much history on disk (the oldest is dropped first), e.g. `20G`.
    #[arg(long = "history-max-size", value_name = "SIZE", default_value = "20G")]
    pub history_max_size: String,

    /// Rotated `-F` files kept per record file (the oldest is deleted beyond it).
    #[arg(long = "dump-keep", value_name = "N", default_value_t = 8)]
    pub dump_keep: usize,

    /// Export ended flows as IPFIX: `ipfix://HOST[:PORT]` (UDP, port 4739 by default).
    #[arg(short = 'I', long = "export-flows", value_name = "ENDPOINT")]
    pub export_flows: Option<String>,

    /// Cache hosts, interfaces and top lists in Redis: `HOST[:PORT][@DB]`.
    #[arg(short = 'r', long = "redis", value_name = "HOST[:PORT][@DB]")]
    pub redis: Option<String>,

    /// Redis password (or set XNTOP_REDIS_PASSWORD).
    #[arg(
        long = "redis-password",
        env = "XNTOP_REDIS_PASSWORD",
        hide_env_values = true
    )]
    pub redis_password: Option<String>,

    /// Time to live of the keys written to Redis, seconds.
    #[arg(long = "redis-ttl", value_name = "SECS", default_value_t = 3600)]
    pub redis_ttl: u64,

    /// Drop privileges to this user once every input, socket and output is open.
    #[arg(short = 'U', long = "user", value_name = "USER")]
    pub user: Option<String>,

    /// Write the process id to this file.
    #[arg(short = 'G', long = "pid-path", value_name = "PATH")]
    pub pid_file: Option<PathBuf>,

    /// Run as a daemon (detach from the terminal; logs then go nowhere unless redirected).
    #[arg(short = 'e', long = "daemon")]
    pub daemon: bool,

    /// Exit once every input is read and every flow flushed.
    #[arg(long = "shutdown-when-done")]
    pub shutdown_when_done: bool,

    /// HTTP port of the REST API (0 = no web server); `ADDR:PORT` to listen on one address only.
    #[arg(
        short = 'w',
        long = "http-port",
        value_name = "[ADDR:]PORT",
        default_value = "3000"
    )]
    pub http_port: String,

    /// Serve the web UI and the API over HTTPS with this PEM certificate chain (needs --https-key); plain HTTP
    /// is then not served, and session cookies are marked `Secure`.
    #[arg(
        short = 'W',
        long = "https-cert",
        value_name = "PATH",
        requires = "https_key"
    )]
    pub https_cert: Option<PathBuf>,

    /// The PEM private key of --https-cert.
    #[arg(long = "https-key", value_name = "PATH", requires = "https_cert")]
    pub https_key: Option<PathBuf>,

    /// Serve the UI and the API without authentication (demos only).
    #[arg(short = 'l', long = "disable-login")]
    pub disable_login: bool,

    /// The API token (`Authorization: Bearer …`); without it one is generated and printed once at start.
    #[arg(long = "api-token", env = "XNTOP_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,

    /// Data directory: holds `users.json` (web login users, argon2id hashes).
    #[arg(
        short = 'd',
        long = "data-dir",
        value_name = "DIR",
        env = "XNTOP_DATA_DIR",
        default_value = "/var/lib/xntop"
    )]
    pub data_dir: PathBuf,

    /// Set the web login password of user `admin` (stored hashed in `<data dir>/users.json`). Without it, the
    /// first start generates one and prints it once.
    #[arg(
        long = "admin-password",
        env = "XNTOP_ADMIN_PASSWORD",
        hide_env_values = true
    )]
    pub admin_password: Option<String>,

    /// Idle timeout of TCP flows, seconds.
    #[arg(long = "tcp-idle", value_name = "SECS", default_value_t = 60)]
    pub tcp_idle: u64,
    /// Idle timeout of UDP flows, seconds.
    #[arg(long = "udp-idle", value_name = "SECS", default_value_t = 60)]
    pub udp_idle: u64,
    /// Idle timeout of other flows (ICMP, SCTP, …), seconds.
    #[arg(long = "other-idle", value_name = "SECS", default_value_t = 60)]
    pub other_idle: u64,
    /// Grace period after a TCP close (both FINs or a RST), seconds.
    #[arg(long = "tcp-close-grace", value_name = "SECS", default_value_t = 2)]
    pub tcp_close_grace: u64,
    /// Active timeout: long flows emit a partial record every SECS (0 = never).
    #[arg(long = "active-timeout", value_name = "SECS", default_value_t = 120)]
    pub active_timeout: u64,

    /// Replay capture files at their recorded pace instead of as fast as possible.
    #[arg(long = "replay-pace")]
    pub replay_pace: bool,

    /// Replay capture files in a loop at their recorded pace (demos); runs until SIGINT/SIGTERM.
    #[arg(long = "replay-loop")]
    pub replay_loop: bool,

    /// With --replay-loop: loop as fast as possible instead of at the recorded pace (benchmarks; tcpreplay's
    /// --topspeed). Each pass's packet times follow the previous pass's, so flows stay live across passes.
    #[arg(
        long = "replay-topspeed",
        requires = "replay_loop",
        conflicts_with = "replay_pace"
    )]
    pub replay_topspeed: bool,

    /// Write the end-of-run summary as JSON to this file.
    #[arg(long = "stats-json", value_name = "PATH")]
    pub stats_json: Option<PathBuf>,

    /// More log output (repeat for more).
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Live capture back-end for `-i <interface>`: `auto` (AF_XDP on a dedicated capture port, AF_PACKET on an
    /// interface the host uses, with a line saying why), `xdp`, `packet`.
    #[arg(long = "capture", value_name = "BACKEND", default_value = "auto")]
    pub capture: String,

    /// The live interfaces are dedicated capture ports (span/tap): AF_XDP may take every packet they receive away
    /// from the kernel even though the host seems to use them (addresses, routes, a bridge).
    #[arg(long = "xdp-exclusive")]
    pub xdp_exclusive: bool,

    /// XDP attach mode: `auto` (native, else generic), `native`, `generic`.
    #[arg(long = "xdp-mode", value_name = "MODE", default_value = "auto")]
    pub xdp_mode: String,

    /// Force AF_XDP copy mode (default: zero-copy when the driver allows it).
    #[arg(long = "copy")]
    pub copy: bool,

    /// RX queues to open (default: all of the interface's, from /sys/class/net/IF/queues).
    #[arg(long = "queues", value_name = "N")]
    pub queues: Option<usize>,

    /// UMEM frames per AF_XDP socket (2 KiB each); the fill ring gets twice as many slots.
    #[arg(long = "umem-frames", value_name = "N", default_value_t = 16384)]
    pub umem_frames: u32,

    /// Capture filter in BPF syntax.
    #[arg(short = 'B', long = "bpf", value_name = "FILTER")]
    pub bpf: Option<String>,

    /// Collector inputs accept datagrams and connections only from these exporter networks (comma-separated
    /// CIDRs); the rest are dropped and counted. Default: from anywhere.
    #[arg(long = "collector-allow", value_name = "CIDRS")]
    pub collector_allow: Option<String>,

    /// Collector inputs refuse (and count) records with a time more than SECS ahead of this machine's clock.
    #[arg(
        long = "collector-max-skew",
        value_name = "SECS",
        default_value_t = 600
    )]
    pub collector_max_skew: u64,

    /// Collector inputs refuse (and count) records with a time more than SECS before this machine's clock
    /// (0 = no bound; e.g. to collect a replay of old captures).
    #[arg(long = "collector-max-age", value_name = "SECS", default_value_t = 365 * 86_400)]
    pub collector_max_age: u64,

    /// IPFIX over TCP: most connections open at once (more are refused and counted).
    #[arg(long = "collector-max-conns", value_name = "N",
          default_value_t = xntop_export::collector_tcp::MAX_CONNECTIONS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub collector_max_conns: usize,

    /// IPFIX over TCP: most connections open at once from one source address.
    #[arg(long = "collector-max-conns-per-source", value_name = "N",
          default_value_t = xntop_export::collector_tcp::MAX_PER_SOURCE,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub collector_max_conns_per_source: usize,

    /// IPFIX over TCP: close a connection that has not completed a message for SECS.
    #[arg(long = "collector-tcp-timeout", value_name = "SECS",
          default_value_t = xntop_export::collector_tcp::TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub collector_tcp_timeout: u64,
}

/// The collector inputs' limits (`--collector-*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectorOptions {
    /// Exporter networks allowed to send; empty = all.
    pub allow: Vec<IpNet>,
    pub time: xntop_export::collector::TimeLimits,
    pub tcp: xntop_export::collector_tcp::TcpLimits,
}

/// How live interfaces are captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveOptions {
    /// `None` = AF_XDP with AF_PACKET fallback; `Some(true)` = AF_XDP only; `Some(false)` = AF_PACKET only.
    pub xdp: Option<bool>,
    /// `--xdp-exclusive`: AF_XDP even on interfaces the host uses.
    pub exclusive: bool,
    pub xdp_mode: xntop_capture::xdp::XdpMode,
    pub copy: bool,
    pub queues: Option<usize>,
    pub umem_frames: u32,
}

/// How records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// xntop's record (ARCHITECTURE.md §4).
    Jsonl,
    /// Suricata EVE `flow` events.
    Eve,
    /// Elastic Common Schema documents.
    Ecs,
}

/// Where ended flows go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowDump {
    /// A record file, appended to and rotated.
    File(RecordFormat, PathBuf),
    Stdout(RecordFormat),
    /// The local syslog daemon's socket.
    Syslog(PathBuf),
}

/// The validated configuration.
#[derive(Debug)]
pub struct Config {
    pub inputs: Vec<String>,
    /// Core of each worker (may repeat).
    pub worker_cores: Vec<usize>,
    pub local_networks: Vec<IpNet>,
    /// `--networks`: named networks.
    pub networks: Vec<(IpNet, String)>,
    /// `--syn-signatures`, parsed.
    pub syn_db: Option<&'static xntop_assets::p0f::SynDb>,
    /// `--geoip` and `--asn` files.
    pub geoip: Option<PathBuf>,
    pub asn: Option<PathBuf>,
    pub max_hosts: u64,
    pub dump_snapshot: Option<PathBuf>,
    pub max_flows: u64,
    pub dumps: Vec<FlowDump>,
    /// When `-F` files rotate.
    pub rotation: crate::flowfile::Rotation,
    /// The embedded flow history, unless `--no-history`.
    pub history: Option<xntop_history::Config>,
    /// IPFIX collector to export to.
    pub ipfix: Option<ExportTarget>,
    pub redis: Option<xntop_export::redis_store::RedisConfig>,
    pub shutdown_when_done: bool,
    /// Where the web server listens; `None` = no web server.
    pub http: Option<std::net::SocketAddr>,
    /// HTTPS certificate and key (`-W`, `--https-key`).
    pub https: Option<(PathBuf, PathBuf)>,
    pub disable_login: bool,
    pub api_token: Option<String>,
    pub data_dir: PathBuf,
    pub admin_password: Option<String>,
    pub timeouts: Timeouts,
    pub stats_json: Option<PathBuf>,
    pub replay_pace: bool,
    pub replay_loop: bool,
    pub replay_topspeed: bool,
    pub user: Option<String>,
    pub pid_file: Option<PathBuf>,
    pub daemon: bool,
    pub verbose: u8,
    pub live: LiveOptions,
    pub collector: CollectorOptions,
}

/// Expands a config file given as the first argument into ordinary arguments.
///
/// # Errors
/// When the file cannot be read.
pub fn expand_args(raw: Vec<String>) -> Result<Vec<String>> {
    let Some(first) = raw.get(1) else {
        return Ok(raw);
    };
    if first.starts_with('-') || !Path::new(first).is_file() {
        return Ok(raw);
    }
    let path = first.clone();
    let mut out = vec![raw[0].clone()];
    if looks_like_capture(Path::new(&path)) {
        // `xntop trace.pcap` is the obvious thing to type: treat it as `-i trace.pcap`.
        out.push("-i".into());
        out.push(path);
    } else {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read config file {path}"))?;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once(['=', ' ', '\t']) {
                Some((flag, value)) if flag.starts_with('-') => {
                    out.push(flag.to_string());
                    out.push(value.trim().to_string());
                }
                _ => out.push(line.to_string()),
            }
        }
    }
    out.extend(raw.into_iter().skip(2));
    Ok(out)
}

fn looks_like_capture(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && matches!(
            u32::from_le_bytes(magic),
            0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1 | 0x0a0d_0d0a
        )
}

/// Parses `-g`: a comma-separated list of core ids and ranges (`0-3`).
///
/// # Errors
/// On syntax errors and cores this machine does not have.
pub fn parse_cores(spec: &str, available: usize) -> Result<Vec<usize>> {
    let mut cores = Vec::new();
    for part in spec.split(',').map(str::trim) {
        let (lo, hi) = match part.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let lo: usize = lo
            .parse()
            .with_context(|| format!("-g: '{part}' is not a core number or range"))?;
        let hi: usize = hi
            .parse()
            .with_context(|| format!("-g: '{part}' is not a core number or range"))?;
        if lo > hi {
            bail!("-g: range '{part}' is backwards");
        }
        for c in lo..=hi {
            if c >= available {
                bail!(
                    "-g: core {c} does not exist (this machine has cores 0-{})",
                    available.saturating_sub(1)
                );
            }
            cores.push(c);
        }
    }
    if cores.is_empty() {
        bail!("-g: no cores given");
    }
    if cores.len() > 64 {
        bail!("-g: at most 64 workers");
    }
    Ok(cores)
}

fn parse_dump(spec: &str) -> Result<FlowDump> {
    if spec == "syslog" {
        return Ok(FlowDump::Syslog(PathBuf::from(
            crate::syslog::DEFAULT_SOCKET,
        )));
    }
    let (kind, path) = spec.split_once(':').unwrap_or((spec, ""));
    let format = match kind {
        "jsonl" => RecordFormat::Jsonl,
        "eve" => RecordFormat::Eve,
        "ecs" => RecordFormat::Ecs,
        "syslog" if !path.is_empty() => return Ok(FlowDump::Syslog(PathBuf::from(path))),
        _ => bail!(
            "-F: unsupported flow dump '{spec}' (expected jsonl:PATH, eve:PATH, ecs:PATH (PATH - = standard \
             output) or syslog[:SOCKET])"
        ),
    };
    match path {
        "" => bail!("-F: '{spec}' names no file (use {kind}:PATH or {kind}:-)"),
        "-" => Ok(FlowDump::Stdout(format)),
        p => Ok(FlowDump::File(format, PathBuf::from(p))),
    }
}

/// The listening endpoint of a collector input (`ipfix://ADDR[:PORT]`, `ipfix+tcp://…`; port 4739 by default),
/// or `None` for a capture file.
#[must_use]
pub fn collector_input(input: &str) -> Option<ExportTarget> {
    let (rest, tcp) = if let Some(r) = input.strip_prefix("ipfix+tcp://") {
        (r, true)
    } else {
        (
            input
                .strip_prefix("ipfix://")
                .or_else(|| input.strip_prefix("ipfix+udp://"))?,
            false,
        )
    };
    let has_port = rest
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
        && (!rest.starts_with('[') || rest.contains("]:"));
    let addr = if has_port {
        rest.to_string()
    } else {
        format!("{rest}:4739")
    };
    Some(ExportTarget { addr, tcp })
}

/// An export endpoint: the collector's `host:port` and whether to use TCP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportTarget {
    pub addr: String,
    pub tcp: bool,
}

fn parse_export(spec: &str) -> Result<ExportTarget> {
    let Some((scheme, rest)) = spec.split_once("://") else {
        bail!("-I: '{spec}' is not an endpoint (expected ipfix://HOST[:PORT])");
    };
    let tcp = match scheme {
        "ipfix" | "ipfix+udp" => false,
        "ipfix+tcp" => true,
        _ => bail!("-I: unsupported scheme '{scheme}' (expected ipfix:// or ipfix+tcp://)"),
    };
    if rest.is_empty() {
        bail!("-I: no collector address in '{spec}'");
    }
    // A bare host or [v6] gets the IANA IPFIX port.
    let has_port = rest
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
        && (!rest.starts_with('[') || rest.contains("]:"));
    let addr = if has_port {
        rest.to_string()
    } else {
        format!("{rest}:4739")
    };
    Ok(ExportTarget { addr, tcp })
}

fn parse_http(spec: &str) -> Result<Option<std::net::SocketAddr>> {
    if let Ok(port) = spec.parse::<u16>() {
        return Ok((port != 0).then(|| std::net::SocketAddr::from(([0, 0, 0, 0], port))));
    }
    spec.parse::<std::net::SocketAddr>()
        .map(Some)
        .with_context(|| format!("-w: '{spec}' is not a port or ADDR:PORT"))
}

fn parse_networks(flag: &str, spec: &str) -> Result<Vec<IpNet>> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .with_context(|| format!("{flag}: '{s}' is not a network in CIDR notation"))
        })
        .collect()
}

fn parse_collector(args: &Args) -> Result<CollectorOptions> {
    const YEAR: u64 = 365 * 86_400;
    if args.collector_max_skew > YEAR {
        bail!(
            "--collector-max-skew: {} s is more than a year",
            args.collector_max_skew
        );
    }
    if args.collector_max_age > 100 * YEAR {
        bail!(
            "--collector-max-age: {} s is more than a century",
            args.collector_max_age
        );
    }
    if args.collector_tcp_timeout > YEAR {
        bail!(
            "--collector-tcp-timeout: {} s is more than a year",
            args.collector_tcp_timeout
        );
    }
    let allow = match args.collector_allow.as_deref() {
        Some(spec) => {
            let nets = parse_networks("--collector-allow", spec)?;
            if nets.is_empty() {
                bail!("--collector-allow: no network given");
            }
            nets
        }
        None => Vec::new(),
    };
    Ok(CollectorOptions {
        allow,
        time: xntop_export::collector::TimeLimits {
            max_skew_ms: args.collector_max_skew * 1000,
            max_age_ms: args.collector_max_age * 1000,
        },
        tcp: xntop_export::collector_tcp::TcpLimits {
            max_connections: args.collector_max_conns,
            max_per_source: args.collector_max_conns_per_source,
            timeout: std::time::Duration::from_secs(args.collector_tcp_timeout),
        },
    })
}

/// Reads `--networks` (see [`crate::traffic::parse_networks_file`]).
fn read_networks(path: &Path) -> Result<Vec<(IpNet, String)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--networks: cannot read {}", path.display()))?;
    crate::traffic::parse_networks_file(&text)
        .map_err(|e| anyhow::anyhow!("--networks: {}: {e}", path.display()))
}

/// Reads `--syn-signatures`; the signatures live as long as the process.
fn read_syn_signatures(path: &Path) -> Result<&'static xntop_assets::p0f::SynDb> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--syn-signatures: cannot read {}", path.display()))?;
    let db = xntop_assets::p0f::SynDb::parse(&text)
        .map_err(|e| anyhow::anyhow!("--syn-signatures: {}: {e}", path.display()))?;
    Ok(Box::leak(Box::new(db)))
}

impl Config {
    /// Validates parsed arguments.
    ///
    /// # Errors
    /// On any invalid value, with a message naming the flag.
    pub fn from_args(args: Args, available_cores: usize) -> Result<Self> {
        const S: u64 = 1_000_000_000;
        let worker_cores = match &args.cores {
            Some(spec) => parse_cores(spec, available_cores)?,
            None => (1..available_cores.max(2))
                .map(|c| c.min(available_cores.saturating_sub(1)))
                .collect(),
        };
        if args.interfaces.len() > usize::from(u8::MAX) {
            bail!("-i: at most 255 inputs");
        }
        for (flag, secs) in [
            ("--tcp-idle", args.tcp_idle),
            ("--udp-idle", args.udp_idle),
            ("--other-idle", args.other_idle),
            ("--tcp-close-grace", args.tcp_close_grace),
            ("--active-timeout", args.active_timeout),
        ] {
            if secs > 365 * 24 * 3600 {
                bail!("{flag}: {secs} s is more than a year");
            }
        }
        let live = parse_live(&args)?;
        let collector = parse_collector(&args)?;
        Ok(Self {
            inputs: args.interfaces,
            worker_cores,
            local_networks: args
                .local_networks
                .as_deref()
                .map(|s| parse_networks("-m", s))
                .transpose()?
                .unwrap_or_default(),
            networks: args
                .networks
                .as_deref()
                .map(read_networks)
                .transpose()?
                .unwrap_or_default(),
            syn_db: args
                .syn_signatures
                .as_deref()
                .map(read_syn_signatures)
                .transpose()?,
            geoip: args.geoip,
            asn: args.asn,
            max_flows: args.max_flows,
            max_hosts: args.max_hosts,
            dump_snapshot: args.dump_snapshot,
            dumps: args
                .dump_flows
                .iter()
                .map(|d| parse_dump(d))
                .collect::<Result<_>>()?,
            rotation: crate::flowfile::Rotation {
                max_size: crate::units::parse_size("--dump-max-size", &args.dump_max_size)?.max(1),
                max_age: match crate::units::parse_duration(
                    "--dump-rotate-interval",
                    &args.dump_rotate_interval,
                )? {
                    0 => None,
                    s => Some(std::time::Duration::from_secs(s)),
                },
                keep: args.dump_keep,
            },
            history: (!args.no_history)
                .then(|| -> Result<_> {
                    Ok(xntop_history::Config {
                        retention_s: crate::units::parse_duration(
                            "--history-retention",
                            &args.history_retention,
                        )?,
                        max_bytes: crate::units::parse_size(
                            "--history-max-size",
                            &args.history_max_size,
                        )?,
                        ..xntop_history::Config::new(args.data_dir.join("history"))
                    })
                })
                .transpose()?,
            ipfix: args.export_flows.as_deref().map(parse_export).transpose()?,
            redis: args
                .redis
                .as_deref()
                .map(|spec| {
                    xntop_export::redis_store::RedisConfig::from_spec(
                        spec,
                        args.redis_password.as_deref(),
                        args.redis_ttl,
                    )
                })
                .transpose()
                .map_err(anyhow::Error::msg)?,
            shutdown_when_done: args.shutdown_when_done,
            http: parse_http(&args.http_port)?,
            https: args.https_cert.zip(args.https_key),
            disable_login: args.disable_login,
            api_token: args.api_token,
            data_dir: args.data_dir,
            admin_password: args.admin_password,
            timeouts: Timeouts {
                tcp_idle_ns: args.tcp_idle * S,
                udp_idle_ns: args.udp_idle * S,
                other_idle_ns: args.other_idle * S,
                tcp_close_grace_ns: args.tcp_close_grace * S,
                active_ns: args.active_timeout * S,
            },
            stats_json: args.stats_json,
            replay_pace: args.replay_pace,
            replay_loop: args.replay_loop,
            replay_topspeed: args.replay_topspeed,
            user: args.user,
            pid_file: args.pid_file,
            daemon: args.daemon,
            verbose: args.verbose,
            live,
            collector,
        })
    }
}

fn parse_live(args: &Args) -> Result<LiveOptions> {
    use xntop_capture::xdp::XdpMode;
    let xdp = match args.capture.as_str() {
        "auto" => None,
        "xdp" | "af_xdp" => Some(true),
        "packet" | "af_packet" => Some(false),
        other => bail!("--capture: '{other}' is not auto, xdp or packet"),
    };
    let xdp_mode = match args.xdp_mode.as_str() {
        "auto" => XdpMode::Auto,
        "native" | "drv" => XdpMode::Native,
        "generic" | "skb" => XdpMode::Generic,
        other => bail!("--xdp-mode: '{other}' is not auto, native or generic"),
    };
    if args.queues == Some(0) || args.queues.is_some_and(|q| q > 64) {
        bail!("--queues: between 1 and 64");
    }
    if !(64..=1 << 20).contains(&args.umem_frames) {
        bail!("--umem-frames: between 64 and 1048576");
    }
    if let Some(f) = args.bpf.as_deref().filter(|f| !f.trim().is_empty()) {
        // Said plainly rather than ignored: a filter the user believes in but that does nothing would be worse.
        bail!(
            "-B '{f}': BPF capture filters are not supported by the AF_XDP/AF_PACKET back-ends of this build \
             (the XDP program filters by IP protocol only)"
        );
    }
    Ok(LiveOptions {
        xdp,
        exclusive: args.xdp_exclusive,
        xdp_mode,
        copy: args.copy,
        queues: args.queues,
        umem_frames: args.umem_frames,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn cores_lists_ranges_and_repeats() {
        assert_eq!(parse_cores("0,1", 2).ok(), Some(vec![0, 1]));
        assert_eq!(parse_cores("0-1,1,1", 2).ok(), Some(vec![0, 1, 1, 1]));
        assert!(parse_cores("2", 2).is_err());
        assert!(parse_cores("x", 2).is_err());
        assert!(parse_cores("1-0", 2).is_err());
    }

    #[test]
    fn dump_specs() {
        assert_eq!(
            parse_dump("jsonl:-").ok(),
            Some(FlowDump::Stdout(RecordFormat::Jsonl))
        );
        assert_eq!(
            parse_dump("eve:/tmp/e").ok(),
            Some(FlowDump::File(RecordFormat::Eve, "/tmp/e".into()))
        );
        assert_eq!(
            parse_dump("ecs:-").ok(),
            Some(FlowDump::Stdout(RecordFormat::Ecs))
        );
        assert_eq!(
            parse_dump("syslog").ok(),
            Some(FlowDump::Syslog("/dev/log".into()))
        );
        assert_eq!(
            parse_dump("syslog:/run/x.sock").ok(),
            Some(FlowDump::Syslog("/run/x.sock".into()))
        );
        assert!(parse_dump("eve:").is_err());
        assert_eq!(
            parse_dump("jsonl:/tmp/x").ok(),
            Some(FlowDump::File(RecordFormat::Jsonl, "/tmp/x".into()))
        );
        assert!(parse_dump("csv:/tmp/x").is_err());
        assert!(parse_dump("jsonl:").is_err());
    }

    #[test]
    fn export_endpoints() {
        let addr = |s: &str| parse_export(s).ok().map(|t| (t.addr, t.tcp));
        assert_eq!(
            addr("ipfix://127.0.0.1:9995"),
            Some(("127.0.0.1:9995".into(), false))
        );
        assert_eq!(
            addr("ipfix://collector"),
            Some(("collector:4739".into(), false))
        );
        assert_eq!(addr("ipfix://[::1]"), Some(("[::1]:4739".into(), false)));
        assert_eq!(
            addr("ipfix+tcp://[::1]:5000"),
            Some(("[::1]:5000".into(), true))
        );
        assert!(parse_export("zmq://x:1").is_err());
        assert!(parse_export("ipfix://").is_err());
        assert_eq!(collector_input("trace.pcap"), None);
        assert_eq!(
            collector_input("ipfix+tcp://0.0.0.0").map(|t| (t.addr, t.tcp)),
            Some(("0.0.0.0:4739".into(), true))
        );
    }

    #[test]
    fn networks() {
        assert_eq!(
            parse_networks("-m", "10.0.0.0/8, fd00::/8")
                .map(|v| v.len())
                .ok(),
            Some(2)
        );
        assert!(parse_networks("-m", "10.0.0.0/33").is_err());
    }

    #[test]
    fn collector_limits() {
        let parse = |extra: &[&str]| {
            let args = Args::try_parse_from(["xntop", "-g", "0"].iter().chain(extra))
                .map_err(|e| e.to_string())?;
            Config::from_args(args, 2)
                .map(|c| c.collector)
                .map_err(|e| e.to_string())
        };
        let d = parse(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(d.allow.is_empty());
        assert_eq!(d.time, xntop_export::collector::TimeLimits::default());
        assert_eq!(d.tcp, xntop_export::collector_tcp::TcpLimits::default());
        let c = parse(&[
            "--collector-allow",
            "192.0.2.0/24,2001:db8::/32",
            "--collector-max-skew",
            "30",
            "--collector-max-age",
            "0",
            "--collector-max-conns",
            "3000",
            "--collector-max-conns-per-source",
            "3000",
            "--collector-tcp-timeout",
            "5",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.allow.len(), 2);
        assert_eq!((c.time.max_skew_ms, c.time.max_age_ms), (30_000, 0));
        assert_eq!(
            (
                c.tcp.max_connections,
                c.tcp.max_per_source,
                c.tcp.timeout.as_secs()
            ),
            (3000, 3000, 5)
        );
        for (bad, flag) in [
            (
                &["--collector-allow", "10.0.0.0/40"][..],
                "--collector-allow",
            ),
            (&["--collector-allow", ","], "--collector-allow"),
            (
                &["--collector-max-skew", "99999999999"],
                "--collector-max-skew",
            ),
            (&["--collector-max-conns", "0"], "--collector-max-conns"),
            (&["--collector-tcp-timeout", "0"], "--collector-tcp-timeout"),
        ] {
            let e = parse(bad).err().unwrap_or_default();
            assert!(e.contains(flag), "{bad:?}: {e}");
        }
    }

    #[test]
    fn config_file_expands_to_flags() {
        let dir = std::env::temp_dir().join(format!("xntop-cfg-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("xntop.conf");
        std::fs::write(
            &file,
            "# demo\n-i=a.pcap\n--tcp-idle=30\n--shutdown-when-done\n-g 0\n",
        )
        .ok();
        let raw = vec!["xntop".into(), file.display().to_string(), "-v".into()];
        let out = expand_args(raw).ok();
        assert_eq!(
            out,
            Some(
                [
                    "xntop",
                    "-i",
                    "a.pcap",
                    "--tcp-idle",
                    "30",
                    "--shutdown-when-done",
                    "-g",
                    "0",
                    "-v"
                ]
                .map(String::from)
                .to_vec()
            )
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Cases per property: a few thousand in `cargo test`, `PROPTEST_CASES` in the long run (`bench/fuzz.sh`).
    pub(crate) fn cases(default: u32) -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(cases(2000)))]

        #[test]
        fn value_parsers_never_panic(s in "\\PC{0,40}") {
            let _ = parse_cores(&s, 2);
            let _ = parse_dump(&s);
            let _ = parse_export(&s);
            let _ = parse_networks("-m", &s);
            let _ = collector_input(&s);
        }

        #[test]
        fn config_files_never_panic(text in "(\\PC{0,30}\n){0,8}") {
            let dir = std::env::temp_dir().join(format!("xntop-cfgfuzz-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join("fuzz.conf");
            if std::fs::write(&file, &text).is_ok() {
                if let Ok(args) = expand_args(vec!["xntop".into(), file.display().to_string()]) {
                    let _ = Args::try_parse_from(args).map(|a| Config::from_args(a, 2));
                }
            }
        }
    }
}
