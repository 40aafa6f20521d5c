//! DPI on captures of real programs (pcaps/, made by pcaps/record.sh): every service on a non-standard port is
//! named by its content, with the names it carried; TLS fingerprints agree with tshark's.

mod common;

use common::{repo_root, run_flows, tool};
use serde_json::Value;

fn flows(pcap: &str) -> Vec<Value> {
    let path = repo_root().join("pcaps").join(pcap);
    let (lines, _) = run_flows(&path, &[], &format!("dpi-{pcap}"));
    lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("record is JSON"))
        .collect()
}

/// The records of flows to `port` (server side).
fn to_port(flows: &[Value], proto: &str, port: u64) -> Vec<Value> {
    flows
        .iter()
        .filter(|f| f["proto"] == proto && f["dst_port"] == port)
        .cloned()
        .collect()
}

fn assert_all(flows: &[Value], what: &str, check: impl Fn(&Value) -> bool) {
    assert!(!flows.is_empty(), "no flow for {what}");
    for f in flows {
        assert!(check(f), "{what}: {f}");
    }
}

#[test]
fn http_on_standard_and_other_ports() {
    let f = flows("http.pcap");
    for port in [80, 8081] {
        assert_all(&to_port(&f, "TCP", port), &format!("HTTP on {port}"), |r| {
            r["app"] == "HTTP"
                && r["confidence"] == "DPI"
                && r["user_agent"] == "xntop-record/1.0"
                && r["http_url"].as_str().is_some_and(|u| u.starts_with('/'))
        });
    }
    // The named virtual host travels in the Host header; the reply names its server.
    assert!(f.iter().any(|r| r["server_name"] == "www.xnt.test"));
    let path = repo_root().join("pcaps/http.pcap");
    let server = tool(
        "tshark",
        &[
            "-r",
            path.to_str().unwrap_or(""),
            "-d",
            "tcp.port==8081,http",
            "-Y",
            "http.server",
            "-T",
            "fields",
            "-e",
            "http.server",
        ],
    );
    let server = server.lines().next().unwrap_or_default();
    assert_all(&to_port(&f, "TCP", 8081), "HTTP server header", |r| {
        r["http_server"] == server
    });
}

#[test]
fn dns_on_53_and_5300_with_answers() {
    let f = flows("dns.pcap");
    for (proto, port) in [("UDP", 53), ("TCP", 53), ("UDP", 5300)] {
        assert_all(
            &to_port(&f, proto, port),
            &format!("DNS on {proto}/{port}"),
            |r| r["master"] == "DNS" && r["confidence"] == "DPI" && r["dns_query"].is_string(),
        );
    }
    // Compare the A answers with tshark's reading of the same capture.
    let path = repo_root().join("pcaps/dns.pcap");
    let tshark = tool(
        "tshark",
        &[
            "-r",
            path.to_str().unwrap_or(""),
            "-Y",
            "dns.flags.response == 1 && dns.qry.type == 1 && dns.count.answers > 0",
            "-T",
            "fields",
            "-e",
            "dns.qry.name",
            "-e",
            "dns.a",
        ],
    );
    let mut checked = 0;
    for line in tshark.lines() {
        let mut cols = line.split('\t');
        let (Some(name), Some(addrs)) = (cols.next(), cols.next()) else {
            continue;
        };
        let rec = f
            .iter()
            .find(|r| r["dns_query"] == name)
            .unwrap_or_else(|| panic!("no record for query {name}"));
        for a in addrs.split(',') {
            let answers = rec["dns_answers"].as_array().cloned().unwrap_or_default();
            assert!(
                answers.iter().any(|x| x == a),
                "{name}: {a} missing in {rec}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "tshark found no A answers");
}

#[test]
fn ssh_on_22_and_2222_with_tshark_hassh() {
    let f = flows("ssh.pcap");
    let path = repo_root().join("pcaps/ssh.pcap");
    let field = |name: &str| {
        tool(
            "tshark",
            &[
                "-r",
                path.to_str().unwrap_or(""),
                "-d",
                "tcp.port==2222,ssh",
                "-Y",
                &format!("{name} != \"\""),
                "-T",
                "fields",
                "-e",
                name,
            ],
        )
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
    };
    let (hassh, hassh_server) = (field("ssh.kex.hassh"), field("ssh.kex.hasshserver"));
    let banner = field("ssh.protocol");
    assert!(
        hassh.len() == 32 && hassh_server.len() == 32,
        "tshark: {hassh:?} {hassh_server:?}"
    );
    for port in [22, 2222] {
        assert_all(&to_port(&f, "TCP", port), &format!("SSH on {port}"), |r| {
            r["app"] == "SSH"
                && r["confidence"] == "DPI"
                && r["hassh"] == hassh.as_str()
                && r["hassh_server"] == hassh_server.as_str()
                && r["ssh_client"] == banner.as_str()
        });
    }
}

#[test]
fn redis_on_6379_and_16379() {
    let f = flows("misc.pcap");
    for port in [6379, 16379] {
        assert_all(
            &to_port(&f, "TCP", port),
            &format!("Redis on {port}"),
            |r| r["app"] == "RESP" && r["confidence"] == "DPI",
        );
    }
    assert_all(&to_port(&f, "ICMP", 0), "ping", |r| r["app"] == "ICMP");
}

#[test]
fn tls_on_443_and_8443_with_tshark_fingerprints() {
    let f = flows("tls.pcap");
    let path = repo_root().join("pcaps/tls.pcap");
    let tshark = tool(
        "tshark",
        &[
            "-r",
            path.to_str().unwrap_or(""),
            "-Y",
            "tls.handshake.type == 1",
            "-T",
            "fields",
            "-e",
            "tcp.dstport",
            "-e",
            "tls.handshake.ja3",
        ],
    );
    let mut checked = 0;
    for line in tshark.lines() {
        let mut cols = line.split('\t');
        let (Some(port), Some(ja3)) = (cols.next(), cols.next()) else {
            continue;
        };
        let port: u64 = port.parse().expect("port");
        let recs = to_port(&f, "TCP", port);
        assert_all(&recs, &format!("TLS on {port}"), |r| {
            r["master"] == "TLS"
                && r["confidence"] == "DPI"
                && r["server_name"] == "www.xnt.test"
                && r["ja3"] == ja3
                && r["ja4"]
                    .as_str()
                    .is_some_and(|j| j.starts_with("t13d") && j.len() == 36)
        });
        checked += 1;
    }
    assert_eq!(checked, 2, "tshark saw {checked} ClientHellos");
    // The server's certificate names, as tshark's X.509 dissector reads them.
    let sans = tool(
        "tshark",
        &[
            "-r",
            path.to_str().unwrap_or(""),
            "-Y",
            "tls.handshake.type == 11",
            "-T",
            "fields",
            "-e",
            "x509ce.dNSName",
        ],
    );
    let sans = sans.lines().next().unwrap_or_default();
    assert!(!sans.is_empty(), "tshark found no certificate");
    for r in &f {
        if r["master"] == "TLS" {
            let ours = r["tls_server_names"].as_str().unwrap_or_default();
            for name in sans.split(',') {
                assert!(ours.split(',').any(|n| n == name), "{name} not in {ours}");
            }
            assert!(
                r["tls_version"]
                    .as_str()
                    .is_some_and(|v| v.starts_with("TLSv1.")),
                "{r}"
            );
        }
    }
    let h2 = to_port(&f, "TCP", 443);
    assert!(
        h2.iter()
            .all(|r| r["alpn"].as_str().is_some_and(|a| a.starts_with("h2"))),
        "{h2:?}"
    );
}

#[test]
fn quic_on_4433_names_the_server() {
    let f = flows("quic.pcap");
    assert_all(&to_port(&f, "UDP", 4433), "QUIC on 4433", |r| {
        r["master"] == "QUIC"
            && r["confidence"] == "DPI"
            && r["server_name"] == "quic.xnt.test"
            && r["alpn"] == "h3"
            && r["ja4"].as_str().is_some_and(|j| j.starts_with("q13d"))
    });
}

#[test]
fn ftp_control_on_2121_and_the_data_connection_it_announced() {
    let f = flows("ftp.pcap");
    assert_all(&to_port(&f, "TCP", 2121), "FTP on 2121", |r| {
        r["app"] == "FTP_CONTROL" && r["confidence"] == "DPI"
    });
    // The data connection goes to the port the server's EPSV reply announced (tshark reads it independently).
    let path = repo_root().join("pcaps/ftp.pcap");
    let reply = tool(
        "tshark",
        &[
            "-r",
            path.to_str().unwrap_or(""),
            "-d",
            "tcp.port==2121,ftp",
            "-Y",
            "ftp.response.code == 229",
            "-T",
            "fields",
            "-e",
            "ftp.response.arg",
        ],
    );
    let port: u64 = reply
        .split("|||")
        .nth(1)
        .and_then(|s| s.split('|').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no EPSV port in {reply:?}"));
    assert_all(&to_port(&f, "TCP", port), "FTP data", |r| {
        r["app"] == "FTP_DATA"
    });
}
