//! UFTP, the encrypted multicast file transfer (uftp's `uftp.h`): every message starts with a common header —
//! version 4 or 5 (0x40/0x50), the message function (below 22), … — and the function is repeated as the first
//! byte of the message body at offset 16, after a reserved zero byte (nDPI's rule).

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    Uftp = 373, "UFTP", DataTransfer, udp [1044];
}

/// UFTP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 24;
const FUNCTIONS: u8 = 22;
/// The reserved byte before the body and the body's function byte.
const RESERVED: usize = 15;
const BODY_FUNCTION: usize = 16;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 == L4::Udp
        && p.len() >= MIN_LEN
        && matches!(p[0], 0x40 | 0x50)
        && p[1] < FUNCTIONS
        && p[RESERVED] == 0
        && p[BODY_FUNCTION] == p[1]
    {
        Verdict::Yes(Proto::Uftp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn announce() {
        // ANNOUNCE (function 1): uftp 5 header (version, func, hops, reserved, session id, group id, src id,
        // timestamp...), then the announce body starting with its function byte.
        let p = hex("50 01 0000 12345678 0a000001 00000000 01 00 00 00 0000 0000 000000");
        assert_eq!(detect(&pkt(&p, L4::Udp, 1044, 1044)), Verdict::Yes(Proto::Uftp));
        let mut f = p.clone();
        f[16] = 2;
        assert_eq!(detect(&pkt(&f, L4::Udp, 1044, 1044)), Verdict::No);
        for seed in 1..50 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 1, 1044)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 1044));
        }
    }
}
