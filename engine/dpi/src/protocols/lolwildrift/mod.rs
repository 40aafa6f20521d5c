//! LOLWILDRIFT (League of Legends: Wild Rift; format from nDPI's dissector): a 22-byte UDP message 0102c841 …
//! 41304231, or the 69-byte 04000000 message followed by a 359-byte 10000000 one.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    LolWildRift = 407, "LoLWildRift", Game;
}

/// LOLWILDRIFT's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&WildRift),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// The 69-byte message was seen.
struct Stage1;

struct WildRift;

impl Dissector for WildRift {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        if p.len() == 22 && p.u32_at(0) == Some(0x0102_c841) && p.u32_at(18) == Some(0x4130_4231) {
            return Verdict::Yes(Proto::LolWildRift);
        }
        if p.len() == 69 && p.u32_at(0) == Some(0x0400_0000) && flow.state_is_free() {
            flow.set_state(Box::new(Stage1));
            return Verdict::NeedMore;
        }
        if p.len() == 359 && p.u32_at(0) == Some(0x1000_0000) && flow.state::<Stage1>().is_some() {
            return Verdict::Yes(Proto::LolWildRift);
        }
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn short_message_and_pair() {
        let mut a = hex("0102c841");
        a.resize(18, 0x22);
        a.extend_from_slice(&hex("41304231"));
        let x = pkt(&a, L4::Udp, 40000, 5100);
        assert_eq!(Harness::new(&x).probe(&WildRift, &x), Verdict::Yes(Proto::LolWildRift));
        let mut b = hex("04000000");
        b.resize(69, 1);
        let mut c = hex("10000000");
        c.resize(359, 2);
        let y = pkt(&b, L4::Udp, 40000, 5100);
        let mut h = Harness::new(&y);
        assert_eq!(h.probe(&WildRift, &y), Verdict::NeedMore);
        assert_eq!(h.probe(&WildRift, &pkt(&c, L4::Udp, 40000, 5100)), Verdict::Yes(Proto::LolWildRift));
        let z = pkt(&c, L4::Udp, 40000, 5100);
        assert_eq!(Harness::new(&z).probe(&WildRift, &z), Verdict::No);
        for seed in 1..200 {
            let n = noise(22, seed);
            let w = pkt(&n, L4::Udp, 1, 2);
            assert_eq!(Harness::new(&w).probe(&WildRift, &w), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..400)) {
            let x = pkt(&p, L4::Udp, 1, 2);
            let _ = Harness::new(&x).probe(&WildRift, &x);
        }
    }
}
