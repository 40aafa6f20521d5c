//! The flow record in Elastic Common Schema (`-F ecs:PATH`): nested objects with ECS field names, so Elasticsearch,
//! OpenSearch and their ingest tools index xntop's flows without a mapping of their own.
//!
//! Only fields ECS defines are used outside the `xntop` object; what ECS has no field for (nDPI-style application
//! name, category, confidence, JA4, HASSH, …) goes under `xntop.*`, ECS's advice for custom fields. The test checks
//! every ECS field name and type against ECS's field definitions (`testdata/ecs/`).

use crate::json::JsonWriter;
use crate::record::FlowRecord;
use crate::timefmt::{write_timestamp, Zone};

/// The ECS version whose field definitions the records follow.
pub const ECS_VERSION: &str = "8.12.0";

/// `"TLSv1.3"` → (`"tls"`, `"1.3"`); `"DTLSv1.2"` → (`"dtls"`, `"1.2"`).
fn tls_version(v: &str) -> Option<(String, &str)> {
    let at = v.find('v')?;
    let (proto, num) = (&v[..at], &v[at + 1..]);
    (!proto.is_empty() && !num.is_empty()).then(|| (proto.to_ascii_lowercase(), num))
}

impl FlowRecord {
    /// Appends the record as one ECS document and a newline.
    pub fn write_ecs_line(&self, out: &mut Vec<u8>) {
        let mut ts = String::with_capacity(32);
        let mut end = String::with_capacity(32);
        write_timestamp(&mut ts, self.first_seen_ns, Zone::Z);
        write_timestamp(&mut end, self.last_seen_ns, Zone::Z);
        let mut w = JsonWriter::begin(out);
        w.str("@timestamp", &ts);
        w.open("ecs");
        w.str("version", ECS_VERSION);
        w.close();

        w.open("event");
        w.str("kind", "event");
        w.str_array("category", ["network"]);
        w.str_array("type", ["connection", "end"]);
        w.str("module", "xntop");
        w.str("dataset", "xntop.flow");
        w.str("start", &ts);
        w.str("end", &end);
        w.u64(
            "duration",
            self.last_seen_ns.saturating_sub(self.first_seen_ns),
        );
        w.str("reason", self.end_reason);
        w.close();

        let has_ports = matches!(self.proto, 6 | 17 | 132);
        for (side, ip, port, bytes, packets) in [
            (
                "source",
                self.src_ip,
                self.src_port,
                self.bytes_c2s,
                self.packets_c2s,
            ),
            (
                "destination",
                self.dst_ip,
                self.dst_port,
                self.bytes_s2c,
                self.packets_s2c,
            ),
        ] {
            w.open(side);
            w.ip("ip", ip);
            if has_ports {
                w.u64("port", u64::from(port));
            }
            w.u64("bytes", bytes);
            w.u64("packets", packets);
            w.close();
        }

        w.open("network");
        match crate::proto_name(self.proto) {
            Some(name) => w.str("transport", &name.to_ascii_lowercase()),
            None => w.str("transport", &self.proto.to_string()),
        }
        w.str("iana_number", &self.proto.to_string());
        w.str(
            "type",
            if self.src_ip.is_ipv4() {
                "ipv4"
            } else {
                "ipv6"
            },
        );
        if self.master != "Unknown" {
            w.str("protocol", &self.master.to_ascii_lowercase());
        }
        if let Some((_, app)) = self.app.split_once('.') {
            w.str("application", &app.to_ascii_lowercase());
        }
        w.u64("bytes", self.bytes_c2s + self.bytes_s2c);
        w.u64("packets", self.packets_c2s + self.packets_s2c);
        if let Some(id) = self.community_id() {
            w.str("community_id", &id);
        }
        if self.vlan != 0 {
            w.open("vlan");
            w.str("id", &self.vlan.to_string());
            w.close();
        }
        w.close();

        w.open("observer");
        w.open("ingress");
        w.open("interface");
        w.str("id", &self.iface.to_string());
        w.close();
        w.close();
        w.close();

        if let Some(m) = &self.l7 {
            let tls = m.ja3.is_some() || m.tls_version.is_some() || self.master == "TLS";
            if tls {
                w.open("tls");
                if m.server_name.is_some() || m.ja3.is_some() {
                    w.open("client");
                    if let Some(s) = &m.server_name {
                        w.str("server_name", s);
                    }
                    if let Some(j) = &m.ja3 {
                        w.str("ja3", j);
                    }
                    w.close();
                }
                if let Some((proto, num)) = m.tls_version.as_deref().and_then(tls_version) {
                    w.str("version", num);
                    w.str("version_protocol", &proto);
                }
                if let Some(a) = &m.alpn {
                    w.str("next_protocol", a.split(',').next().unwrap_or(a));
                }
                w.close();
            }
            if let Some(u) = &m.http_url {
                w.open("url");
                w.str("original", u);
                w.close();
            }
            if let Some(ua) = &m.user_agent {
                w.open("user_agent");
                w.str("original", ua);
                w.close();
            }
            if m.dns_query.is_some() || !m.dns_answers.is_empty() {
                w.open("dns");
                if let Some(q) = &m.dns_query {
                    w.open("question");
                    w.str("name", q);
                    w.close();
                }
                if !m.dns_answers.is_empty() {
                    let answers: Vec<String> =
                        m.dns_answers.iter().map(ToString::to_string).collect();
                    w.str_array("resolved_ip", answers.iter().map(String::as_str));
                }
                w.close();
            }
        }

        w.open("xntop");
        w.str("app", &self.app);
        w.str("category", self.category);
        w.str("confidence", self.confidence);
        if let Some(t) = self.tunnel {
            w.str("tunnel", t);
        }
        if self.proto == 6 {
            w.u64("tcp_flags_c2s", u64::from(self.tcp_flags_c2s));
            w.u64("tcp_flags_s2c", u64::from(self.tcp_flags_s2c));
            if let Some(s) = self.tcp_state {
                w.str("tcp_state", s);
            }
            w.u64("retransmissions", u64::from(self.retransmissions));
            w.u64("out_of_order", u64::from(self.out_of_order));
        }
        if let Some(rtt) = self.rtt_us {
            w.u64("rtt_us", u64::from(rtt));
        }
        if let Some(m) = &self.l7 {
            for (key, value) in [
                ("ja4", &m.ja4),
                ("http_server", &m.http_server),
                ("content_type", &m.content_type),
                ("tls_server_names", &m.tls_server_names),
                ("ssh_client", &m.ssh_client),
                ("ssh_server", &m.ssh_server),
                ("hassh", &m.hassh),
                ("hassh_server", &m.hassh_server),
                ("dhcp_hostname", &m.dhcp_hostname),
                ("dhcp_vendor_class", &m.dhcp_vendor_class),
                ("dhcp_fingerprint", &m.dhcp_fingerprint),
            ] {
                if let Some(v) = value {
                    w.str(key, v);
                }
            }
            if let Some(t) = m.dns_qtype {
                w.u64("dns_qtype", u64::from(t));
            }
            if let Some(r) = m.dns_rcode {
                w.u64("dns_rcode", u64::from(r));
            }
        }
        w.close();
        w.end();
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use crate::record::tests::sample;

    #[test]
    fn ecs_line_nests_ecs_names() {
        let r = sample();
        let mut out = Vec::new();
        r.write_ecs_line(&mut out);
        let line = String::from_utf8_lossy(&out);
        assert!(line.starts_with(
            r#"{"@timestamp":"2023-11-14T22:13:20.000001Z","ecs":{"version":"8.12.0"},"event":{"kind":"event""#
        ));
        assert!(line.contains(
            r#""source":{"ip":"10.0.0.2","port":40000,"bytes":400,"packets":5},"destination":{"ip":"10.0.0.1","port":80,"bytes":3000,"packets":4}"#
        ));
        assert!(line.contains(r#""duration":1499999000"#));
        assert!(line.contains(r#""transport":"tcp","iana_number":"6","type":"ipv4""#));
        assert!(line.ends_with("}}\n"));
    }

    #[test]
    fn tls_versions_split() {
        assert_eq!(
            super::tls_version("TLSv1.3"),
            Some(("tls".to_string(), "1.3"))
        );
        assert_eq!(super::tls_version("garbage"), None);
    }
}
