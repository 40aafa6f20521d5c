//! RiotGames (League of Legends, Valorant; game traffic format from nDPI's dissector): UDP datagrams ending with the
//! trailer aaaaaaaa bbbbbbbb, or 53-byte ones ending 3cb11f2d ea23460c. The launcher and stores are named from
//! their server names (`riotgames.com`, …).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    RiotGames = 302, "RiotGames", Game;
}

/// RiotGames's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const SHORT: usize = 53;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let n = p.len();
    let trailer = n > 8 && p.u32_at(n - 8) == Some(0xaaaa_aaaa) && p.u32_at(n - 4) == Some(0xbbbb_bbbb);
    let short = n == SHORT && p.u32_at(n - 8) == Some(0x3cb1_1f2d) && p.u32_at(n - 4) == Some(0xea23_460c);
    if trailer || short {
        Verdict::Yes(Proto::RiotGames)
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

    #[test]
    fn trailers() {
        let p = hex("0102030405060708 aaaaaaaa bbbbbbbb");
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 7000)), Verdict::Yes(Proto::RiotGames));
        let mut s = vec![0x77; SHORT - 8];
        s.extend_from_slice(&hex("3cb11f2d ea23460c"));
        assert_eq!(detect(&pkt(&s, L4::Udp, 40000, 7000)), Verdict::Yes(Proto::RiotGames));
        s.insert(0, 0);
        assert_eq!(detect(&pkt(&s, L4::Udp, 40000, 7000)), Verdict::No);
        for seed in 1..300 {
            assert_eq!(detect(&pkt(&noise(53, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..100)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
