//! IPFIX (RFC 7011) and NetFlow v9 (RFC 3954) message decoding for the collector (`-i ipfix://…`).
//!
//! Templates are kept per (exporter address, observation domain / source id, template id); a template withdrawal
//! (field count 0) removes one. Options templates are learned so their records can be skipped. Sequence numbers are
//! checked per exporter and domain: a gap counts the records (IPFIX) or messages (v9) that never arrived.
//!
//! Bounds: at most `MAX_TEMPLATES` templates in total and `MAX_FIELDS` fields per template; a message is parsed with
//! every length checked once, and a broken one is counted and dropped, never fatal.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use xntop_model::FlowRecord;

/// Templates kept across all exporters (a hostile exporter cannot grow memory past this).
pub const MAX_TEMPLATES: usize = 4096;
/// Fields per template.
pub const MAX_FIELDS: usize = 128;
const REVERSE_PEN: u32 = 29305;
use crate::ipfix::NTOP_PEN;

/// Why a message was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectError {
    /// Shorter than its header or its declared length.
    Truncated,
    /// Not IPFIX (10), NetFlow v9 or v5.
    UnknownVersion(u16),
    /// A set or template whose length does not add up.
    BadSet,
}

/// Counters of what came in.
#[derive(Debug, Default, Clone, Copy)]
pub struct CollectorStats {
    pub messages: u64,
    pub records: u64,
    /// Data records (IPFIX) or export packets (v9) that the sequence numbers say never arrived.
    pub lost: u64,
    pub bad_messages: u64,
    /// Data records whose template was not (yet) known.
    pub no_template: u64,
    pub templates: u64,
}

#[derive(Debug, Clone, Copy)]
struct FieldSpec {
    id: u16,
    len: u16,
    pen: u32,
}

#[derive(Debug, Clone)]
struct Template {
    fields: Vec<FieldSpec>,
    /// Options templates describe metadata, not flows: their records are skipped.
    options: bool,
}

type TemplateKey = (SocketAddr, u32, u16);

/// Decoder state for every exporter seen.
#[derive(Debug, Default)]
pub struct Collector {
    templates: HashMap<TemplateKey, Template>,
    /// Per exporter, domain and protocol: (last sequence number, records in that message, counts-after flag).
    sequences: HashMap<(SocketAddr, u32, u16), (u32, u32, bool)>,
    /// systemInitTimeMilliseconds (IE 160) per exporter and domain, from options records: turns
    /// flowStart/EndSysUpTime (IE 22/21) into wall-clock time.
    init_ms: HashMap<(SocketAddr, u32), u64>,
    pub stats: CollectorStats,
    /// Interface index given to the records.
    pub iface: u8,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// An unsigned integer of 1 to 8 bytes (IPFIX reduced-size encoding).
fn uint(b: &[u8]) -> u64 {
    b.iter()
        .take(8)
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}

/// What one data record held, before it becomes a `FlowRecord`.
#[derive(Default)]
struct Fields {
    src: Option<IpAddr>,
    dst: Option<IpAddr>,
    src_port: u16,
    dst_port: u16,
    proto: u8,
    vlan: u16,
    bytes: u64,
    packets: u64,
    rev_bytes: u64,
    rev_packets: u64,
    flags: u8,
    rev_flags: u8,
    start_ms: Option<u64>,
    end_ms: Option<u64>,
    /// NetFlow v9 FIRST/LAST_SWITCHED: milliseconds of the exporter's uptime.
    first_uptime: Option<u64>,
    last_uptime: Option<u64>,
    end_reason: u8,
    sys_init_ms: Option<u64>,
    /// ntop's string elements (SSL_SERVER_NAME, DNS_QUERY, HTTP_URL).
    server_name: Option<Box<str>>,
    dns_query: Option<Box<str>>,
    http_url: Option<Box<str>>,
    /// L7_PROTO_NAME and applicationId (xntop's engine: master and application indices).
    app_name: Option<Box<str>>,
    ja3: Option<Box<str>>,
    ja4: Option<Box<str>>,
    app_ids: Option<[u16; 2]>,
}

impl Collector {
    #[must_use]
    pub fn new(iface: u8) -> Self {
        Self {
            iface,
            ..Self::default()
        }
    }

    /// Decodes one datagram from `from`, appending its flow records to `out`.
    ///
    /// # Errors
    /// A broken message; it is counted in `stats.bad_messages` too.
    pub fn ingest(
        &mut self,
        from: SocketAddr,
        msg: &[u8],
        out: &mut Vec<FlowRecord>,
    ) -> Result<(), CollectError> {
        let r = match be16(msg, 0) {
            Some(10) => self.ipfix(from, msg, out),
            Some(9) => self.v9(from, msg, out),
            Some(5) => self.v5(from, msg, out),
            Some(v) => Err(CollectError::UnknownVersion(v)),
            None => Err(CollectError::Truncated),
        };
        self.stats.messages += 1;
        if r.is_err() {
            self.stats.bad_messages += 1;
        }
        r
    }

    /// Counts what the sequence numbers say was lost. RFC 7011 numbers a message by the records sent *before* it;
    /// some exporters (softflowd) number it by the records sent *including* it. Both are recognised per exporter,
    /// so neither is mistaken for loss.
    fn check_sequence(&mut self, key: (SocketAddr, u32, u16), seq: u32, records: u32) {
        if let Some(&(last, last_records, counts_after)) = self.sequences.get(&key) {
            let before = last.wrapping_add(last_records);
            let after = last.wrapping_add(records);
            let (counts_after, expected) = if seq == before && !counts_after {
                (false, before)
            } else if seq == after {
                (true, after)
            } else {
                (counts_after, if counts_after { after } else { before })
            };
            let gap = seq.wrapping_sub(expected);
            // A small backwards step is reordering, not loss; a huge "gap" is a restart.
            if gap > 0 && gap < (1 << 30) {
                self.stats.lost += u64::from(gap);
            }
            self.sequences.insert(key, (seq, records, counts_after));
        } else {
            self.sequences.insert(key, (seq, records, false));
        }
    }

    fn ipfix(
        &mut self,
        from: SocketAddr,
        msg: &[u8],
        out: &mut Vec<FlowRecord>,
    ) -> Result<(), CollectError> {
        let len = usize::from(be16(msg, 2).ok_or(CollectError::Truncated)?);
        if len < 16 || len > msg.len() {
            return Err(CollectError::Truncated);
        }
        let msg = &msg[..len];
        let seq = be32(msg, 8).ok_or(CollectError::Truncated)?;
        let domain = be32(msg, 12).ok_or(CollectError::Truncated)?;
        let mut data_records = 0u32;
        let mut at = 16;
        while at + 4 <= msg.len() {
            let set_id = be16(msg, at).ok_or(CollectError::BadSet)?;
            let set_len = usize::from(be16(msg, at + 2).ok_or(CollectError::BadSet)?);
            if set_len < 4 || at + set_len > msg.len() {
                return Err(CollectError::BadSet);
            }
            let body = &msg[at + 4..at + set_len];
            match set_id {
                2 => self.templates_set(from, domain, body, false, true)?,
                3 => self.templates_set(from, domain, body, true, true)?,
                id if id >= 256 => {
                    let init = self.init_ms.get(&(from, domain)).copied();
                    data_records += self.data_set(from, domain, id, body, init, out);
                }
                _ => {}
            }
            at += set_len;
        }
        // The IPFIX sequence counts every data record, options records included.
        self.check_sequence((from, domain, 10), seq, data_records);
        Ok(())
    }

    fn v9(
        &mut self,
        from: SocketAddr,
        msg: &[u8],
        out: &mut Vec<FlowRecord>,
    ) -> Result<(), CollectError> {
        if msg.len() < 20 {
            return Err(CollectError::Truncated);
        }
        let uptime_ms = u64::from(be32(msg, 4).ok_or(CollectError::Truncated)?);
        let unix_s = u64::from(be32(msg, 8).ok_or(CollectError::Truncated)?);
        let seq = be32(msg, 12).ok_or(CollectError::Truncated)?;
        let source = be32(msg, 16).ok_or(CollectError::Truncated)?;
        // Uptime → wall clock: the export time minus the uptime is the exporter's boot time.
        let boot_ms = (unix_s * 1000).saturating_sub(uptime_ms);
        let mut at = 20;
        while at + 4 <= msg.len() {
            let set_id = be16(msg, at).ok_or(CollectError::BadSet)?;
            let set_len = usize::from(be16(msg, at + 2).ok_or(CollectError::BadSet)?);
            if set_len < 4 || at + set_len > msg.len() {
                return Err(CollectError::BadSet);
            }
            let body = &msg[at + 4..at + set_len];
            match set_id {
                0 => self.templates_set(from, source, body, false, false)?,
                1 => self.options_v9(from, source, body),
                id if id >= 256 => {
                    self.data_set(from, source, id, body, Some(boot_ms), out);
                }
                _ => {}
            }
            at += set_len;
        }
        // NetFlow v9 numbers export packets, not records.
        self.check_sequence((from, source, 9), seq, 1);
        Ok(())
    }

    /// NetFlow v5: fixed 48-byte IPv4 records after a 24-byte header; no templates.
    fn v5(
        &mut self,
        from: SocketAddr,
        msg: &[u8],
        out: &mut Vec<FlowRecord>,
    ) -> Result<(), CollectError> {
        const HEADER: usize = 24;
        const RECORD: usize = 48;
        let count = usize::from(be16(msg, 2).ok_or(CollectError::Truncated)?);
        if msg.len() < HEADER + count * RECORD {
            return Err(CollectError::Truncated);
        }
        let uptime_ms = u64::from(be32(msg, 4).ok_or(CollectError::Truncated)?);
        let unix_s = u64::from(be32(msg, 8).ok_or(CollectError::Truncated)?);
        let seq = be32(msg, 16).ok_or(CollectError::Truncated)?;
        let engine = u32::from(be16(msg, 20).ok_or(CollectError::Truncated)?);
        let boot_ms = (unix_s * 1000).saturating_sub(uptime_ms);
        for r in msg[HEADER..HEADER + count * RECORD].chunks_exact(RECORD) {
            let mut f = Fields {
                src: addr(&r[0..4]),
                dst: addr(&r[4..8]),
                packets: uint(&r[16..20]),
                bytes: uint(&r[20..24]),
                first_uptime: Some(uint(&r[24..28])),
                last_uptime: Some(uint(&r[28..32])),
                src_port: u16::from_be_bytes([r[32], r[33]]),
                dst_port: u16::from_be_bytes([r[34], r[35]]),
                flags: r[37],
                proto: r[38],
                ..Fields::default()
            };
            f.end_reason = 0;
            if let Some(rec) = self.to_record(&f, Some(boot_ms)) {
                out.push(rec);
                self.stats.records += 1;
            }
        }
        // v5 numbers flows, like IPFIX numbers records.
        self.check_sequence((from, engine, 5), seq, u32::try_from(count).unwrap_or(0));
        Ok(())
    }

    fn templates_set(
        &mut self,
        from: SocketAddr,
        domain: u32,
        mut body: &[u8],
        options: bool,
        ipfix: bool,
    ) -> Result<(), CollectError> {
        while body.len() >= 4 {
            let id = be16(body, 0).ok_or(CollectError::BadSet)?;
            let count = usize::from(be16(body, 2).ok_or(CollectError::BadSet)?);
            let mut at = 4;
            if count == 0 {
                // Template withdrawal.
                self.templates.remove(&(from, domain, id));
                body = &body[at..];
                continue;
            }
            if options {
                at += 2; // scope field count (IPFIX) — the fields follow as ordinary specifiers
            }
            if count > MAX_FIELDS || id < 256 {
                return Err(CollectError::BadSet);
            }
            let mut fields = Vec::with_capacity(count);
            for _ in 0..count {
                let raw = be16(body, at).ok_or(CollectError::BadSet)?;
                let len = be16(body, at + 2).ok_or(CollectError::BadSet)?;
                at += 4;
                let mut pen = 0;
                if ipfix && raw & 0x8000 != 0 {
                    pen = be32(body, at).ok_or(CollectError::BadSet)?;
                    at += 4;
                }
                fields.push(FieldSpec {
                    id: raw & 0x7fff,
                    len,
                    pen,
                });
            }
            if self.templates.len() < MAX_TEMPLATES
                || self.templates.contains_key(&(from, domain, id))
            {
                self.templates
                    .insert((from, domain, id), Template { fields, options });
                self.stats.templates += 1;
            }
            body = body.get(at..).unwrap_or(&[]);
        }
        Ok(())
    }

    /// NetFlow v9 options templates have a different layout (scope and option lengths in bytes); they only need
    /// learning so their data can be skipped.
    fn options_v9(&mut self, from: SocketAddr, source: u32, body: &[u8]) {
        let (Some(id), Some(scope_len), Some(opt_len)) =
            (be16(body, 0), be16(body, 2), be16(body, 4))
        else {
            return;
        };
        let n = usize::from(scope_len / 4 + opt_len / 4).min(MAX_FIELDS);
        let fields = (0..n)
            .filter_map(|i| {
                Some(FieldSpec {
                    id: be16(body, 6 + i * 4)?,
                    len: be16(body, 8 + i * 4)?,
                    pen: 0,
                })
            })
            .collect();
        if self.templates.len() < MAX_TEMPLATES {
            self.templates.insert(
                (from, source, id),
                Template {
                    fields,
                    options: true,
                },
            );
        }
    }

    /// Decodes a data set; returns how many records (flow or options) it held. `boot_ms` is the exporter's
    /// start in ms since the epoch, when known (uptime-relative timestamps are counted from it).
    fn data_set(
        &mut self,
        from: SocketAddr,
        domain: u32,
        id: u16,
        body: &[u8],
        boot_ms: Option<u64>,
        out: &mut Vec<FlowRecord>,
    ) -> u32 {
        let Some(t) = self.templates.get(&(from, domain, id)) else {
            self.stats.no_template += 1;
            return 0;
        };
        let mut count = 0;
        let mut learned_init = None;
        let mut at = 0;
        loop {
            let mut f = Fields::default();
            let start = at;
            let mut complete = true;
            for spec in &t.fields {
                let len = if spec.len == 0xffff {
                    // Variable length: one byte, or 255 then two bytes.
                    let Some(&first) = body.get(at) else {
                        complete = false;
                        break;
                    };
                    at += 1;
                    if first == 255 {
                        let Some(l) = be16(body, at) else {
                            complete = false;
                            break;
                        };
                        at += 2;
                        usize::from(l)
                    } else {
                        usize::from(first)
                    }
                } else {
                    usize::from(spec.len)
                };
                let Some(value) = body.get(at..at + len) else {
                    complete = false;
                    break;
                };
                at += len;
                apply(&mut f, *spec, value);
            }
            // What is left when a record does not fit is padding.
            if !complete || at == start {
                break;
            }
            count += 1;
            if t.options {
                learned_init = f.sys_init_ms.or(learned_init);
                continue;
            }
            if let Some(r) = self.to_record(&f, f.sys_init_ms.or(boot_ms)) {
                out.push(r);
                self.stats.records += 1;
            }
        }
        if let Some(init) = learned_init {
            self.init_ms.insert((from, domain), init);
        }
        count
    }

    fn to_record(&self, f: &Fields, boot_ms: Option<u64>) -> Option<FlowRecord> {
        let (src_ip, dst_ip) = (f.src?, f.dst?);
        let ms_to_ns = |ms: u64| ms.saturating_mul(1_000_000);
        let (first, last) = match boot_ms {
            Some(boot) => (
                f.first_uptime.map(|u| boot + u).or(f.start_ms),
                f.last_uptime.map(|u| boot + u).or(f.end_ms),
            ),
            None => (f.start_ms, f.end_ms),
        };
        let first = first.unwrap_or(0);
        // The exporter's verdict: names from xntop's protocol table when it sent applicationId, else its
        // L7_PROTO_NAME as given.
        let proto = |id: u16| xntop_dpi::Proto::ALL.get(usize::from(id)).copied();
        let ids = f.app_ids.unwrap_or([0, 0]);
        let (master, app) = (
            proto(ids[0]).unwrap_or_default(),
            proto(ids[1]).unwrap_or_default(),
        );
        let class = xntop_dpi::Classification {
            master,
            app,
            confidence: xntop_dpi::Confidence::Unknown,
        };
        let app_name: std::borrow::Cow<'static, str> = match &f.app_name {
            Some(n) if !n.is_empty() => n.to_string().into(),
            _ => class.name().to_string().into(),
        };
        let known = app_name != "Unknown";
        Some(FlowRecord {
            proto: f.proto,
            src_ip,
            src_port: f.src_port,
            dst_ip,
            dst_port: f.dst_port,
            vlan: f.vlan,
            iface: self.iface,
            tunnel: None,
            app: app_name,
            master: if master == xntop_dpi::Proto::Unknown {
                app.name()
            } else {
                master.name()
            },
            category: class.category().name(),
            // The verdict is the exporter's; how sure it was does not travel.
            confidence: if known { "exporter" } else { "unknown" },
            app_ids: ids,
            packets_c2s: f.packets,
            packets_s2c: f.rev_packets,
            bytes_c2s: f.bytes,
            bytes_s2c: f.rev_bytes,
            first_seen_ns: ms_to_ns(first),
            last_seen_ns: ms_to_ns(last.unwrap_or(first)),
            tcp_flags_c2s: f.flags,
            tcp_flags_s2c: f.rev_flags,
            tcp_state: None,
            end_reason: match f.end_reason {
                1 => "idle",
                2 => "active_timeout",
                // "End of flow detected": a RST in either direction tells how.
                3 if (f.flags | f.rev_flags) & 0x04 != 0 => "tcp_reset",
                3 => "tcp_closed",
                4 => "shutdown",
                5 => "evicted",
                _ => "exported",
            },
            rtt_us: None,
            retransmissions: 0,
            out_of_order: 0,
            l7: (f.server_name.is_some()
                || f.dns_query.is_some()
                || f.http_url.is_some()
                || f.ja3.is_some()
                || f.ja4.is_some())
            .then(|| {
                Box::new(xntop_model::L7Meta {
                    server_name: f.server_name.clone(),
                    dns_query: f.dns_query.clone(),
                    http_url: f.http_url.clone(),
                    ja3: f.ja3.clone(),
                    ja4: f.ja4.clone(),
                    ..xntop_model::L7Meta::default()
                })
            }),
            geo: [None, None],
        })
    }
}

/// A non-empty UTF-8 string value (anything else is dropped).
fn text(v: &[u8]) -> Option<Box<str>> {
    std::str::from_utf8(v)
        .ok()
        .filter(|s| !s.is_empty())
        .map(Into::into)
}

fn addr(value: &[u8]) -> Option<IpAddr> {
    match value.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(
            value[0], value[1], value[2], value[3],
        ))),
        16 => Some(IpAddr::V6(Ipv6Addr::from(
            <[u8; 16]>::try_from(value).ok()?,
        ))),
        _ => None,
    }
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "fields are read at their declared width"
)]
fn apply(f: &mut Fields, spec: FieldSpec, v: &[u8]) {
    match (spec.pen, spec.id) {
        (0, 1) => f.bytes = uint(v),
        (0, 2) => f.packets = uint(v),
        (0, 4) => f.proto = uint(v) as u8,
        (0, 6) => f.flags = uint(v) as u8,
        (0, 7) => f.src_port = uint(v) as u16,
        (0, 11) => f.dst_port = uint(v) as u16,
        (0, 8 | 27) => f.src = addr(v),
        (0, 12 | 28) => f.dst = addr(v),
        (0, 58) => f.vlan = uint(v) as u16 & 0x0fff,
        (0, 21) => f.last_uptime = Some(uint(v)),
        (0, 22) => f.first_uptime = Some(uint(v)),
        // NetFlow v9 OUT_BYTES / OUT_PKTS: the reverse direction of a biflow exporter.
        (0, 23) => f.rev_bytes = uint(v),
        (0, 24) => f.rev_packets = uint(v),
        (0, 150) => f.start_ms = Some(uint(v) * 1000),
        (0, 151) => f.end_ms = Some(uint(v) * 1000),
        (0, 152) => f.start_ms = Some(uint(v)),
        (0, 153) => f.end_ms = Some(uint(v)),
        (0, 136) => f.end_reason = uint(v) as u8,
        (0, 160) => f.sys_init_ms = Some(uint(v)),
        (REVERSE_PEN, 1) => f.rev_bytes = uint(v),
        (REVERSE_PEN, 2) => f.rev_packets = uint(v),
        (REVERSE_PEN, 6) => f.rev_flags = uint(v) as u8,
        (0, 95) if v.len() == 5 && v[0] == crate::ipfix::APPLICATION_ID_ENGINE => {
            f.app_ids = Some([
                u16::from_be_bytes([v[1], v[2]]),
                u16::from_be_bytes([v[3], v[4]]),
            ]);
        }
        (NTOP_PEN, 119) => f.app_name = text(v),
        (NTOP_PEN, 489) => f.ja3 = text(v),
        (NTOP_PEN, 576) => f.ja4 = text(v),
        (NTOP_PEN, 188) => f.server_name = text(v),
        (NTOP_PEN, 205) => f.dns_query = text(v),
        (NTOP_PEN, 180) => f.http_url = text(v),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfix::Encoder;

    fn rec(i: u8, v6: bool) -> FlowRecord {
        let (s, d): (IpAddr, IpAddr) = if v6 {
            (
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, u16::from(i))),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            )
        } else {
            (
                IpAddr::V4(Ipv4Addr::new(10, 0, 0, i)),
                IpAddr::V4(Ipv4Addr::new(10, 0, 1, 1)),
            )
        };
        FlowRecord {
            proto: 17,
            src_ip: s,
            src_port: 1000 + u16::from(i),
            dst_ip: d,
            dst_port: 53,
            vlan: 3,
            iface: 0,
            tunnel: None,
            app: "Unknown".into(),
            master: "Unknown",
            category: "Unspecified",
            confidence: "unknown",
            app_ids: [0, 0],
            packets_c2s: 2,
            packets_s2c: 1,
            bytes_c2s: 140,
            bytes_s2c: 300,
            first_seen_ns: 1_700_000_000_123_000_000,
            last_seen_ns: 1_700_000_000_456_000_000,
            tcp_flags_c2s: 0,
            tcp_flags_s2c: 0,
            tcp_state: None,
            end_reason: "idle",
            rtt_us: None,
            retransmissions: 0,
            out_of_order: 0,
            l7: None,
            geo: [None, None],
        }
    }

    fn from() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 5555))
    }

    #[test]
    fn round_trip_through_our_encoder_and_sequence_gaps() {
        let mut enc = Encoder::new(7, 600, 100);
        let records: Vec<FlowRecord> = (0..30).map(|i| rec(i, i % 4 == 0)).collect();
        let mut buf = Vec::new();
        let mut msgs = Vec::new();
        enc.encode(&records, 0, &mut buf, |m| msgs.push(m.to_vec()));
        assert!(msgs.len() > 2);
        let mut c = Collector::new(2);
        let mut out = Vec::new();
        // Drop the second message: its records are counted as lost.
        let dropped = msgs.remove(1);
        for m in &msgs {
            c.ingest(from(), m, &mut out)
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
        let mut c2 = Collector::new(2);
        let mut all = Vec::new();
        for m in msgs
            .iter()
            .take(1)
            .chain([&dropped])
            .chain(msgs.iter().skip(1))
        {
            c2.ingest(from(), m, &mut all)
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
        let want: Vec<FlowRecord> = records
            .iter()
            .map(|r| FlowRecord {
                iface: 2,
                end_reason: "idle",
                ..r.clone()
            })
            .collect();
        assert_eq!(all, want);
        assert_eq!(c2.stats.lost, 0);
        assert_eq!(c.stats.lost as usize, records.len() - out.len());
    }

    #[test]
    fn data_before_its_template_is_counted_and_withdrawal_forgets() {
        let mut enc = Encoder::new(1, 1400, 1000);
        let mut buf = Vec::new();
        let mut msgs = Vec::new();
        enc.encode(&[rec(1, false)], 0, &mut buf, |m| msgs.push(m.to_vec()));
        enc.encode(&[rec(2, false)], 0, &mut buf, |m| msgs.push(m.to_vec()));
        let mut c = Collector::new(0);
        let mut out = Vec::new();
        c.ingest(from(), &msgs[1], &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((out.len(), c.stats.no_template), (0, 1));
        c.ingest(from(), &msgs[0], &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.len(), 1);
        // Withdraw template 256: a message with a template set holding (256, 0).
        let mut w = vec![0, 10, 0, 24, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1];
        w.extend_from_slice(&[0, 2, 0, 8, 1, 0, 0, 0]);
        c.ingest(from(), &w, &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        c.ingest(from(), &msgs[1], &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn ntop_string_elements_round_trip() {
        let mut r = rec(9, false);
        r.l7 = Some(Box::new(xntop_model::L7Meta {
            server_name: Some("www.example.test".into()),
            dns_query: Some("example.test".into()),
            http_url: Some("/index.html".into()),
            ..xntop_model::L7Meta::default()
        }));
        let mut enc = Encoder::new(1, 1400, 10);
        let (mut buf, mut msgs) = (Vec::new(), Vec::new());
        enc.encode(std::slice::from_ref(&r), 0, &mut buf, |m| {
            msgs.push(m.to_vec())
        });
        let mut c = Collector::new(0);
        let mut out = Vec::new();
        c.ingest(from(), &msgs[0], &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].l7, r.l7);
    }

    #[test]
    fn netflow_v5_records() {
        let mut m = vec![0, 5, 0, 1];
        m.extend_from_slice(&10_000u32.to_be_bytes()); // uptime 10 s
        m.extend_from_slice(&1_700_000_000u32.to_be_bytes());
        m.extend_from_slice(&[0; 4]);
        m.extend_from_slice(&7u32.to_be_bytes()); // flow sequence
        m.extend_from_slice(&[0, 0, 0, 0]);
        let mut r = vec![10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 2];
        r.extend_from_slice(&3u32.to_be_bytes());
        r.extend_from_slice(&180u32.to_be_bytes());
        r.extend_from_slice(&9_000u32.to_be_bytes());
        r.extend_from_slice(&9_500u32.to_be_bytes());
        r.extend_from_slice(&[0x9c, 0x40, 0, 53, 0, 0x02, 17, 0, 0, 0, 0, 0, 24, 24, 0, 0]);
        m.extend_from_slice(&r);
        let mut c = Collector::new(1);
        let mut out = Vec::new();
        c.ingest(from(), &m, &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.len(), 1);
        let f = &out[0];
        assert_eq!(
            (f.src_port, f.dst_port, f.proto, f.packets_c2s, f.bytes_c2s),
            (40000, 53, 17, 3, 180)
        );
        assert_eq!(f.first_seen_ns, 1_699_999_999_000_000_000);
        assert_eq!(f.last_seen_ns, 1_699_999_999_500_000_000);
        assert_eq!(
            c.ingest(from(), &m[..30], &mut out),
            Err(CollectError::Truncated)
        );
    }

    #[test]
    fn broken_messages_are_errors_not_panics() {
        let mut c = Collector::new(0);
        let mut out = Vec::new();
        assert_eq!(
            c.ingest(from(), &[0, 6, 0, 0], &mut out),
            Err(CollectError::UnknownVersion(6))
        );
        assert_eq!(
            c.ingest(from(), &[0, 10, 0, 200], &mut out),
            Err(CollectError::Truncated)
        );
        assert_eq!(c.stats.bad_messages, 2);
    }

    /// Cases per property: a few thousand in `cargo test`, `PROPTEST_CASES` in the long run (`bench/fuzz.sh`).
    fn cases(default: u32) -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    fn valid_messages() -> Vec<Vec<u8>> {
        let mut enc = Encoder::new(3, 500, 2);
        let records: Vec<FlowRecord> = (0..12).map(|i| rec(i, i % 3 == 0)).collect();
        let (mut buf, mut msgs) = (Vec::new(), Vec::new());
        enc.encode(&records, 0, &mut buf, |m| msgs.push(m.to_vec()));
        msgs
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(cases(2000)))]

        #[test]
        fn arbitrary_datagrams_never_panic(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            version in proptest::prop_oneof![proptest::strategy::Just(5u16), proptest::strategy::Just(9), proptest::strategy::Just(10)],
        ) {
            let mut m = body;
            if m.len() >= 4 {
                m[..2].copy_from_slice(&version.to_be_bytes());
                let len = u16::try_from(m.len()).unwrap_or(0).to_be_bytes();
                if version == 10 { m[2..4].copy_from_slice(&len); }
            }
            let mut c = Collector::new(0);
            let mut out = Vec::new();
            let _ = c.ingest(from(), &m, &mut out);
        }

        #[test]
        fn corrupted_messages_never_panic(
            which in 0usize..4,
            flips in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 1..8),
            cut in proptest::prelude::any::<usize>(),
        ) {
            let msgs = valid_messages();
            let mut c = Collector::new(0);
            let mut out = Vec::new();
            // Teach the templates first, then feed a damaged message.
            let _ = c.ingest(from(), &msgs[0], &mut out);
            let mut m = msgs[which % msgs.len()].clone();
            for (at, v) in flips {
                let n = m.len();
                m[at % n] ^= v;
            }
            m.truncate(cut % (m.len() + 1));
            let _ = c.ingest(from(), &m, &mut out);
        }
    }
}
