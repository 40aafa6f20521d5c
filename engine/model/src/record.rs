//! The flow record of ARCHITECTURE.md §4.

use std::net::IpAddr;

use crate::json::JsonWriter;

/// One ended (or, for an active timeout, partial) flow, oriented client → server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowRecord {
    pub proto: u8,
    pub src_ip: IpAddr,
    pub src_port: u16,
    pub dst_ip: IpAddr,
    pub dst_port: u16,
    pub vlan: u16,
    /// Input interface index (`-i` order).
    pub iface: u8,
    /// Tunnel the flow was carried in ("gre", "vxlan", …), when any.
    pub tunnel: Option<&'static str>,
    /// nDPI-style "Master.App" name ("TLS.YouTube", "DNS", "Unknown").
    pub app: std::borrow::Cow<'static, str>,
    pub master: &'static str,
    pub category: &'static str,
    pub confidence: &'static str,
    /// Master and application as indices of xntop's protocol table (`xntop_dpi::Proto`; 0 = Unknown), for
    /// IPFIX applicationId.
    pub app_ids: [u16; 2],
    pub packets_c2s: u64,
    pub packets_s2c: u64,
    pub bytes_c2s: u64,
    pub bytes_s2c: u64,
    pub first_seen_ns: u64,
    pub last_seen_ns: u64,
    pub tcp_flags_c2s: u8,
    pub tcp_flags_s2c: u8,
    /// TCP state name when `proto` is TCP.
    pub tcp_state: Option<&'static str>,
    pub end_reason: &'static str,
    /// Handshake RTT, when the handshake was seen.
    pub rtt_us: Option<u32>,
    pub retransmissions: u32,
    pub out_of_order: u32,
    /// What DPI extracted, when it extracted anything (one allocation per flow, never per packet).
    pub l7: Option<Box<L7Meta>>,
    /// Enrichment of `[src_ip, dst_ip]` from the mmdb files (`--geoip`, `--asn`), shared with the output thread's
    /// per-address cache; `None` without the files or when they know nothing of the address.
    pub geo: [Option<std::sync::Arc<crate::GeoInfo>>; 2],
}

/// Application metadata of a flow (ARCHITECTURE.md §4), each bounded by the dissector that filled it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct L7Meta {
    /// TLS SNI, HTTP Host or DNS query name.
    pub server_name: Option<Box<str>>,
    pub ja3: Option<Box<str>>,
    pub ja4: Option<Box<str>>,
    pub alpn: Option<Box<str>>,
    pub user_agent: Option<Box<str>>,
    pub http_url: Option<Box<str>>,
    pub dns_query: Option<Box<str>>,
    pub dns_answers: Vec<std::net::IpAddr>,
    /// DNS query type and response code (numbers as on the wire).
    pub dns_qtype: Option<u16>,
    pub dns_rcode: Option<u8>,
    /// TLS version the server chose ("TLSv1.3"), from its ServerHello.
    pub tls_version: Option<Box<str>>,
    /// Names in the server's certificate (subject CN, then DNS subject-alt-names), comma-separated; TLS ≤ 1.2.
    pub tls_server_names: Option<Box<str>>,
    /// HTTP response `Server` and `Content-Type`.
    pub http_server: Option<Box<str>>,
    pub content_type: Option<Box<str>>,
    /// SSH identification strings and HASSH fingerprints (client, server).
    pub ssh_client: Option<Box<str>>,
    pub ssh_server: Option<Box<str>>,
    pub hassh: Option<Box<str>>,
    pub hassh_server: Option<Box<str>>,
    /// DHCP client hostname (option 12), vendor class (60) and parameter request list (55) as a fingerprint.
    pub dhcp_hostname: Option<Box<str>>,
    pub dhcp_vendor_class: Option<Box<str>>,
    pub dhcp_fingerprint: Option<Box<str>>,
}

/// The protocol name used in records: nDPI/ntopng spelling for the common ones, else the number.
#[must_use]
pub fn proto_name(proto: u8) -> Option<&'static str> {
    Some(match proto {
        1 => "ICMP",
        2 => "IGMP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPV6",
        89 => "OSPF",
        103 => "PIM",
        112 => "VRRP",
        132 => "SCTP",
        _ => return None,
    })
}

impl FlowRecord {
    /// The flow's Community ID (`"1:…"`), or `None` for ICMP and ICMPv6: their hash takes the message type and
    /// code, which a flow of several message types (echo request and reply share one xntop flow) does not have.
    #[must_use]
    pub fn community_id(&self) -> Option<String> {
        (!matches!(self.proto, 1 | 58)).then(|| {
            crate::community_id::community_id(
                self.proto,
                self.src_ip,
                self.src_port,
                self.dst_ip,
                self.dst_port,
            )
        })
    }

    /// A 53-bit flow identifier for formats that want a number (EVE's `flow_id`): the Community ID hash's first
    /// bytes (ports included for ICMP too, as 0), mixed with the start time so a key's later flows differ.
    #[must_use]
    pub fn flow_id(&self) -> u64 {
        let h = crate::community_id::hash(
            0,
            self.proto,
            self.src_ip,
            self.src_port,
            self.dst_ip,
            self.dst_port,
        );
        let mut b = [0u8; 8];
        b.copy_from_slice(&h[..8]);
        (u64::from_be_bytes(b) ^ self.first_seen_ns.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            & ((1 << 53) - 1)
    }

    /// Appends the record as one JSON object and a newline.
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        let mut w = JsonWriter::begin(out);
        match proto_name(self.proto) {
            Some(name) => w.str("proto", name),
            None => w.u64("proto", u64::from(self.proto)),
        }
        w.ip("src_ip", self.src_ip);
        w.u64("src_port", u64::from(self.src_port));
        w.ip("dst_ip", self.dst_ip);
        w.u64("dst_port", u64::from(self.dst_port));
        w.u64("vlan", u64::from(self.vlan));
        w.u64("iface", u64::from(self.iface));
        if let Some(t) = self.tunnel {
            w.str("tunnel", t);
        }
        w.str("app", &self.app);
        w.str("master", self.master);
        w.str("category", self.category);
        w.str("confidence", self.confidence);
        w.u64("packets_c2s", self.packets_c2s);
        w.u64("packets_s2c", self.packets_s2c);
        w.u64("bytes_c2s", self.bytes_c2s);
        w.u64("bytes_s2c", self.bytes_s2c);
        w.epoch_us("first_seen", self.first_seen_ns);
        w.epoch_us("last_seen", self.last_seen_ns);
        w.u64("tcp_flags_c2s", u64::from(self.tcp_flags_c2s));
        w.u64("tcp_flags_s2c", u64::from(self.tcp_flags_s2c));
        if let Some(state) = self.tcp_state {
            w.str("tcp_state", state);
        }
        w.str("end_reason", self.end_reason);
        if let Some(rtt) = self.rtt_us {
            w.u64("rtt_us", u64::from(rtt));
        }
        if self.proto == 6 {
            w.u64("retransmissions", u64::from(self.retransmissions));
            w.u64("out_of_order", u64::from(self.out_of_order));
        }
        if let Some(id) = self.community_id() {
            w.str("community_id", &id);
        }
        w.end_without_brace();
        self.write_json_tail(out);
        out.extend_from_slice(b"}\n");
    }

    /// The fields after `community_id`, each as `,"key":value`: what DPI found, and every optional field added
    /// from here on. The history store keeps this part verbatim (everything before it is columns), so a field
    /// written here survives a trip through the store without the store knowing it.
    pub fn write_json_tail(&self, out: &mut Vec<u8>) {
        let mut w = JsonWriter::resume(out);
        if let Some(m) = &self.l7 {
            for (key, value) in [
                ("server_name", &m.server_name),
                ("ja3", &m.ja3),
                ("ja4", &m.ja4),
                ("alpn", &m.alpn),
                ("user_agent", &m.user_agent),
                ("http_url", &m.http_url),
                ("dns_query", &m.dns_query),
                ("tls_version", &m.tls_version),
                ("tls_server_names", &m.tls_server_names),
                ("http_server", &m.http_server),
                ("content_type", &m.content_type),
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
            if !m.dns_answers.is_empty() {
                let answers: Vec<String> = m.dns_answers.iter().map(ToString::to_string).collect();
                w.str_array("dns_answers", answers.iter().map(String::as_str));
            }
            if let Some(t) = m.dns_qtype {
                w.u64("dns_qtype", u64::from(t));
            }
            if let Some(r) = m.dns_rcode {
                w.u64("dns_rcode", u64::from(r));
            }
        }
        const KEYS: [[&str; 4]; 2] = [
            ["src_country", "src_city", "src_asn", "src_as_org"],
            ["dst_country", "dst_city", "dst_asn", "dst_as_org"],
        ];
        for (keys, geo) in KEYS.iter().zip(&self.geo) {
            let Some(g) = geo else { continue };
            if let Some(c) = &g.country {
                w.str(keys[0], c);
            }
            if let Some(c) = &g.city {
                w.str(keys[1], c);
            }
            if let Some(a) = g.asn {
                w.u64(keys[2], u64::from(a));
            }
            if let Some(o) = &g.as_org {
                w.str(keys[3], o);
            }
        }
        w.end_without_brace();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A closed HTTP flow with a server name and a DNS answer, for the serialisers' tests.
    pub(crate) fn sample() -> FlowRecord {
        FlowRecord {
            proto: 6,
            src_ip: "10.0.0.2".parse().unwrap_or(IpAddr::from([0u8; 4])),
            src_port: 40000,
            dst_ip: "10.0.0.1".parse().unwrap_or(IpAddr::from([0u8; 4])),
            dst_port: 80,
            vlan: 0,
            iface: 0,
            tunnel: None,
            app: "Unknown".into(),
            master: "Unknown",
            category: "Unspecified",
            confidence: "unknown",
            app_ids: [0, 0],
            packets_c2s: 5,
            packets_s2c: 4,
            bytes_c2s: 400,
            bytes_s2c: 3000,
            first_seen_ns: 1_700_000_000_000_001_000,
            last_seen_ns: 1_700_000_001_500_000_000,
            tcp_flags_c2s: 0x1b,
            tcp_flags_s2c: 0x1b,
            tcp_state: Some("closed"),
            end_reason: "tcp_closed",
            rtt_us: Some(120),
            retransmissions: 0,
            out_of_order: 0,
            l7: Some(Box::new(L7Meta {
                server_name: Some("www.example.test".into()),
                dns_answers: vec!["192.0.2.7".parse().unwrap_or(IpAddr::from([0u8; 4]))],
                ..L7Meta::default()
            })),
            geo: [
                None,
                Some(std::sync::Arc::new(crate::GeoInfo {
                    country: Some("SE".into()),
                    city: Some("Linköping".into()),
                    asn: Some(29518),
                    as_org: Some("Bredband2 AB".into()),
                })),
            ],
        }
    }

    #[test]
    fn json_line_has_the_contract_fields() {
        let r = sample();
        let mut out = Vec::new();
        r.write_json_line(&mut out);
        let line = String::from_utf8_lossy(&out);
        assert!(line.ends_with("}\n"));
        assert!(line.starts_with(
            r#"{"proto":"TCP","src_ip":"10.0.0.2","src_port":40000,"dst_ip":"10.0.0.1""#
        ));
        assert!(line.contains(r#""first_seen":1700000000.000001,"last_seen":1700000001.500000"#));
        assert!(line.contains(r#""end_reason":"tcp_closed","rtt_us":120,"retransmissions":0"#));
        // Community ID after the TCP counters: a new optional field, the others keep their place.
        assert!(line.contains(r#""out_of_order":0,"community_id":"1:"#));
        assert!(line.contains(r#""server_name":"www.example.test","dns_answers":["192.0.2.7"],"#));
        // Enrichment, prefixed by side, only for the side the files know.
        assert!(line.ends_with(
            r#""dst_country":"SE","dst_city":"Linköping","dst_asn":29518,"dst_as_org":"Bredband2 AB"}
"#
        ));
        assert!(!line.contains("src_country"));
    }
}
