//! Steam (Valve's client; UDP patterns from nDPI's `steam.c`, after libprotoident): datagrams opening `VS01`, the
//! 4-byte 39 18 00 00 request answered by an 8-byte 3a 18 00 00, and the 31 ff 30 2e / ff ff ff ff exchange. The
//! store, community and CDN are named from their server names; A2S server queries are Source_Engine's.

use crate::dissector::{Dir, Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Steam = 74, "Steam", Game;
}

/// Steam's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&SteamDissector),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const VS01: &[u8] = b"VS01";
const REQUEST: [u8; 4] = [0x39, 0x18, 0x00, 0x00];
const ANSWER: [u8; 4] = [0x3a, 0x18, 0x00, 0x00];
const HELLO: [u8; 4] = [0x31, 0xff, 0x30, 0x2e];
const QUERY: [u8; 4] = [0xff, 0xff, 0xff, 0xff];
/// Packets looked at before giving up (nDPI's bound).
const MAX_PACKETS: u32 = 5;

/// What the first side sent, waiting for the other side's answer.
enum Opened {
    Request(Dir),
    Hello(Dir),
    Query(Dir),
}

struct SteamDissector;

impl Dissector for SteamDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let p = pkt.payload;
        if p.starts_with(VS01) {
            return Verdict::Yes(Proto::Steam);
        }
        if crate::protocols::util::total_seen(pkt) >= MAX_PACKETS {
            return Verdict::No;
        }
        let d = pkt.dir;
        match flow.state::<Opened>() {
            Some(Opened::Request(o)) if *o != d => {
                return if p.len() == 8 && p.starts_with(&ANSWER) {
                    Verdict::Yes(Proto::Steam)
                } else {
                    Verdict::No
                };
            }
            Some(Opened::Hello(o)) if *o != d => {
                return if p.starts_with(&QUERY) { Verdict::Yes(Proto::Steam) } else { Verdict::No };
            }
            Some(Opened::Query(o)) if *o != d => {
                return if p.starts_with(&HELLO) { Verdict::Yes(Proto::Steam) } else { Verdict::No };
            }
            // The opener speaking again: wait for the answer.
            Some(_) => return Verdict::NeedMore,
            None => {}
        }
        let opened = if p.len() == 4 && p.starts_with(&REQUEST) {
            Opened::Request(d)
        } else if p.starts_with(&HELLO) {
            Opened::Hello(d)
        } else if p.starts_with(&QUERY) {
            Opened::Query(d)
        } else {
            return Verdict::No;
        };
        if !flow.state_is_free() {
            return Verdict::No;
        }
        flow.set_state(Box::new(opened));
        Verdict::NeedMore
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use proptest::prelude::*;

    #[test]
    fn vs01_and_request_answer() {
        let v = b"VS01\x00\x01\x02\x03";
        let x = pkt(v, L4::Udp, 40000, 27036);
        assert_eq!(Harness::new(&x).probe(&SteamDissector, &x), Verdict::Yes(Proto::Steam));
        let r = hex("39180000");
        let a = pkt(&r, L4::Udp, 40000, 27036);
        let mut h = Harness::new(&a);
        assert_eq!(h.probe(&SteamDissector, &a), Verdict::NeedMore);
        let s = hex("3a180000 01020304");
        let b = pkt_at(&s, L4::Udp, 40000, 27036, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&SteamDissector, &b), Verdict::Yes(Proto::Steam));
    }

    #[test]
    fn wrong_answer() {
        let r = hex("31ff302e 0000");
        let a = pkt(&r, L4::Udp, 40000, 27036);
        let mut h = Harness::new(&a);
        assert_eq!(h.probe(&SteamDissector, &a), Verdict::NeedMore);
        let s = hex("00000000");
        let b = pkt_at(&s, L4::Udp, 40000, 27036, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&SteamDissector, &b), Verdict::No);
        for seed in 1..200 {
            let n = noise(20, seed);
            let x = pkt(&n, L4::Udp, 1, 2);
            assert_eq!(Harness::new(&x).probe(&SteamDissector, &x), Verdict::No);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(a in proptest::collection::vec(any::<u8>(), 1..40), b in proptest::collection::vec(any::<u8>(), 1..40)) {
            let x = pkt(&a, L4::Udp, 1, 2);
            let mut h = Harness::new(&x);
            let _ = h.probe(&SteamDissector, &x);
            let _ = h.probe(&SteamDissector, &pkt_at(&b, L4::Udp, 1, 2, Dir::ToClient, [1, 0]));
        }
    }
}
