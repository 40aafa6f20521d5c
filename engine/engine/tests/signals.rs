//! SIGTERM and SIGINT during a replay: reading stops, every live flow is flushed to `-F`, and the records account
//! for every packet that was read; also when the signal comes during a live start-up.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::time::Duration;

use common::{project_pcaps, tmpdir, xntop};

fn stop_midway(signal: &str) {
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap();
    let dir = tmpdir(&format!("sig{signal}"));
    let flows = dir.join("flows.jsonl");
    let stats = dir.join("stats.json");
    let child = xntop()
        .arg("-i")
        .arg(&pcap)
        .arg("-F")
        .arg(format!("jsonl:{}", flows.display()))
        .arg("--stats-json")
        .arg(&stats)
        .args(["--replay-pace", "-w", "0", "-g", "0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The demo capture lasts about 8 s at its recorded pace; stop it a quarter of the way in.
    std::thread::sleep(Duration::from_millis(2000));
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status();
    assert!(status.unwrap().success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("stopped by signal"), "{stderr}");

    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let read = stats["packets"].as_u64().unwrap();
    let total = common::capinfos_totals(&pcap).0;
    assert!(
        read > 0 && read < total,
        "stopped midway: read {read} of {total}"
    );

    let rejected: u64 = stats["rejects"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&flows)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let in_records: u64 = records
        .iter()
        .map(|r| r["packets_c2s"].as_u64().unwrap() + r["packets_s2c"].as_u64().unwrap())
        .sum();
    assert_eq!(
        in_records + rejected,
        read,
        "every packet read is in a record or counted as rejected"
    );
    assert!(
        records.iter().any(|r| r["end_reason"] == "shutdown"),
        "live flows flushed as shutdown"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigterm_flushes_every_live_flow() {
    stop_midway("TERM");
}

#[test]
fn sigint_flushes_every_live_flow() {
    stop_midway("INT");
}

/// Whether `pid` has a handler for SIGINT (bit 1 of `SigCgt` in /proc/PID/status).
fn catches_sigint(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("SigCgt:"))?;
            u64::from_str_radix(line.split_whitespace().nth(1)?, 16).ok()
        })
        .is_some_and(|mask| mask & 0x2 != 0)
}

/// Whether `pid` is xntop at work on its start-up: the binary is xntop (not yet `ip netns exec` before its exec)
/// and it holds a socket or a BPF object (a capture being opened). Before that it is still being loaded, or in the
/// first lines of `main`: no program can act on a signal before its own code runs.
fn starting_up(pid: u32) -> bool {
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
    if exe != std::path::Path::new(env!("CARGO_BIN_EXE_xntop")) {
        return false;
    }
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|fds| {
            fds.filter_map(Result::ok).any(|fd| {
                std::fs::read_link(fd.path()).is_ok_and(|t| {
                    let t = t.to_string_lossy();
                    t.starts_with("socket:") || t.starts_with("anon_inode:bpf")
                })
            })
        })
        .unwrap_or(false)
}

/// SIGINT at every point of a live start-up — as soon as the process handles signals at all, then 20, 50, 100 and
/// 200 ms after spawn, while the capture opens, XDP attaches and the outputs are created — three times each, AF_XDP
/// and AF_PACKET, with packets arriving all along: every run prints its summary and exits 0, and every packet it
/// read is in a flow record of the -F file (or, when it read none, the file exists and the summary says 0 packets).
///
/// A process that is still being loaded (`ip netns exec`, then the dynamic loader: tens of ms on a loaded machine)
/// gets the kernel's default action whatever the program does, so a timed signal waits until xntop handles SIGINT
/// or has started opening its capture, whichever comes first: before the fix the handlers came after the capture
/// was open, and such a signal killed it with no summary and an empty -F file.
#[test]
fn sigint_during_live_start_up_flushes_and_summarises() {
    use common::netns::{is_root, Log, NsPair, Running};
    if !is_root() {
        eprintln!("skipping live start-up signal test: needs root (network namespaces, veth, XDP)");
        return;
    }
    let dir = tmpdir("sigstart");
    let pair = NsPair::new("ss", 83, false);
    // Echo requests to the address-less end every 2 ms: xntop sees them, nothing answers.
    let pinger = NsPair::exec(&pair.a, "ping")
        .args(["-n", "-q", "-i", "0.002", &pair.ip_b])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _pinger = Running(pinger);
    let (mut runs, mut with_packets) = (0, 0);
    for backend in ["auto", "auto", "packet"] {
        for delay_ms in [None, Some(20), Some(50), Some(100), Some(200)] {
            let flows = dir.join("flows.jsonl");
            let stats = dir.join("stats.json");
            let _ = std::fs::remove_file(&flows);
            let _ = std::fs::remove_file(&stats);
            let child = NsPair::exec(&pair.b, env!("CARGO_BIN_EXE_xntop"))
                .args([
                    "-i",
                    &pair.dev_b,
                    "-w",
                    "0",
                    "-g",
                    "0",
                    "--capture",
                    backend,
                ])
                .arg("-F")
                .arg(format!("jsonl:{}", flows.display()))
                .arg("--stats-json")
                .arg(&stats)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let spawned = std::time::Instant::now();
            let pid = child.id();
            let mut child = Running(child);
            let mut log = Log::of(&mut child.0);
            let at = match delay_ms {
                None => {
                    while !catches_sigint(pid) {
                        assert!(
                            spawned.elapsed() < Duration::from_secs(10),
                            "xntop never installed its SIGINT handler"
                        );
                        std::hint::spin_loop();
                    }
                    "handlers in place".to_string()
                }
                Some(ms) => {
                    std::thread::sleep(Duration::from_millis(ms).saturating_sub(spawned.elapsed()));
                    while !catches_sigint(pid) && !starting_up(pid) {
                        assert!(
                            spawned.elapsed() < Duration::from_secs(10),
                            "xntop neither handled SIGINT nor opened a capture"
                        );
                        std::thread::sleep(Duration::from_micros(200));
                    }
                    format!("{ms} ms (sent at {} ms)", spawned.elapsed().as_millis())
                }
            };
            let sent = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap()),
                nix::sys::signal::Signal::SIGINT,
            );
            assert!(sent.is_ok(), "kill: {sent:?}");
            let status = child.0.wait().unwrap();
            let stderr = log.rest();
            let what = format!("--capture {backend}, SIGINT at {at}");
            assert!(status.success(), "{what}: {status:?}\n{stderr}");
            assert!(stderr.contains("stopped by signal"), "{what}: {stderr}");
            let summary: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(&stats)
                    .unwrap_or_else(|e| panic!("{what}: no --stats-json: {e}\n{stderr}")),
            )
            .unwrap();
            let read = summary["packets"].as_u64().unwrap();
            let rejected: u64 = summary["rejects"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum();
            let text = std::fs::read_to_string(&flows)
                .unwrap_or_else(|e| panic!("{what}: the -F file is missing: {e}\n{stderr}"));
            let in_records: u64 = text
                .lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
                .map(|r| r["packets_c2s"].as_u64().unwrap() + r["packets_s2c"].as_u64().unwrap())
                .sum();
            assert_eq!(
                in_records + rejected,
                read,
                "{what}: every packet read is in a record\n{stderr}"
            );
            if read == 0 {
                assert!(
                    text.is_empty() && stderr.contains("xntop: 0 packets"),
                    "{what}: {stderr}"
                );
            } else {
                with_packets += 1;
            }
            eprintln!("{what}: {read} packets, all in records");
            runs += 1;
        }
    }
    // Not every run may see a packet before its stop, but the flush path must have been exercised.
    assert!(with_packets > 0, "no run of {runs} saw a packet");
    let _ = std::fs::remove_dir_all(&dir);
}
