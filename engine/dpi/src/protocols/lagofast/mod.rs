//! LAGOFAST (the LagoFast game accelerator; format from nDPI's `lagofast.c`): UDP datagrams opening with the
//! identifier 006e5d03 and a 16-bit length counting the rest.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    LagoFast = 444, "LagoFast", Game;
}

/// LAGOFAST's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const IDENTIFIER: u32 = 0x006e_5d03;
const HEADER: usize = 6;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.u32_at(0) == Some(IDENTIFIER) && p.u16_at(4).is_some_and(|l| usize::from(l) + HEADER == p.len()) {
        Verdict::Yes(Proto::LagoFast)
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
    fn framed() {
        let p = hex("006e5d03 0004 deadbeef");
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 30000)), Verdict::Yes(Proto::LagoFast));
        assert_eq!(detect(&pkt(&p[..9], L4::Udp, 40000, 30000)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(20, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..40)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
