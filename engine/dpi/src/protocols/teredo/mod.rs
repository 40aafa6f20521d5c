//! Teredo (RFC 4380): IPv6 carried in UDP. The payload is an IPv6 header (version 6, a payload length that
//! matches the rest of the datagram), optionally preceded by the authentication (0x0001) or origin indication
//! (0x0000) headers of §5.1.1. It must use Teredo's server port 3544 or carry a Teredo address (2001:0::/32) as
//! its IPv6 source or destination: a bare IPv6 header is otherwise too easy to meet by chance.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Teredo = 214, "Teredo", Network, udp [3544];
}

/// Teredo's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// The Teredo server port (IANA).
const PORT: u16 = 3544;
/// An IPv6 header.
const IPV6_HEADER: usize = 40;
/// The origin indication: 0x0000, port and address.
const ORIGIN: usize = 8;
/// The authentication header's fixed part: 0x0001, id length, auth length, nonce (8), confirmation (1).
const AUTH_FIXED: usize = 13;
/// The Teredo prefix 2001:0000::/32.
const PREFIX: u32 = 0x2001_0000;

/// Skips the optional indication headers; returns the offset of the IPv6 header.
fn ipv6_start(p: &[u8]) -> Option<usize> {
    let mut at = 0;
    if p.u16_at(at)? == 1 {
        let id = usize::from(p.u8_at(2)?);
        let auth = usize::from(p.u8_at(3)?);
        at += AUTH_FIXED + id + auth;
    }
    if p.u16_at(at)? == 0 {
        at += ORIGIN;
    }
    Some(at)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp {
        return Verdict::No;
    }
    let Some(at) = ipv6_start(p) else {
        return Verdict::No;
    };
    let ip = p.rest_at(at);
    let (Some(b0), Some(len), Some(src), Some(dst)) =
        (ip.u8_at(0), ip.u16_at(4), ip.u32_at(8), ip.u32_at(24))
    else {
        return Verdict::No;
    };
    let teredo_addr = src == PREFIX || dst == PREFIX;
    if b0 >> 4 == 6
        && usize::from(len) + IPV6_HEADER == ip.len()
        && (pkt.either_port(PORT) || teredo_addr)
    {
        Verdict::Yes(Proto::Teredo)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// A router solicitation from fe80::ffff:ffff:fffe to ff02::2 (RFC 4380 §5.2.1's qualification), built field by
    /// field: IPv6 header with payload length 8, then the ICMPv6 message.
    const RS: &str = "60000000 0008 3a ff fe800000000000000000ffffffff fffe ff020000000000000000000000000002 \
                      85 00 7d37 00000000";

    #[test]
    fn bubble_to_the_server_port() {
        let p = hex(RS);
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 50000, 3544)),
            Verdict::Yes(Proto::Teredo)
        );
        // With an origin indication in front, as the server answers.
        let mut o = hex("0000 e4a1 3f57fe01");
        o.extend_from_slice(&p);
        assert_eq!(
            detect(&pkt(&o, L4::Udp, 3544, 50000)),
            Verdict::Yes(Proto::Teredo)
        );
        // With an authentication header (no id, no auth value).
        let mut a = hex("0001 00 00 0102030405060708 00");
        a.extend_from_slice(&p);
        assert_eq!(
            detect(&pkt(&a, L4::Udp, 50000, 3544)),
            Verdict::Yes(Proto::Teredo)
        );
    }

    #[test]
    fn peer_to_peer_needs_a_teredo_address() {
        // 2001:0:4136:e378:8000:63bf:3fff:fdd2 -> 2001:db8::1, UDP inside, between ephemeral ports.
        let p = hex("60000000 0008 11 40 200100004136e378800063bf3ffffdd2 20010db8000000000000000000000001 \
                     d4310035 0008 0000");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 50000, 60000)),
            Verdict::Yes(Proto::Teredo)
        );
        assert_eq!(
            detect(&pkt(&hex(RS), L4::Udp, 50000, 60000)),
            Verdict::No
        );
    }

    #[test]
    fn near_misses() {
        let p = hex(RS);
        assert_eq!(detect(&pkt(&p[..47], L4::Udp, 1, 3544)), Verdict::No);
        let mut v4 = p.clone();
        v4[0] = 0x45;
        assert_eq!(detect(&pkt(&v4, L4::Udp, 1, 3544)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(80, seed), L4::Udp, 1, 3544)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, PORT));
        }
    }
}
