//! MSDO (Microsoft Delivery Optimization's peer-to-peer transfers, port 7680): the peers' handshake opens with the
//! length byte 0x0e and `Swarm protocol` (the BitTorrent-style handshake Delivery Optimization uses).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Msdo = 448, "MSDO", SoftwareUpdate;
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
    let p = pkt.payload;
    if p.len() >= MIN_LEN && p.starts_with(HANDSHAKE) {
        Verdict::Yes(Proto::Msdo)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{noise, pkt};
    use proptest::prelude::*;

    #[test]
    fn handshake() {
        let mut p = HANDSHAKE.to_vec();
        p.extend_from_slice(&[0; 8]);
        p.extend_from_slice(&[0x5a; 20]);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 7680)), Verdict::Yes(Proto::Msdo));
        assert_eq!(detect(&pkt(HANDSHAKE, L4::Tcp, 40000, 7680)), Verdict::No, "too short");
        assert_eq!(detect(&pkt(b"\x13BitTorrent protocol\0\0\0\0\0\0\0\0", L4::Tcp, 1, 2)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Tcp, 1, 2)), Verdict::No);
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
