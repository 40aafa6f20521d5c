//! GEARUP_BOOSTER (the GearUP game accelerator; format from nDPI's `gearup_booster.c`): UDP to port 9999, opened by
//! the client, with 4-byte (mobile) or 8-byte (desktop, last three bytes zero) non-zero keep-alives.

use crate::dissector::{Dir, Order, Pkt, Protocol, Transport, Verdict};
use crate::proto::Proto;
use crate::protocols::util::total_seen;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    GearUpBooster = 445, "GearUP_Booster", Game;
}

/// GEARUP_BOOSTER's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

const PORT: u16 = 9999;

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if !pkt.either_port(PORT) || (total_seen(pkt) == 0 && (pkt.dir != Dir::ToServer || pkt.server_port != PORT)) {
        return Verdict::No;
    }
    let ok = match p.len() {
        4 => p.u32_at(0) != Some(0),
        8 => p.u32_at(0) != Some(0) && p[5..8] == [0, 0, 0],
        _ => false,
    };
    if ok {
        Verdict::Yes(Proto::GearUpBooster)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissector::L4;
    use crate::protocols::util::testutil::{hex, pkt, pkt_at};
    use proptest::prelude::*;

    #[test]
    fn keep_alives() {
        let m = hex("0a0b0c0d");
        assert_eq!(detect(&pkt(&m, L4::Udp, 40000, 9999)), Verdict::Yes(Proto::GearUpBooster));
        let d = hex("0a0b0c0d 01 000000");
        assert_eq!(detect(&pkt(&d, L4::Udp, 40000, 9999)), Verdict::Yes(Proto::GearUpBooster));
        assert_eq!(detect(&pkt(&hex("00000000"), L4::Udp, 40000, 9999)), Verdict::No);
        assert_eq!(detect(&pkt(&m, L4::Udp, 40000, 9998)), Verdict::No);
        let back = pkt_at(&m, L4::Udp, 40000, 9999, Dir::ToClient, [0, 0]);
        assert_eq!(detect(&back), Verdict::No, "the client opens");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_cases(512)))]
        #[test]
        fn any_bytes(p in proptest::collection::vec(any::<u8>(), 1..20)) {
            let _ = detect(&pkt(&p, L4::Udp, 1, 9999));
        }
    }
}
