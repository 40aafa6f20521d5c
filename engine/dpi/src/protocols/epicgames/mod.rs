//! EpicGames (Epic Online Services' UDP transport; pattern from nDPI's `epicgames.c`): the flow's first datagram —
//! at least 34 bytes, a 32-bit word with bit 0x08 clear, 24 zero bytes from offset 10 — is answered from the other
//! side by a datagram opening with the same word, bit 0x08 set. Stores and launcher are named from their server
//! names.

use crate::dissector::{Dir, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    EpicGames = 340, "EpicGames", Game;
}

/// EpicGames's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&EpicDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const MIN_OPENING: usize = 34;
const ZEROS: std::ops::Range<usize> = 10..34;
const ANSWER_BIT: u32 = 0x08;
/// Packets looked at before giving up (nDPI's bound).
const MAX_PACKETS: u32 = 4;

/// The opening's direction and word.
struct Opening(Dir, u32);

struct EpicDissector;

impl Dissector for EpicDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        if total_seen(pkt) == 0 {
            return match p.u32_at(0) {
                Some(w)
                    if p.len() >= MIN_OPENING
                        && w & ANSWER_BIT == 0
                        && p[ZEROS].iter().all(|&b| b == 0)
                        && flow.state_is_free() =>
                {
                    flow.set_state(Box::new(Opening(pkt.dir, w)));
                    Verdict::NeedMore
                }
                _ => Verdict::No,
            };
        }
        match flow.state::<Opening>() {
            Some(&mut Opening(d, w)) if d != pkt.dir => {
                if p.len() > 4 && p.u32_at(0) == Some(w | ANSWER_BIT) {
                    Verdict::Yes(Proto::EpicGames)
                } else {
                    Verdict::No
                }
            }
            Some(_) if total_seen(pkt) + 1 < MAX_PACKETS => Verdict::NeedMore,
            _ => Verdict::No,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt_at};
    use proptest::prelude::*;

    fn opening() -> Vec<u8> {
        let mut p = hex("12340071 aabbccddeeff");
        p.resize(40, 0);
        p
    }

    #[test]
    fn opening_and_answer() {
        let o = opening();
        let a = pkt_at(&o, L4::Udp, 40000, 15011, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&a);
        assert_eq!(h.probe(&EpicDissector, &a), Verdict::NeedMore);
        let r = hex("12340079 0102030405");
        let b = pkt_at(&r, L4::Udp, 40000, 15011, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&EpicDissector, &b), Verdict::Yes(Proto::EpicGames));
    }

    #[test]
    fn wrong_answer_or_opening() {
        let o = opening();
        let a = pkt_at(&o, L4::Udp, 40000, 15011, Dir::ToServer, [0, 0]);
        let mut h = Harness::new(&a);
        let _ = h.probe(&EpicDissector, &a);
        let r = hex("12340071 0102030405");
        let b = pkt_at(&r, L4::Udp, 40000, 15011, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&EpicDissector, &b), Verdict::No);
        for seed in 1..100 {
            let n = noise(40, seed);
            let x = pkt_at(&n, L4::Udp, 1, 2, Dir::ToServer, [0, 0]);
            assert_eq!(Harness::new(&x).probe(&EpicDissector, &x), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(b in proptest::collection::vec(any::<u8>(), 1..60)) {
            let o = opening();
            let a = pkt_at(&o, L4::Udp, 1, 2, Dir::ToServer, [0, 0]);
            let mut h = Harness::new(&a);
            let _ = h.probe(&EpicDissector, &a);
            let _ = h.probe(&EpicDissector, &pkt_at(&b, L4::Udp, 1, 2, Dir::ToClient, [1, 0]));
        }
    }
}
