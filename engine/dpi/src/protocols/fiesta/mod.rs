//! FIESTA (Fiesta Online; format from nDPI's dissector): a 5-byte opening 0407 08 ?? 00|01 in one direction, then
//! length-prefixed messages (a 1-byte length, or 0 and a 2-byte little-endian length) from the other side, and one
//! of the known short replies from the opener's side.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Fiesta = 107, "Fiesta", Game;
}

/// FIESTA's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&FiestaDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

/// The direction that sent the opening.
struct Opener(crate::Dir);

struct FiestaDissector;

impl Dissector for FiestaDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        let opener = flow.state::<Opener>().map(|o| o.0);
        match opener {
            None => {
                if p.len() == 5 && p.u16_at(0) == Some(0x0407) && p[2] == 0x08 && p[4] <= 1 && flow.state_is_free() {
                    flow.set_state(Box::new(Opener(pkt.dir)));
                    Verdict::NeedMore
                } else {
                    Verdict::No
                }
            }
            Some(d) if d != pkt.dir => {
                let framed = (p.len() > 1 && usize::from(p[0]) + 1 == p.len())
                    || (p.len() > 3 && p[0] == 0 && p.u16_le_at(1).is_some_and(|l| usize::from(l) + 3 == p.len()));
                if framed {
                    Verdict::NeedMore
                } else {
                    Verdict::No
                }
            }
            Some(_) => {
                let known = (p.len() == 4 && p.u32_at(0) == Some(0x0305_0c01))
                    || (p.len() == 5 && p.u32_at(0) == Some(0x0403_0c01) && p[4] == 0)
                    || (p.len() == 6 && p.u32_at(0) == Some(0x050e_080b))
                    || (p.len() == 100
                        && p[0] == 0x63
                        && p[61] == 0x52
                        && p[81] == 0x5a
                        && p.u16_at(1) == Some(0x3810)
                        && p.u16_at(62) == Some(0x6f75))
                    || (p.len() > 3 && usize::from(p[0]) + 1 == p.len() && p.u16_at(1) == Some(0x140c));
                if known {
                    Verdict::Yes(Proto::Fiesta)
                } else {
                    Verdict::No
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt_at};
    use crate::{Dir, L4};
    use proptest::prelude::*;

    #[test]
    fn opening_framed_reply_known_answer() {
        let o = hex("0407 08 2a 01");
        let a = pkt_at(&o, L4::Tcp, 40000, 9010, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&a);
        assert_eq!(h.probe(&FiestaDissector, &a), Verdict::NeedMore);
        let r = hex("05 0c14 aabbcc");
        let b = pkt_at(&r[..6], L4::Tcp, 40000, 9010, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&FiestaDissector, &b), Verdict::NeedMore);
        let k = hex("03050c01");
        let c = pkt_at(&k, L4::Tcp, 40000, 9010, Dir::ToServer, [1, 1]);
        assert_eq!(h.probe(&FiestaDissector, &c), Verdict::Yes(Proto::Fiesta));
    }

    #[test]
    fn others() {
        for seed in 1..200 {
            let n = noise(5, seed);
            let x = pkt_at(&n, L4::Tcp, 1, 2, Dir::ToServer, [0, 0]);
            assert_eq!(Harness::new(&x).probe(&FiestaDissector, &x), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(a in proptest::collection::vec(any::<u8>(), 1..120), b in proptest::collection::vec(any::<u8>(), 1..120)) {
            let o = [0x04, 0x07, 0x08, 0x00, 0x00];
            let x = pkt_at(&o, L4::Tcp, 1, 2, Dir::ToServer, [0, 0]);
            let mut h = Harness::new(&x);
            let _ = h.probe(&FiestaDissector, &x);
            let _ = h.probe(&FiestaDissector, &pkt_at(&a, L4::Tcp, 1, 2, Dir::ToClient, [1, 0]));
            let _ = h.probe(&FiestaDissector, &pkt_at(&b, L4::Tcp, 1, 2, Dir::ToServer, [1, 1]));
        }
    }
}
