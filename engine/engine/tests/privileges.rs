//! `-U` drops root once everything is open (checked in /proc), `-G` writes the pid file, `-e` daemonises.
//! Needs root; without it the test says why and skips.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::time::{Duration, Instant};

use common::{project_pcaps, tmpdir, xntop};

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"))
}

fn status_field(pid: &str, field: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap()
        .to_string()
}

fn wait_for(path: &std::path::Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(s) = std::fs::read_to_string(path) {
            if s.ends_with('\n') {
                return s.trim().to_string();
            }
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn drops_to_an_unprivileged_user_and_writes_the_pid_file() {
    if !is_root() {
        eprintln!("SKIPPED drops_to_an_unprivileged_user: needs root to change user");
        return;
    }
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap();
    let dir = tmpdir("priv");
    let pid_file = dir.join("xntop.pid");
    let child = xntop()
        .arg("-i")
        .arg(&pcap)
        .args(["-w", "0", "-g", "0", "--replay-pace", "-U", "nobody", "-G"])
        .arg(&pid_file)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = wait_for(&pid_file);
    assert_eq!(pid, child.id().to_string());
    std::thread::sleep(Duration::from_millis(300));
    for field in ["Uid:", "Gid:"] {
        let line = status_field(&pid, field);
        assert!(
            line.split_whitespace().skip(1).all(|id| id == "65534"),
            "{line}"
        );
    }
    let caps = status_field(&pid, "CapEff:");
    assert!(caps.ends_with("0000000000000000"), "{caps}");
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn daemon_mode_detaches_and_still_writes_every_flow() {
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("dns.pcap"))
        .unwrap();
    let dir = tmpdir("daemon");
    let (pid_file, flows) = (dir.join("d.pid"), dir.join("f.jsonl"));
    let out = xntop()
        .arg("-i")
        .arg(&pcap)
        .args(["-w", "0", "-g", "0", "-e", "-G"])
        .arg(&pid_file)
        .arg("-F")
        .arg(format!("jsonl:{}", flows.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the launching process returns at once: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pid = wait_for(&pid_file);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(Instant::now() < deadline, "daemon {pid} did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    let records = std::fs::read_to_string(&flows).unwrap().lines().count();
    assert!(records > 5, "{records} records");
    let _ = std::fs::remove_dir_all(&dir);
}
