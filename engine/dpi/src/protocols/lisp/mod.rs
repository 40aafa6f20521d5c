//! LISP, the Locator/ID Separation Protocol, on its two UDP ports and the Map-Server's TCP port:
//! - control plane, UDP 4342 (RFC 9301 §5): a message type the RFC defines (Map-Request 1, Map-Reply 2,
//!   Map-Register 3, Map-Notify 4, Map-Notify-Ack 5, Map-Referral 6, Encapsulated Control Message 8), a record
//!   count where the type has one, and a length that holds its fixed part (and, for Map-Register/Notify, the
//!   authentication data its length field announces);
//! - data plane, UDP 4341 (RFC 9300 §5.3): the 8-byte LISP header followed by an IPv4 or IPv6 header whose length
//!   agrees with the packet;
//! - reliable transport, TCP 4342 (draft-ietf-lisp-map-server-reliable-transport): messages framed by a 16-bit
//!   type from its registry (17 and up), a 16-bit length and a message id; the first one must fit the segment or
//!   be longer than it (continued in the next), never shorter than its header.
//!
//! nDPI names LISP from UDP port pairs (4341↔4341, 4342↔4342) alone; this also reads what is in the packet, and
//! accepts a Map-Request from an ephemeral port, which is how ITRs send them.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Lisp = 236, "LISP", Cloud, udp [4342, 4341];
}

/// LISP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// The control-plane port (UDP, and TCP for the reliable transport).
const CONTROL: u16 = 4342;
/// The data-plane port.
const DATA: u16 = 4341;
/// Shortest control message: type/flags, record count, nonce.
const CONTROL_MIN: usize = 12;
/// Map-Register and Map-Notify: type/flags (4), nonce (8), key id (2), auth data length (2).
const AUTH_FIXED: usize = 16;
/// The data-plane header.
const DATA_HEADER: usize = 8;
/// Reliable-transport header: type, length, message id.
const RT_HEADER: usize = 8;
/// Reliable-transport message types in use (Registration 17 … Mapping-Notification-Nack 22 and later additions).
const RT_TYPES: std::ops::RangeInclusive<u16> = 17..=31;

fn control(p: &[u8]) -> bool {
    let Some(b0) = p.u8_at(0) else { return false };
    if p.len() < CONTROL_MIN {
        return false;
    }
    let count = p.u8_at(3).unwrap_or(0);
    match b0 >> 4 {
        1 | 2 | 6 => count > 0,
        3..=5 => {
            let auth = usize::from(p.u16_at(14).unwrap_or(u16::MAX));
            count > 0 && AUTH_FIXED + auth <= p.len()
        }
        // An ECM wraps an IP header (then UDP and a control message).
        8 => ip_packet(p.rest_at(4), false),
        _ => false,
    }
}

/// Whether `p` starts with an IPv4 or IPv6 header whose total length is the packet's (or, cut by the capture,
/// no shorter than the header) when `exact`; within the packet otherwise.
fn ip_packet(p: &[u8], exact: bool) -> bool {
    let Some(b0) = p.u8_at(0) else { return false };
    let total = match b0 >> 4 {
        4 if b0 & 0x0f >= 5 => p.u16_at(2).map(usize::from),
        6 => p.u16_at(4).map(|l| usize::from(l) + 40),
        _ => None,
    };
    total.is_some_and(|t| if exact { t == p.len() } else { t >= 20 && t <= p.len() })
}

fn reliable(p: &[u8]) -> bool {
    let (Some(kind), Some(len)) = (p.u16_at(0), p.u16_at(2)) else {
        return false;
    };
    RT_TYPES.contains(&kind) && usize::from(len) >= RT_HEADER && p.len() >= RT_HEADER
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = match pkt.l4 {
        L4::Tcp => pkt.either_port(CONTROL) && reliable(p),
        L4::Udp if pkt.client_port == DATA && pkt.server_port == DATA => {
            p.u8_at(0).is_some() && ip_packet(p.rest_at(DATA_HEADER), true)
        }
        L4::Udp => pkt.either_port(CONTROL) && control(p),
    };
    if ok {
        Verdict::Yes(Proto::Lisp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// Map-Register with one record, no authentication data (RFC 9301 §5.6), built field by field: type 3, one
    /// record, nonce, key id 0, auth length 0, then the record (TTL, locator count 1, EID mask 24, ACT, map
    /// version, AFI 1 10.1.1.0, the locator with AFI 1 192.0.2.1).
    const MAP_REGISTER: &str = "30000001 0102030405060708 0000 0000 \
                                00000005 01 18 0000 0000 0001 0a010100 \
                                01 64 01 00 0005 0001 c0000201";
    /// Map-Request for 10.1.1.1 from ITR 192.0.2.1 (RFC 9301 §5.2).
    const MAP_REQUEST: &str = "10000001 a1a2a3a4a5a6a7a8 0000 0001 c0000201 00 20 0001 0a010101";

    #[test]
    fn control_messages() {
        for (m, c, s) in [
            (MAP_REGISTER, 4342, 4342),
            (MAP_REQUEST, 61000, 4342),
        ] {
            assert_eq!(
                detect(&pkt(&hex(m), L4::Udp, c, s)),
                Verdict::Yes(Proto::Lisp),
                "{m}"
            );
        }
    }

    #[test]
    fn data_plane_and_reliable_transport() {
        // N and I flags, nonce, instance id 0, then an IPv4 header of total length 28 with UDP inside.
        let data = hex("88123456 00000000 45000001c000000040110000 0a010101 0a020202 00350035 0008 0000");
        let mut d = data.clone();
        d[DATA_HEADER + 3] = 28;
        assert_eq!(detect(&pkt(&d, L4::Udp, 4341, 4341)), Verdict::Yes(Proto::Lisp));
        // Registration (17): length 8 + the Map-Register.
        let mut rt = hex("0011 0000 00000001");
        let reg = hex(MAP_REGISTER);
        rt[3] = u8::try_from(RT_HEADER + reg.len()).expect("short message");
        rt.extend_from_slice(&reg);
        assert_eq!(detect(&pkt(&rt, L4::Tcp, 15373, 4342)), Verdict::Yes(Proto::Lisp));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(&hex(MAP_REQUEST), L4::Udp, 61000, 4343)), Verdict::No);
        assert_eq!(detect(&pkt(&hex("70000001 0102030405060708"), L4::Udp, 1, 4342)), Verdict::No);
        assert_eq!(detect(&pkt(&hex("10000000 0102030405060708"), L4::Udp, 1, 4342)), Verdict::No);
        // Map-Register whose auth length runs past the packet.
        let mut r = hex(MAP_REGISTER);
        r[15] = 0xff;
        assert_eq!(detect(&pkt(&r, L4::Udp, 4342, 4342)), Verdict::No);
        assert_eq!(detect(&pkt(&hex("0003 0008 00000001"), L4::Tcp, 1, 4342)), Verdict::No);
        assert_eq!(detect(&pkt(b"GET / HTTP/1.1\r\n\r\n", L4::Tcp, 1, 4342)), Verdict::No);
        let mut taken = 0;
        for seed in 1..200 {
            if detect(&pkt(&noise(64, seed), L4::Udp, 4341, 4341)) != Verdict::No {
                taken += 1;
            }
        }
        assert!(taken < 3, "{taken} noise packets taken for LISP data");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200), tcp: bool) {
            let l4 = if tcp { L4::Tcp } else { L4::Udp };
            let _ = detect(&pkt(&p, l4, CONTROL, CONTROL));
            let _ = detect(&pkt(&p, l4, DATA, DATA));
        }
    }
}
