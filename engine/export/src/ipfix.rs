//! IPFIX message encoding (RFC 7011) of flow records as biflows (RFC 5103).
//!
//! One template per address family. Each record carries the client → server counters in the forward elements and
//! the server → client counters in the reverse elements (enterprise 29305), so one record is one conversation, as
//! in xntop's JSON records. Messages are kept under a size bound so they fit one datagram on the path.

use std::net::IpAddr;

use xntop_model::FlowRecord;

/// IPFIX version number in the message header.
const VERSION: u16 = 10;
const MESSAGE_HEADER_LEN: usize = 16;
const SET_HEADER_LEN: usize = 4;
const TEMPLATE_SET_ID: u16 = 2;
/// Template (and data set) ids.
pub const TEMPLATE_V4: u16 = 256;
pub const TEMPLATE_V6: u16 = 257;
/// Private enterprise number of the RFC 5103 reverse information elements.
const REVERSE_PEN: u32 = 29305;
/// ntop's private enterprise number: its tools (ntopng, nProbe) read these elements.
pub const NTOP_PEN: u32 = 35632;
/// Variable-length field marker in a template.
const VARIABLE: u16 = 0xffff;
/// Longest string value exported (keeps the 1-byte length form; longer names are cut at a char boundary).
pub const MAX_STRING: usize = 250;

/// One field of a template: (element id, length, enterprise number).
type Field = (u16, u16, Option<u32>);

/// Fields shared by both templates; the address fields are inserted at index 2.
/// applicationId (RFC 6759): classification engine 6 ("user defined": xntop's protocol table), then the master
/// and application indices, 2 bytes each.
pub const APPLICATION_ID_ENGINE: u8 = 6;
const COMMON: [Field; 16] = [
    (152, 8, None),            // flowStartMilliseconds
    (153, 8, None),            // flowEndMilliseconds
    (7, 2, None),              // sourceTransportPort
    (11, 2, None),             // destinationTransportPort
    (4, 1, None),              // protocolIdentifier
    (6, 2, None),              // tcpControlBits
    (58, 2, None),             // vlanId
    (1, 8, None),              // octetDeltaCount
    (2, 8, None),              // packetDeltaCount
    (1, 8, Some(REVERSE_PEN)), // reverseOctetDeltaCount
    (2, 8, Some(REVERSE_PEN)), // reversePacketDeltaCount
    (6, 2, Some(REVERSE_PEN)), // reverseTcpControlBits
    (136, 1, None),            // flowEndReason
    (95, 5, None),             // applicationId
    (16, 4, None),             // bgpSourceAsNumber (0: unknown; from --asn)
    (17, 4, None),             // bgpDestinationAsNumber
];
/// ntop's string elements (nProbe's numbering), after the common ones: L7_PROTO_NAME, SSL_SERVER_NAME, DNS_QUERY,
/// HTTP_URL, JA3C_HASH, JA4C_HASH.
const NTOP_STRINGS: [Field; 6] = [
    (119, VARIABLE, Some(NTOP_PEN)),
    (188, VARIABLE, Some(NTOP_PEN)),
    (205, VARIABLE, Some(NTOP_PEN)),
    (180, VARIABLE, Some(NTOP_PEN)),
    (489, VARIABLE, Some(NTOP_PEN)),
    (576, VARIABLE, Some(NTOP_PEN)),
];
const V4_ADDRS: [Field; 2] = [(8, 4, None), (12, 4, None)]; // source/destinationIPv4Address
const V6_ADDRS: [Field; 2] = [(27, 16, None), (28, 16, None)]; // source/destinationIPv6Address

/// The string values of a record, in `NTOP_STRINGS` order, each cut to `MAX_STRING` bytes.
fn strings(r: &FlowRecord) -> [&str; 6] {
    let cut = |s: &str| -> usize {
        let mut end = s.len().min(MAX_STRING);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        end
    };
    let meta = r.l7.as_deref();
    let get = |f: fn(&xntop_model::L7Meta) -> &Option<Box<str>>| {
        meta.and_then(|m| f(m).as_deref()).unwrap_or("")
    };
    let vals = [
        &r.app,
        get(|m| &m.server_name),
        get(|m| &m.dns_query),
        get(|m| &m.http_url),
        get(|m| &m.ja3),
        get(|m| &m.ja4),
    ];
    vals.map(|v| &v[..cut(v)])
}

fn record_len(r: &FlowRecord) -> usize {
    let addrs = if r.src_ip.is_ipv6() { 32 } else { 8 };
    let fixed: usize = COMMON.iter().map(|f| usize::from(f.1)).sum();
    fixed + addrs + strings(r).iter().map(|s| 1 + s.len()).sum::<usize>()
}

/// flowEndReason values (RFC 7011 IANA registry).
fn end_reason_code(reason: &str) -> u8 {
    match reason {
        "idle" => 0x01,
        "active_timeout" => 0x02,
        "tcp_closed" | "tcp_reset" => 0x03,
        "shutdown" => 0x04,
        "evicted" => 0x05,
        _ => 0x00,
    }
}

/// Encodes records into IPFIX messages, keeping the sequence number and deciding when templates are resent.
#[derive(Debug)]
pub struct Encoder {
    domain_id: u32,
    /// Data records sent so far (the IPFIX sequence number).
    sequence: u32,
    max_message: usize,
    /// Messages sent since the templates were last included.
    since_templates: u32,
    /// Include templates every this many messages (UDP collectors may start late or lose them).
    template_every: u32,
}

impl Encoder {
    /// `max_message` bounds a message's size in bytes (path MTU minus IP and UDP headers).
    #[must_use]
    pub fn new(domain_id: u32, max_message: usize, template_every: u32) -> Self {
        Self {
            domain_id,
            sequence: 0,
            max_message: max_message.clamp(256, 65_535),
            since_templates: u32::MAX,
            template_every: template_every.max(1),
        }
    }

    /// Data records encoded so far.
    #[must_use]
    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    /// Appends to `out` one or more complete messages holding every record, calling `emit` with each message's
    /// byte range in `out` (the caller sends them). `export_time` is seconds since the epoch.
    pub fn encode(
        &mut self,
        records: &[FlowRecord],
        export_time: u32,
        out: &mut Vec<u8>,
        mut emit: impl FnMut(&[u8]),
    ) {
        let mut i = 0;
        while i < records.len() {
            out.clear();
            let start_seq = self.sequence;
            out.extend_from_slice(&[0; MESSAGE_HEADER_LEN]);
            if self.since_templates >= self.template_every {
                self.write_templates(out);
                self.since_templates = 0;
            }
            self.since_templates += 1;
            // Data sets: consecutive records of one family share a set.
            while i < records.len() {
                let v6 = records[i].src_ip.is_ipv6();
                if out.len() + SET_HEADER_LEN + record_len(&records[i]) > self.max_message {
                    break;
                }
                let set_start = out.len();
                out.extend_from_slice(&(if v6 { TEMPLATE_V6 } else { TEMPLATE_V4 }).to_be_bytes());
                out.extend_from_slice(&[0, 0]);
                while i < records.len()
                    && records[i].src_ip.is_ipv6() == v6
                    && out.len() + record_len(&records[i]) <= self.max_message
                {
                    write_record(&records[i], out);
                    self.sequence = self.sequence.wrapping_add(1);
                    i += 1;
                }
                let set_len = u16::try_from(out.len() - set_start).unwrap_or(u16::MAX);
                out[set_start + 2..set_start + 4].copy_from_slice(&set_len.to_be_bytes());
            }
            self.write_header(out, export_time, start_seq);
            emit(out);
        }
    }

    /// A message with only the templates (sent at start and on refresh even when there are no records).
    pub fn templates_message(&mut self, export_time: u32, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(&[0; MESSAGE_HEADER_LEN]);
        self.write_templates(out);
        self.since_templates = 0;
        let seq = self.sequence;
        self.write_header(out, export_time, seq);
    }

    fn write_header(&self, out: &mut [u8], export_time: u32, sequence: u32) {
        let len = u16::try_from(out.len()).unwrap_or(u16::MAX);
        out[0..2].copy_from_slice(&VERSION.to_be_bytes());
        out[2..4].copy_from_slice(&len.to_be_bytes());
        out[4..8].copy_from_slice(&export_time.to_be_bytes());
        out[8..12].copy_from_slice(&sequence.to_be_bytes());
        out[12..16].copy_from_slice(&self.domain_id.to_be_bytes());
    }

    fn write_templates(&self, out: &mut Vec<u8>) {
        let set_start = out.len();
        out.extend_from_slice(&TEMPLATE_SET_ID.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        for (id, addrs) in [(TEMPLATE_V4, V4_ADDRS), (TEMPLATE_V6, V6_ADDRS)] {
            let fields: Vec<Field> = COMMON[..2]
                .iter()
                .chain(&addrs)
                .chain(&COMMON[2..])
                .chain(&NTOP_STRINGS)
                .copied()
                .collect();
            out.extend_from_slice(&id.to_be_bytes());
            out.extend_from_slice(&u16::try_from(fields.len()).unwrap_or(0).to_be_bytes());
            for (ie, len, pen) in fields {
                match pen {
                    Some(pen) => {
                        out.extend_from_slice(&(ie | 0x8000).to_be_bytes());
                        out.extend_from_slice(&len.to_be_bytes());
                        out.extend_from_slice(&pen.to_be_bytes());
                    }
                    None => {
                        out.extend_from_slice(&ie.to_be_bytes());
                        out.extend_from_slice(&len.to_be_bytes());
                    }
                }
            }
        }
        let set_len = u16::try_from(out.len() - set_start).unwrap_or(u16::MAX);
        out[set_start + 2..set_start + 4].copy_from_slice(&set_len.to_be_bytes());
    }
}

fn write_record(r: &FlowRecord, out: &mut Vec<u8>) {
    out.extend_from_slice(&(r.first_seen_ns / 1_000_000).to_be_bytes());
    out.extend_from_slice(&(r.last_seen_ns / 1_000_000).to_be_bytes());
    match (r.src_ip, r.dst_ip) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&d.octets());
        }
        (s, d) => {
            let v6 = |a: IpAddr| match a {
                IpAddr::V6(a) => a.octets(),
                IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
            };
            out.extend_from_slice(&v6(s));
            out.extend_from_slice(&v6(d));
        }
    }
    out.extend_from_slice(&r.src_port.to_be_bytes());
    out.extend_from_slice(&r.dst_port.to_be_bytes());
    out.push(r.proto);
    out.extend_from_slice(&u16::from(r.tcp_flags_c2s).to_be_bytes());
    out.extend_from_slice(&r.vlan.to_be_bytes());
    out.extend_from_slice(&r.bytes_c2s.to_be_bytes());
    out.extend_from_slice(&r.packets_c2s.to_be_bytes());
    out.extend_from_slice(&r.bytes_s2c.to_be_bytes());
    out.extend_from_slice(&r.packets_s2c.to_be_bytes());
    out.extend_from_slice(&u16::from(r.tcp_flags_s2c).to_be_bytes());
    out.push(end_reason_code(r.end_reason));
    out.push(APPLICATION_ID_ENGINE);
    out.extend_from_slice(&r.app_ids[0].to_be_bytes());
    out.extend_from_slice(&r.app_ids[1].to_be_bytes());
    for g in &r.geo {
        let asn = g.as_ref().and_then(|g| g.asn).unwrap_or(0);
        out.extend_from_slice(&asn.to_be_bytes());
    }
    for s in strings(r) {
        // Cut to MAX_STRING (< 255) above, so the one-byte length form always applies.
        out.push(u8::try_from(s.len()).unwrap_or(0));
        out.extend_from_slice(s.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(src: &str, dst: &str) -> FlowRecord {
        FlowRecord {
            proto: 6,
            src_ip: src.parse().unwrap_or(IpAddr::from([0u8; 4])),
            src_port: 40000,
            dst_ip: dst.parse().unwrap_or(IpAddr::from([0u8; 4])),
            dst_port: 443,
            vlan: 7,
            iface: 0,
            tunnel: None,
            app: "Unknown".into(),
            master: "Unknown",
            category: "Unspecified",
            confidence: "unknown",
            app_ids: [0, 0],
            packets_c2s: 10,
            packets_s2c: 8,
            bytes_c2s: 1000,
            bytes_s2c: 9000,
            first_seen_ns: 1_700_000_000_123_000_000,
            last_seen_ns: 1_700_000_001_456_000_000,
            tcp_flags_c2s: 0x1b,
            tcp_flags_s2c: 0x1a,
            tcp_state: Some("closed"),
            end_reason: "tcp_closed",
            rtt_us: None,
            retransmissions: 0,
            out_of_order: 0,
            l7: None,
            geo: [None, None],
        }
    }

    fn be16(b: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([b[at], b[at + 1]])
    }

    #[test]
    fn message_layout_templates_and_one_v4_record() {
        let mut enc = Encoder::new(42, 1400, 10);
        let mut out = Vec::new();
        let mut msgs = Vec::new();
        enc.encode(
            &[record("10.0.0.1", "10.0.0.2")],
            1_700_000_002,
            &mut out,
            |m| msgs.push(m.to_vec()),
        );
        assert_eq!(msgs.len(), 1);
        let m = &msgs[0];
        assert_eq!(be16(m, 0), 10);
        assert_eq!(usize::from(be16(m, 2)), m.len());
        assert_eq!(
            &m[8..12],
            &0u32.to_be_bytes(),
            "sequence counts records sent before"
        );
        assert_eq!(&m[12..16], &42u32.to_be_bytes());
        // Template set first: id 2, templates 256 (24 fields: 18 standard, 6 of ntop's) and 257.
        assert_eq!(be16(m, 16), 2);
        let tset_len = usize::from(be16(m, 18));
        assert_eq!(be16(m, 20), TEMPLATE_V4);
        assert_eq!(be16(m, 22), 24);
        // Then the data set with one record.
        let d = 16 + tset_len;
        assert_eq!(be16(m, d), TEMPLATE_V4);
        assert_eq!(
            usize::from(be16(m, d + 2)),
            4 + record_len(&record("10.0.0.1", "10.0.0.2"))
        );
        let rec = &m[d + 4..];
        assert_eq!(
            u64::from_be_bytes(rec[0..8].try_into().unwrap_or([0; 8])),
            1_700_000_000_123
        );
        assert_eq!(&rec[16..20], &[10, 0, 0, 1]);
        assert_eq!(enc.sequence(), 1);
        // bgpSourceAsNumber and bgpDestinationAsNumber follow applicationId: 0 when unknown, else --asn's.
        let mut r = record("10.0.0.1", "10.0.0.2");
        r.geo[1] = Some(std::sync::Arc::new(xntop_model::GeoInfo {
            asn: Some(64500),
            ..xntop_model::GeoInfo::default()
        }));
        let mut one = Vec::new();
        write_record(&r, &mut one);
        assert_eq!(one.len(), record_len(&r));
        assert_eq!(&one[73..77], &0u32.to_be_bytes());
        assert_eq!(&one[77..81], &64500u32.to_be_bytes());
    }

    #[test]
    fn records_split_across_messages_under_the_bound_and_sequence_advances() {
        let mut enc = Encoder::new(1, 600, 1000);
        let recs: Vec<FlowRecord> = (0..40)
            .map(|i| {
                if i % 3 == 0 {
                    record("2001:db8::1", "2001:db8::2")
                } else {
                    record("10.0.0.1", "10.0.0.2")
                }
            })
            .collect();
        let mut out = Vec::new();
        let mut msgs = Vec::new();
        enc.encode(&recs, 0, &mut out, |m| msgs.push(m.to_vec()));
        assert!(msgs.len() > 3);
        let mut seqs = Vec::new();
        for m in &msgs {
            assert!(m.len() <= 600);
            assert_eq!(usize::from(be16(m, 2)), m.len());
            seqs.push(u32::from_be_bytes(m[8..12].try_into().unwrap_or([0; 4])));
        }
        assert_eq!(seqs[0], 0);
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(enc.sequence(), 40);
    }
}
