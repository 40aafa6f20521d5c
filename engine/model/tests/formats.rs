//! The EVE and ECS serialisations checked against their publishers' definitions: every EVE record validates
//! against Suricata's JSON schema (with Debian's python3-jsonschema, the reference validator), and every ECS field
//! outside `xntop.*` exists in ECS's field table with a JSON type its ECS type accepts.

use std::collections::HashMap;
use std::net::IpAddr;
use std::process::Command;

use xntop_model::{FlowRecord, L7Meta};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or(IpAddr::from([0u8; 4]))
}

/// Records covering every branch of the serialisers: TCP with TLS metadata, UDP DNS on a VLAN, ICMP, ICMPv6,
/// an IP protocol without ports, an evicted flow, HTTP with a URL and user agent.
fn records() -> Vec<FlowRecord> {
    let base = FlowRecord {
        proto: 6,
        src_ip: ip("192.0.2.10"),
        src_port: 51000,
        dst_ip: ip("198.51.100.7"),
        dst_port: 443,
        vlan: 0,
        iface: 0,
        tunnel: None,
        app: "TLS.YouTube".into(),
        master: "TLS",
        category: "Media",
        confidence: "DPI",
        app_ids: [91, 124],
        packets_c2s: 12,
        packets_s2c: 20,
        bytes_c2s: 1500,
        bytes_s2c: 24000,
        first_seen_ns: 1_700_000_000_000_000_000,
        last_seen_ns: 1_700_000_003_250_000_000,
        tcp_flags_c2s: 0x1b,
        tcp_flags_s2c: 0x1b,
        tcp_state: Some("closed"),
        end_reason: "tcp_closed",
        rtt_us: Some(800),
        retransmissions: 1,
        out_of_order: 0,
        l7: Some(Box::new(L7Meta {
            server_name: Some("www.youtube.com".into()),
            ja3: Some("d4e5b18d6b55c71272893221c96ba240".into()),
            ja4: Some("t13d1516h2_8daaf6152771_b186095e22b6".into()),
            alpn: Some("h2,http/1.1".into()),
            tls_version: Some("TLSv1.3".into()),
            ..L7Meta::default()
        })),
        geo: [None, None],
    };
    let mut out = vec![base.clone()];
    out.push(FlowRecord {
        proto: 17,
        src_port: 40000,
        dst_port: 53,
        vlan: 42,
        iface: 1,
        app: "DNS.Google".into(),
        master: "DNS",
        category: "Network",
        tcp_flags_c2s: 0,
        tcp_flags_s2c: 0,
        tcp_state: None,
        end_reason: "idle",
        rtt_us: None,
        l7: Some(Box::new(L7Meta {
            dns_query: Some("www.google.com".into()),
            dns_answers: vec![ip("142.250.1.1"), ip("2a00:1450::1")],
            dns_qtype: Some(1),
            dns_rcode: Some(0),
            ..L7Meta::default()
        })),
        ..base.clone()
    });
    for (proto, src, dst) in [
        (1, "192.0.2.1", "192.0.2.2"),
        (58, "2001:db8::1", "2001:db8::2"),
        (47, "192.0.2.3", "192.0.2.4"),
    ] {
        out.push(FlowRecord {
            proto,
            src_ip: ip(src),
            dst_ip: ip(dst),
            src_port: 0,
            dst_port: 0,
            app: "Unknown".into(),
            master: "Unknown",
            tcp_state: None,
            tcp_flags_c2s: 0,
            tcp_flags_s2c: 0,
            packets_s2c: 0,
            end_reason: "evicted",
            rtt_us: None,
            l7: None,
            tunnel: Some("gre"),
            ..base.clone()
        });
    }
    out.push(FlowRecord {
        dst_port: 80,
        app: "HTTP".into(),
        master: "HTTP",
        end_reason: "shutdown",
        tcp_state: Some("established"),
        l7: Some(Box::new(L7Meta {
            server_name: Some("example.org".into()),
            http_url: Some("/index.html?q=\"x\"".into()),
            user_agent: Some("curl/7.88.1".into()),
            http_server: Some("nginx".into()),
            content_type: Some("text/html".into()),
            ..L7Meta::default()
        })),
        ..base
    });
    out
}

#[test]
fn eve_records_validate_against_suricatas_schema() {
    let mut lines = Vec::new();
    for r in records() {
        r.write_eve_line(&mut lines);
    }
    let dir = std::env::temp_dir().join(format!("xntop-eve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let events = dir.join("eve.json");
    std::fs::write(&events, &lines).expect("write events");
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/eve/schema-flow.json");
    // Debian's interpreter, where python3-jsonschema (test.sh installs it) lives.
    let out = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             n = 0\n\
             for line in open(sys.argv[2]):\n\
             \x20   jsonschema.validate(json.loads(line), schema)\n\
             \x20   n += 1\n\
             print(n)\n",
        )
        .arg(schema)
        .arg(&events)
        .output()
        .expect("run /usr/bin/python3 (apt-get install python3-jsonschema)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "schema validation failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "6");

    // And a record that breaks the schema is refused, so the check can fail.
    let text =
        String::from_utf8_lossy(&lines).replace("\"event_type\"", "\"bogus\":1,\"event_type\"");
    let bad = std::env::temp_dir().join(format!("xntop-eve-bad-{}.json", std::process::id()));
    std::fs::write(&bad, text).expect("write");
    let refused = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg("import json, sys, jsonschema\nschema = json.load(open(sys.argv[1]))\n[jsonschema.validate(json.loads(l), schema) for l in open(sys.argv[2])]")
        .arg(schema)
        .arg(&bad)
        .output()
        .expect("python3");
    let _ = std::fs::remove_file(&bad);
    assert!(
        !refused.status.success(),
        "an unknown field must be refused"
    );
}

/// Dotted paths of every leaf of a JSON object, with the leaf value.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        leaf => out.push((prefix.to_string(), leaf.clone())),
    }
}

/// Field → (type, normalization) from the committed subset of ECS's fields.csv.
fn ecs_fields() -> HashMap<String, (String, String)> {
    let text = include_str!("../testdata/ecs/fields-subset.csv");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.splitn(8, ',').collect();
            Some((
                cols.get(3)?.to_string(),
                (cols.get(4)?.to_string(), cols.get(6)?.to_string()),
            ))
        })
        .collect()
}

/// Whether a JSON value fits an ECS type (keyword-like types take strings; arrays of them when the field is an
/// array or any field, as Elasticsearch accepts arrays everywhere).
fn fits(ecs_type: &str, v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Array(items) => items.iter().all(|i| fits(ecs_type, i)),
        serde_json::Value::String(s) => match ecs_type {
            "keyword" | "wildcard" | "match_only_text" | "constant_keyword" => true,
            "ip" => s.parse::<IpAddr>().is_ok(),
            "date" => {
                s.len() >= 20
                    && s.as_bytes()[4] == b'-'
                    && s.as_bytes()[10] == b'T'
                    && s.ends_with('Z')
            }
            _ => false,
        },
        serde_json::Value::Number(n) => ecs_type == "long" && n.as_u64().is_some(),
        _ => false,
    }
}

#[test]
fn ecs_records_use_ecs_field_names_and_types() {
    let fields = ecs_fields();
    let mut seen = std::collections::BTreeSet::new();
    for r in records() {
        let mut line = Vec::new();
        r.write_ecs_line(&mut line);
        let doc: serde_json::Value = serde_json::from_slice(&line).expect("ECS line is JSON");
        let mut leaves = Vec::new();
        flatten("", &doc, &mut leaves);
        for (path, value) in leaves {
            if path.starts_with("xntop.") {
                continue;
            }
            let Some((ecs_type, normalization)) = fields.get(&path) else {
                panic!("{path} is not an ECS field");
            };
            assert!(
                fits(ecs_type, &value),
                "{path}: {value} is not a {ecs_type}"
            );
            if normalization == "array" {
                assert!(value.is_array(), "{path} is an array field");
            }
            seen.insert(path);
        }
    }
    // The records exercise the fields they were built for.
    for must in [
        "tls.client.server_name",
        "tls.version",
        "dns.resolved_ip",
        "url.original",
        "network.vlan.id",
        "network.community_id",
        "event.duration",
    ] {
        assert!(seen.contains(must), "{must} never written");
    }
    assert!(!fits("long", &serde_json::json!("12")));
    assert!(!fits("ip", &serde_json::json!("not-an-ip")));
}
