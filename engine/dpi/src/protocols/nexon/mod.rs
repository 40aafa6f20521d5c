//! NEXON (Nexon's game clients over TCP; patterns from nDPI's `nexon.c`): a 24-byte message whose first word,
//! little-endian, is its length (18000000) followed by 64000000, or a 20-byte one with 163a992e at offset 4.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Nexon = 113, "Nexon", Game;
}

/// NEXON's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let a = p.len() == 24 && p.u32_at(0) == Some(0x1800_0000) && p.u32_at(4) == Some(0x6400_0000);
    let b = p.len() == 20 && p.u32_at(4) == Some(0x163a_992e);
    if a || b {
        Verdict::Yes(Proto::Nexon)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use proptest::prelude::*;

    #[test]
    fn messages() {
        let a = hex("18000000 64000000 0102030405060708 1112131415161718");
        assert_eq!(detect(&pkt(&a, L4::Tcp, 40000, 8484)), Verdict::Yes(Proto::Nexon));
        let b = hex("14000000 163a992e 0102030405060708 11121314");
        assert_eq!(detect(&pkt(&b, L4::Tcp, 40000, 8484)), Verdict::Yes(Proto::Nexon));
        assert_eq!(detect(&pkt(&a[..20], L4::Tcp, 40000, 8484)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(24, seed), L4::Tcp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..40)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
