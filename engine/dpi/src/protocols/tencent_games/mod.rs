//! TENCENTGAMES (Tencent's game clients over TCP; formats from nDPI's dissector): four openings longer than 50
//! bytes — 3366000b 000b, 4366aa00 with 10e68601 at offset 12, aa000000 with 10e68601 at offset 10, and a
//! 0000 <length> 7801 frame whose 16-bit length counts the rest.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    TencentGames = 395, "TencentGames", Game;
}

/// TENCENTGAMES's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 51;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = p.len() >= MIN_LEN
        && ((p.u32_at(0) == Some(0x3366_000b) && p.u16_at(4) == Some(0x000b))
            || (p.u32_at(0) == Some(0x4366_aa00) && p.u32_at(12) == Some(0x10e6_8601))
            || (p.u32_at(0) == Some(0xaa00_0000) && p.u32_at(10) == Some(0x10e6_8601))
            || (p.u16_at(0) == Some(0)
                && p.u16_at(2).is_some_and(|l| usize::from(l) + 4 == p.len())
                && p.u16_at(4) == Some(0x7801)));
    if ok {
        Verdict::Yes(Proto::TencentGames)
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
    fn openings() {
        let mut a = hex("3366000b 000b");
        a.resize(60, 0x20);
        assert_eq!(detect(&pkt(&a, L4::Tcp, 40000, 8000)), Verdict::Yes(Proto::TencentGames));
        let mut z = hex("0000 003c 7801");
        z.resize(64, 0x5a);
        assert_eq!(detect(&pkt(&z, L4::Tcp, 40000, 8000)), Verdict::Yes(Proto::TencentGames));
        z.push(0);
        assert_eq!(detect(&pkt(&z, L4::Tcp, 40000, 8000)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(80, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..120)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
