//! Crossfire (Smilegate's shooter; format known only from nDPI's dissector): a 25-byte UDP message opening
//! c7d91999 0200 with 7d00 at offset 22. Its launcher's web requests are HTTP and named from their host.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Crossfire = 105, "Crossfire", Rpc;
}

/// Crossfire's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MESSAGE: usize = 25;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() == MESSAGE
        && p.u32_at(0) == Some(0xc7d9_1999)
        && p.u16_at(4) == Some(0x0200)
        && p.u16_at(22) == Some(0x7d00)
    {
        Verdict::Yes(Proto::Crossfire)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn message() {
        let mut p = hex("c7d91999 0200");
        p.resize(22, 0x11);
        p.extend_from_slice(&[0x7d, 0x00, 0x01]);
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 16666)), Verdict::Yes(Proto::Crossfire));
        p.push(0);
        assert_eq!(detect(&pkt(&p, L4::Udp, 40000, 16666)), Verdict::No);
        for seed in 1..200 {
            assert_eq!(detect(&pkt(&noise(25, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..60)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
