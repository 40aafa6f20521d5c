//! One stored flow: a fixed-size little-endian row (the record's counters, addresses, times and dictionary codes
//! of its names) plus the record's JSON tail (what DPI found, and any field added after the store was written)
//! kept verbatim. A row turns back into exactly the JSON line the record produced (tested).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use xntop_model::{community_id::community_id, FlowRecord, JsonWriter};

/// Bytes per row.
pub const ROW_BYTES: usize = 136;

/// No dictionary entry (an absent optional name).
pub const NONE: u16 = 0;

/// Row field offsets.
mod field {
    pub const FIRST: usize = 0;
    pub const LAST: usize = 8;
    pub const SRC: usize = 16;
    pub const DST: usize = 32;
    pub const PK_C2S: usize = 48;
    pub const PK_S2C: usize = 56;
    pub const BY_C2S: usize = 64;
    pub const BY_S2C: usize = 72;
    pub const SPORT: usize = 80;
    pub const DPORT: usize = 82;
    pub const VLAN: usize = 84;
    pub const APP_ID0: usize = 86;
    pub const APP_ID1: usize = 88;
    /// Dictionary codes: tunnel, app, master, category, confidence, tcp_state, end_reason.
    pub const NAMES: usize = 90;
    pub const RTT: usize = 104;
    pub const RETRANS: usize = 108;
    pub const OOO: usize = 112;
    pub const TAIL_OFF: usize = 116;
    pub const TAIL_LEN: usize = 120;
    pub const PROTO: usize = 124;
    pub const IFACE: usize = 125;
    pub const FLAGS: usize = 126;
    pub const TCP_C2S: usize = 127;
    pub const TCP_S2C: usize = 128;
}

/// Name slots in a row, in [`field::NAMES`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    Tunnel = 0,
    App = 1,
    Master = 2,
    Category = 3,
    Confidence = 4,
    TcpState = 5,
    EndReason = 6,
}

const V6: u8 = 1;

/// An address as 16 bytes (IPv4 as its mapped IPv6 form), the key of hosts everywhere in the store.
#[must_use]
pub fn ip16(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// The address [`ip16`] made.
#[must_use]
pub fn ip_of(b: [u8; 16]) -> IpAddr {
    let v6 = Ipv6Addr::from(b);
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

/// Encodes `r` into `row`; `code` gives the dictionary code of a name, `tail` where its JSON tail sits.
pub fn encode(r: &FlowRecord, row: &mut [u8; ROW_BYTES], names: [u16; 7], tail: (u32, u32)) {
    let put8 = |row: &mut [u8; ROW_BYTES], at: usize, v: u64| {
        row[at..at + 8].copy_from_slice(&v.to_le_bytes());
    };
    put8(row, field::FIRST, r.first_seen_ns);
    put8(row, field::LAST, r.last_seen_ns);
    row[field::SRC..field::SRC + 16].copy_from_slice(&raw16(r.src_ip));
    row[field::DST..field::DST + 16].copy_from_slice(&raw16(r.dst_ip));
    put8(row, field::PK_C2S, r.packets_c2s);
    put8(row, field::PK_S2C, r.packets_s2c);
    put8(row, field::BY_C2S, r.bytes_c2s);
    put8(row, field::BY_S2C, r.bytes_s2c);
    for (at, v) in [
        (field::SPORT, r.src_port),
        (field::DPORT, r.dst_port),
        (field::VLAN, r.vlan),
        (field::APP_ID0, r.app_ids[0]),
        (field::APP_ID1, r.app_ids[1]),
    ] {
        row[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }
    for (i, code) in names.iter().enumerate() {
        let at = field::NAMES + 2 * i;
        row[at..at + 2].copy_from_slice(&code.to_le_bytes());
    }
    for (at, v) in [
        (field::RTT, r.rtt_us.unwrap_or(u32::MAX)),
        (field::RETRANS, r.retransmissions),
        (field::OOO, r.out_of_order),
        (field::TAIL_OFF, tail.0),
        (field::TAIL_LEN, tail.1),
    ] {
        row[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    row[field::PROTO] = r.proto;
    row[field::IFACE] = r.iface;
    row[field::FLAGS] = if r.src_ip.is_ipv6() { V6 } else { 0 };
    row[field::TCP_C2S] = r.tcp_flags_c2s;
    row[field::TCP_S2C] = r.tcp_flags_s2c;
}

/// The address bytes as stored: IPv4 in the first four bytes (the row's flag says which family).
fn raw16(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => {
            let mut b = [0u8; 16];
            b[..4].copy_from_slice(&v4.octets());
            b
        }
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// A view of one stored row.
#[derive(Clone, Copy)]
pub struct RowRef<'a>(pub &'a [u8]);

impl RowRef<'_> {
    fn u64_at(&self, at: usize) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.0[at..at + 8]);
        u64::from_le_bytes(b)
    }
    fn u32_at(&self, at: usize) -> u32 {
        let mut b = [0u8; 4];
        b.copy_from_slice(&self.0[at..at + 4]);
        u32::from_le_bytes(b)
    }
    fn u16_at(&self, at: usize) -> u16 {
        u16::from_le_bytes([self.0[at], self.0[at + 1]])
    }
    fn ip_at(&self, at: usize) -> IpAddr {
        if self.0[field::FLAGS] & V6 != 0 {
            let mut b = [0u8; 16];
            b.copy_from_slice(&self.0[at..at + 16]);
            IpAddr::V6(Ipv6Addr::from(b))
        } else {
            IpAddr::V4(Ipv4Addr::new(
                self.0[at],
                self.0[at + 1],
                self.0[at + 2],
                self.0[at + 3],
            ))
        }
    }

    #[must_use]
    pub fn first_ns(&self) -> u64 {
        self.u64_at(field::FIRST)
    }
    #[must_use]
    pub fn last_ns(&self) -> u64 {
        self.u64_at(field::LAST)
    }
    #[must_use]
    pub fn src(&self) -> IpAddr {
        self.ip_at(field::SRC)
    }
    #[must_use]
    pub fn dst(&self) -> IpAddr {
        self.ip_at(field::DST)
    }
    #[must_use]
    pub fn src_port(&self) -> u16 {
        self.u16_at(field::SPORT)
    }
    #[must_use]
    pub fn dst_port(&self) -> u16 {
        self.u16_at(field::DPORT)
    }
    #[must_use]
    pub fn vlan(&self) -> u16 {
        self.u16_at(field::VLAN)
    }
    #[must_use]
    pub fn proto(&self) -> u8 {
        self.0[field::PROTO]
    }
    #[must_use]
    pub fn iface(&self) -> u8 {
        self.0[field::IFACE]
    }
    /// Packets client → server, server → client.
    #[must_use]
    pub fn packets(&self) -> [u64; 2] {
        [self.u64_at(field::PK_C2S), self.u64_at(field::PK_S2C)]
    }
    #[must_use]
    pub fn bytes(&self) -> [u64; 2] {
        [self.u64_at(field::BY_C2S), self.u64_at(field::BY_S2C)]
    }
    #[must_use]
    pub fn name(&self, n: Name) -> u16 {
        self.u16_at(field::NAMES + 2 * n as usize)
    }
    /// Where the JSON tail sits in the segment's tail area.
    #[must_use]
    pub fn tail(&self) -> (usize, usize) {
        (
            self.u32_at(field::TAIL_OFF) as usize,
            self.u32_at(field::TAIL_LEN) as usize,
        )
    }

    /// The record's JSON line, as `FlowRecord::write_json_line` wrote it. `dict` resolves name codes.
    pub fn write_json_line(&self, dict: &[&str], tail: &[u8], out: &mut Vec<u8>) {
        let name = |n: Name| -> Option<&str> {
            match self.name(n) {
                NONE => None,
                c => dict.get(usize::from(c)).copied(),
            }
        };
        let proto = self.proto();
        let mut w = JsonWriter::begin(out);
        match xntop_model::proto_name(proto) {
            Some(p) => w.str("proto", p),
            None => w.u64("proto", u64::from(proto)),
        }
        let (src, dst) = (self.src(), self.dst());
        w.ip("src_ip", src);
        w.u64("src_port", u64::from(self.src_port()));
        w.ip("dst_ip", dst);
        w.u64("dst_port", u64::from(self.dst_port()));
        w.u64("vlan", u64::from(self.vlan()));
        w.u64("iface", u64::from(self.iface()));
        if let Some(t) = name(Name::Tunnel) {
            w.str("tunnel", t);
        }
        w.str("app", name(Name::App).unwrap_or("Unknown"));
        w.str("master", name(Name::Master).unwrap_or("Unknown"));
        w.str("category", name(Name::Category).unwrap_or("Unspecified"));
        w.str("confidence", name(Name::Confidence).unwrap_or("unknown"));
        let (p, b) = (self.packets(), self.bytes());
        w.u64("packets_c2s", p[0]);
        w.u64("packets_s2c", p[1]);
        w.u64("bytes_c2s", b[0]);
        w.u64("bytes_s2c", b[1]);
        w.epoch_us("first_seen", self.first_ns());
        w.epoch_us("last_seen", self.last_ns());
        w.u64("tcp_flags_c2s", u64::from(self.0[field::TCP_C2S]));
        w.u64("tcp_flags_s2c", u64::from(self.0[field::TCP_S2C]));
        if let Some(s) = name(Name::TcpState) {
            w.str("tcp_state", s);
        }
        w.str("end_reason", name(Name::EndReason).unwrap_or(""));
        match self.u32_at(field::RTT) {
            u32::MAX => {}
            rtt => w.u64("rtt_us", u64::from(rtt)),
        }
        if proto == 6 {
            w.u64("retransmissions", u64::from(self.u32_at(field::RETRANS)));
            w.u64("out_of_order", u64::from(self.u32_at(field::OOO)));
        }
        if !matches!(proto, 1 | 58) {
            w.str(
                "community_id",
                &community_id(proto, src, self.src_port(), dst, self.dst_port()),
            );
        }
        w.end_without_brace();
        out.extend_from_slice(tail);
        out.extend_from_slice(b"}\n");
    }
}
