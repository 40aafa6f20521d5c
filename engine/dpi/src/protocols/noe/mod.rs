//! NOE (Alcatel-Lucent's "New Office Environment" IP phone signalling over UDP; patterns from nDPI's `noe.c`):
//! one-byte keep-alives 0x04/0x05, 5- or 12-byte messages 07 00 ?? 00 (?? non-zero), and messages of at least
//! 25 bytes opening 00 06 62 6c.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Noe = 160, "NOE", VoIp;
}

/// NOE's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const LONG_MIN: usize = 25;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = matches!(p, [0x04] | [0x05])
        || (matches!(p.len(), 5 | 12) && p[0] == 0x07 && p[1] == 0x00 && p[2] != 0x00 && p[3] == 0x00)
        || (p.len() >= LONG_MIN && p.starts_with(&[0x00, 0x06, 0x62, 0x6c]));
    if ok {
        Verdict::Yes(Proto::Noe)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use proptest::prelude::*;

    #[test]
    fn messages() {
        assert_eq!(detect(&pkt(&[0x05], L4::Udp, 32640, 32512)), Verdict::Yes(Proto::Noe));
        let m = hex("07 00 2a 00 01");
        assert_eq!(detect(&pkt(&m, L4::Udp, 32640, 32512)), Verdict::Yes(Proto::Noe));
        let z = hex("07 00 00 00 01");
        assert_eq!(detect(&pkt(&z, L4::Udp, 32640, 32512)), Verdict::No);
        let mut l = hex("0006626c");
        l.resize(30, 1);
        assert_eq!(detect(&pkt(&l, L4::Udp, 32640, 32512)), Verdict::Yes(Proto::Noe));
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(30, seed), L4::Udp, 1, 2)), Verdict::No);
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
