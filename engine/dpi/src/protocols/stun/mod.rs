//! STUN (RFC 5389/8489; classic RFC 3489; TURN RFC 8656, 6062): message type with the top two bits clear, a
//! length equal to the payload minus the 20-byte header (a multiple of 4), and the magic cookie 0x2112A442.
//! Cookie-less classic STUN only on port 3478. Over TCP an optional RFC 4571 2-byte length may frame it, and
//! Microsoft's multiplexed TURN (MS-TURN §2.2.3) a 12-byte 0xFF10 prefix.
//!
//! The calling application comes from the messages (nDPI's rules, `stun.c`): WhatsApp's own message types
//! 0x0800..0x0805 and attributes 0x4000.., Microsoft's attributes (Skype/Teams), Zoom's 0x0101/0x0103, Google's
//! 0xFF03, and the REALM's domain (Google, Signal, Facebook, Telegram, Viber). Without one, Google's STUN servers
//! (their published ports 19302-19309 and 3478 on Google's STUN address blocks) mean a Google call, and a
//! long-running non-TURN session on port 10000 a Signal call. The follow-up keeps reading: DTLS turns the master
//! into DTLS (the application stays), RTP after a known application makes it SRTP.

use std::net::IpAddr;

use crate::dissector::{set_str, Dissector, Flow, Follow, Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::engine::Endpoints;
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::{Cursor, ReadAt};

crate::proto::identities! {
    Stun = 78, "STUN", Network, tcp [3478], udp [3478, 19302];
    Srtp = 338, "SRTP", Media;
    WhatsAppCall = 45, "WhatsAppCall", VoIp;
    SkypeTeamsCall = 38, "Skype_TeamsCall", VoIp;
    GoogleCall = 404, "GoogleCall", VoIp;
    FacebookVoip = 268, "FacebookVoip", VoIp;
    SignalVoip = 269, "SignalVoip", VoIp;
    TelegramVoip = 355, "TelegramVoip", VoIp;
    ViberVoip = 414, "ViberVoip", VoIp;
}

/// STUN's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&StunDissector),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Packets followed after a STUN verdict (nDPI's `stun.max_packets_extra_dissection`): STUN usually leads into DTLS
/// (WebRTC) or RTP, and later attributes may name the calling application.
const FOLLOW_PACKETS: u8 = 6;
const COOKIE: u32 = 0x2112_a442;
const HEADER: usize = 20;
/// The applications a call's endpoints are remembered for.
const CACHED_APPS: [Proto; 8] = [
    Proto::WhatsAppCall,
    Proto::SkypeTeamsCall,
    Proto::GoogleCall,
    Proto::FacebookVoip,
    Proto::SignalVoip,
    Proto::TelegramVoip,
    Proto::ViberVoip,
    Proto::Zoom,
];
const XOR_PEER_ADDRESS: u16 = 0x0012;
/// Attributes walked per message at most.
const MAX_ATTRIBUTES: usize = 32;
/// Microsoft's multiplexed-TURN prefix and its length.
const MS_TURN: u16 = 0xff10;
const MS_TURN_PREFIX: usize = 12;
/// Google's STUN servers: ports 19302..=19309 and 3478, on these address blocks (support.google.com/a/answer/1279090).
const GOOGLE_PORTS: std::ops::RangeInclusive<u16> = 19302..=19309;
const GOOGLE_V4: [[u8; 3]; 2] = [[74, 125, 250], [142, 250, 82]];
const GOOGLE_V6: [[u8; 8]; 2] = [
    [0x20, 0x01, 0x48, 0x60, 0x48, 0x64, 0x00, 0x05],
    [0x20, 0x01, 0x48, 0x60, 0x48, 0x64, 0x00, 0x06],
];
/// Signal's calling port, and the packets a session must last there before it counts as a Signal call.
const SIGNAL_PORT: u16 = 10000;
const SIGNAL_AFTER: u32 = 4;

struct StunDissector;

impl Dissector for StunDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let Some(msg) = message_of(pkt) else {
            return from_cache(pkt, flow);
        };
        let app = calling_app(msg, flow)
            .or_else(|| google_servers(flow.endpoints()))
            .or_else(|| cached_app(flow));
        if let Some(app) = app {
            flow.set_app(app);
            remember(flow, app, msg);
        }
        Verdict::Follow {
            master: Proto::Stun,
            packets: FOLLOW_PACKETS,
        }
    }

    fn follow(&self, pkt: &Pkt, flow: &mut Flow) -> Follow {
        let p = pkt.payload;
        let known = real_app(flow.class().app);
        match p.first() {
            // RFC 9443 demultiplexing: STUN, then DTLS, then RTP/RTCP.
            Some(0..=3) => {
                if let Some(msg) = message_of(pkt) {
                    if !known {
                        let app = calling_app(msg, flow)
                            .or_else(|| signal(pkt, msg, flow.endpoints()))
                            .or_else(|| cached_app(flow));
                        if let Some(app) = app {
                            flow.set_app(app);
                        }
                    }
                    let app = flow.class().app;
                    if real_app(app) {
                        remember(flow, app, msg);
                    }
                }
                Follow::More
            }
            Some(20..=63) if crate::protocols::tls::parser::dtls_record(p).is_some() => {
                flow.set_master(Proto::Dtls);
                if !known {
                    flow.set_app(Proto::Dtls);
                }
                Follow::Done
            }
            Some(128..=191) if known && rtp(p) => {
                flow.set_master(Proto::Srtp);
                Follow::Done
            }
            _ => Follow::More,
        }
    }
}

/// Remembers the flow's endpoints and the peers its messages relay to (XOR-PEER-ADDRESS) as belonging to `app`,
/// as nDPI's STUN cache does: the same call's other flows (to the peers, or from the same socket) are named after
/// it even when they carry no STUN of their own.
fn remember(flow: &Flow, app: Proto, msg: &[u8]) {
    let ep = *flow.endpoints();
    let cache = flow.dns_cache();
    cache.expect(ep.client, ep.client_port, app);
    cache.expect(ep.server, ep.server_port, app);
    let txid = msg.rest_at(8);
    let mut attrs = Cursor::new(msg.rest_at(HEADER));
    for _ in 0..MAX_ATTRIBUTES {
        let (Ok(ty), Ok(len)) = (attrs.get_u16(), attrs.get_u16()) else {
            break;
        };
        if ty == XOR_PEER_ADDRESS {
            if let Some((addr, port)) = attrs.peek_bytes(usize::from(len)).ok().and_then(|v| xor_address(v, txid)) {
                cache.expect(addr, port, app);
            }
        }
        if attrs.skip(usize::from(len).div_ceil(4) * 4).is_err() {
            break;
        }
    }
}

/// An XOR-PEER-ADDRESS value (RFC 8489 §14.2): family, port and address XORed with the cookie (and, for IPv6, the
/// transaction id).
fn xor_address(v: &[u8], txid: &[u8]) -> Option<(IpAddr, u16)> {
    let port = v.u16_at(2)? ^ (COOKIE >> 16) as u16;
    let cookie = COOKIE.to_be_bytes();
    match (v.u8_at(1)?, v.len()) {
        (0x01, 8) => {
            let mut a = [0u8; 4];
            for (i, b) in a.iter_mut().enumerate() {
                *b = v[4 + i] ^ cookie[i];
            }
            Some((IpAddr::from(a), port))
        }
        (0x02, 20) => {
            let mut a = [0u8; 16];
            let key = cookie.iter().chain(txid.get(..12)?);
            for ((b, &x), &k) in a.iter_mut().zip(&v[4..20]).zip(key) {
                *b = x ^ k;
            }
            Some((IpAddr::from(a), port))
        }
        _ => None,
    }
}

/// The call application remembered for one of the flow's endpoints.
fn cached_app(flow: &Flow) -> Option<Proto> {
    let ep = *flow.endpoints();
    let cache = flow.dns_cache();
    cache
        .expected(ep.server, ep.server_port)
        .or_else(|| cache.expected(ep.client, ep.client_port))
        .filter(|a| CACHED_APPS.contains(a))
}

/// A flow without STUN of its own to or from an endpoint a named call used: SRTP when it carries RTP, STUN otherwise.
fn from_cache(pkt: &Pkt, flow: &mut Flow) -> Verdict {
    let Some(app) = cached_app(flow) else {
        return Verdict::No;
    };
    flow.set_app(app);
    Verdict::Yes(if rtp(pkt.payload) { Proto::Srtp } else { Proto::Stun })
}

/// An application a STUN flow can be named after (not STUN itself, not a transport).
fn real_app(app: Proto) -> bool {
    !matches!(app, Proto::Unknown | Proto::Stun | Proto::Dtls | Proto::Srtp | Proto::Rtp)
}

/// The STUN message in the packet, past TCP framing or a multiplexed-TURN prefix.
fn message_of<'a>(pkt: &Pkt<'a>) -> Option<&'a [u8]> {
    let mut p = pkt.payload;
    if pkt.l4 == L4::Tcp && p.u16_at(0).is_some_and(|l| usize::from(l) + 2 == p.len()) {
        p = &p[2..];
    }
    if p.u16_at(0) == Some(MS_TURN)
        && p.len() >= HEADER + MS_TURN_PREFIX
        && p.u16_at(2).is_some_and(|l| usize::from(l) + 4 == p.len())
    {
        p = &p[MS_TURN_PREFIX..];
    }
    message(p, pkt.either_port(3478)).then_some(p)
}

fn message(p: &[u8], classic_port: bool) -> bool {
    let (Some(kind), Some(len), Some(cookie)) = (p.u16_at(0), p.u16_at(2), p.u32_at(4)) else {
        return false;
    };
    if kind & 0xc000 != 0 || usize::from(len) + HEADER != p.len() {
        return false;
    }
    // WhatsApp's own message types.
    if matches!(kind, 0x0800..=0x0802 | 0x0804 | 0x0805) {
        return len % 4 == 0 && attributes_ok(&p[HEADER..]);
    }
    let method = method(kind);
    if cookie == COOKIE {
        // Binding .. ConnectionAttempt (RFC 5766/6062), plus GOOG-PING (0x080).
        // WhatsApp pads no attribute on 3478: accept its unaligned lengths there only.
        return matches!(method, 0x001..=0x00c | 0x080)
            && ((len % 4 == 0 && attributes_ok(&p[HEADER..])) || classic_port);
    }
    // Classic: Binding / Shared Secret requests, responses and errors.
    classic_port
        && len % 4 == 0
        && matches!(kind, 0x0001 | 0x0101 | 0x0111 | 0x0002 | 0x0102 | 0x0112)
        && len > 0
        && attributes_ok(&p[HEADER..])
}

fn method(kind: u16) -> u16 {
    (kind & 0x000f) | ((kind & 0x00e0) >> 1) | ((kind & 0x3e00) >> 2)
}

/// Type (2), length (2), value padded to 4: must tile the attributes exactly.
fn attributes_ok(mut a: &[u8]) -> bool {
    while !a.is_empty() {
        let Some(len) = a.u16_at(2) else { return false };
        let padded = (usize::from(len) + 3) & !3;
        let Some(rest) = a.get(4 + padded..) else {
            return false;
        };
        a = rest;
    }
    true
}

/// The application a message names by its type or attributes; records the REALM as the server name.
fn calling_app(msg: &[u8], flow: &mut Flow) -> Option<Proto> {
    if matches!(msg.u16_at(0), Some(0x0800..=0x0802 | 0x0804 | 0x0805)) {
        return Some(Proto::WhatsAppCall);
    }
    let mut found = None;
    let mut attrs = Cursor::new(msg.rest_at(HEADER));
    for _ in 0..MAX_ATTRIBUTES {
        let (Ok(ty), Ok(len)) = (attrs.get_u16(), attrs.get_u16()) else {
            break;
        };
        let value = attrs.peek_bytes(usize::from(len)).unwrap_or(attrs.rest());
        match ty {
            0x0101 | 0x0103 => return Some(Proto::Zoom),
            0x4000..=0x4004 | 0x4007 => found = Some(Proto::WhatsAppCall),
            0x0014 => {
                if let Some(app) = realm(value, flow) {
                    found = Some(app);
                }
            }
            0x8054 | 0x24df | 0x3802 | 0x8036 | 0x8095 | 0x0800 | 0x8006 | 0x8070 | 0x8055 => {
                found = Some(Proto::SkypeTeamsCall);
            }
            0xff03 => found = Some(Proto::GoogleCall),
            _ => {}
        }
        // Values are padded to 4 bytes; a value cut short ends the walk.
        if attrs.skip(usize::from(len).div_ceil(4) * 4).is_err() {
            break;
        }
    }
    found
}

/// A REALM naming the relay's operator; kept as the flow's server name when it is a plain name.
fn realm(value: &[u8], flow: &mut Flow) -> Option<Proto> {
    if value.is_empty() || !value.iter().all(|&b| b.is_ascii_graphic()) {
        return None;
    }
    if !flow.has_server_name() {
        set_str(&mut flow.meta().server_name, value);
    }
    let has = |s: &[u8]| value.windows(s.len()).any(|w| w.eq_ignore_ascii_case(s));
    if has(b"google.com") {
        Some(Proto::GoogleCall)
    } else if has(b"whispersystems.org") || has(b"signal.org") {
        Some(Proto::SignalVoip)
    } else if has(b"facebook") {
        Some(Proto::FacebookVoip)
    } else if has(b"telegram") {
        Some(Proto::TelegramVoip)
    } else if has(b"viber") {
        Some(Proto::ViberVoip)
    } else {
        None
    }
}

/// A STUN flow to one of Google's STUN servers.
fn google_servers(ep: &Endpoints) -> Option<Proto> {
    let port = |p: u16| GOOGLE_PORTS.contains(&p) || p == 3478;
    if !(port(ep.client_port) || port(ep.server_port)) {
        return None;
    }
    let google = |a: IpAddr| match a {
        IpAddr::V4(v4) => GOOGLE_V4.iter().any(|n| v4.octets()[..3] == n[..]),
        IpAddr::V6(v6) => GOOGLE_V6.iter().any(|n| v6.octets()[..8] == n[..]),
    };
    (google(ep.client) || google(ep.server)).then_some(Proto::GoogleCall)
}

/// Signal's calls: plain STUN (no TURN allocation) lasting on port 10000.
fn signal(pkt: &Pkt, msg: &[u8], ep: &Endpoints) -> Option<Proto> {
    let turn = msg.u16_at(0).is_some_and(|k| (0x003..=0x00c).contains(&method(k)));
    (total_seen(pkt) > SIGNAL_AFTER && !turn && (ep.client_port == SIGNAL_PORT || ep.server_port == SIGNAL_PORT))
        .then_some(Proto::SignalVoip)
}

/// An RTP packet (RFC 3550 header: version 2, a static or dynamic payload type, the header within the packet).
fn rtp(p: &[u8]) -> bool {
    let (Some(b0), Some(b1)) = (p.u8_at(0), p.u8_at(1)) else {
        return false;
    };
    let pt = b1 & 0x7f;
    b0 >> 6 == 2 && (pt <= 34 || (96..=127).contains(&pt)) && 12 + 4 * usize::from(b0 & 0x0f) <= p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use proptest::prelude::*;

    fn detect(p: &Pkt) -> Verdict {
        Harness::new(p).probe(&StunDissector, p)
    }

    /// Probes `p` and returns the verdict and the application named.
    fn app_of(p: &Pkt) -> (Verdict, Proto) {
        let mut h = Harness::new(p);
        let v = h.probe(&StunDissector, p);
        (v, h.class.app)
    }

    const FOLLOW: Verdict = Verdict::Follow {
        master: Proto::Stun,
        packets: FOLLOW_PACKETS,
    };

    /// A Binding request with one attribute (built per RFC 8489 §5, §14).
    fn binding_with(attr: u16, value: &[u8]) -> Vec<u8> {
        let padded = value.len().div_ceil(4) * 4;
        let len = u16::try_from(4 + padded).unwrap_or(0);
        let mut m = vec![0x00, 0x01];
        m.extend_from_slice(&len.to_be_bytes());
        m.extend_from_slice(&COOKIE.to_be_bytes());
        m.extend_from_slice(b"0123456789ab");
        m.extend_from_slice(&attr.to_be_bytes());
        m.extend_from_slice(&u16::try_from(value.len()).unwrap_or(0).to_be_bytes());
        m.extend_from_slice(value);
        m.resize(HEADER + 4 + padded, 0);
        m
    }

    #[test]
    fn binding_request_and_framed_tcp() {
        let p = hex("000100002112a44253486b6846386f6477677956");
        assert_eq!(detect(&pkt(&p, L4::Udp, 43016, 3478)), FOLLOW);
        let r = hex("0101000c2112a44253486b6846386f64776779560020000800017d527c3d45a3");
        assert_eq!(detect(&pkt(&r, L4::Udp, 43016, 19302)), FOLLOW);
        let mut t = vec![0x00, 0x20];
        t.extend_from_slice(&r);
        assert_eq!(detect(&pkt(&t, L4::Tcp, 41588, 42000)), FOLLOW);
    }

    #[test]
    fn classic_only_on_3478() {
        let p = hex("0001000800000000112233445566778899aabbcc0003000400000000");
        assert_eq!(detect(&pkt(&p, L4::Udp, 5000, 3478)), FOLLOW);
        assert_eq!(detect(&pkt(&p, L4::Udp, 5000, 5001)), Verdict::No);
    }

    #[test]
    fn applications_from_attributes_and_types() {
        let cases: [(u16, &[u8], Proto); 6] = [
            (0x4002, b"\x00\x01", Proto::WhatsAppCall),
            (0x8054, b"\x00\x00\x00\x00", Proto::SkypeTeamsCall),
            (0x8070, b"\x00\x00\x00\x02", Proto::SkypeTeamsCall),
            (0x0103, b"\x01\x02\x03\x04", Proto::Zoom),
            (0xff03, b"\x00\x00\x00\x01", Proto::GoogleCall),
            (0x0014, b"turn.signal.org", Proto::SignalVoip),
        ];
        for (attr, value, app) in cases {
            let m = binding_with(attr, value);
            assert_eq!(app_of(&pkt(&m, L4::Udp, 40000, 50000)), (FOLLOW, app), "{attr:#06x}");
        }
        for (realm, app) in [
            (b"telegram.org".as_slice(), Proto::TelegramVoip),
            (b"viber.com", Proto::ViberVoip),
            (b"facebook.com", Proto::FacebookVoip),
            (b"google.com", Proto::GoogleCall),
        ] {
            let m = binding_with(0x0014, realm);
            let p = pkt(&m, L4::Udp, 40000, 50000);
            let mut h = Harness::new(&p);
            assert_eq!(h.probe(&StunDissector, &p), FOLLOW);
            assert_eq!(h.class.app, app);
            let name = h.meta.and_then(|m| m.server_name).map(String::from);
            assert_eq!(name.as_deref().map(str::as_bytes), Some(realm));
        }
        // WhatsApp's own message type 0x0801 with no attributes.
        let w = hex("080100002112a44253486b6846386f6477677956");
        assert_eq!(app_of(&pkt(&w, L4::Udp, 40000, 3478)), (FOLLOW, Proto::WhatsAppCall));
        // A realm with junk names nothing.
        let j = binding_with(0x0014, b"\x01\x02junk");
        assert_eq!(app_of(&pkt(&j, L4::Udp, 40000, 50000)).1, Proto::Unknown);
    }

    #[test]
    fn ms_turn_prefix() {
        let inner = binding_with(0x8055, b"\x00\x01\x00\x02");
        let mut m = vec![0xff, 0x10];
        m.extend_from_slice(&u16::try_from(inner.len() + 8).unwrap_or(0).to_be_bytes());
        m.extend_from_slice(&[0; 8]);
        m.extend_from_slice(&inner);
        assert_eq!(app_of(&pkt(&m, L4::Udp, 40000, 3478)), (FOLLOW, Proto::SkypeTeamsCall));
    }

    #[test]
    fn google_stun_servers_by_address_and_port() {
        let p = hex("000100002112a44253486b6846386f6477677956");
        let x = pkt(&p, L4::Udp, 40000, 19305);
        let mut h = Harness::new(&x);
        h.set_server([74, 125, 250, 129].into(), 19305);
        assert_eq!(h.probe(&StunDissector, &x), FOLLOW);
        assert_eq!(h.class.app, Proto::GoogleCall);
        let y = pkt(&p, L4::Udp, 40000, 19305);
        assert_eq!(app_of(&y).1, Proto::Unknown, "10.0.0.2 is not Google's");
    }

    #[test]
    fn follow_up_dtls_and_srtp() {
        let m = binding_with(0x4002, b"\x00\x01");
        let a = pkt(&m, L4::Udp, 40000, 3478);
        let mut h = Harness::new(&a);
        let _ = h.probe(&StunDissector, &a);
        h.class.master = Proto::Stun;
        let rtp = hex("8078a1b20001e2400a1b2c3dd5d5d5d5");
        let r = pkt_at(&rtp, L4::Udp, 40000, 3478, Dir::ToClient, [1, 0]);
        assert_eq!(h.follow(&StunDissector, &r), Follow::Done);
        assert_eq!((h.class.master, h.class.app), (Proto::Srtp, Proto::WhatsAppCall));

        let plain = hex("000100002112a44253486b6846386f6477677956");
        let b = pkt(&plain, L4::Udp, 40000, 3478);
        let mut h = Harness::new(&b);
        let _ = h.probe(&StunDissector, &b);
        assert_eq!(h.follow(&StunDissector, &r), Follow::More, "RTP without an application stays STUN");
        // A DTLS 1.2 application-data record (RFC 6347 §4.1).
        let dtls = hex("17fefd 0001 000000000001 0010 00112233445566778899aabbccddeeff");
        let d = pkt_at(&dtls, L4::Udp, 40000, 3478, Dir::ToClient, [1, 0]);
        assert_eq!(h.follow(&StunDissector, &d), Follow::Done);
        assert_eq!(h.class.master, Proto::Dtls);
    }

    #[test]
    fn xor_addresses_decode() {
        // RFC 5769 §2.2: XOR-MAPPED-ADDRESS 192.0.2.1:32853.
        let v = hex("0001a147e112a643");
        assert_eq!(xor_address(&v, b"0123456789ab"), Some((IpAddr::from([192, 0, 2, 1]), 32853)));
        assert_eq!(xor_address(&v[..7], b"0123456789ab"), None);
    }

    #[test]
    fn a_named_call_names_its_other_flows() {
        // A WhatsApp allocation naming peer 192.0.2.1:32853, then traffic of the same call without STUN.
        let mut m = binding_with(0x4002, b"\x00\x01");
        let peer = hex("00120008 0001a147e112a643");
        m.extend_from_slice(&peer);
        let len = u16::try_from(m.len() - HEADER).unwrap_or(0);
        m[2..4].copy_from_slice(&len.to_be_bytes());
        let a = pkt(&m, L4::Udp, 40000, 3478);
        let mut h = Harness::new(&a);
        assert_eq!(h.probe(&StunDissector, &a), FOLLOW);
        let rtp = hex("8078a1b20001e2400a1b2c3dd5d5d5d5");
        let r = pkt(&rtp, L4::Udp, 40000, 3478);
        h.class = crate::engine::Classification::default();
        assert_eq!(h.probe(&StunDissector, &r), Verdict::Yes(Proto::Srtp));
        assert_eq!(h.class.app, Proto::WhatsAppCall);
        h.class = crate::engine::Classification::default();
        h.set_client([10, 9, 9, 9].into(), 5000);
        h.set_server([192, 0, 2, 1].into(), 32853);
        let other = pkt(b"\x01\x02\x03", L4::Udp, 5000, 32853);
        assert_eq!(h.probe(&StunDissector, &other), Verdict::Yes(Proto::Stun), "the relayed peer");
        let plain = hex("000100002112a44253486b6846386f6477677956");
        h.class = crate::engine::Classification::default();
        assert_eq!(h.probe(&StunDissector, &pkt(&plain, L4::Udp, 5000, 32853)), FOLLOW);
        assert_eq!(h.class.app, Proto::WhatsAppCall, "plain STUN between the peers");
        // Nothing remembered: not STUN.
        let b = pkt(&rtp, L4::Udp, 5, 6);
        assert_eq!(Harness::new(&b).probe(&StunDissector, &b), Verdict::No);
    }

    #[test]
    fn signal_on_port_10000_after_a_while() {
        let plain = hex("000100002112a44253486b6846386f6477677956");
        let b = pkt(&plain, L4::Udp, 40000, SIGNAL_PORT);
        let mut h = Harness::new(&b);
        let _ = h.probe(&StunDissector, &b);
        let early = pkt_at(&plain, L4::Udp, 40000, SIGNAL_PORT, Dir::ToServer, [1, 1]);
        let _ = h.follow(&StunDissector, &early);
        assert_eq!(h.class.app, Proto::Unknown);
        let late = pkt_at(&plain, L4::Udp, 40000, SIGNAL_PORT, Dir::ToServer, [3, 2]);
        let _ = h.follow(&StunDissector, &late);
        assert_eq!(h.class.app, Proto::SignalVoip);
    }

    #[test]
    fn negatives() {
        let p = hex("000100042112a44253486b6846386f6477677956");
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 3478)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 1, 3478)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_attributes(value in proptest::collection::vec(any::<u8>(), 0..64), attr in any::<u16>(), tail in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut m = binding_with(attr, &value);
            let a = pkt(&m, L4::Udp, 40000, 3478);
            let mut h = Harness::new(&a);
            let _ = h.probe(&StunDissector, &a);
            m.extend_from_slice(&tail);
            let _ = h.follow(&StunDissector, &pkt(&m, L4::Udp, 40000, 3478));
        }
    }
}
