//! CAN frames tunnelled over IP in the "ISO11898" encapsulation (the CAN-over-Ethernet format of Wireshark's
//! can-over-ip/"socketcan-gw" readers that nDPI follows): an 8-byte signature `ISO11898`, a version byte (1) and a
//! frame count, then the frames. The signature decides; a version other than 1 is still CAN (nDPI names it and
//! flags the packet as malformed).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Can = 352, "Controller_Area_Network", IoTScada;
}

/// CAN's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const SIGNATURE: &[u8; 8] = b"ISO11898";
/// Signature, version and frame count.
const HEADER: usize = 10;

fn detect(pkt: &Pkt) -> Verdict {
    if pkt.payload.len() >= HEADER && pkt.payload.starts_with(SIGNATURE) {
        Verdict::Yes(Proto::Can)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, pkt};
    use crate::L4;

    #[test]
    fn one_frame() {
        // Header, then a frame: id 0x123, DLC 2, data 0xbeef.
        let p = hex("49534f3131383938 01 01 00000123 02 beef");
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 20000)), Verdict::Yes(Proto::Can));
        assert_eq!(detect(&pkt(&p[..9], L4::Udp, 40000, 20000)), Verdict::No);
        assert_eq!(detect(&pkt(b"ISO11899\x01\x01", L4::Tcp, 1, 2)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
