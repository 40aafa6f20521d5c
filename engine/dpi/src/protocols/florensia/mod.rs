//! FLORENSIA (Florensia's client/server messages; format from nDPI's dissector): TCP messages open with a
//! little-endian length equal to the packet, then a type word; the login exchange's known types (0x65 with a
//! trailing 0xff, 0x0201/0x0302/0x0202 with 0xffffffff fillers, 0x0301, 0x63 of 406 bytes) name the flow once two
//! of them were seen. Over UDP: 0503 ffff0000 then 0500 ?? ?? 4191.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Florensia = 108, "Florensia", Game;
}

/// FLORENSIA's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&FlorensiaDissector),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// Packets within which a marked flow may keep exchanging length-prefixed messages (nDPI's bound).
const MAX_PACKETS: u32 = 10;

/// One login message was seen.
struct Marked;

struct FlorensiaDissector;

impl Dissector for FlorensiaDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        let marked = flow.state::<Marked>().is_some();
        match pkt.l4 {
            L4::Tcp => {
                let framed = p.u16_le_at(0).is_some_and(|l| usize::from(l) == p.len());
                if !framed {
                    return Verdict::No;
                }
                let n = p.len();
                let t = p.u16_at(2);
                let opening = (n == 5 && p[2] == 0x65 && p[4] == 0xff)
                    || (n == 12 && t == Some(0x0301));
                let first_only = (n > 8 && t == Some(0x0201) && p.u32_at(4) == Some(0xffff_ffff))
                    || (n == 406 && p[2] == 0x63);
                let closing = (n == 8 && t == Some(0x0302) && p.u32_at(4) == Some(0xffff_ffff))
                    || (n == 24 && t == Some(0x0202) && p.u32_at(n - 4) == Some(0xffff_ffff));
                if marked && (opening || closing) {
                    Verdict::Yes(Proto::Florensia)
                } else if opening || first_only {
                    if !marked {
                        if !flow.state_is_free() {
                            return Verdict::No;
                        }
                        flow.set_state(Box::new(Marked));
                    }
                    Verdict::NeedMore
                } else if marked && total_seen(pkt) < MAX_PACKETS {
                    Verdict::NeedMore
                } else {
                    Verdict::No
                }
            }
            L4::Udp => {
                if !marked
                    && flow.state_is_free()
                    && p.len() == 6
                    && p.u16_at(0) == Some(0x0503)
                    && p.u32_at(2) == Some(0xffff_0000)
                {
                    flow.set_state(Box::new(Marked));
                    Verdict::NeedMore
                } else if marked && p.len() == 8 && p.u16_at(0) == Some(0x0500) && p.u16_at(4) == Some(0x4191) {
                    Verdict::Yes(Proto::Florensia)
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
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::Dir;
    use proptest::prelude::*;

    #[test]
    fn tcp_login_pair() {
        let a = hex("0500 65 00 ff");
        let x = pkt(&a, L4::Tcp, 40000, 51000);
        let mut h = Harness::new(&x);
        assert_eq!(h.probe(&FlorensiaDissector, &x), Verdict::NeedMore);
        let b = hex("0800 0302 ffffffff");
        let y = pkt_at(&b, L4::Tcp, 40000, 51000, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&FlorensiaDissector, &y), Verdict::Yes(Proto::Florensia));
    }

    #[test]
    fn udp_pair() {
        let a = hex("0503 ffff0000");
        let x = pkt(&a, L4::Udp, 40000, 51000);
        let mut h = Harness::new(&x);
        assert_eq!(h.probe(&FlorensiaDissector, &x), Verdict::NeedMore);
        let b = hex("0500 1234 4191 0000");
        let y = pkt_at(&b, L4::Udp, 40000, 51000, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&FlorensiaDissector, &y), Verdict::Yes(Proto::Florensia));
    }

    #[test]
    fn one_message_alone_is_not_enough() {
        let b = hex("0800 0302 ffffffff");
        let y = pkt(&b, L4::Tcp, 40000, 51000);
        assert_eq!(Harness::new(&y).probe(&FlorensiaDissector, &y), Verdict::No);
        for seed in 1..200 {
            let n = noise(24, seed);
            let x = pkt(&n, L4::Tcp, 1, 2);
            assert_eq!(Harness::new(&x).probe(&FlorensiaDissector, &x), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(a in proptest::collection::vec(any::<u8>(), 1..420), udp in any::<bool>()) {
            let l4 = if udp { L4::Udp } else { L4::Tcp };
            let first = hex("0500 65 00 ff");
            let x = pkt(&first, l4, 1, 2);
            let mut h = Harness::new(&x);
            let _ = h.probe(&FlorensiaDissector, &x);
            let _ = h.probe(&FlorensiaDissector, &pkt(&a, l4, 1, 2));
        }
    }
}
