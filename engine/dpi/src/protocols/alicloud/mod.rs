//! AliCloud (Alibaba Cloud's agent and IoT channel over TCP; format from nDPI's `alicloud.c`): the magic cefabeba,
//! then a 32-bit length counting the rest of the message (or a bare 8-byte header announcing a non-empty one).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    AliCloud = 306, "AliCloud", Cloud;
}

/// AliCloud's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const MAGIC: u32 = 0xcefa_beba;
const HEADER: usize = 8;
/// Packets looked at before giving up (nDPI's bound).
const MAX_PACKETS: u32 = 4;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.u32_at(0) == Some(MAGIC) {
        if let Some(len) = p.u32_at(4).and_then(|l| usize::try_from(l).ok()) {
            if (p.len() == HEADER && len > 0) || len + HEADER == p.len() {
                return Verdict::Yes(Proto::AliCloud);
            }
        }
    }
    if total_seen(pkt) + 1 < MAX_PACKETS {
        Verdict::NeedMore
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::{Dir, L4};
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use proptest::prelude::*;

    #[test]
    fn framed_messages() {
        let p = hex("cefabeba 00000004 7b7d0a00");
        assert_eq!(detect(&pkt(&p, L4::Tcp, 40000, 443)), Verdict::Yes(Proto::AliCloud));
        let h = hex("cefabeba 00000100");
        assert_eq!(detect(&pkt(&h, L4::Tcp, 40000, 443)), Verdict::Yes(Proto::AliCloud));
        let z = hex("cefabeba 00000009 7b7d");
        assert_eq!(detect(&pkt(&z, L4::Tcp, 40000, 443)), Verdict::NeedMore, "length beyond the packet");
        let n = noise(20, 1);
        let late = pkt_at(&n, L4::Tcp, 1, 2, Dir::ToServer, [2, 1]);
        assert_eq!(detect(&late), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..40)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, 2));
        }
    }
}
