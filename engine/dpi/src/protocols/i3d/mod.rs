//! i3D (i3D.net's hosted game servers; patterns from nDPI's `i3d.c`): UDP datagrams of at least 74 bytes opening
//! 00010046 or 00020046 with 0003cfa8 at offset 4, or 9078/9067 with 0003cfa9 bede0003 at offset 8 (an RTP-style
//! header with a one-byte header extension).

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    I3d = 301, "i3D", Game;
}

/// i3D's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MIN_LEN: usize = 74;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if p.len() < MIN_LEN {
        return Verdict::No;
    }
    let a = matches!(p.u32_at(0), Some(0x0001_0046 | 0x0002_0046)) && p.u32_at(4) == Some(0x0003_cfa8);
    let b = matches!(p.u16_at(0), Some(0x9078 | 0x9067))
        && p.u32_at(8) == Some(0x0003_cfa9)
        && p.u32_at(12) == Some(0xbede_0003);
    if a || b {
        Verdict::Yes(Proto::I3d)
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
    fn game_server_patterns() {
        let mut a = hex("00010046 0003cfa8");
        a.resize(80, 7);
        assert_eq!(detect(&pkt(&a, L4::Udp, 40000, 7777)), Verdict::Yes(Proto::I3d));
        let mut b = hex("9078 1234 00000001 0003cfa9 bede0003");
        b.resize(90, 1);
        assert_eq!(detect(&pkt(&b, L4::Udp, 40000, 7777)), Verdict::Yes(Proto::I3d));
        assert_eq!(detect(&pkt(&b[..73], L4::Udp, 40000, 7777)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(80, seed), L4::Udp, 1, 2)), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..120)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 2));
        }
    }
}
