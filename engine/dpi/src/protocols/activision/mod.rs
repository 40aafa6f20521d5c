//! Activision (Call of Duty's game traffic; format from nDPI's dissector): UDP datagrams of at least 18 bytes whose
//! first word is 0x0c02 from the client / 0x0d02 from the server on each side's first packet, later packets
//! opening with 0x29 (client) / 0x28 (server) or the same words; or the 0x4600/0x4700 variant. Five packets that
//! keep to the pattern name the flow.

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::{seen_same, total_seen};
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Activision = 258, "Activision", Game;
}

/// Activision's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 18;
/// Packets that must keep to the pattern before the flow is named (nDPI: the fifth).
const CONFIRM_AT: u32 = 4;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let Some(magic) = p.u16_at(0).filter(|_| p.len() >= MIN_LEN) else {
        return Verdict::No;
    };
    let ok = if matches!(magic, 0x4600 | 0x4700) {
        true
    } else {
        let (first, byte) = match pkt.dir {
            Dir::ToServer => (0x0c02, 0x29),
            Dir::ToClient => (0x0d02, 0x28),
        };
        magic == first || (seen_same(pkt) > 0 && p[0] == byte)
    };
    match (ok, total_seen(pkt) >= CONFIRM_AT) {
        (false, _) => Verdict::No,
        (true, true) => Verdict::Yes(Proto::Activision),
        (true, false) => Verdict::NeedMore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt_at};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn five_packets_keep_the_pattern() {
        let c = hex("0c02 aabbccddeeff00112233445566778899");
        let s = hex("0d02 aabbccddeeff00112233445566778899");
        let c2 = hex("29 00aabbccddeeff00112233445566778899");
        let seq = [
            (&c, Dir::ToServer, [0, 0]),
            (&s, Dir::ToClient, [1, 0]),
            (&c2, Dir::ToServer, [1, 1]),
            (&c2, Dir::ToServer, [2, 1]),
        ];
        for (p, d, seen) in seq {
            assert_eq!(detect(&pkt_at(p, L4::Udp, 40000, 3074, d, seen)), Verdict::NeedMore);
        }
        assert_eq!(detect(&pkt_at(&c2, L4::Udp, 40000, 3074, Dir::ToServer, [3, 1])), Verdict::Yes(Proto::Activision));
    }

    #[test]
    fn wrong_first_word() {
        let c = hex("0d02 aabbccddeeff00112233445566778899");
        assert_eq!(detect(&pkt_at(&c, L4::Udp, 1, 2, Dir::ToServer, [0, 0])), Verdict::No);
        let c2 = hex("29 00aabbccddeeff00112233445566778899");
        assert_eq!(detect(&pkt_at(&c2, L4::Udp, 1, 2, Dir::ToServer, [0, 0])), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&pkt_at(&noise(30, seed), L4::Udp, 1, 2, Dir::ToServer, [0, 0])), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..60), seen in any::<[u16; 2]>()) {
            let _ = detect(&pkt_at(&p, L4::Udp, 1, 2, Dir::ToClient, seen));
        }
    }
}
