//! PATHOFEXILE (Grinding Gear Games; format from nDPI's dissector): the client's first TCP message — 00 0300,
//! 0200 at offset 7, then the character name (4 to 23 characters) and a 00000000 40000001 trailer (Path of Exile),
//! or the 19-byte form with 00000040 at offset 14 (Path of Exile 2).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    PathOfExile = 403, "PathofExile", Game;
}

/// PATHOFEXILE's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// Sizes of the first message with a 4- to 23-character name.
const SIZES: std::ops::RangeInclusive<usize> = 26..=49;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let n = p.len();
    let head = p.u8_at(0) == Some(0) && p.u16_at(1) == Some(0x0300) && p.u16_at(7) == Some(0x0200);
    let poe2 = n == 19 && head && p.u32_at(14) == Some(0x40);
    let poe = SIZES.contains(&n)
        && head
        && p[6] == 0
        && p.u32_at(n - 8) == Some(0)
        && p.u32_at(n - 4) == Some(0x4000_0001);
    if poe || poe2 {
        Verdict::Yes(Proto::PathOfExile)
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
    fn first_messages() {
        let mut p = hex("00 0300 000000 00 0200 05");
        p.extend_from_slice(b"Hero1Hero1x");
        p.extend_from_slice(&hex("00000000 40000001"));
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 6112)), Verdict::Yes(Proto::PathOfExile));
        let q = hex("00 0300 000000 00 0200 1122334455 00000040 01");
        assert_eq!(detect(&pkt(&q[..19], L4::Tcp, 40000, 6112)), Verdict::Yes(Proto::PathOfExile));
        *p.last_mut().unwrap_or(&mut 0) = 2;
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 6112)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(30, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
