//! RIPE Atlas's Magellan probe tool: a 25-byte UDP datagram starting with `MGLNDD` (nDPI's rule).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    RipeAtlas = 417, "RipeAtlas", Network;
}

/// RipeAtlas's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MAGIC: &[u8] = b"MGLNDD";
const LEN: usize = 25;

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 == L4::Udp && pkt.payload.len() == LEN && pkt.payload.starts_with(MAGIC) {
        Verdict::Yes(Proto::RipeAtlas)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::pkt;

    #[test]
    fn probe_datagram() {
        let p = b"MGLNDD_192.0.2.10_7000\r\n\0";
        assert_eq!(p.len(), LEN);
        assert_eq!(detect(&pkt(p, L4::Udp, 40000, 7000)), Verdict::Yes(Proto::RipeAtlas));
        assert_eq!(detect(&pkt(&p[..24], L4::Udp, 40000, 7000)), Verdict::No);
        assert_eq!(detect(&pkt(b"MGLNDX_192.0.2.10_7000\r\n\0", L4::Udp, 1, 2)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
