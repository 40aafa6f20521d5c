//! Targus Getdata / Dataspeed speed tests, as nDPI knows them: by port only — any TCP or UDP flow on 5001 or
//! 5201 (nDPI's dissector checks nothing else). With no payload of its own to recognise, the dissector runs last,
//! after every protocol that reads content, and only from the flow's third payload packet on, so that a dissector
//! that needs two packets to decide (BitTorrent's uTP) claims its flows on these ports first; a shorter flow gets
//! the same name from the port guess.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::protocols::util::total_seen;
use crate::proto::Proto;

crate::proto::identities! {
    TargusDataspeed = 243, "TargusDataspeed", Network, tcp [5001, 5201], udp [5001, 5201];
}

/// TargusDataspeed's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Last,
    risks: &[],
};

/// Payload packets left to the content dissectors before the port decides.
const GRACE: u32 = 2;
/// The ports nDPI names Targus Getdata by.
const PORTS: [u16; 2] = [5001, 5201];

fn detect(pkt: &Pkt) -> Verdict {
    if !PORTS.iter().any(|&port| pkt.either_port(port)) {
        Verdict::No
    } else if total_seen(pkt) < GRACE {
        Verdict::NeedMore
    } else {
        Verdict::Yes(Proto::TargusDataspeed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::testutil::{pkt, pkt_at};
    use crate::L4;
    use proptest::prelude::*;

    #[test]
    fn by_port() {
        assert_eq!(detect(&pkt(b"x", L4::Tcp, 40000, 5201)), Verdict::NeedMore);
        let third = pkt_at(b"x", L4::Udp, 5001, 40000, Dir::ToClient, [1, 1]);
        assert_eq!(detect(&third), Verdict::Yes(Proto::TargusDataspeed));
        assert_eq!(detect(&pkt(b"x", L4::Tcp, 40000, 5202)), Verdict::No);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_ports(a in any::<u16>(), b in any::<u16>()) {
            let v = detect(&pkt_at(b"x", L4::Tcp, a, b, Dir::ToServer, [2, 0]));
            prop_assert_eq!(v == Verdict::No, !PORTS.contains(&a) && !PORTS.contains(&b));
        }
    }
}
