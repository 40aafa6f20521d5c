//! HiSLIP, the IVI Foundation's High-Speed LAN Instrument Protocol (IVI-6.1, TCP 4880): every message has a
//! 16-byte header — `HS`, a message type (0-26 defined, 128-255 vendor-specific), a control code, 4 bytes of
//! message parameter and a 64-bit big-endian payload length equal to the rest of the segment (nDPI's rule).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Hislip = 372, "HiSLIP", IoTScada, tcp [4880];
}

/// HiSLIP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 16;
const MAX_TYPE: u8 = 26;
const VENDOR_TYPES: u8 = 128;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Tcp || p.len() < HEADER || !p.starts_with(b"HS") {
        return Verdict::No;
    }
    let type_ok = p[2] <= MAX_TYPE || p[2] >= VENDOR_TYPES;
    let len_ok = p.u64_at(8).and_then(|l| usize::try_from(l).ok()) == Some(p.len() - HEADER);
    if type_ok && len_ok {
        Verdict::Yes(Proto::Hislip)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn initialize() {
        // Initialize (type 0): protocol version 1.0, vendor id "XY", sub-address "hislip0" (IVI-6.1 §6.1).
        let p = hex("4853 00 00 0100 5859 0000000000000007 6869736c697030");
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 4880)), Verdict::Yes(Proto::Hislip));
        let mut t = p.clone();
        t[2] = 27;
        assert_eq!(detect(&pkt(&t, L4::Tcp, 40000, 4880)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..22], L4::Tcp, 40000, 4880)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(30, 1), L4::Tcp, 40000, 4880)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 4880));
        }
    }
}
