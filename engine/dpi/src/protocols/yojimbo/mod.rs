//! YOJIMBO (games on netcode.io, the transport of the yojimbo library; netcode.io STANDARD.md): the connection
//! request packet — prefix byte 0, then the version string `NETCODE 1.0x\0`.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Yojimbo = 388, "Yojimbo", Game;
}

/// YOJIMBO's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.first() == Some(&0) && p.get(1..9) == Some(b"NETCODE ".as_slice()) {
        Verdict::Yes(Proto::Yojimbo)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn connection_request() {
        // Prefix 0, version info, protocol id, expiry, nonce, token (STANDARD.md "connection request packet").
        let mut p = vec![0u8];
        p.extend_from_slice(b"NETCODE 1.02\0");
        p.resize(1078, 0x11);
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 40000)), Verdict::Yes(Proto::Yojimbo));
        p[0] = 1;
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 40000)), Verdict::No);
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
