//! pcapgen — makes large benchmark captures for xntop.
//!
//! * `pcapgen mix`   — repeats real captures with per-copy address rewriting
//!   until a packet and a flow minimum are reached.
//! * `pcapgen synth` — N concurrent synthetic 5-tuples, 64-byte frames.
//! * `pcapgen info`  — packet/byte/link-type summary of capture files.

mod net;
mod pcap;

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use clap::{Parser, Subcommand};

use net::{checksum, flow_key, rewrite, to_ethernet, ETH_IPV4, MAC_A, MAC_B};
use pcap::{PcapWriter, LINKTYPE_ETHERNET};

const OUT_SNAPLEN: u32 = 262_144;
const WRITE_BUF: usize = 4 << 20;

#[derive(Parser, Debug)]
#[command(
    name = "pcapgen",
    version,
    about = "Benchmark capture generator for xntop"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Repeat real captures (address-rewritten per copy) into one big Ethernet pcap.
    Mix(MixArgs),
    /// Synthesize N concurrent flows of 64-byte Ethernet/IPv4 UDP/TCP frames.
    Synth(SynthArgs),
    /// Print packets, bytes, link types and time span of capture files.
    Info {
        /// pcap/pcapng files or directories
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
}

#[derive(clap::Args, Debug)]
struct MixArgs {
    /// Output pcap file
    #[arg(long)]
    out: PathBuf,
    /// Keep adding copies until at least this many packets are written
    #[arg(long, default_value_t = 2_000_000)]
    min_packets: u64,
    /// ... and at least this many flows (input 5-tuples x copies) exist
    #[arg(long, default_value_t = 100_000)]
    min_flows: u64,
    /// Cap on the time gap between two consecutive input packets (ms); keeps
    /// the output's time span short when inputs contain long pauses
    #[arg(long, default_value_t = 1000)]
    max_gap_ms: u64,
    /// Gap between the end of one input file / copy and the start of the next (µs)
    #[arg(long, default_value_t = 1000)]
    copy_gap_us: u64,
    /// Write nanosecond-resolution pcap (default: microseconds)
    #[arg(long)]
    nanosecond: bool,
    /// pcap/pcapng files or directories holding them (searched recursively)
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct SynthArgs {
    /// Output pcap file
    #[arg(long)]
    out: PathBuf,
    /// Number of distinct, concurrent flows (at most 2^24)
    #[arg(long, default_value_t = 1_000_000)]
    flows: u32,
    /// Distinct client addresses the flows share (default: one per flow); servers are one per 16 flows
    #[arg(long)]
    clients: Option<u32>,
    /// Packets per flow; odd-numbered packets go in the reply direction
    #[arg(long, default_value_t = 2)]
    packets_per_flow: u32,
    /// All packets are spread evenly over this many milliseconds
    #[arg(long, default_value_t = 1000)]
    duration_ms: u64,
    /// Timestamp of the first packet (seconds since the epoch)
    #[arg(long, default_value_t = 1_704_067_200)]
    start_epoch: u64,
    /// Write nanosecond-resolution pcap (default: microseconds)
    #[arg(long)]
    nanosecond: bool,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Mix(a) => mix(&a),
        Cmd::Synth(a) => synth(&a),
        Cmd::Info { inputs } => info(&inputs),
    }
}

/// Expand files and directories (recursively, sorted) into a list of files.
fn collect_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading directory {}", p.display()))?
                .map(|e| e.map(|e| e.path()))
                .collect::<std::io::Result<_>>()?;
            entries.sort();
            for e in entries {
                walk(&e, out)?;
            }
        } else {
            out.push(p.to_path_buf());
        }
        Ok(())
    }
    let mut out = Vec::new();
    for i in inputs {
        ensure!(i.exists(), "input {} does not exist", i.display());
        walk(i, &mut out)?;
    }
    Ok(out)
}

/// Read one file; Ok(None) when it is not a capture at all.
fn read_capture(path: &Path) -> Result<Option<pcap::Capture>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if pcap::sniff(&bytes).is_none() {
        return Ok(None);
    }
    pcap::parse(&bytes)
        .with_context(|| format!("parsing {}", path.display()))
        .map(Some)
}

struct BasePacket {
    rel_ns: u64,
    orig_len: u32,
    data: Vec<u8>,
}

fn mix(a: &MixArgs) -> Result<()> {
    let t0 = Instant::now();
    let files = collect_inputs(&a.inputs)?;
    let max_gap = a.max_gap_ms.saturating_mul(1_000_000);
    let file_gap = a.copy_gap_us.saturating_mul(1000);
    let mut base: Vec<BasePacket> = Vec::new();
    let mut first_ts: Option<u64> = None;
    let mut rel = 0u64;
    let (mut n_files, mut n_not_capture, mut n_bad, mut n_trunc) = (0u32, 0u32, 0u32, 0u32);
    let mut skipped_by_lt: BTreeMap<u32, u64> = BTreeMap::new();
    let mut used_by_lt: BTreeMap<u32, u64> = BTreeMap::new();
    let mut flows: HashSet<Vec<u8>> = HashSet::new();
    let mut non_ip = 0u64;

    for f in &files {
        let cap = match read_capture(f) {
            Ok(Some(c)) => c,
            Ok(None) => {
                n_not_capture += 1;
                continue;
            }
            Err(e) => {
                eprintln!("pcapgen: skipping {}: {e:#}", f.display());
                n_bad += 1;
                continue;
            }
        };
        n_files += 1;
        n_trunc += u32::from(cap.truncated);
        let mut pkts = cap.packets;
        pkts.sort_by_key(|p| p.ts_ns); // stable: equal timestamps keep file order
        let mut prev: Option<u64> = None;
        for p in pkts {
            let Some((data, orig_len)) = to_ethernet(p.linktype, &p.data, p.orig_len) else {
                *skipped_by_lt.entry(p.linktype).or_default() += 1;
                continue;
            };
            *used_by_lt.entry(p.linktype).or_default() += 1;
            first_ts.get_or_insert(p.ts_ns);
            match prev {
                None if !base.is_empty() => rel += file_gap,
                None => {}
                Some(q) => rel += (p.ts_ns - q).min(max_gap),
            }
            prev = Some(p.ts_ns);
            match flow_key(&data) {
                Some(k) => {
                    flows.insert(k);
                }
                None => non_ip += 1,
            }
            base.push(BasePacket {
                rel_ns: rel,
                orig_len,
                data,
            });
        }
    }
    ensure!(!base.is_empty(), "no usable packets in the inputs");
    let n_in = base.len() as u64;
    let flows_in = (flows.len() as u64).max(1);
    let copies = a
        .min_packets
        .div_ceil(n_in)
        .max(a.min_flows.div_ceil(flows_in))
        .max(1);
    ensure!(
        copies <= 65_536,
        "{copies} copies needed; at most 65536 keep copies distinct"
    );
    let stride = rel + file_gap;
    let start = first_ts.unwrap_or(0);
    ensure!(
        start
            .checked_add(stride.saturating_mul(copies))
            .is_some_and(|e| e / 1_000_000_000 < u64::from(u32::MAX)),
        "output time span too long for pcap timestamps; lower --max-gap-ms"
    );

    let out = File::create(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let mut w = PcapWriter::new(
        BufWriter::with_capacity(WRITE_BUF, out),
        LINKTYPE_ETHERNET,
        OUT_SNAPLEN,
        a.nanosecond,
    )?;
    let mut buf = Vec::with_capacity(OUT_SNAPLEN as usize);
    for k in 0..copies {
        let off = start + k * stride;
        for p in &base {
            buf.clear();
            buf.extend_from_slice(&p.data);
            rewrite(&mut buf, k as u16); // copies <= 65536, so k fits
            w.write(off + p.rel_ns, p.orig_len, &buf)?;
        }
    }
    let (pk, by) = (w.packets, w.bytes);
    w.finish()?;

    println!("inputs: {} capture files read ({n_trunc} truncated), {n_not_capture} non-capture files skipped, {n_bad} unreadable", n_files);
    println!("input packets used: {n_in} by linktype {used_by_lt:?}; skipped (unsupported linktype): {skipped_by_lt:?}");
    println!(
        "input flows (distinct 5-tuples): {}; non-IP packets: {non_ip}",
        flows.len()
    );
    println!("copies: {copies}; copy span: {:.3} s", stride as f64 / 1e9);
    println!("output: {}", a.out.display());
    println!("packets: {pk}");
    println!("bytes: {by}");
    println!(
        "flows (approx, input flows x copies): {}",
        flows.len() as u64 * copies
    );
    println!("duration: {:.3} s", (stride * copies) as f64 / 1e9);
    println!("elapsed: {:.2} s", t0.elapsed().as_secs_f64());
    Ok(())
}

const SYNTH_FRAME: usize = 64;
/// Server ports of the synthetic TCP flows (UDP flows use 20000 + i % 8192,
/// where no dissector expects anything in particular).
const TCP_PORTS: [u16; 8] = [80, 443, 22, 25, 3306, 6379, 8080, 993];

/// Build packet `r` (0-based) of flow `i` into `f` (64 bytes).
fn synth_frame(f: &mut [u8; SYNTH_FRAME], i: u32, r: u32, ip_id: u16, clients: u32) {
    let tcp = i % 2 == 1;
    let reply = r % 2 == 1;
    // Flows sharing a server differ in `i`'s low 4 bits, so with at least 16 clients they differ in the client.
    let c = i % clients.max(16);
    let a = [10, (c >> 16) as u8, (c >> 8) as u8, c as u8];
    let b = [
        172,
        16 | ((i >> 20) as u8 & 0x0f),
        (i >> 12) as u8,
        ((i >> 4) as u8) ^ 0x5a,
    ];
    let pa = 1024 + (i % 64_000) as u16;
    let pb = if tcp {
        TCP_PORTS[((i / 2) % 8) as usize]
    } else {
        20_000 + ((i / 2) % 8192) as u16
    };
    let (src, dst, sp, dp) = if reply {
        (b, a, pb, pa)
    } else {
        (a, b, pa, pb)
    };
    *f = [0u8; SYNTH_FRAME];
    let (smac, dmac) = if reply {
        (MAC_B, MAC_A)
    } else {
        (MAC_A, MAC_B)
    };
    f[0..6].copy_from_slice(&dmac);
    f[6..12].copy_from_slice(&smac);
    f[12..14].copy_from_slice(&ETH_IPV4.to_be_bytes());
    let ip = 14;
    let l4 = ip + 20;
    let total_len: u16 = if tcp {
        // handshake (SYN, SYN-ACK, ACK) carries no payload: 10 bytes of Ethernet padding
        let payload = if r >= 3 { 10 } else { 0 };
        let isn_c = i.wrapping_mul(2_654_435_761);
        let isn_s = i.wrapping_mul(40_503).wrapping_add(0x1234_5678);
        let (flags, seq, ack): (u8, u32, u32) = match r {
            0 => (0x02, isn_c, 0),
            1 => (0x12, isn_s, isn_c.wrapping_add(1)),
            2 => (0x10, isn_c.wrapping_add(1), isn_s.wrapping_add(1)),
            _ if reply => (
                0x18,
                isn_s.wrapping_add(1 + 10 * ((r - 3) / 2)),
                isn_c.wrapping_add(1 + 10 * ((r - 2) / 2)),
            ),
            _ => (
                0x18,
                isn_c.wrapping_add(1 + 10 * ((r - 3) / 2)),
                isn_s.wrapping_add(1 + 10 * ((r - 2) / 2)),
            ),
        };
        f[l4..l4 + 2].copy_from_slice(&sp.to_be_bytes());
        f[l4 + 2..l4 + 4].copy_from_slice(&dp.to_be_bytes());
        f[l4 + 4..l4 + 8].copy_from_slice(&seq.to_be_bytes());
        f[l4 + 8..l4 + 12].copy_from_slice(&ack.to_be_bytes());
        f[l4 + 12] = 5 << 4;
        f[l4 + 13] = flags;
        f[l4 + 14..l4 + 16].copy_from_slice(&65_535u16.to_be_bytes());
        for (j, x) in f[l4 + 20..l4 + 20 + payload].iter_mut().enumerate() {
            *x = b'a' + j as u8;
        }
        (20 + 20 + payload) as u16
    } else {
        let udp_len: u16 = (SYNTH_FRAME - l4) as u16; // 30: 8 header + 22 payload
        f[l4..l4 + 2].copy_from_slice(&sp.to_be_bytes());
        f[l4 + 2..l4 + 4].copy_from_slice(&dp.to_be_bytes());
        f[l4 + 4..l4 + 6].copy_from_slice(&udp_len.to_be_bytes());
        // checksum 0 = none (legal for UDP over IPv4)
        f[l4 + 8..l4 + 12].copy_from_slice(&i.to_be_bytes());
        f[l4 + 12..l4 + 16].copy_from_slice(&r.to_be_bytes());
        for (j, x) in f[l4 + 16..SYNTH_FRAME].iter_mut().enumerate() {
            *x = b'A' + j as u8;
        }
        20 + udp_len
    };
    f[ip] = 0x45;
    f[ip + 2..ip + 4].copy_from_slice(&total_len.to_be_bytes());
    f[ip + 4..ip + 6].copy_from_slice(&ip_id.to_be_bytes());
    f[ip + 6] = 0x40; // DF
    f[ip + 8] = 64;
    f[ip + 9] = if tcp { 6 } else { 17 };
    f[ip + 12..ip + 16].copy_from_slice(&src);
    f[ip + 16..ip + 20].copy_from_slice(&dst);
    let c = checksum(&f[ip..ip + 20]);
    f[ip + 10..ip + 12].copy_from_slice(&c.to_be_bytes());
}

fn synth(a: &SynthArgs) -> Result<()> {
    let t0 = Instant::now();
    ensure!(
        a.flows >= 1 && a.flows <= 1 << 24,
        "--flows must be in 1..=16777216"
    );
    ensure!(a.packets_per_flow >= 1, "--packets-per-flow must be >= 1");
    let total = u64::from(a.flows) * u64::from(a.packets_per_flow);
    let span_ns = a.duration_ms.saturating_mul(1_000_000);
    let start_ns = a.start_epoch.saturating_mul(1_000_000_000);
    let out = File::create(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let mut w = PcapWriter::new(
        BufWriter::with_capacity(WRITE_BUF, out),
        LINKTYPE_ETHERNET,
        65_535,
        a.nanosecond,
    )?;
    let mut f = [0u8; SYNTH_FRAME];
    let mut idx = 0u64;
    for r in 0..a.packets_per_flow {
        for i in 0..a.flows {
            synth_frame(&mut f, i, r, idx as u16, a.clients.unwrap_or(a.flows));
            let ts = start_ns + (u128::from(idx) * u128::from(span_ns) / u128::from(total)) as u64;
            w.write(ts, SYNTH_FRAME as u32, &f)?;
            idx += 1;
        }
    }
    let (pk, by) = (w.packets, w.bytes);
    w.finish()?.flush()?;
    println!("output: {}", a.out.display());
    println!("packets: {pk}");
    println!("bytes: {by}");
    println!(
        "flows: {} (UDP {}, TCP {})",
        a.flows,
        a.flows.div_ceil(2),
        a.flows / 2
    );
    println!("duration: {:.3} s", span_ns as f64 / 1e9);
    println!("elapsed: {:.2} s", t0.elapsed().as_secs_f64());
    Ok(())
}

fn info(inputs: &[PathBuf]) -> Result<()> {
    let files = collect_inputs(inputs)?;
    let mut any = false;
    for f in files {
        let Some(cap) = read_capture(&f)? else {
            continue;
        };
        any = true;
        let mut lts: BTreeMap<u32, u64> = BTreeMap::new();
        let (mut bytes, mut wire) = (0u64, 0u64);
        for p in &cap.packets {
            *lts.entry(p.linktype).or_default() += 1;
            bytes += p.data.len() as u64;
            wire += u64::from(p.orig_len);
        }
        let first = cap.packets.iter().map(|p| p.ts_ns).min().unwrap_or(0);
        let last = cap.packets.iter().map(|p| p.ts_ns).max().unwrap_or(0);
        println!(
            "{}\tformat={}\tpackets={}\tbytes={}\twire_bytes={wire}\tlinktypes={:?}\tspan_s={:.6}{}",
            f.display(),
            cap.format,
            cap.packets.len(),
            bytes,
            lts,
            (last - first) as f64 / 1e9,
            if cap.truncated { "\ttruncated" } else { "" }
        );
    }
    if !any {
        bail!("no capture files found");
    }
    std::io::stdout().flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synth_frames_are_valid_and_distinct() -> Result<()> {
        let mut seen = HashSet::new();
        let mut f = [0u8; SYNTH_FRAME];
        for i in 0..2000u32 {
            synth_frame(&mut f, i, 0, 0, u32::MAX);
            assert_eq!(checksum(&f[14..34]), 0);
            let (ip, v) = net::find_ip(&f).ok_or_else(|| anyhow::anyhow!("no ip"))?;
            assert_eq!((ip, v), (14, 4));
            let k = flow_key(&f).ok_or_else(|| anyhow::anyhow!("no key"))?;
            let mut g = [0u8; SYNTH_FRAME];
            synth_frame(&mut g, i, 1, 1, u32::MAX);
            assert_eq!(
                flow_key(&g),
                Some(k.clone()),
                "reply belongs to the same flow"
            );
            assert!(seen.insert(k));
        }
        Ok(())
    }

    #[test]
    fn mix_end_to_end_small() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("pcapgen-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let input = dir.join("in.pcap");
        {
            let mut w = PcapWriter::new(File::create(&input)?, 1, 65535, false)?;
            let mut f = [0u8; SYNTH_FRAME];
            for (n, (i, r)) in [(0, 0), (1, 0), (0, 1), (1, 1)].into_iter().enumerate() {
                synth_frame(&mut f, i, r, 0, u32::MAX);
                w.write(1_000_000_000 + n as u64 * 1000, 64, &f)?;
            }
            w.finish()?;
        }
        let out = dir.join("out.pcap");
        let args = MixArgs {
            out: out.clone(),
            min_packets: 10,
            min_flows: 5,
            max_gap_ms: 1000,
            copy_gap_us: 1000,
            nanosecond: false,
            inputs: vec![dir.clone()],
        };
        mix(&args)?;
        let cap = pcap::parse(&std::fs::read(&out)?)?;
        // 4 packets, 2 flows per copy: 3 copies for 10 packets (and 6 flows >= 5)
        assert_eq!(cap.packets.len(), 12);
        assert!(cap.packets.windows(2).all(|w| w[0].ts_ns <= w[1].ts_ns));
        let flows: HashSet<_> = cap
            .packets
            .iter()
            .filter_map(|p| flow_key(&p.data))
            .collect();
        assert_eq!(flows.len(), 6);
        for p in &cap.packets {
            assert_eq!(checksum(&p.data[14..34]), 0);
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
