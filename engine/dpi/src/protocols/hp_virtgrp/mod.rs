//! HP Virtual Machine Group Management, as nDPI recognises it: the flow's first payload packet starts with 0x16,
//! a 16-bit length equal to the packet, and a zero byte.

use xntop_wire::cursor::ReadAt;

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::total_seen;
use crate::proto::Proto;

crate::proto::identities! {
    HpVirtGrp = 256, "HP_VIRTGRP", Network;
}

/// HP_VIRTGRP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let ok = total_seen(pkt) == 0
        && p.u8_at(0) == Some(0x16)
        && p.u16_at(1).is_some_and(|l| usize::from(l) == p.len())
        && p.u8_at(3) == Some(0);
    if ok {
        Verdict::Yes(Proto::HpVirtGrp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::test::{c0, noise, tcp, TLS_HELLO};
    use proptest::prelude::*;

    #[test]
    fn first_packet() {
        let mut p = vec![0x16, 0x00, 0x20, 0x00];
        p.resize(0x20, 0x41);
        assert_eq!(detect(&c0(&p)), Verdict::Yes(Proto::HpVirtGrp));
        assert_eq!(detect(&tcp(&p, Dir::ToServer, [1, 0])), Verdict::No);
        assert_eq!(detect(&c0(&p[..0x1f])), Verdict::No);
        assert_eq!(detect(&c0(TLS_HELLO)), Verdict::No);
        assert_eq!(detect(&c0(&noise(32, 3))), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = detect(&c0(&p));
        }
    }
}
