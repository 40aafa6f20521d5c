//! PFCP, the 4G/5G control-to-user-plane protocol (3GPP TS 29.244 §7.2): version 1, a message type the spec
//! defines (node messages 1-15, session messages 50-57), and a length equal to the packet after the first four
//! bytes, long enough for the SEID when the S flag announces one.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Pfcp = 405, "PFCP", Network, udp [8805];
}

/// PFCP's registration.
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// The part of the header the length field does not count.
const LEN_EXCLUDED: usize = 4;
/// After the first four bytes: sequence number (3) and spare (1); plus the SEID (8) when S is set.
const REST_NO_SEID: usize = 4;
const SEID: usize = 8;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    let (Some(flags), Some(kind), Some(len)) = (p.u8_at(0), p.u8_at(1), p.u16_at(2)) else {
        return Verdict::No;
    };
    let len = usize::from(len);
    let seid = if flags & 0x01 != 0 { SEID } else { 0 };
    if pkt.l4 == L4::Udp
        && flags >> 5 == 1
        && matches!(kind, 1..=15 | 50..=57)
        && len + LEN_EXCLUDED == p.len()
        && len >= REST_NO_SEID + seid
    {
        Verdict::Yes(Proto::Pfcp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// Heartbeat request with a Recovery Time Stamp IE (TS 29.244 §7.4.2.1, §8.2.65), no SEID.
    const HEARTBEAT: &str = "20 01 000c 000001 00 0060 0004 e5f6a7b8";
    /// Session deletion request (type 54) with an SEID and no IEs.
    const DELETE: &str = "21 36 000c 0000000000000001 000002 00";

    #[test]
    fn node_and_session_messages() {
        for m in [HEARTBEAT, DELETE] {
            assert_eq!(
                detect(&pkt(&hex(m), L4::Udp, 8805, 8805)),
                Verdict::Yes(Proto::Pfcp),
                "{m}"
            );
        }
    }

    #[test]
    fn near_misses() {
        for bad in [
            "40 01 000c 000001 00 0060 0004 e5f6a7b8", // version 2
            "20 20 000c 000001 00 0060 0004 e5f6a7b8", // type 32 unassigned
            "20 01 000d 000001 00 0060 0004 e5f6a7b8", // length off by one
            "21 36 0004 00000000",                     // S set without room for the SEID
        ] {
            assert_eq!(detect(&pkt(&hex(bad), L4::Udp, 1, 8805)), Verdict::No, "{bad}");
        }
        assert_eq!(detect(&pkt(&hex(HEARTBEAT), L4::Tcp, 1, 8805)), Verdict::No);
        for seed in 1..100 {
            assert_eq!(detect(&pkt(&noise(40, seed), L4::Udp, 1, 8805)), Verdict::No);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 8805));
        }
    }
}
