//! NestLogSink, Nest devices' log upload to Google (TCP 11095): framed records whose second byte is at most 2,
//! third 0x00 or 0x10 and fourth 0x13. As nDPI does, three such packets on port 11095 decide; they are counted in
//! the flow's state slot.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict, L4};
use crate::proto::Proto;

crate::proto::identities! {
    NestLogSink = 43, "NestLogSink", Cloud, tcp [11095];
}

/// NestLogSink's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&NestDissector),
    runs_on: Transport::Tcp,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 11095;
const MIN_LEN: usize = 8;
/// Matching packets needed.
const MATCHES: u8 = 3;

fn record(p: &[u8]) -> bool {
    p.len() >= MIN_LEN && p[1] <= 2 && matches!(p[2], 0x00 | 0x10) && p[3] == 0x13
}

/// Matching packets seen so far.
struct Matches(u8);

struct NestDissector;

impl Dissector for NestDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        if pkt.l4 != L4::Tcp || !pkt.either_port(PORT) || pkt.payload.len() < MIN_LEN {
            return Verdict::No;
        }
        if !record(pkt.payload) {
            return Verdict::NeedMore;
        }
        let counted = flow.state::<Matches>().map(|m| {
            m.0 += 1;
            m.0
        });
        let seen = match counted {
            Some(n) => n,
            None if flow.state_is_free() => {
                flow.set_state(Box::new(Matches(1)));
                1
            }
            None => return Verdict::No,
        };
        if seen >= MATCHES {
            Verdict::Yes(Proto::NestLogSink)
        } else {
            Verdict::NeedMore
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, pkt};

    #[test]
    fn three_records_decide() {
        let r = hex("00 01 10 13 0000002a 0102");
        let k = pkt(&r, L4::Tcp, 40000, 11095);
        let mut h = Harness::new(&k);
        assert_eq!(h.probe(&NestDissector, &k), Verdict::NeedMore);
        assert_eq!(h.probe(&NestDissector, &k), Verdict::NeedMore);
        assert_eq!(h.probe(&NestDissector, &k), Verdict::Yes(Proto::NestLogSink));
        let other = pkt(&r, L4::Tcp, 40000, 11096);
        assert_eq!(Harness::new(&other).probe(&NestDissector, &other), Verdict::No);
        assert!(!record(&hex("00 03 10 13 0000002a")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let k = pkt(&p, L4::Tcp, 1, PORT);
            let mut h = Harness::new(&k);
            for _ in 0..4 {
                let _ = h.probe(&NestDissector, &k);
            }
        }
    }
}
