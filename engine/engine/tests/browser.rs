//! The web UI in real headless Chromium: runs `web/e2e/run.mjs` (playwright-core) against this build of xntop.
//! Needs node, npm and Debian's chromium (test.sh installs them); without them the test says why and skips.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::Path;
use std::process::Command;

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn ui_in_headless_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<&str> = [
        (!have("node", "--version")).then_some("node"),
        (!have("npm", "--version")).then_some("npm"),
        (!Path::new(&chromium).exists()).then_some("chromium"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !missing.is_empty() {
        let msg = format!(
            "SKIPPED ui_in_headless_chromium: {} not installed (apt-get install -y chromium nodejs npm, as test.sh does)",
            missing.join(", ")
        );
        println!("{msg}");
        eprintln!("{msg}");
        return;
    }
    let e2e = common::repo_root().join("web/e2e");
    if !e2e.join("node_modules/playwright-core").exists() {
        let st = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&e2e)
            .status()
            .unwrap();
        assert!(st.success(), "npm ci in web/e2e failed");
    }
    let out = Command::new("node")
        .arg("run.mjs")
        .current_dir(&e2e)
        .env("XNTOP", env!("CARGO_BIN_EXE_xntop"))
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("ok - flows sorted by bytes desc"),
        "{stdout}"
    );
}
