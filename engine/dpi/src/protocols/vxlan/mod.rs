//! VXLAN (RFC 7348) seen as a UDP protocol: the capture decoder strips VXLAN to reach the inner flow, so this only
//! names the packets it could not decode (an inner frame cut short, a non-Ethernet payload). To UDP port 4789, the
//! 8-byte header with only the I flag set and its reserved bytes zero, as nDPI checks.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Vxlan = 64, "VXLAN", Network, udp [4789];
}

/// VXLAN's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

/// IANA's VXLAN port.
const PORT: u16 = 4789;
/// The VXLAN header.
const HEADER: usize = 8;
/// Flags byte with only I (valid VNI) set.
const FLAGS_I: u8 = 0x08;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || pkt.dst_port() != PORT || p.len() < HEADER {
        return Verdict::No;
    }
    // Byte 0 flags, bytes 1-3 reserved (the group-policy extension would use them), byte 7 reserved.
    if p.u32_at(0) == Some(u32::from(FLAGS_I) << 24) && p.u8_at(7) == Some(0) {
        Verdict::Yes(Proto::Vxlan)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    /// VNI 42 followed by the start of an inner Ethernet frame, built from RFC 7348 §5.
    const FRAME: &str = "08000000 00002a00 ffffffffffff 020000000001 0806";

    #[test]
    fn header_to_4789() {
        assert_eq!(
            detect(&pkt(&hex(FRAME), L4::Udp, 54321, 4789)),
            Verdict::Yes(Proto::Vxlan)
        );
    }

    #[test]
    fn near_misses() {
        let p = hex(FRAME);
        assert_eq!(detect(&pkt(&p, L4::Udp, 4789, 54321)), Verdict::No);
        assert_eq!(detect(&pkt(&p[..7], L4::Udp, 54321, 4789)), Verdict::No);
        let mut gbp = p.clone();
        gbp[1] = 0x80;
        assert_eq!(detect(&pkt(&gbp, L4::Udp, 54321, 4789)), Verdict::No);
        let mut res = p.clone();
        res[7] = 1;
        assert_eq!(detect(&pkt(&res, L4::Udp, 54321, 4789)), Verdict::No);
        for seed in 1..50 {
            assert_eq!(
                detect(&pkt(&noise(60, seed), L4::Udp, 1, 4789)),
                Verdict::No
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, PORT));
        }
    }
}
