//! IPFIX (RFC 7011) and NetFlow v9 (RFC 3954) message decoding for the collector (`-i ipfix://…`).
//!
//! Templates are kept per (exporter address, observation domain / source id, template id); a template withdrawal
//! (field count 0) removes one. Options templates are learned so their records can be skipped. Sequence numbers are
//! checked per exporter and domain: a gap counts the records (IPFIX) or messages (v9) that never arrived.
//!
//! Bounds: at most [`MAX_TEMPLATES`] templates and [`MAX_DOMAINS`] sequence and init-time entries in total (the
//! idlest go when a table is full, counted), [`MAX_FIELDS`] fields per template; a message is parsed with every
//! length checked once, and a broken one is counted and dropped, never fatal.
//!
//! Time: a record whose start or end lies more than [`TimeLimits::max_skew_ms`] ahead of the collector's clock, or
//! further back than [`TimeLimits::max_age_ms`], is refused and counted (`future`, `past`), not clamped: its times
//! cannot be repaired (the offset is unknown), and one such record would otherwise carry the view's packet time
//! years ahead. A record without times is given the moment it arrived.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use xntop_model::FlowRecord;

use crate::idle_map::IdleMap;

/// Templates kept across all exporters; when full, the idlest go (an exporter that restarted, or one inventing
/// templates, cannot grow memory past this or lock the others out).
pub const MAX_TEMPLATES: usize = 4096;
/// Sequence-number and init-time entries (one per exporter address, port, observation domain and protocol);
/// when full, the idlest go.
pub const MAX_DOMAINS: usize = 4096;
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
    /// Records refused for a time more than the allowed skew ahead of the collector's clock.
    pub future: u64,
    /// Records refused for a time further back than the allowed age.
    pub past: u64,
    /// Template, sequence and init-time entries evicted by the caps.
    pub evicted: u64,
}

/// How far a record's times may be from the collector's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLimits {
    /// Ahead of the clock (exporters' clocks drift; records of flows that just ended are a little late, never
    /// early).
    pub max_skew_ms: u64,
    /// Behind the clock; 0 = no bound. Long flows start long before they are exported (softflowd's default
    /// lifetime is 7 days), so this is for clocks that were never set (1970) and garbage.
    pub max_age_ms: u64,
}

/// Default skew: 10 minutes.
pub const MAX_SKEW_MS: u64 = 600_000;
/// Default age: one year.
pub const MAX_AGE_MS: u64 = 365 * 86_400_000;

impl Default for TimeLimits {
    fn default() -> Self {
        Self {
            max_skew_ms: MAX_SKEW_MS,
            max_age_ms: MAX_AGE_MS,
        }
    }
}

/// How uptime-relative times (NetFlow FIRST/LAST_SWITCHED, IPFIX flowStart/EndSysUpTime, 32-bit milliseconds)
/// become wall-clock ms: from the message's export time and the exporter's uptime then.
///
/// A 32-bit uptime wraps after 49.7 days, so a record's uptime is read as the nearest moment to the export, up to
/// 24.8 days before or after it. This also covers exporters whose "uptime" counts from a start later than the
/// flows (softflowd replaying a capture: its flows precede its systemInitTime, and their uptimes wrap).
#[derive(Debug, Clone, Copy)]
struct Uptime {
    export_ms: u64,
    uptime_ms: u32,
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    reason = "uptimes are 32-bit milliseconds that wrap"
)]
impl Uptime {
    /// IPFIX: from the exporter's systemInitTimeMilliseconds (IE 160).
    fn since_init(init_ms: u64, export_ms: u64) -> Self {
        Self {
            export_ms,
            uptime_ms: export_ms.wrapping_sub(init_ms) as u32,
        }
    }

    fn wall_ms(self, uptime: u64) -> u64 {
        let back = self.uptime_ms.wrapping_sub(uptime as u32) as i32;
        self.export_ms.saturating_add_signed(-i64::from(back))
    }
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
#[derive(Debug)]
pub struct Collector {
    templates: IdleMap<TemplateKey, Template>,
    /// Per exporter, domain and protocol: (last sequence number, records in that message, counts-after flag).
    sequences: IdleMap<(SocketAddr, u32, u16), (u32, u32, bool)>,
    /// systemInitTimeMilliseconds (IE 160) per exporter and domain, from options records: turns
    /// flowStart/EndSysUpTime (IE 22/21) into wall-clock time.
    init_ms: IdleMap<(SocketAddr, u32), u64>,
    pub stats: CollectorStats,
    /// Interface index given to the records.
    pub iface: u8,
    limits: TimeLimits,
    /// The collector's clock at the message being decoded, ms since the epoch.
    now_ms: u64,
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
    pub fn new(iface: u8, limits: TimeLimits) -> Self {
        Self {
            templates: IdleMap::new(MAX_TEMPLATES),
            sequences: IdleMap::new(MAX_DOMAINS),
            init_ms: IdleMap::new(MAX_DOMAINS),
            stats: CollectorStats::default(),
            iface,
            limits,
            now_ms: 0,
        }
    }

    /// Decodes one message from `from`, received at `now_ms` (ms since the epoch), appending its flow records
    /// to `out`.
    ///
    /// # Errors
    /// A broken message; it is counted in `stats.bad_messages` too.
    pub fn ingest(
        &mut self,
        from: SocketAddr,
        msg: &[u8],
        now_ms: u64,
        out: &mut Vec<FlowRecord>,
    ) -> Result<(), CollectError> {
        self.now_ms = now_ms;
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
        self.stats.evicted = self.templates.evicted + self.sequences.evicted + self.init_ms.evicted;
        r
    }

    /// Exporter state entries held: (templates, sequence entries, init times).
    #[must_use]
    pub fn state_len(&self) -> (usize, usize, usize) {
        (
            self.templates.len(),
            self.sequences.len(),
            self.init_ms.len(),
        )
    }

    /// Counts what the sequence numbers say was lost. RFC 7011 numbers a message by the records sent *before* it;
    /// some exporters (softflowd) number it by the records sent *including* it. Both are recognised per exporter,
    /// so neither is mistaken for loss.
    fn check_sequence(&mut self, key: (SocketAddr, u32, u16), seq: u32, records: u32) {
        if let Some(&mut (last, last_records, counts_after)) = self.sequences.get_mut(&key) {
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
        let export_ms = u64::from(be32(msg, 4).ok_or(CollectError::Truncated)?) * 1000;
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
                    let init = self
                        .init_ms
                        .get_mut(&(from, domain))
                        .map(|&mut i| Uptime::since_init(i, export_ms));
                    data_records += self.data_set(from, domain, id, body, export_ms, init, out);
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
        let uptime_ms = be32(msg, 4).ok_or(CollectError::Truncated)?;
        let unix_s = u64::from(be32(msg, 8).ok_or(CollectError::Truncated)?);
        let seq = be32(msg, 12).ok_or(CollectError::Truncated)?;
        let source = be32(msg, 16).ok_or(CollectError::Truncated)?;
        let clock = Uptime {
            export_ms: unix_s * 1000,
            uptime_ms,
        };
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
                    self.data_set(from, source, id, body, unix_s * 1000, Some(clock), out);
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
        let uptime_ms = be32(msg, 4).ok_or(CollectError::Truncated)?;
        let unix_s = u64::from(be32(msg, 8).ok_or(CollectError::Truncated)?);
        let seq = be32(msg, 16).ok_or(CollectError::Truncated)?;
        let engine = u32::from(be16(msg, 20).ok_or(CollectError::Truncated)?);
        let clock = Uptime {
            export_ms: unix_s * 1000,
            uptime_ms,
        };
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
            if let Some(rec) = self.record_of(&f, Some(clock)) {
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
            self.templates
                .insert((from, domain, id), Template { fields, options });
            self.stats.templates += 1;
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
        self.templates.insert(
            (from, source, id),
            Template {
                fields,
                options: true,
            },
        );
    }

    /// Decodes a data set of a message exported at `export_ms`; returns how many records (flow or options) it
    /// held. `clock` turns uptime-relative timestamps into wall-clock time, when known.
    #[allow(
        clippy::too_many_arguments,
        reason = "one message's context, passed down once per set"
    )]
    fn data_set(
        &mut self,
        from: SocketAddr,
        domain: u32,
        id: u16,
        body: &[u8],
        export_ms: u64,
        clock: Option<Uptime>,
        out: &mut Vec<FlowRecord>,
    ) -> u32 {
        let Some(t) = self.templates.get_mut(&(from, domain, id)) else {
            self.stats.no_template += 1;
            return 0;
        };
        let t = &*t;
        let decode = RecordContext {
            iface: self.iface,
            limits: self.limits,
            now_ms: self.now_ms,
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
            if let Some(r) = decode.record(
                &f,
                f.sys_init_ms
                    .map(|i| Uptime::since_init(i, export_ms))
                    .or(clock),
                &mut self.stats,
            ) {
                out.push(r);
                self.stats.records += 1;
            }
        }
        if let Some(init) = learned_init {
            self.init_ms.insert((from, domain), init);
        }
        count
    }

    fn record_of(&mut self, f: &Fields, clock: Option<Uptime>) -> Option<FlowRecord> {
        let decode = RecordContext {
            iface: self.iface,
            limits: self.limits,
            now_ms: self.now_ms,
        };
        decode.record(f, clock, &mut self.stats)
    }
}

/// What turning fields into a record needs besides them (copied out so the template can stay borrowed).
#[derive(Clone, Copy)]
struct RecordContext {
    iface: u8,
    limits: TimeLimits,
    now_ms: u64,
}

impl RecordContext {
    /// The record's first and last times (ms), or `None` when they are out of bounds (counted in `stats`).
    fn times(
        self,
        f: &Fields,
        clock: Option<Uptime>,
        stats: &mut CollectorStats,
    ) -> Option<(u64, u64)> {
        let wall = |u: Option<u64>| u.and_then(|u| Some(clock?.wall_ms(u)));
        let start = wall(f.first_uptime).or(f.start_ms);
        let end = wall(f.last_uptime).or(f.end_ms);
        let (first, last) = match (start, end) {
            (Some(s), Some(e)) => (s, e),
            (Some(t), None) | (None, Some(t)) => (t, t),
            (None, None) => (self.now_ms, self.now_ms),
        };
        if first.max(last) > self.now_ms.saturating_add(self.limits.max_skew_ms) {
            stats.future += 1;
            return None;
        }
        if self.limits.max_age_ms > 0
            && first.min(last) < self.now_ms.saturating_sub(self.limits.max_age_ms)
        {
            stats.past += 1;
            return None;
        }
        Some((first, last))
    }

    fn record(
        self,
        f: &Fields,
        clock: Option<Uptime>,
        stats: &mut CollectorStats,
    ) -> Option<FlowRecord> {
        let (src_ip, dst_ip) = (f.src?, f.dst?);
        let (first, last) = self.times(f, clock, stats)?;
        let ms_to_ns = |ms: u64| ms.saturating_mul(1_000_000);
        // The exporter's verdict: names from xntop's protocol table when it sent applicationId, else its
        // L7_PROTO_NAME as given.
        let proto = xntop_dpi::Proto::from_id;
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
            last_seen_ns: ms_to_ns(last),
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
        (0, 150) => f.start_ms = Some(uint(v).saturating_mul(1000)),
        (0, 151) => f.end_ms = Some(uint(v).saturating_mul(1000)),
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
pub(crate) mod tests {
    use super::*;
    use crate::ipfix::Encoder;

    pub(crate) fn rec(i: u8, v6: bool) -> FlowRecord {
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

    /// The collector's clock in these tests: just after the records' times.
    const NOW_MS: u64 = 1_700_000_001_000;

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
        let mut c = Collector::new(2, TimeLimits::default());
        let mut out = Vec::new();
        // Drop the second message: its records are counted as lost.
        let dropped = msgs.remove(1);
        for m in &msgs {
            c.ingest(from(), m, NOW_MS, &mut out)
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
        let mut c2 = Collector::new(2, TimeLimits::default());
        let mut all = Vec::new();
        for m in msgs
            .iter()
            .take(1)
            .chain([&dropped])
            .chain(msgs.iter().skip(1))
        {
            c2.ingest(from(), m, NOW_MS, &mut all)
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
        let mut c = Collector::new(0, TimeLimits::default());
        let mut out = Vec::new();
        c.ingest(from(), &msgs[1], NOW_MS, &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((out.len(), c.stats.no_template), (0, 1));
        c.ingest(from(), &msgs[0], NOW_MS, &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.len(), 1);
        // Withdraw template 256: a message with a template set holding (256, 0).
        let mut w = vec![0, 10, 0, 24, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1];
        w.extend_from_slice(&[0, 2, 0, 8, 1, 0, 0, 0]);
        c.ingest(from(), &w, NOW_MS, &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        c.ingest(from(), &msgs[1], NOW_MS, &mut out)
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
        let mut c = Collector::new(0, TimeLimits::default());
        let mut out = Vec::new();
        c.ingest(from(), &msgs[0], NOW_MS, &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].l7, r.l7);
    }

    /// An IPFIX message from domain `domain` holding `sets` (set id, body).
    fn ipfix_message(domain: u32, seq: u32, sets: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut m = vec![0, 10, 0, 0];
        m.extend_from_slice(&1_700_000_000u32.to_be_bytes());
        m.extend_from_slice(&seq.to_be_bytes());
        m.extend_from_slice(&domain.to_be_bytes());
        for (id, body) in sets {
            m.extend_from_slice(&id.to_be_bytes());
            m.extend_from_slice(&u16::try_from(body.len() + 4).unwrap_or(0).to_be_bytes());
            m.extend_from_slice(body);
        }
        let len = u16::try_from(m.len()).unwrap_or(0);
        m[2..4].copy_from_slice(&len.to_be_bytes());
        m
    }

    /// A template record: id, then (element, length) pairs (options templates: one scope field first).
    fn template(id: u16, fields: &[(u16, u16)], options: bool) -> Vec<u8> {
        let mut b = id.to_be_bytes().to_vec();
        b.extend_from_slice(&u16::try_from(fields.len()).unwrap_or(0).to_be_bytes());
        if options {
            b.extend_from_slice(&1u16.to_be_bytes());
        }
        for (e, l) in fields {
            b.extend_from_slice(&e.to_be_bytes());
            b.extend_from_slice(&l.to_be_bytes());
        }
        b
    }

    /// One IPv4 flow record 10.0.0.1 → 10.0.0.2 with the given time elements (element, length, value).
    fn timed_flow(times: &[(u16, u16, u64)]) -> (Vec<u8>, Vec<u8>) {
        let mut fields = vec![(8, 4), (12, 4)];
        let mut data = vec![10, 0, 0, 1, 10, 0, 0, 2];
        for &(e, l, v) in times {
            fields.push((e, l));
            data.extend_from_slice(&v.to_be_bytes()[8 - usize::from(l)..]);
        }
        (template(256, &fields, false), data)
    }

    #[test]
    fn records_far_from_the_clock_are_refused_and_counted() {
        let limits = TimeLimits {
            max_skew_ms: 600_000,
            max_age_ms: 86_400_000,
        };
        let now = NOW_MS;
        type Times<'a> = &'a [(u16, u16, u64)];
        let cases: [(Times, Option<(u64, u64)>); 7] = [
            // flowStart/EndMilliseconds a little in the past and a little ahead (within the skew): kept as sent.
            (
                &[(152, 8, now - 5_000), (153, 8, now + 1_000)],
                Some((now - 5_000, now + 1_000)),
            ),
            // The probe's record: flowEndMilliseconds = 2^64 − 1.
            (&[(152, 8, now - 5_000), (153, 8, u64::MAX)], None),
            (&[(153, 8, now + 600_001)], None),
            // flowStartSeconds = 0: the exporter's clock was never set.
            (&[(150, 4, 0), (153, 8, now)], None),
            (&[(151, 4, (now - 86_400_001) / 1000)], None),
            // Seconds elements that overflow when turned into ms saturate (and are refused), never wrap.
            (&[(150, 8, u64::MAX), (151, 8, u64::MAX)], None),
            // No times at all: the moment it arrived.
            (&[], Some((now, now))),
        ];
        for (times, want) in cases {
            let mut c = Collector::new(0, limits);
            let (t, d) = timed_flow(times);
            let mut out = Vec::new();
            c.ingest(
                from(),
                &ipfix_message(1, 0, &[(2, t), (256, d)]),
                now,
                &mut out,
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
            let got = out
                .first()
                .map(|r| (r.first_seen_ns / 1_000_000, r.last_seen_ns / 1_000_000));
            assert_eq!(got, want, "{times:?}");
            assert_eq!(
                c.stats.records + c.stats.future + c.stats.past,
                1,
                "{times:?}"
            );
        }
    }

    #[test]
    fn uptime_times_across_a_32_bit_wrap() {
        // NetFlow v9 header: uptime 1 000 ms (it just wrapped), export time `now`; a record that started
        // 3 000 ms before the wrap and ended at uptime 500.
        let now_s = NOW_MS / 1000;
        let mut m = vec![0, 9, 0, 2];
        m.extend_from_slice(&1_000u32.to_be_bytes());
        m.extend_from_slice(&u32::try_from(now_s).unwrap_or(0).to_be_bytes());
        m.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
        let t = template(256, &[(8, 4), (12, 4), (22, 4), (21, 4)], false);
        m.extend_from_slice(&0u16.to_be_bytes());
        m.extend_from_slice(&u16::try_from(t.len() + 4).unwrap_or(0).to_be_bytes());
        m.extend_from_slice(&t);
        let mut d = vec![10, 0, 0, 1, 10, 0, 0, 2];
        d.extend_from_slice(&(u32::MAX - 1_999).to_be_bytes());
        d.extend_from_slice(&500u32.to_be_bytes());
        m.extend_from_slice(&256u16.to_be_bytes());
        m.extend_from_slice(&u16::try_from(d.len() + 4).unwrap_or(0).to_be_bytes());
        m.extend_from_slice(&d);
        let mut c = Collector::new(0, TimeLimits::default());
        let mut out = Vec::new();
        c.ingest(from(), &m, NOW_MS, &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let export_ms = now_s * 1000;
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].first_seen_ns / 1_000_000, export_ms - 3_000);
        assert_eq!(out[0].last_seen_ns / 1_000_000, export_ms - 500);
        // IPFIX with systemInitTimeMilliseconds after the flows, as softflowd sends when it replays a capture
        // (init = its start, 141 ms after the export second; the flows two days earlier, their uptimes wrapped).
        // `ipfix_message` stamps 1_700_000_000 s as the export time.
        let export_ms: u64 = 1_700_000_000_000;
        let init = template(300, &[(160, 8)], true);
        let flow = template(256, &[(8, 4), (12, 4), (22, 4), (21, 4)], false);
        let two_days = 2 * 86_400_000u32;
        let mut d = vec![10, 0, 0, 1, 10, 0, 0, 2];
        d.extend_from_slice(&(0u32.wrapping_sub(two_days + 141)).to_be_bytes());
        d.extend_from_slice(&(0u32.wrapping_sub(two_days + 141 - 700)).to_be_bytes());
        let m = ipfix_message(
            1,
            0,
            &[
                (3, init),
                (300, (export_ms + 141).to_be_bytes().to_vec()),
                (2, flow),
                (256, d),
            ],
        );
        let mut c = Collector::new(0, TimeLimits::default());
        let mut out = Vec::new();
        c.ingest(from(), &m, export_ms, &mut out)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.len(), 1);
        let two_days = u64::from(two_days);
        assert_eq!(out[0].first_seen_ns / 1_000_000, export_ms - two_days);
        assert_eq!(out[0].last_seen_ns / 1_000_000, export_ms - two_days + 700);
    }

    /// A new observation domain per message (the probe sent 3.67 M of them): the sequence table holds its cap,
    /// evictions are counted, and a steady exporter keeps its state (no false loss) throughout.
    #[test]
    fn new_domains_per_message_stay_within_the_cap() {
        let mut c = Collector::new(0, TimeLimits::default());
        let mut out = Vec::new();
        let steady = SocketAddr::from(([127, 0, 0, 2], 4739));
        let n = 3 * MAX_DOMAINS as u32;
        for i in 0..n {
            let _ = c.ingest(from(), &ipfix_message(i, 0, &[]), NOW_MS, &mut out);
            if i % 64 == 0 {
                // Header-only messages hold no record: the sequence number stays.
                let _ = c.ingest(steady, &ipfix_message(7, 5, &[]), NOW_MS, &mut out);
            }
        }
        let (templates, sequences, init) = c.state_len();
        assert_eq!((templates, init), (0, 0));
        assert!(sequences <= MAX_DOMAINS);
        assert_eq!(c.stats.evicted as usize, n as usize + 1 - sequences);
        assert_eq!(c.stats.lost, 0);
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
        let mut c = Collector::new(1, TimeLimits::default());
        let mut out = Vec::new();
        c.ingest(from(), &m, NOW_MS, &mut out)
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
            c.ingest(from(), &m[..30], NOW_MS, &mut out),
            Err(CollectError::Truncated)
        );
    }

    #[test]
    fn broken_messages_are_errors_not_panics() {
        let mut c = Collector::new(0, TimeLimits::default());
        let mut out = Vec::new();
        assert_eq!(
            c.ingest(from(), &[0, 6, 0, 0], NOW_MS, &mut out),
            Err(CollectError::UnknownVersion(6))
        );
        assert_eq!(
            c.ingest(from(), &[0, 10, 0, 200], NOW_MS, &mut out),
            Err(CollectError::Truncated)
        );
        assert_eq!(c.stats.bad_messages, 2);
    }

    /// Cases per property: a few thousand in `cargo test`, `PROPTEST_CASES` in the long run (`bench/fuzz.sh`).
    pub(crate) fn cases(default: u32) -> u32 {
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
            let mut c = Collector::new(0, TimeLimits::default());
            let mut out = Vec::new();
            let _ = c.ingest(from(), &m, NOW_MS, &mut out);
        }

        /// Arbitrary time elements (seconds, milliseconds, uptimes with an arbitrary systemInitTime from an options
        /// record, any width), clock and bounds: no record leaves with a time beyond the skew or the age, and
        /// each record is either passed on or counted.
        #[test]
        fn arbitrary_times_never_pass_the_bounds(
            times in proptest::collection::vec(
                (proptest::sample::select(vec![150u16, 151, 152, 153, 21, 22]), 1u16..=8, proptest::prelude::any::<u64>()),
                0..5,
            ),
            init in proptest::option::of(proptest::prelude::any::<u64>()),
            now in proptest::prelude::any::<u64>(),
            skew in 0u64..10_000_000_000,
            age in 0u64..100_000_000_000_000,
        ) {
            let limits = TimeLimits { max_skew_ms: skew, max_age_ms: age };
            let mut c = Collector::new(0, limits);
            let mut out = Vec::new();
            if let Some(init) = init {
                let t = template(300, &[(160, 8)], true);
                let _ = c.ingest(from(), &ipfix_message(1, 0, &[(3, t), (300, init.to_be_bytes().to_vec())]), now, &mut out);
            }
            let (t, d) = timed_flow(&times);
            let _ = c.ingest(from(), &ipfix_message(1, 1, &[(2, t), (256, d)]), now, &mut out);
            proptest::prop_assert_eq!(c.stats.records + c.stats.future + c.stats.past, 1);
            let ns = |ms: u64| ms.saturating_mul(1_000_000);
            for r in &out {
                for t in [r.first_seen_ns, r.last_seen_ns] {
                    proptest::prop_assert!(t <= ns(now.saturating_add(skew)));
                    if age > 0 {
                        proptest::prop_assert!(t >= ns(now.saturating_sub(age)));
                    }
                }
            }
        }

        #[test]
        fn corrupted_messages_never_panic(
            which in 0usize..4,
            flips in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 1..8),
            cut in proptest::prelude::any::<usize>(),
        ) {
            let msgs = valid_messages();
            let mut c = Collector::new(0, TimeLimits::default());
            let mut out = Vec::new();
            // Teach the templates first, then feed a damaged message.
            let _ = c.ingest(from(), &msgs[0], NOW_MS, &mut out);
            let mut m = msgs[which % msgs.len()].clone();
            for (at, v) in flips {
                let n = m.len();
                m[at % n] ^= v;
            }
            m.truncate(cut % (m.len() + 1));
            let _ = c.ingest(from(), &m, NOW_MS, &mut out);
        }
    }
}
