//! Gnutella (the Gnutella 0.6 protocol spec; Gnutella2's UDP transport, "G2 UDP"; gtk-gnutella's Mojito DHT):
//!
//! - TCP: the handshake's first line, `GNUTELLA CONNECT/<version>` from the client or `GNUTELLA/<version> <code>` /
//!   `GNUTELLA OK` from the server; the client's `User-Agent` is kept.
//! - UDP, Gnutella 0.6 messages: a 23-byte header (16-byte GUID, payload type, TTL, hops, little-endian payload
//!   length) whose length field equals the rest of the datagram, a known payload type and TTL + hops within the
//!   protocol's hop limit.
//! - UDP, Gnutella2: the `GND` magic, flags within the defined bits and a part number within the part count.

use crate::dissector::{set_str, Dissector, Flow, Pkt, Protocol, Transport, Verdict, L4};
use crate::dissector::Order;
use crate::proto::Proto;
use crate::protocols::util::{first_line, starts_ci};
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Gnutella = 35, "Gnutella", Download;
}

/// Gnutella's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&GnutellaDissector),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Bytes of a Gnutella 0.6 message header (GUID 16, type 1, TTL 1, hops 1, length 4).
const HEADER: usize = 23;
/// TTL + hops never exceed this in the 0.6 network (clients drop messages with larger values).
const MAX_HOPS: u8 = 16;
/// Gnutella 0.6 payload types: ping, pong, vendor (non-standard and standard), DHT (Mojito), push, query, query hit.
const TYPES: [u8; 8] = [0x00, 0x01, 0x31, 0x32, 0x44, 0x40, 0x80, 0x81];
/// Bytes of a Gnutella2 UDP header: "GND", flags, sequence (2), part, count.
const G2_HEADER: usize = 8;
/// Gnutella2 UDP flags: deflate (0x01), acknowledge-me (0x02), and the bit some clients set (0x10).
const G2_FLAGS: u8 = 0x13;

struct GnutellaDissector;

impl Dissector for GnutellaDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        let yes = match pkt.l4 {
            L4::Tcp => {
                if p.starts_with(b"GNUTELLA CONNECT/") {
                    user_agent(p, flow);
                    true
                } else {
                    p.starts_with(b"GNUTELLA OK")
                        || (p.starts_with(b"GNUTELLA/")
                            && p.get(9).is_some_and(u8::is_ascii_digit))
                }
            }
            L4::Udp => message(p) || g2(p),
        };
        if yes {
            Verdict::Yes(Proto::Gnutella)
        } else {
            Verdict::No
        }
    }
}

/// Keeps the handshake's `User-Agent` header.
fn user_agent(p: &[u8], flow: &mut Flow) {
    let mut rest = p;
    while let Some(line) = first_line(rest) {
        if line.is_empty() {
            break;
        }
        if starts_ci(line, b"user-agent:") {
            let v = line[11..].trim_ascii();
            set_str(&mut flow.meta().user_agent, v);
            return;
        }
        rest = rest.rest_at(line.len() + 1);
        if rest.first() == Some(&b'\n') {
            rest = rest.rest_at(1);
        }
    }
}

/// A Gnutella 0.6 message filling the datagram.
fn message(p: &[u8]) -> bool {
    let (Some(kind), Some(ttl), Some(hops), Some(len)) =
        (p.u8_at(16), p.u8_at(17), p.u8_at(18), p.u32_le_at(19))
    else {
        return false;
    };
    TYPES.contains(&kind)
        && u16::from(ttl) + u16::from(hops) <= u16::from(MAX_HOPS)
        && usize::try_from(len).is_ok_and(|l| l + HEADER == p.len())
}

/// A Gnutella2 UDP packet.
fn g2(p: &[u8]) -> bool {
    let (Some(flags), Some(part), Some(count)) = (p.u8_at(3), p.u8_at(6), p.u8_at(7)) else {
        return false;
    };
    p.starts_with(b"GND")
        && flags & !G2_FLAGS == 0
        && p.len() >= G2_HEADER
        // An acknowledgement carries count 0; a fragment is part 1..=count.
        && (count == 0 || (1..=count).contains(&part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::Dir;
    use proptest::prelude::*;

    fn probe(p: &[u8], l4: L4) -> (Verdict, Option<String>) {
        let pkt = pkt(p, l4, 40000, 6346);
        let mut h = Harness::new(&pkt);
        let v = h.probe(&GnutellaDissector, &pkt);
        (v, h.meta.and_then(|m| m.user_agent).map(String::from))
    }

    // Built from the Gnutella 0.6 spec §2.2 (handshake).
    const CONNECT: &[u8] = b"GNUTELLA CONNECT/0.6\r\nUser-Agent: gtk-gnutella/1.2.2\r\nX-Ultrapeer: False\r\n\r\n";

    #[test]
    fn handshake_lines() {
        let (v, ua) = probe(CONNECT, L4::Tcp);
        assert_eq!(v, Verdict::Yes(Proto::Gnutella));
        assert_eq!(ua.as_deref(), Some("gtk-gnutella/1.2.2"));
        let reply = b"GNUTELLA/0.6 200 OK\r\nUser-Agent: LimeWire/5.5\r\n\r\n";
        let s = pkt_at(reply, L4::Tcp, 40000, 6346, Dir::ToClient, [1, 0]);
        assert_eq!(
            Harness::new(&s).probe(&GnutellaDissector, &s),
            Verdict::Yes(Proto::Gnutella)
        );
        assert_eq!(probe(b"GNUTELLA OK\n\n", L4::Tcp).0, Verdict::Yes(Proto::Gnutella));
    }

    #[test]
    fn udp_ping_and_g2() {
        // A ping (type 0, TTL 1, hops 0) with a 4-byte GGEP-less payload, per spec §2.2.
        let mut ping = hex("0123456789abcdef0123456789abcdef 00 01 00 04000000");
        ping.extend_from_slice(b"GTKG");
        assert_eq!(probe(&ping, L4::Udp).0, Verdict::Yes(Proto::Gnutella));
        // G2: "GND", ack-me flag, sequence 7, part 1 of 1, then a packet.
        let g2 = hex("474e4402 0700 01 01 4850 494e47");
        assert_eq!(probe(&g2, L4::Udp).0, Verdict::Yes(Proto::Gnutella));
    }

    #[test]
    fn near_misses() {
        let mut ping = hex("0123456789abcdef0123456789abcdef 00 01 00 05000000");
        ping.extend_from_slice(b"GTKG");
        assert_eq!(probe(&ping, L4::Udp).0, Verdict::No, "length off by one");
        let g2 = hex("474e4402 0700 03 02 4850");
        assert_eq!(probe(&g2, L4::Udp).0, Verdict::No, "part beyond count");
        let g2 = hex("474e4480 0700 01 01 4850");
        assert_eq!(probe(&g2, L4::Udp).0, Verdict::No, "undefined flag");
        for p in [HTTP_GET, TLS_HELLO, b"GNUTELLA".as_slice()] {
            assert_eq!(probe(p, L4::Tcp).0, Verdict::No);
            assert_eq!(probe(p, L4::Udp).0, Verdict::No);
        }
        for seed in 1..300 {
            assert_eq!(probe(&noise(60, seed), L4::Udp).0, Verdict::No);
        }
    }

    #[test]
    fn prefixes_of_the_handshake() {
        for n in 0..17 {
            assert_eq!(probe(&CONNECT[..n], L4::Tcp).0, Verdict::No, "{n}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..300), udp in any::<bool>()) {
            let _ = probe(&p, if udp { L4::Udp } else { L4::Tcp });
        }
    }
}
