//! BLIZZARD (Battle.net and Blizzard's games; formats from nDPI's dissector): the Battle.net client's opening on
//! port 1119 (41 00 00 0a 66 52 ed c6), Hearthstone's framing (a 4-byte type, then a little-endian length equal to
//! the rest) on Blizzard's ports 1119/3724, and Warcraft Rumble's 23-byte UDP opening. World of Warcraft's own
//! openings are named by `world_of_warcraft`.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Blizzard = 213, "Blizzard", Game;
}

/// BLIZZARD's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const BNET_PORT: u16 = 1119;
const BNET_OPENING: [u8; 8] = [0x41, 0x00, 0x00, 0x0a, 0x66, 0x52, 0xed, 0xc6];
/// Blizzard's game service ports, where the short Hearthstone framing is trusted.
const GAME_PORTS: [u16; 2] = [1119, 3724];
const RUMBLE: [u8; 23] = [
    0xff, 0xff, 0xff, 0xff, 0xa3, 0x1f, 0xb6, 0x1e, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x04, 0x03, 0x02, 0x01,
];

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = match pkt.l4 {
        L4::Tcp => {
            (pkt.either_port(BNET_PORT) && p.starts_with(&BNET_OPENING))
                || (GAME_PORTS.iter().any(|&g| pkt.either_port(g))
                    && p.len() > 8
                    && p.u32_le_at(4).is_some_and(|l| usize::try_from(l).is_ok_and(|l| l + 8 == p.len())))
        }
        L4::Udp => p == RUMBLE,
    };
    if ok {
        Verdict::Yes(Proto::Blizzard)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{HTTP_GET, TLS_HELLO};
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use proptest::prelude::*;

    #[test]
    fn battle_net_hearthstone_rumble() {
        let mut b = BNET_OPENING.to_vec();
        b.extend_from_slice(&[0x12, 0x34]);
        assert_eq!(detect(&pkt(&b, L4::Tcp, 40000, 1119)), Verdict::Yes(Proto::Blizzard));
        let h = hex("0c000000 04000000 deadbeef");
        assert_eq!(detect(&pkt(&h, L4::Tcp, 40000, 3724)), Verdict::Yes(Proto::Blizzard));
        assert_eq!(detect(&pkt(&h, L4::Tcp, 40000, 3725)), Verdict::No);
        assert_eq!(detect(&pkt(&RUMBLE, L4::Udp, 40000, 3000)), Verdict::Yes(Proto::Blizzard));
    }

    #[test]
    fn others() {
        for p in [HTTP_GET, TLS_HELLO] {
            assert_eq!(detect(&pkt(p, L4::Tcp, 1, 1119)), Verdict::No);
        }
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Tcp, 1, 1119)), Verdict::No);
            assert_eq!(detect(&pkt(&noise(23, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..100), udp in any::<bool>()) {
            let _ = detect(&pkt(&p, if udp { L4::Udp } else { L4::Tcp }, 1, 1119));
        }
    }
}
