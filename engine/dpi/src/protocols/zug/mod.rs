//! ZUG (the Casper network's Zug consensus protocol; format from nDPI's dissector): UDP datagrams opening with the
//! bytes 00 7a 55 47 ("\0zUG") and 0x10.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Zug = 415, "ZUG", Network;
}

/// ZUG's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MAGIC: [u8; 5] = [0x00, 0x7a, 0x55, 0x47, 0x10];

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.payload.starts_with(&MAGIC) {
        Verdict::Yes(Proto::Zug)
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
    fn magic() {
        let p = hex("007a5547 10 0001 deadbeef");
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 7777)), Verdict::Yes(Proto::Zug));
        assert_eq!(detect(&pkt(&p[..4], L4::Udp, 40000, 7777)), Verdict::No);
        let q = hex("005a5547 10 0001");
        assert_eq!(detect(&pkt(&q, L4::Udp, 40000, 7777)), Verdict::No);
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
