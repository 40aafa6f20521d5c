//! collectd's binary network protocol (collectd wiki "Binary protocol"): a datagram of parts, each
//! `type (2) | length (2, including the header) | data`, with known part types; the parts tile the datagram. A
//! signed or encrypted datagram starts with its signature (0x0200) or encryption (0x0210) part.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Collectd = 298, "collectd", System, udp [25826];
}

/// collectd's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// Part types: host, time, plugin, plugin instance, type, type instance, values, interval, high-resolution time
/// and interval, message, severity.
const PARTS: &[u16] = &[0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0008, 0x0009, 0x0100, 0x0101];
/// Signature (HMAC-SHA-256) and encryption (AES-256) parts, which cover the rest of the datagram.
const SIGNATURE: u16 = 0x0200;
const ENCRYPTION: u16 = 0x0210;
/// Parts walked at most.
const MAX_PARTS: usize = 128;
/// Fewest parts in a plain datagram (a host and something about it).
const MIN_PARTS: usize = 2;

fn datagram(p: &[u8]) -> bool {
    match p.u16_at(0) {
        Some(SIGNATURE) => return p.u16_at(2).is_some_and(|l| l > 36 && usize::from(l) < p.len()),
        Some(ENCRYPTION) => return p.u16_at(2).is_some_and(|l| usize::from(l) == p.len() && l > 42),
        _ => {}
    }
    let mut rest = p;
    for parts in 0..MAX_PARTS {
        if rest.is_empty() {
            return parts >= MIN_PARTS;
        }
        let (Some(kind), Some(len)) = (rest.u16_at(0), rest.u16_at(2)) else {
            return false;
        };
        let len = usize::from(len);
        if !PARTS.contains(&kind) || len < 5 || len > rest.len() {
            return false;
        }
        rest = &rest[len..];
    }
    false
}

fn detect(pkt: &Pkt) -> Verdict {
    if datagram(pkt.payload) {
        Verdict::Yes(Proto::Collectd)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    /// Host "h1", high-resolution time, plugin "load", type "load", and one gauge value (binary protocol wiki).
    const VALUES: &str = "0000 0007 683100 0008 000c 0000000000000001 0002 0009 6c6f616400 \
         0004 0009 6c6f616400 0006 000f 0001 01 0000000000000040";

    #[test]
    fn plain_datagram() {
        let d = hex(VALUES);
        assert_eq!(detect(&pkt(&d, L4::Udp, 40000, 25826)), Verdict::Yes(Proto::Collectd));
    }

    #[test]
    fn near_misses() {
        let d = hex(VALUES);
        assert_eq!(detect(&pkt(&d[..d.len() - 1], L4::Udp, 1, 25826)), Verdict::No);
        let mut bad = d.clone();
        bad[7] = 0x0a;
        assert_eq!(detect(&pkt(&bad, L4::Udp, 1, 25826)), Verdict::No);
        assert_eq!(detect(&pkt(&d[..7], L4::Udp, 1, 25826)), Verdict::No, "one part only");
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(60, seed), L4::Udp, 1, 25826)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 25826));
        }
    }
}
