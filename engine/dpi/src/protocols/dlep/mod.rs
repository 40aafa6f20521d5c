//! DLEP, the Dynamic Link Exchange Protocol between routers and radios (RFC 8175): peer discovery over UDP is a
//! `DLEP` signal (§11: the four magic bytes, then a signal type and length), and the session over TCP port 854
//! exchanges messages of a 16-bit type (1-16 assigned) and a 16-bit length equal to the rest of the segment.
//! These are nDPI's rules.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Dlep = 400, "DLEP", Network, tcp [854], udp [854];
}

/// DLEP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 854;
const MAGIC: &[u8] = b"DLEP";
/// Shortest discovery signal nDPI accepts (magic, header and the mandatory data items).
const MIN_SIGNAL: usize = 28;
/// Message header: type and length.
const MESSAGE_HEADER: usize = 4;
/// Highest message type assigned (RFC 8175 §15.3 and extensions).
const MAX_MESSAGE: u16 = 0x10;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let yes = match pkt.l4 {
        L4::Udp => p.len() >= MIN_SIGNAL && p.starts_with(MAGIC),
        L4::Tcp => {
            pkt.either_port(PORT)
                && p.len() > 2 * MESSAGE_HEADER
                && p.u16_at(0).is_some_and(|t| t <= MAX_MESSAGE)
                && p.u16_at(2).map(usize::from) == Some(p.len() - MESSAGE_HEADER)
        }
    };
    if yes {
        Verdict::Yes(Proto::Dlep)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn peer_offer_and_session_init() {
        // Peer Offer signal (type 2) with a Peer Type item and an IPv4 Connection Point item (RFC 8175 §12, §13).
        let offer = hex("444c4550 0002 0018 0005 0008 00 726164696f31 000e 0008 01 c0000201 0356");
        assert_eq!(detect(&pkt(&offer, L4::Udp, 854, 854)), Verdict::Yes(Proto::Dlep));
        // Session Initialization message (type 1) with a Heartbeat Interval item.
        let init = hex("0001 0008 0004 0004 00002710");
        assert_eq!(detect(&pkt(&init, L4::Tcp, 40000, 854)), Verdict::Yes(Proto::Dlep));
    }

    #[test]
    fn near_misses() {
        assert_eq!(detect(&pkt(&hex("0001 0009 0004 0004 00002710"), L4::Tcp, 40000, 854)), Verdict::No);
        assert_eq!(detect(&pkt(&hex("0011 0008 0004 0004 00002710"), L4::Tcp, 40000, 854)), Verdict::No);
        assert_eq!(detect(&pkt(&hex("0001 0008 0004 0004 00002710"), L4::Tcp, 40000, 855)), Verdict::No);
        assert_eq!(detect(&pkt(b"DLEP", L4::Udp, 854, 854)), Verdict::No);
        assert_eq!(detect(&pkt(&noise(40, 1), L4::Udp, 854, 854)), Verdict::No);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let _ = detect(&pkt(&p, L4::Tcp, 1, PORT));
            let _ = detect(&pkt(&p, L4::Udp, 1, PORT));
        }
    }
}
