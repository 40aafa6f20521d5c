//! OpenFlow (Open Networking Foundation switch specifications 1.0-1.5): each message has an 8-byte header —
//! version (1 for 1.0 … 6 for 1.5), type, length, transaction id. The segment must start with a header of a known
//! version whose type exists in that version, and hold whole messages: the first length is the segment's, or
//! shorter and followed by another header of the same version. nDPI accepts version 6 alone; this reads every
//! version a controller or switch may speak.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    OpenFlow = 374, "OpenFlow", Network, tcp [6653];
}

/// OpenFlow's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const HEADER: usize = 8;

/// Highest message type of each version (1.0: 21 QUEUE_GET_CONFIG_REPLY; 1.1: 23; 1.2: 25; 1.3: 29; 1.4: 33;
/// 1.5: 35).
fn max_type(version: u8) -> Option<u8> {
    match version {
        1 => Some(21),
        2 => Some(23),
        3 => Some(25),
        4 => Some(29),
        5 => Some(33),
        6 => Some(35),
        _ => None,
    }
}

fn header(p: &[u8]) -> Option<(u8, usize)> {
    let version = p.u8_at(0)?;
    let len = usize::from(p.u16_at(2)?);
    (p.u8_at(1)? <= max_type(version)? && len >= HEADER).then_some((version, len))
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = pkt.l4 == L4::Tcp
        && header(p).is_some_and(|(version, len)| {
            len == p.len() || (len < p.len() && header(&p[len..]).is_some_and(|(v, _)| v == version))
        });
    if ok {
        Verdict::Yes(Proto::OpenFlow)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn hellos_and_features() {
        // OFPT_HELLO of 1.3 with a version bitmap element (spec 1.3.4 §A.5.1), and a 1.0 hello + features request.
        let hello13 = hex("04 00 0010 00000001 0001 0008 00000010");
        assert_eq!(detect(&pkt(&hello13, L4::Tcp, 49234, 6653)), Verdict::Yes(Proto::OpenFlow));
        let two = hex("01 00 0008 00000001 01 05 0008 00000002");
        assert_eq!(detect(&pkt(&two, L4::Tcp, 6633, 40000)), Verdict::Yes(Proto::OpenFlow));
    }

    #[test]
    fn near_misses() {
        for bad in [
            "07 00 0008 00000001",          // version 7
            "01 16 0008 00000001",          // type 22 in 1.0
            "04 00 0009 00000001",          // length past the segment
            "04 00 0004 00000001",          // length under the header
            "04 00 0008 00000001 01 00 0008 00000001", // versions mixed
        ] {
            assert_eq!(detect(&pkt(&hex(bad), L4::Tcp, 1, 6653)), Verdict::No, "{bad}");
        }
        assert_eq!(detect(&pkt(&hex("04 00 0008 00000001"), L4::Udp, 1, 6653)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(64, seed), L4::Tcp, 1, 6653)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 6653));
        }
    }
}
