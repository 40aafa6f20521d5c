//! MSDO, Windows' Delivery Optimization peer-to-peer protocol (TCP 7680): the handshake starts with a length byte
//! of 14 and the string "Swarm protocol" (the BitTorrent-style handshake it derives from), as nDPI checks.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Msdo = 448, "MSDO", SoftwareUpdate, tcp [7680];
}

/// MSDO's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const HANDSHAKE: &[u8] = b"\x0eSwarm protocol";
const MIN_LEN: usize = 17;

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.l4 == L4::Tcp && pkt.payload.len() >= MIN_LEN && pkt.payload.starts_with(HANDSHAKE) {
        Verdict::Yes(Proto::Msdo)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{pkt, noise};

    #[test]
    fn handshake() {
        let mut p = HANDSHAKE.to_vec();
        p.extend_from_slice(&[0; 8]);
        p.extend(noise(32, 1));
        assert_eq!(detect(&pkt(&p, L4::Tcp, 50000, 7680)), Verdict::Yes(Proto::Msdo));
        assert_eq!(detect(&pkt(b"\x13BitTorrent protocol", L4::Tcp, 50000, 7680)), Verdict::No);
        assert_eq!(detect(&pkt(HANDSHAKE, L4::Tcp, 50000, 7680)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 7680));
        }
    }
}
