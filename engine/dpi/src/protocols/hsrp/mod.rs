//! HSRP (RFC 2281 v1 on UDP 1985; v2 TLVs on 1985/2029): version, op code, state and the fixed length.

use crate::dissector::{Order, Protocol, Transport};
use crate::dissector::{Pkt, Verdict, L4};
use crate::proto::Proto;
use xntop_wire::cursor::ReadAt;

crate::proto::identities! {
    Hsrp = 282, "HSRP", Network, udp [1985];
}

/// HSRP's registration (see `protocols/template/README.md`).
pub const PROTOCOL: Protocol = Protocol {
    identities: IDENTITIES,
    dissector: Some(&detect),
    runs_on: Transport::Udp,
    order: Order::Normal,
    risks: &[],
};

fn detect(pkt: &Pkt) -> Verdict {
    let p = pkt.payload;
    if pkt.l4 != L4::Udp || !(pkt.either_port(1985) || pkt.either_port(2029)) {
        return Verdict::No;
    }
    let v1 = p.len() == 20
        && p.u8_at(0) == Some(0)
        && matches!(p.u8_at(1), Some(0..=2))
        && matches!(p.u8_at(2), Some(0 | 1 | 2 | 4 | 8 | 16))
        && p.u8_at(3).is_some_and(|hello| hello > 0)
        && p.u8_at(4).is_some_and(|hold| hold > 0);
    // v2: Group State TLV (type 1, length 40) with version 2 and a valid op code and state.
    let v2 = p.u8_at(0) == Some(1)
        && p.u8_at(1) == Some(40)
        && p.u8_at(2) == Some(2)
        && matches!(p.u8_at(3), Some(0..=2))
        && matches!(p.u8_at(4), Some(0..=6))
        && p.len() >= 42;
    if v1 || v2 {
        Verdict::Yes(Proto::Hsrp)
    } else {
        Verdict::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::util::testutil::{hex, noise, pkt};

    #[test]
    fn v1_hello() {
        let p = hex("000010030a5a0a00636973636f0000000a1ca8fe");
        assert_eq!(
            detect(&pkt(&p, L4::Udp, 1985, 1985)),
            Verdict::Yes(Proto::Hsrp)
        );
    }

    #[test]
    fn negatives() {
        let p = hex("000010030a5a0a00636973636f0000000a1ca8fe");
        assert_eq!(detect(&pkt(&p, L4::Udp, 5000, 5001)), Verdict::No);
        assert_eq!(
            detect(&pkt(&noise(20, 8), L4::Udp, 1985, 1985)),
            Verdict::No
        );
    }
}
