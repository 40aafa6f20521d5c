//! BFCP, the Binary Floor Control Protocol of conferencing systems (RFC 8855 §5.1): version 1 (or 2 over UDP,
//! RFC 8855), the reserved bit clear, a primitive 1-17, and — as nDPI requires — a second packet of the flow with
//! the same conference id. The payload length (in 4-byte words) is not held against the packet: captures cut the
//! attributes short.

use crate::dissector::{Dissector, Flow, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Bfcp = 32, "BFCP", Video;
}

/// BFCP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&BfcpDissector),
    runs_on: Transport::Both,
    order: Order::Normal,
    risks: &[],
};

/// The common header: ver/R/F, primitive, payload length, conference id, transaction id, user id.
const HEADER: usize = 12;
const PRIMITIVES: std::ops::RangeInclusive<u8> = 1..=17;

/// The conference id of a valid common header.
fn conference(p: &[u8]) -> Option<u32> {
    let b0 = p.u8_at(0)?;
    let version_ok = matches!(b0 >> 5, 1 | 2) && b0 & 0x08 == 0;
    if p.len() < HEADER || !version_ok || !PRIMITIVES.contains(&p.u8_at(1)?) {
        return None;
    }
    p.u32_at(4)
}

/// The first packet's conference id.
struct Conference(u32);

struct BfcpDissector;

impl Dissector for BfcpDissector {
    fn probe(&self, pkt: &Pkt, flow: &mut Flow) -> Verdict {
        let Some(id) = conference(pkt.payload) else {
            return Verdict::No;
        };
        if let Some(first) = flow.state::<Conference>() {
            return if first.0 == id { Verdict::Yes(Proto::Bfcp) } else { Verdict::No };
        }
        if !flow.state_is_free() {
            return Verdict::No;
        }
        flow.set_state(Box::new(Conference(id)));
        Verdict::NeedMore
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::Dir;
    use crate::protocols::util::harness::Harness;
    use crate::protocols::util::testutil::{hex, noise, pkt, pkt_at};
    use crate::L4;

    /// Hello (primitive 11) and HelloAck (12) of conference 0x00001234, transaction 1, user 7, no attributes
    /// (RFC 8855 §5.3.11-12), then a FloorRequest with a FLOOR-ID attribute (§5.3.1, 4 bytes).
    const HELLO: &str = "20 0b 0000 00001234 0001 0007";
    const HELLO_ACK: &str = "20 0c 0000 00001234 0001 0007";
    const FLOOR_REQUEST: &str = "20 01 0001 00001234 0002 0007 0404 0001";

    #[test]
    fn hello_and_ack_of_one_conference() {
        let (a, b) = (hex(HELLO), hex(HELLO_ACK));
        let first = pkt(&a, L4::Tcp, 44450, 5070);
        let mut h = Harness::new(&first);
        assert_eq!(h.probe(&BfcpDissector, &first), Verdict::NeedMore);
        let reply = pkt_at(&b, L4::Tcp, 44450, 5070, Dir::ToClient, [1, 0]);
        assert_eq!(h.probe(&BfcpDissector, &reply), Verdict::Yes(Proto::Bfcp));
        assert_eq!(conference(&hex(FLOOR_REQUEST)), Some(0x1234));
    }

    #[test]
    fn near_misses() {
        for bad in [
            "60 0b 0000 00001234 0001 0007", // version 3
            "28 0b 0000 00001234 0001 0007", // reserved bit
            "20 12 0000 00001234 0001 0007", // primitive 18
            "20 0b 0000 00001234 0001",      // short
        ] {
            assert_eq!(conference(&hex(bad)), None, "{bad}");
        }
        let a = hex(HELLO);
        let mut other = hex(HELLO_ACK);
        other[7] = 0x35;
        let first = pkt(&a, L4::Udp, 1, 2);
        let mut h = Harness::new(&first);
        assert_eq!(h.probe(&BfcpDissector, &first), Verdict::NeedMore);
        assert_eq!(h.probe(&BfcpDissector, &pkt(&other, L4::Udp, 1, 2)), Verdict::No);
        // A single header is weak (about 1 % of noise passes); the second packet's conference id decides.
        for seed in 1..400 {
            let (a, b) = (noise(40, seed), noise(40, seed + 1000));
            let first = pkt(&a, L4::Udp, 1, 2);
            let mut h = Harness::new(&first);
            let _ = h.probe(&BfcpDissector, &first);
            assert_ne!(h.probe(&BfcpDissector, &pkt(&b, L4::Udp, 1, 2)), Verdict::Yes(Proto::Bfcp));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..60)) {
            let k = pkt(&p, L4::Udp, 1, 2);
            let mut h = Harness::new(&k);
            let _ = h.probe(&BfcpDissector, &k);
            let _ = h.probe(&BfcpDissector, &k);
        }
    }
}
