//! The flow record as a Suricata EVE `flow` event (`-F eve:PATH`), so tools that read Suricata's `eve.json`
//! (SIEM pipelines, Filebeat's Suricata module, jq scripts) read xntop's flows without a mapping of their own.
//!
//! Suricata's names and conventions: `dest_*` for the server, `*_toserver`/`*_toclient` counters, lowercase
//! `app_proto`, TCP flags as hex strings, and `flow.reason` one of `timeout`, `forced`, `shutdown`. Fields Suricata
//! does not have stay out (its schema has `additionalProperties: false`); the test validates every record against
//! the schema Suricata publishes (`testdata/eve/`).

use crate::json::JsonWriter;
use crate::record::FlowRecord;
use crate::timefmt::{write_timestamp, Zone};

/// Suricata's `app_proto` for an xntop master protocol, when Suricata has a parser of that name.
fn app_proto(master: &str) -> Option<&'static str> {
    Some(match master {
        "HTTP" | "HTTP_Proxy" | "HTTP_Connect" => "http",
        "HTTP2" => "http2",
        "TLS" => "tls",
        "QUIC" => "quic",
        "DNS" | "MDNS" | "LLMNR" => "dns",
        "SSH" => "ssh",
        "SMTP" | "SMTPS" => "smtp",
        "FTP_CONTROL" => "ftp",
        "FTP_DATA" => "ftp-data",
        "IMAP" | "IMAPS" => "imap",
        "POP3" | "POPS" => "pop3",
        "SMBv1" | "SMBv23" => "smb",
        "DCERPC" => "dcerpc",
        "DHCP" | "DHCPV6" => "dhcp",
        "NTP" => "ntp",
        "SNMP" => "snmp",
        "SIP" => "sip",
        "RDP" => "rdp",
        "VNC" => "rfb",
        "MQTT" => "mqtt",
        "Kerberos" => "krb5",
        "IPSec" => "ike",
        "TFTP" => "tftp",
        "Modbus" => "modbus",
        "DNP3" => "dnp3",
        "PostgreSQL" => "pgsql",
        "LDAP" => "ldap",
        "Telnet" => "telnet",
        "BitTorrent" => "bittorrent-dht",
        "Syslog" => "syslog",
        _ => return None,
    })
}

/// Suricata's protocol names (`proto`): its own spelling for ICMPv6, else xntop's.
fn proto_str(proto: u8) -> std::borrow::Cow<'static, str> {
    match proto {
        58 => "IPv6-ICMP".into(),
        p => crate::proto_name(p).map_or_else(|| p.to_string().into(), Into::into),
    }
}

fn hex_flags(f: u8) -> String {
    format!("{f:x}")
}

impl FlowRecord {
    /// Appends the record as one EVE `flow` event and a newline.
    pub fn write_eve_line(&self, out: &mut Vec<u8>) {
        let mut ts = String::with_capacity(32);
        let mut w = JsonWriter::begin(out);
        write_timestamp(&mut ts, self.first_seen_ns, Zone::Offset);
        w.str("timestamp", &ts);
        w.u64("flow_id", self.flow_id());
        w.str("event_type", "flow");
        w.ip("src_ip", self.src_ip);
        let has_ports = matches!(self.proto, 6 | 17 | 132);
        if has_ports {
            w.u64("src_port", u64::from(self.src_port));
        }
        w.ip("dest_ip", self.dst_ip);
        if has_ports {
            w.u64("dest_port", u64::from(self.dst_port));
        }
        w.str("proto", &proto_str(self.proto));
        if let Some(app) = app_proto(self.master) {
            w.str("app_proto", app);
        }
        if let Some(id) = self.community_id() {
            w.str("community_id", &id);
        }
        if self.vlan != 0 {
            w.u64_array("vlan", [u64::from(self.vlan)]);
        }
        w.open("flow");
        w.u64("pkts_toserver", self.packets_c2s);
        w.u64("pkts_toclient", self.packets_s2c);
        w.u64("bytes_toserver", self.bytes_c2s);
        w.u64("bytes_toclient", self.bytes_s2c);
        w.str("start", &ts);
        ts.clear();
        write_timestamp(&mut ts, self.last_seen_ns, Zone::Offset);
        w.str("end", &ts);
        w.u64(
            "age",
            (self.last_seen_ns / 1_000_000_000).saturating_sub(self.first_seen_ns / 1_000_000_000),
        );
        w.str("state", self.eve_state());
        w.str(
            "reason",
            match self.end_reason {
                "evicted" => "forced",
                "shutdown" => "shutdown",
                _ => "timeout",
            },
        );
        w.bool("alerted", false);
        w.close();
        if self.proto == 6 {
            let all = self.tcp_flags_c2s | self.tcp_flags_s2c;
            w.open("tcp");
            w.str("tcp_flags", &hex_flags(all));
            w.str("tcp_flags_ts", &hex_flags(self.tcp_flags_c2s));
            w.str("tcp_flags_tc", &hex_flags(self.tcp_flags_s2c));
            for (bit, name) in [
                (0x01, "fin"),
                (0x02, "syn"),
                (0x04, "rst"),
                (0x08, "psh"),
                (0x10, "ack"),
                (0x20, "urg"),
                (0x40, "ecn"),
                (0x80, "cwr"),
            ] {
                if all & bit != 0 {
                    w.bool(name, true);
                }
            }
            if let Some(state) = self.tcp_state {
                w.str("state", state);
            }
            w.close();
        }
        w.end();
        out.push(b'\n');
    }

    /// Suricata's flow states: `new` (one side only), `established`, `closed` (TCP after FIN/RST).
    fn eve_state(&self) -> &'static str {
        match (self.proto, self.tcp_state) {
            (6, Some(s)) if s.contains("clos") || s.contains("fin") || s.contains("reset") => {
                "closed"
            }
            _ if self.packets_c2s > 0 && self.packets_s2c > 0 => "established",
            _ => "new",
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::record::tests::sample;

    #[test]
    fn eve_line_has_suricata_names() {
        let r = sample();
        let mut out = Vec::new();
        r.write_eve_line(&mut out);
        let line = String::from_utf8_lossy(&out);
        assert!(line.ends_with("}\n"));
        assert!(line.starts_with(r#"{"timestamp":"2023-11-14T22:13:20.000001+0000","flow_id":"#));
        assert!(line.contains(
            r#""event_type":"flow","src_ip":"10.0.0.2","src_port":40000,"dest_ip":"10.0.0.1","dest_port":80,"proto":"TCP""#
        ));
        assert!(line.contains(
            r#""flow":{"pkts_toserver":5,"pkts_toclient":4,"bytes_toserver":400,"bytes_toclient":3000,"start":"2023-11-14T22:13:20.000001+0000","end":"2023-11-14T22:13:21.500000+0000","age":1,"state":"closed","reason":"timeout","alerted":false}"#
        ));
        assert!(line.contains(
            r#""tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","fin":true,"syn":true,"psh":true,"ack":true,"state":"closed"}"#
        ));
    }
}
