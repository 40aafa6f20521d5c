//! STUN (RFC 5389/8489; classic RFC 3489): message type with the top two bits clear, a length equal to the
//! payload minus the 20-byte header (a multiple of 4), and the magic cookie 0x2112A442. Cookie-less classic STUN
//! only on port 3478. Over TCP an optional RFC 4571 2-byte length may frame it.

use crate::dissector::{Dissector, Flow, Follow, Order, Protocol, Transport};
use xntop_wire::cursor::Cursor;
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Stun = 78, "STUN", Network, tcp [3478], udp [3478, 19302];
}

/// STUN's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&StunDissector),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Packets followed after a STUN verdict: STUN usually leads into DTLS (WebRTC), and later attributes may name the
/// calling application.
const FOLLOW_PACKETS: u8 = 12;

struct StunDissector;

impl Dissector for StunDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        match detect(pkt) {
            Verdict::Yes(master) => {
                if let Some(app) = calling_app(pkt.payload) {
                    flow.set_app(app);
                }
                Verdict::Follow {
                    master,
                    packets: FOLLOW_PACKETS,
                }
            }
            other => other,
        }
    }

    fn follow(&self, pkt: &Pkt, flow: &mut Flow) -> Follow {
        if flow.class().app == Proto::Stun {
            if let Some(app) = calling_app(pkt.payload) {
                flow.set_app(app);
            }
        }
        if crate::protocols::tls::parser::dtls_record(pkt.payload).is_none() {
            return Follow::More;
        }
        flow.set_master(Proto::Dtls);
        if flow.class().app == Proto::Stun {
            flow.set_app(Proto::Dtls);
        }
        Follow::Done
    }
}

/// STUN attributes that name the calling application (WhatsApp's, Microsoft's).
fn calling_app(b: &[u8]) -> Option<Proto> {
    // A 2-byte length prefix over TCP.
    let b = if b.len() > 22 && b[2..4] == [0x00, 0x01]
        || b.get(6..10) == Some(&[0x21, 0x12, 0xa4, 0x42])
    {
        &b[2..]
    } else {
        b
    };
    let mut attrs = Cursor::new(b.rest_at(20));
    for _ in 0..32 {
        let (Ok(ty), Ok(len)) = (attrs.get_u16(), attrs.get_u16()) else {
            break;
        };
        match ty {
            0x4000..=0x4007 => return Some(Proto::WhatsAppCall),
            0x8008 | 0x8054 | 0x8055 | 0x8070 => return Some(Proto::SkypeTeamsCall),
            _ => {}
        }
        // Values are padded to 4 bytes; a value cut short ends the walk.
        if attrs.skip(usize::from(len).div_ceil(4) * 4).is_err() {
            break;
        }
    }
    None
}

const COOKIE: u32 = 0x2112_a442;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let framed = pkt.l4 == L4::Tcp && p.u16_at(0).is_some_and(|l| usize::from(l) + 2 == p.len());
    let msg = if framed { &p[2..] } else { p };
    if message(msg, pkt.either_port(3478)) {
        Verdict::Yes(Proto::Stun)
    } else {
        Verdict::No
    }
}

fn message(p: &[u8], classic_port: bool) -> bool {
    let (Some(kind), Some(len), Some(cookie)) = (p.u16_at(0), p.u16_at(2), p.u32_at(4)) else {
        return false;
    };
    if kind & 0xc000 != 0 || usize::from(len) + 20 != p.len() {
        return false;
    }
    let method = (kind & 0x000f) | ((kind & 0x00e0) >> 1) | ((kind & 0x3e00) >> 2);
    if cookie == COOKIE {
        // Binding .. ConnectionAttempt (RFC 5766/6062), plus GOOG-PING (0x080).
        // WhatsApp pads no attribute on 3478: accept its unaligned lengths there only.
        return matches!(method, 0x001..=0x00c | 0x080)
            && ((len % 4 == 0 && attributes_ok(&p[20..])) || classic_port);
    }
    // Classic: Binding / Shared Secret requests, responses and errors.
    classic_port
        && len % 4 == 0
        && matches!(kind, 0x0001 | 0x0101 | 0x0111 | 0x0002 | 0x0102 | 0x0112)
        && len > 0
        && attributes_ok(&p[20..])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn binding_request_and_framed_tcp() {
        let p = hex("000100002112a44253486b6846386f6477677956");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 43016, 3478)),
            Verdict::Yes(Proto::Stun)
        );
        let r = hex("0101000c2112a44253486b6846386f64776779560020000800017d527c3d45a3");
        assert_eq!(
            detect(&pkt(&r, L4::Udp, 43016, 19302)),
            Verdict::Yes(Proto::Stun)
        );
        let mut t = vec![0x00, 0x20];
        t.extend_from_slice(&r);
        assert_eq!(
            detect(&pkt(&t, L4::Tcp, 41588, 42000)),
            Verdict::Yes(Proto::Stun)
        );
    }

    #[test]
    fn classic_only_on_3478() {
        let p = hex("0001000800000000112233445566778899aabbcc0003000400000000");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 5000, 3478)),
            Verdict::Yes(Proto::Stun)
        );
        assert_eq!(detect(&pkt(&p, L4::Udp, 5000, 5001)), Verdict::No);
    }

    #[test]
    fn negatives() {
        let p = hex("000100042112a44253486b6846386f6477677956");
        assert_eq!(detect(&pkt(&p, L4::Udp, 1, 3478)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(
                detect(&pkt(&noise(40, seed), L4::Udp, 1, 3478)),
                Verdict::No
            );
        }
    }
}
