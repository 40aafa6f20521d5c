//! IAX2 (RFC 5456 §8.1, §8.2): a full frame — F bit set, source call number, timestamp, sequence numbers,
//! frame type 6 (IAX control) with a defined subclass (C bit clear) — whose information elements (`type | length
//! | data`, §8.6) tile the rest of the datagram.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Iax = 95, "IAX", VoIp, udp [4569];
}

/// IAX's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 12;
/// Frame type IAX (§8.2).
const IAX: u8 = 6;
/// Highest IAX subclass (§8.4: CALLTOKEN is 0x28; room for the later ones).
const MAX_SUBCLASS: u8 = 0x2e;
/// Information elements walked at most.
const MAX_IES: usize = 64;

fn ies_tile(mut p: &[u8]) -> bool {
    for _ in 0..MAX_IES {
        if p.is_empty() {
            return true;
        }
        let Some(len) = p.u8_at(1) else {
            return false;
        };
        let total = 2 + usize::from(len);
        if p.u8_at(0) == Some(0) || total > p.len() {
            return false;
        }
        p = &p[total..];
    }
    false
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() >= HEADER
        && p.u8_at(0).is_some_and(|b| b & 0x80 != 0)
        && p.u8_at(10) == Some(IAX)
        && p.u8_at(11).is_some_and(|s| (1..=MAX_SUBCLASS).contains(&s))
        && ies_tile(&p[HEADER..]);
    if ok {
        Verdict::Yes(Proto::Iax)
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

    /// NEW (subclass 1) from call 0x3f21 built from RFC 5456: version IE (11) = 2, called number IE (1) "100",
    /// username IE (6) "alice".
    const NEW: &str = "bf21 0000 00000003 00 00 06 01  0b 02 0002  01 03 313030  06 05 616c696365";

    #[test]
    fn new_call() {
        let p = hex(NEW);
        assert_eq!(detect(&pkt(&p, L4::Udp, 4569, 4569)), Verdict::Yes(Proto::Iax));
        // A bare ACK (subclass 4) has no elements.
        assert_eq!(detect(&pkt(&p[..12], L4::Udp, 4569, 4569)), Verdict::Yes(Proto::Iax));
    }

    #[test]
    fn near_misses() {
        let p = hex(NEW);
        for (at, b) in [(0, 0x3fu8), (10, 2), (11, 0x81), (13, 0x20)] {
            let mut m = p.clone();
            m[at] = b;
            assert_eq!(detect(&pkt(&m, L4::Udp, 1, 4569)), Verdict::No, "{at}");
        }
        assert_eq!(detect(&pkt(&p[..p.len() - 1], L4::Udp, 1, 4569)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(30, seed), L4::Udp, 1, 4569)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 4569));
        }
    }
}
