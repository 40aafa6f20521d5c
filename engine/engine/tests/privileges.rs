//! `-U` drops root once everything is open, with no capability left in any set of any thread and
//! `no_new_privs` (checked in /proc); `-G` writes the pid file, `-e` daemonises; the files and the data directory
//! xntop creates are private (0640, 0700). The `-U` test needs root; without it, it says why and skips.

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

/// The mode a file xntop creates with `mode` gets under this process's umask (inherited by xntop).
fn created(mode: u32) -> u32 {
    let umask = status_field("self", "Umask:");
    mode & !u32::from_str_radix(umask.split_whitespace().nth(1).unwrap(), 8).unwrap()
}

/// Permission bits of `path`.
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
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
    let flows = dir.join("flows.jsonl");
    let child = xntop()
        .arg("-i")
        .arg(&pcap)
        .args(["-w", "0", "-g", "0", "--replay-pace", "-U", "nobody", "-G"])
        .arg(&pid_file)
        .arg("-F")
        .arg(format!("jsonl:{}", flows.display()))
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
    // Capability sets and no_new_privs are per thread: every thread of the process, workers and the web's included.
    let tasks: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(tasks.len() > 1, "threads: {tasks:?}");
    for tid in &tasks {
        let task = format!("{pid}/task/{tid}");
        for field in ["CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"] {
            let line = status_field(&task, field);
            assert!(line.ends_with("0000000000000000"), "thread {tid}: {line}");
        }
        let nnp = status_field(&task, "NoNewPrivs:");
        assert!(nnp.ends_with('1'), "thread {tid}: {nnp}");
    }
    assert_eq!(mode(&pid_file), created(0o640), "the pid file");
    assert_eq!(mode(&flows), created(0o640), "the -F file");
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

/// The data directory (with the missing parents xntop creates for it) is 0700; the files xntop creates are 0640,
/// whatever the umask lets through beyond that.
#[test]
fn creates_its_files_and_data_directory_private() {
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("dns.pcap"))
        .unwrap();
    let dir = tmpdir("modes");
    let data = dir.join("state/xntop");
    let files = ["flows.jsonl", "stats.json", "snap.json", "xntop.pid"].map(|f| dir.join(f));
    let out = xntop()
        .arg("-i")
        .arg(&pcap)
        .args(["-g", "0", "--shutdown-when-done", "-w"])
        .arg(format!("127.0.0.1:{}", common::free_tcp_port()))
        .arg("-d")
        .arg(&data)
        .arg("-F")
        .arg(format!("jsonl:{}", files[0].display()))
        .arg("--stats-json")
        .arg(&files[1])
        .arg("--dump-snapshot")
        .arg(&files[2])
        .arg("-G")
        .arg(&files[3])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&data), created(0o700), "{}", data.display());
    assert_eq!(
        mode(&dir.join("state")),
        created(0o700),
        "the parent made for it"
    );
    assert_eq!(mode(&data.join("api-token")), created(0o600));
    for f in &files {
        assert_eq!(mode(f), created(0o640), "{}", f.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
