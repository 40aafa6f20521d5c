//! Xbox (Xbox Live's UDP; patterns from nDPI's `xbox.c`): messages with four zero bytes, 0x58 at offset 5 and zeros
//! at 7..10 whose bytes 4 and 6 form one of the known kinds; or, on port 3074, two of the known game messages
//! (24 bytes opening 0, 42 bytes 4f ?? 0a, 80 bytes 50bc 45, 40 bytes cf5f3202, 38 bytes c1457f03, 28 bytes
//! 015f2c00). Xbox's web services are named from their server names.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Xbox = 47, "Xbox", Game;
}

/// Xbox's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const GAME_PORT: u16 = 3074;
/// (byte 4, byte 6) of the known control messages.
const KINDS: [(u8, u8); 5] = [(0x0c, 0x76), (0x02, 0x18), (0x0b, 0x80), (0x03, 0x40), (0x06, 0x4e)];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let control = p.len() > 12
        && p.u32_at(0) == Some(0)
        && p[5] == 0x58
        && p[7..10] == [0, 0, 0]
        && KINDS.contains(&(p[4], p[6]));
    if control {
        return Verdict::Yes(Proto::Xbox);
    }
    let game = pkt.either_port(GAME_PORT)
        && match p.len() {
            24 => p[0] == 0x00,
            42 => p[0] == 0x4f && p[2] == 0x0a,
            80 => p.u16_at(0) == Some(0x50bc) && p[2] == 0x45,
            40 => p.u32_at(0) == Some(0xcf5f_3202),
            38 => p.u32_at(0) == Some(0xc145_7f03),
            28 => p.u32_at(0) == Some(0x015f_2c00),
            _ => false,
        };
    match (game, total_seen(pkt)) {
        (false, _) => Verdict::No,
        // Every earlier packet of the flow was one of them too.
        (true, 0) => Verdict::NeedMore,
        (true, _) => Verdict::Yes(Proto::Xbox),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn control_message() {
        let p = hex("00000000 0c 58 76 000000 112233");
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 3075)), Verdict::Yes(Proto::Xbox));
        let q = hex("00000000 0c 58 77 000000 112233");
        assert_eq!(detect(&pkt(&q, L4::Udp, 40000, 3075)), Verdict::No);
    }

    #[test]
    fn two_game_messages_on_3074() {
        let mut a = hex("015f2c00");
        a.resize(28, 9);
        assert_eq!(detect(&pkt(&a, L4::Udp, 40000, 3074)), Verdict::NeedMore);
        let b = pkt_at(&a, L4::Udp, 40000, 3074, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&b), Verdict::Yes(Proto::Xbox));
        assert_eq!(detect(&pkt(&a, L4::Udp, 40000, 3075)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(28, seed), L4::Udp, 1, 3074)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..100)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 3074));
        }
    }
}
