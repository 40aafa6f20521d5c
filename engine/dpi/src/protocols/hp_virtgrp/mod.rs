//! HP Virtual Machine Group Management (HP's VM cluster manager; the rule is nDPI's): the flow's first packet is a
//! message of type 0x16 whose 16-bit big-endian length at bytes 1-2 is the packet's and whose fourth byte is 0.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

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

const MESSAGE_TYPE: u8 = 0x16;
const MIN_LEN: usize = 4;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 == L4::Tcp
        && total_seen(pkt) == 0
        && p.len() >= MIN_LEN
        && p[0] == MESSAGE_TYPE
        && p.u16_at(1).map(usize::from) == Some(p.len())
        && p[3] == 0
    {
        Verdict::Yes(Proto::HpVirtGrp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::test::TLS_HELLO;
    use crate::protocols::util::testutil::{pkt, pkt_at};

    #[test]
    fn first_message() {
        let mut p = vec![0x16, 0x00, 0x20, 0x00];
        p.resize(0x20, 0x41);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 1600)), Verdict::Yes(Proto::HpVirtGrp));
        assert_eq!(detect(&pkt_at(&p, L4::Tcp, 40000, 1600, Dir::ToServer, [1, 0])), Verdict::No);
        p.push(0);
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 1600)), Verdict::No);
        assert_eq!(detect(&pkt(TLS_HELLO, L4::Tcp, 40000, 443)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
