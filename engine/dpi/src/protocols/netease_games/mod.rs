//! NETEASE_GAMES (NetEase's games — Lost Light, Badlanders, Naraka: Bladepoint; formats from nDPI's dissector):
//! the client's 12-byte UDP hello (01 ?? d001 ???????? 00010101), Lost Light's b3af8de8 opening and Naraka's
//! 0c080807 (little-endian) opening.

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    NetEaseGames = 402, "NetEaseGames", Game;
}

/// NETEASE_GAMES's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let hello = pkt.dir == Dir::ToServer
        && p.len() == 12
        && p[0] == 0x01
        && p.u16_le_at(2) == Some(0x01d0)
        && p.u32_le_at(8) == Some(0x0101_0100);
    let lost_light = p.len() >= 30 && p.u32_at(0) == Some(0xb3af_8de8);
    let naraka = p.len() > 30 && p.u32_le_at(0) == Some(0x0c08_0807);
    if hello || lost_light || naraka {
        Verdict::Yes(Proto::NetEaseGames)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn openings() {
        let h = hex("01 00 d001 12345678 00010101");
        assert_eq!(detect(&pkt(&h, L4::Udp, 40000, 6000)), Verdict::Yes(Proto::NetEaseGames));
        let back = pkt_at(&h, L4::Udp, 40000, 6000, Dir::ToClient, [1, 0]);
        assert_eq!(detect(&back), Verdict::No);
        let mut n = hex("0708080c");
        n.resize(40, 1);
        assert_eq!(detect(&pkt(&n, L4::Udp, 40000, 6000)), Verdict::Yes(Proto::NetEaseGames));
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..60)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
