//! HART-IP, the FieldComm Group's HART over IP (HCF_SPEC-085): an 8-byte header — version 1 or 2, a message type
//! (request 0, response 1, publish 2, NAK 15), a message id (session initiate 0 … read audit log 5), a status
//! byte, a sequence number and a byte count equal to the packet. nDPI joins the type and id checks with "and";
//! here each must hold.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    HartIp = 72, "HART-IP", IoTScada, tcp [5094], udp [5094];
}

/// HART-IP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 8;
const MAX_MESSAGE_ID: u8 = 5;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < HEADER {
        return Verdict::No;
    }
    let (version, kind, id) = (p[0], p[1] & 0x0f, p[2]);
    if matches!(version, 1 | 2)
        && matches!(kind, 0 | 1 | 2 | 15)
        && id <= MAX_MESSAGE_ID
        && p.u16_at(6).map(usize::from) == Some(p.len())
    {
        Verdict::Yes(Proto::HartIp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;

    #[test]
    fn session_initiate() {
        // Session initiate request: version 1, request, id 0, status 0, sequence 1, length 13, then master type 1
        // and an inactivity timer of 30 s (HCF_SPEC-085 §10.2.1).
        let p = hex("01 00 00 00 0001 000d 01 00007530");
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 5094)), Verdict::Yes(Proto::HartIp));
        let mut id = p.clone();
        id[2] = 6;
        assert_eq!(detect(&pkt(&id, L4::Udp, 40000, 5094)), Verdict::No);
        let mut kind = p.clone();
        kind[1] = 3;
        assert_eq!(detect(&pkt(&kind, L4::Udp, 40000, 5094)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..12], L4::Udp, 40000, 5094)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(24, seed), L4::Tcp, 1, 5094)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 5094));
        }
    }
}
