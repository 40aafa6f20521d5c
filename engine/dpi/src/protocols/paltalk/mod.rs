//! PALTALK (Paltalk's chat client over TCP; formats from nDPI's `paltalk.c`): a 20-byte message with 00020001 at
//! offset 8 and 5afdffff at 16, or a 22-byte one with 24c2e80b at offset 2 and 5b732b00 at 17.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Paltalk = 432, "Paltalk", Chat;
}

/// PALTALK's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let a = p.len() == 20 && p.u32_at(8) == Some(0x0002_0001) && p.u32_at(16) == Some(0x5afd_ffff);
    let b = p.len() == 22 && p.u32_at(2) == Some(0x24c2_e80b) && p.u32_at(17) == Some(0x5b73_2b00);
    if a || b {
        Verdict::Yes(Proto::Paltalk)
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
    fn messages() {
        let a = hex("0001 0002 0003 0004 00020001 11223344 5afdffff");
        assert_eq!(detect(&pkt(&a, L4::Tcp, 40000, 5001)), Verdict::Yes(Proto::Paltalk));
        let b = hex("0000 24c2e80b 1111111111111111111111 5b732b00 00");
        assert_eq!(detect(&pkt(&b, L4::Tcp, 40000, 5001)), Verdict::Yes(Proto::Paltalk));
        assert_eq!(detect(&pkt(&b[..21], L4::Tcp, 40000, 5001)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(20, seed), L4::Tcp, 1, 2)), Verdict::No);
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
