//! EAQ (Brazil's broadband quality measurement): 16-byte probes on UDP 6000 starting with four zero bytes.

use crate::dissector::{Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;

crate::proto::identities! {
    Eaq = 190, "EAQ", Network;
}

/// EAQ's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&eaq),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// EAQ (Brazil's broadband quality measurement): 16-byte probes on UDP 6000 starting with four zero bytes.
fn eaq(p: &Pkt) -> Verdict {
    let b = p.payload;
    if b.len() == 16 && p.either_port(6000) && b[..4] == [0; 4] {
        Verdict::Yes(Proto::Eaq)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, pkt};

    // First bytes of a flow in nDPI's regression capture EAQ.pcap.
    #[test]
    fn real_opening() {
        assert_eq!(
            eaq(&pkt(&hex("0000000000000dda00014b0700009000"), L4::Udp, 40000, 6000)),
            Verdict::Yes(Proto::Eaq)
        );
    }

    #[test]
    fn near_miss() {
        assert_eq!(eaq(&pkt(&[0; 16], L4::Udp, 40000, 6001)), Verdict::No);
    }
}
