//! deploy/: the systemd unit is valid and its capabilities are exactly enough for live capture as an unprivileged
//! user; the NIC set-up script plans the right commands. Root-only parts say so and skip without root.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::repo_root;

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn unit() -> String {
    std::fs::read_to_string(repo_root().join("deploy/xntop.service")).unwrap_or_default()
}

/// A veth pair removed on drop.
struct Veth(String);

impl Veth {
    fn new(tag: &str) -> Self {
        let name = format!("xd{tag}{}", std::process::id() % 100_000);
        let ok = Command::new("ip")
            .args([
                "link",
                "add",
                &name,
                "type",
                "veth",
                "peer",
                "name",
                &format!("{name}p"),
            ])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cannot create veth {name}");
        for n in [name.clone(), format!("{name}p")] {
            let _ = Command::new("ip").args(["link", "set", &n, "up"]).status();
        }
        Self(name)
    }
}

impl Drop for Veth {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["link", "del", &self.0]).status();
    }
}

#[test]
fn systemd_unit_verifies() {
    let Ok(out) = Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("skipping: systemd-analyze not installed");
        return;
    };
    assert!(out.status.success());
    let dir = common::tmpdir("deploy-unit");
    let path = dir.join("xntop.service");
    std::fs::write(
        &path,
        unit().replace("/usr/local/bin/xntop", env!("CARGO_BIN_EXE_xntop")),
    )
    .unwrap_or_default();
    let out = Command::new("systemd-analyze")
        .args(["verify"])
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("systemd-analyze: {e}"));
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.trim().is_empty(), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unit_capabilities_are_enough_for_live_capture_as_nobody() {
    if !is_root() {
        eprintln!("skipping: needs root (veth, setpriv)");
        return;
    }
    let unit = unit();
    let caps: Vec<String> = unit
        .lines()
        .find_map(|l| l.strip_prefix("AmbientCapabilities="))
        .unwrap_or_default()
        .split_whitespace()
        .map(|c| format!("+{}", c.trim_start_matches("CAP_").to_lowercase()))
        .collect();
    assert!(!caps.is_empty(), "no AmbientCapabilities in the unit");
    let caps = caps.join(",");
    let veth = Veth::new("cap");
    let mut child = Command::new("setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            &format!("--inh-caps={caps}"),
            &format!("--ambient-caps={caps}"),
            &format!("--bounding-set=-all,{caps}"),
            "--",
            env!("CARGO_BIN_EXE_xntop"),
            "-i",
            &veth.0,
            "--capture",
            "xdp",
            "-w",
            "0",
            "-g",
            "0",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("setpriv: {e}"));
    // Let it attach, then stop it: SIGTERM must end it cleanly.
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("capturing on") && log.contains("AF_XDP"),
        "{log}"
    );
}

#[test]
fn nic_setup_plans_queues_rss_irqs_and_promisc() {
    if !is_root() {
        eprintln!("skipping: needs root (veth)");
        return;
    }
    let veth = Veth::new("nic");
    let out = Command::new("bash")
        .arg(repo_root().join("deploy/nic-setup.sh"))
        .args(["--dry-run", &veth.0, "0-1"])
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for want in [
        format!("+ ethtool -L {} combined 2", veth.0),
        format!("+ ethtool -N {} rx-flow-hash tcp4 sdfn", veth.0),
        format!("+ ethtool -K {} gro off", veth.0),
        format!("+ ip link set {} promisc on", veth.0),
    ] {
        assert!(text.contains(&want), "missing `{want}` in:\n{text}");
    }
    let bad = Command::new("bash")
        .arg(repo_root().join("deploy/nic-setup.sh"))
        .args(["--dry-run", &veth.0, "x-y"])
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    assert_eq!(bad.status.code(), Some(2));
}
