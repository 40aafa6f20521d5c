//! DRDA (The Open Group's DRDA, DDM architecture): the packet is a chain of DSS segments, each `length (2) |
//! 0xD0 | format (1) | correlation id (2)` followed by the DDM object `length (2) | code point (2)` whose length
//! is the segment's minus the 6-byte header. The chain must tile the packet (or its last segment run past it).

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Drda = 227, "DRDA", Database;
}

/// DRDA's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// DSS header plus DDM header.
const MIN_DSS: usize = 10;
/// The DSS magic (DDM "C" byte).
const MAGIC: u8 = 0xd0;
/// Segments walked at most.
const MAX_SEGMENTS: usize = 32;

/// Whether `p` is a chain of DSS segments.
fn chain(mut p: &[u8]) -> bool {
    for _ in 0..MAX_SEGMENTS {
        let (Some(len), Some(magic), Some(format), Some(ddm_len)) = (p.u16_at(0), p.u8_at(2), p.u8_at(3), p.u16_at(6))
        else {
            return false;
        };
        let len = usize::from(len);
        // Format: low nibble is the DSS type (1 request, 2 reply, 3 object, 4 encrypted object, 5 request without
        // reply); the high nibble holds chaining flags.
        if len < MIN_DSS || magic != MAGIC || !(1..=5).contains(&(format & 0x0f)) || usize::from(ddm_len) + 6 != len {
            return false;
        }
        if len >= p.len() {
            return true;
        }
        p = &p[len..];
    }
    false
}

fn detect(pkt: &Pkt) -> Verdict {
    if chain(pkt.payload) {
        Verdict::Yes(Proto::Drda)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::test::{c0, noise, HTTP_GET};
    use crate::protocols::util::testutil::hex;
    use proptest::prelude::*;

    /// EXCSAT (code point 0x1041) chained to an ACCSEC (0x106d), built from the DDM reference: DSS headers with
    /// format 0x41 (chained, request) then 0x01, correlation ids 1 and 2, each with one parameter.
    const EXCSAT_ACCSEC: &str = "0014 d041 0001 000e 1041 000a 1147 5344 4230 2032 \
                                 0010 d001 0002 000a 106d 0006 11a2 0003";

    #[test]
    fn chained_requests() {
        let p = hex(EXCSAT_ACCSEC);
        assert_eq!(detect(&c0(&p)), Verdict::Yes(Proto::Drda));
        assert_eq!(detect(&c0(&p[..14])), Verdict::Yes(Proto::Drda), "first segment cut");
    }

    #[test]
    fn near_misses() {
        let p = hex(EXCSAT_ACCSEC);
        for (at, b) in [(2, 0xd1u8), (3, 0x46), (7, 0x0f), (22, 0xd1)] {
            let mut m = p.clone();
            m[at] = b;
            assert_eq!(detect(&c0(&m)), Verdict::No, "{at}");
        }
        assert_eq!(detect(&c0(&p[..6])), Verdict::No);
        assert_eq!(detect(&c0(HTTP_GET)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&c0(&noise(40, seed))), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = detect(&c0(&p));
        }
    }
}
