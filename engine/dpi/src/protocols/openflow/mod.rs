//! OpenFlow (Open Networking Foundation switch specifications 1.0-1.5): each message has an 8-byte header —
//! version (1 for 1.0 … 6 for 1.5), type, length, transaction id — and the segment must hold whole messages (the
//! first length is the segment's, or shorter and followed by another header of the same version). Both ends open
//! with a HELLO (type 0): 8 bytes, or from 1.3 on followed by hello elements (type VERSIONBITMAP, a length of at
//! least 4, padded to 8). Other message types are accepted mid-stream from version 1.3 on only: a bare 1.0-1.2
//! header is what Diameter (version 1, a 24-bit length) and TPKT (version 3) look like, and nDPI, which accepts
//! version 6 alone, never confuses them.

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
const HELLO: u8 = 0;
/// OpenFlow 1.3's version number, the first with hello elements and the first whose bare header is distinctive.
const V1_3: u8 = 4;
/// Hello elements read at most.
const MAX_ELEMENTS: usize = 8;

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

/// Hello elements (from 1.3): each a type 1 (VERSIONBITMAP) with its length, padded to 8 bytes, filling `p`.
fn hello_elements(mut p: &[u8]) -> bool {
    for _ in 0..MAX_ELEMENTS {
        if p.is_empty() {
            return true;
        }
        let (Some(1), Some(len)) = (p.u16_at(0), p.u16_at(2)) else {
            return false;
        };
        let padded = usize::from(len).div_ceil(8) * 8;
        if len < 4 || padded > p.len() {
            return false;
        }
        p = &p[padded..];
    }
    false
}

/// The version and length of a valid message at the start of `p`.
fn header(p: &[u8]) -> Option<(u8, usize)> {
    let (version, kind) = (p.u8_at(0)?, p.u8_at(1)?);
    let len = usize::from(p.u16_at(2)?);
    if kind > max_type(version)? || len < HEADER {
        return None;
    }
    let ok = if kind == HELLO {
        len == HEADER || (version >= V1_3 && p.get(HEADER..len).is_some_and(hello_elements))
    } else {
        version >= V1_3
    };
    ok.then_some((version, len))
}

/// Whether `p` starts with another header of `version` (any type it defines: the first message vouched for the
/// version).
fn follows(p: &[u8], version: u8) -> bool {
    p.u8_at(0) == Some(version)
        && p.u8_at(1).zip(max_type(version)).is_some_and(|(k, max)| k <= max)
        && p.u16_at(2).is_some_and(|l| usize::from(l) >= HEADER)
}

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = pkt.l4 == L4::Tcp
        && header(p).is_some_and(|(version, len)| {
            len == p.len() || (len < p.len() && follows(&p[len..], version))
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
        // A 1.3 echo request mid-stream.
        let echo = hex("04 02 0008 0000abcd");
        assert_eq!(detect(&pkt(&echo, L4::Tcp, 6653, 40000)), Verdict::Yes(Proto::OpenFlow));
    }

    #[test]
    fn near_misses() {
        for bad in [
            "07 00 0008 00000001",          // version 7
            "01 16 0008 00000001",          // type 22 in 1.0
            "04 00 0009 00000001",          // length past the segment
            "04 00 0004 00000001",          // length under the header
            "04 00 0008 00000001 01 00 0008 00000001", // versions mixed
            "01 0a 0008 00000001",          // a 1.0 packet-in mid-stream: not distinctive
            "01 00 0014 00000040 00000000 00000001 00000002", // Diameter's CER header, read as a 1.0 hello
            "03 00 000c 02 f0 80 32 01 00 00", // TPKT + COTP, read as a 1.2 hello
            "04 00 0010 00000001 0002 0008 00000010", // hello element of an unknown type
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
