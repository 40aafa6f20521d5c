//! Bad files and bad flags: a clear one-line error, a non-zero exit, never a panic.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::Path;

use common::{project_pcaps, tmpdir, xntop};

struct Run {
    code: Option<i32>,
    stderr: String,
    stdout: String,
}

fn run(args: &[&str]) -> Run {
    let out = xntop().args(args).output().unwrap();
    let r = Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    };
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    r
}

fn run_file(path: &Path) -> Run {
    run(&[
        "-i",
        path.to_str().unwrap(),
        "-w",
        "0",
        "--shutdown-when-done",
        "-g",
        "0",
    ])
}

/// The error line: the last line of stderr naming the file.
fn error_line<'a>(r: &'a Run, name: &str) -> &'a str {
    r.stderr
        .lines()
        .rev()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("no line names {name}: {}", r.stderr))
}

#[test]
fn missing_directory_empty_and_non_capture_files() {
    let dir = tmpdir("bad");
    let missing = dir.join("missing.pcap");
    let empty = dir.join("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.join("notes.pcap");
    std::fs::write(&text, b"this is not a capture file, just text\n").unwrap();
    let short = dir.join("short.pcap");
    std::fs::write(&short, [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0]).unwrap();

    for (path, expect) in [
        (&missing, "No such file"),
        (&dir, "directory"),
        (&empty, "empty"),
        (&text, "offset 0"),
        (&short, "offset"),
    ] {
        let r = run_file(path);
        assert_eq!(r.code, Some(1), "{}: {}", path.display(), r.stderr);
        let line = error_line(&r, path.file_name().unwrap().to_str().unwrap());
        assert!(
            line.contains(expect),
            "{}: expected '{expect}' in {line:?}",
            path.display()
        );
        assert_eq!(
            r.stderr.lines().count(),
            1,
            "one line expected: {}",
            r.stderr
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncated_last_packet_is_reported_and_the_rest_processed() {
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap();
    let bytes = std::fs::read(&pcap).unwrap();
    let dir = tmpdir("trunc");
    let cut = dir.join("cut.pcap");
    std::fs::write(&cut, &bytes[..bytes.len() - 7]).unwrap();
    let stats = dir.join("stats.json");
    let r = run(&[
        "-i",
        cut.to_str().unwrap(),
        "-w",
        "0",
        "-g",
        "0",
        "--stats-json",
        stats.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let line = error_line(&r, "cut.pcap: ");
    assert!(line.contains("offset"), "{line}");
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let total = common::capinfos_totals(&pcap).0;
    assert_eq!(
        stats["packets"].as_u64(),
        Some(total - 1),
        "every packet before the cut is processed"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_undecoded_link_type_is_named_in_one_line() {
    // LINKTYPE_USER0 (147): private to whoever wrote the file; two records of 4 bytes.
    let mut pcap = Vec::new();
    for word in [0xa1b2_c3d4u32, 0x0004_0002, 0, 0, 65535, 147] {
        pcap.extend_from_slice(&word.to_le_bytes());
    }
    for sec in [1u32, 2] {
        for word in [sec, 0, 4, 4] {
            pcap.extend_from_slice(&word.to_le_bytes());
        }
        pcap.extend_from_slice(&[0x0f, 0x00, 0x08, 0x00]);
    }
    let dir = tmpdir("user0");
    let path = dir.join("user0.pcap");
    std::fs::write(&path, &pcap).unwrap();
    let r = run_file(&path);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let line = error_line(&r, "user0.pcap: ");
    assert!(
        line.contains("link type 147") && line.contains("2 of 2 packets"),
        "{line}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_flags_exit_2_with_a_message() {
    for args in [
        &["--no-such-flag"][..],
        &["-g", "nonsense"],
        &["-g", "4096"],
        &["-X", "0"],
        &["-X", "many"],
        &["-m", "10.0.0.0/40"],
        &["-F", "csv:/tmp/x"],
        &["-w", "70000"],
    ] {
        let r = run(args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.trim().is_empty(), "{args:?}: no message");
    }
    let v = run(&["-V"]);
    assert_eq!(v.code, Some(0));
    assert!(v.stdout.starts_with("xntop "), "{}", v.stdout);
}

#[test]
fn config_file_as_first_argument() {
    let pcap = project_pcaps().into_iter().next().unwrap();
    let dir = tmpdir("conf");
    let conf = dir.join("xntop.conf");
    let stats = dir.join("stats.json");
    std::fs::write(
        &conf,
        format!(
            "# test config\n-i={}\n-w=0\n-g=0\n--stats-json={}\n--shutdown-when-done\n",
            pcap.display(),
            stats.display()
        ),
    )
    .unwrap();
    let r = run(&[conf.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert!(stats["packets"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_runs_without_arguments() {
    let r = run(&["-g", "0", "-w", "0"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let records = r.stdout.lines().count();
    assert!(records > 5, "demo printed {records} records");
    assert!(r
        .stdout
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
}
