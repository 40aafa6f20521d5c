//! `-F` end to end with the binary: a record file is appended to across runs and rotated into gzip files within
//! its caps, EVE records validate against Suricata's schema, ECS records parse, syslog receives every record, and
//! every format carries the same flows (the Community ID ties them together).

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::os::unix::net::UnixDatagram;

use common::{project_pcaps, tmpdir, xntop};

fn gunzip(p: &std::path::Path) -> String {
    let out = std::process::Command::new("gzip")
        .arg("-dc")
        .arg(p)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn formats_rotation_append_and_syslog() {
    let pcap = project_pcaps()
        .into_iter()
        .find(|p| p.ends_with("demo.pcap"))
        .unwrap();
    let dir = tmpdir("flow-files");
    let jsonl = dir.join("flows.jsonl");
    let eve = dir.join("eve.json");
    let ecs = dir.join("ecs.json");
    let sock = dir.join("log.sock");
    let server = UnixDatagram::bind(&sock).unwrap();
    server
        .set_read_timeout(Some(std::time::Duration::from_millis(1500)))
        .unwrap();
    // Read while xntop runs, as a syslog daemon does (the socket queues only a few datagrams).
    let reader = std::thread::spawn(move || {
        let mut messages = Vec::new();
        let mut buf = vec![0u8; 65536];
        while let Ok(n) = server.recv(&mut buf) {
            messages.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        messages
    });
    let run = || {
        let out = xntop()
            .arg("-i")
            .arg(&pcap)
            .args(["--shutdown-when-done", "-w", "0", "--no-history"])
            .args(["--dump-max-size", "4K", "--dump-keep", "2"])
            .arg("-F")
            .arg(format!("jsonl:{}", jsonl.display()))
            .arg("-F")
            .arg(format!("eve:{}", eve.display()))
            .arg("-F")
            .arg(format!("ecs:{}", ecs.display()))
            .arg("-F")
            .arg(format!("syslog:{}", sock.display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = run();
    let written: usize = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("flow dump: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    // Four sinks, each got every record.
    assert_eq!(written % 4, 0, "{stderr}");
    let records = written / 4;
    assert!(records > 20, "{records}");
    assert!(stderr.contains(" 0 lost to 0 write errors"), "{stderr}");

    // Syslog: one message per record, RFC 3164 framing with the JSON line.
    let messages = reader.join().unwrap();
    assert_eq!(messages.len(), records);
    assert!(messages
        .iter()
        .all(|m| m.starts_with("<134>xntop[") && m.contains("]: {\"proto\":")));

    // Rotation: the file and at most two gzip files (it rotates after a write once past the size, so how many
    // rotations a short run makes depends on how its writes were chunked); together they hold the newest records
    // in order (the oldest rotated out), and a third file never exists.
    let all_of = |base: &std::path::Path| -> String {
        let mut text = String::new();
        for n in (1..=2).rev() {
            let gz = std::path::PathBuf::from(format!("{}.{n}.gz", base.display()));
            if gz.exists() {
                text.push_str(&gunzip(&gz));
            }
        }
        text + &std::fs::read_to_string(base).unwrap()
    };
    assert!(!dir.join("flows.jsonl.3.gz").exists());
    assert!(
        dir.join("flows.jsonl.1.gz").exists(),
        "a 4 KiB cap rotated the record file"
    );
    let kept_text = all_of(&jsonl);
    let kept: Vec<&str> = kept_text.lines().collect();
    let from_syslog: Vec<&str> = messages
        .iter()
        .map(|m| m.split_once("]: ").unwrap().1)
        .collect();
    assert!(
        from_syslog.ends_with(&kept),
        "the kept files are the last records, in order"
    );

    // EVE validates against Suricata's schema; ECS parses; both carry the same Community IDs as the records.
    let eve_all = std::fs::read_to_string(&eve).unwrap() + &gunzip(&dir.join("eve.json.1.gz"));
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../model/testdata/eve/schema-flow.json"
    );
    let check = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg("import json,sys,jsonschema\ns=json.load(open(sys.argv[1]))\nn=0\nfor l in sys.stdin:\n  jsonschema.validate(json.loads(l), s); n+=1\nprint(n)")
        .arg(schema)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        check
            .stdin
            .as_ref()
            .unwrap()
            .write_all(eve_all.as_bytes())
            .unwrap();
    }
    let out = check.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids = |text: &str, path: &[&str]| -> std::collections::BTreeSet<String> {
        text.lines()
            .filter_map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                for p in path {
                    v = v[*p].clone();
                }
                v.as_str().map(String::from)
            })
            .collect()
    };
    let ecs_all = all_of(&ecs);
    let from_records = ids(&from_syslog.join("\n"), &["community_id"]);
    assert!(!from_records.is_empty());
    assert!(ids(&eve_all, &["community_id"]).is_subset(&from_records));
    assert!(ids(&ecs_all, &["network", "community_id"]).is_subset(&from_records));

    // Two runs into one file (no rotation): appended, the second run's records after the first's.
    let plain = dir.join("plain.jsonl");
    for _ in 0..2 {
        let out = xntop()
            .arg("-i")
            .arg(&pcap)
            .args(["--shutdown-when-done", "-w", "0", "--no-history", "-F"])
            .arg(format!("jsonl:{}", plain.display()))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let text = std::fs::read_to_string(&plain).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 * records);
    let (a, b) = lines.split_at(records);
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "the same capture twice: the same records twice");
    let _ = std::fs::remove_dir_all(&dir);
}
